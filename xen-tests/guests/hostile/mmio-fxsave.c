/*
 * hostile: native=no
 *
 * mmio-fxsave: FXSAVE64/FXRSTOR64, FXSAVE/FXRSTOR and STMXCSR/LDMXCSR whose
 * memory operand is MMIO. The 512-byte area is placed so that its byte 400
 * (the low byte of XMM15) is the I/O APIC's IOREGSEL and bytes 0-399 are a
 * RAM page mapped right below it; the processor stores the x87 part,
 * MXCSR and XMM0-15 there (nothing past byte 415 in 64-bit mode: IOWIN,
 * at byte 416, must stay untouched) and loads them back from it. Each is
 * compared with the same instruction on RAM. A reserved MXCSR bit in the
 * image is #GP(0) and loads nothing, for LDMXCSR as for FXRSTOR. dbgvisor
 * used to end the domain ("cannot emulate ... 0f ae"). Not run natively:
 * QEMU 10 TCG itself crashes (SIGSEGV) on FXSAVE/FXRSTOR with an MMIO
 * operand, and its LDMXCSR raises no #GP for reserved bits.
 */
#include "mmio-alias.h"

#define AREA_MMIO ((uint8_t *)(IOAPIC - 400))
#define AREA_RAM_PART (alias_page + 4096 - 400)
#define GP 13

static uint8_t ref[512] __attribute__((aligned(16)));

static void set_state(uint8_t seed)
{
    uint8_t x[16];
    for (int i = 0; i < 16; i++)
        x[i] = (uint8_t)(seed + i * 7);
    asm volatile("movdqu %0, %%xmm3; movdqu %0, %%xmm15; pxor %%xmm0, %%xmm0" :: "m"(x));
    asm volatile("fninit; fld1; fldpi; fldl2e");
}

/* The area at AREA_MMIO as bytes 0-415 (RAM part, IOREGSEL). */
static bool mmio_area_equals(const uint8_t *want, unsigned n)
{
    if (!same_bytes(AREA_RAM_PART, want, n < 400 ? n : 400))
        return false;
    return n <= 400 || (uint8_t)*ioregsel == want[400];
}

static void store(bool rex_w)
{
    memset(alias_page, 0, sizeof(alias_page));
    memset(ref, 0, sizeof(ref));
    set_state(0x40);
    *ioregsel = 0;
    if (rex_w)
        asm volatile("fxsave64 %0; fxsave64 (%1)" : "=m"(ref) : "r"(AREA_MMIO) : "memory");
    else
        asm volatile("fxsave %0; fxsave (%1)" : "=m"(ref) : "r"(AREA_MMIO) : "memory");
    report(mmio_area_equals(ref, 401), "%s to MMIO: bytes 0-400 as to RAM (IOREGSEL %#x)",
           rex_w ? "fxsave64" : "fxsave", (uint8_t)*ioregsel);
    asm volatile("fninit");
}

static void load(bool rex_w)
{
    uint8_t xmm3[16], xmm15[16], st0[10], want3[16], want15[16], want_st0[10];

    set_state(0x10);
    asm volatile("fxsave64 %0" : "=m"(ref));
    memcpy(want3, ref + 160 + 3 * 16, 16);
    memcpy(want15, ref + 160 + 15 * 16, 16);
    memcpy(want_st0, ref + 32, 10);
    memcpy(AREA_RAM_PART, ref, 400);
    *ioregsel = ref[400];
    want15[1] = want15[2] = want15[3] = 0;      /* IOREGSEL keeps a byte, the rest reads 0 */
    memset(want15 + 4, 0, 12);
    set_state(0x90);
    if (rex_w)
        asm volatile("fxrstor64 (%0)" :: "r"(AREA_MMIO) : "memory");
    else
        asm volatile("fxrstor (%0)" :: "r"(AREA_MMIO) : "memory");
    asm volatile("movdqu %%xmm3, %0; movdqu %%xmm15, %1; fstpt %2"
                 : "=m"(xmm3), "=m"(xmm15), "=m"(st0));
    report(same_bytes(xmm3, want3, 16) && same_bytes(xmm15, want15, 16) && same_bytes(st0, want_st0, 10),
           "%s from MMIO: XMM3, XMM15 (IOREGSEL's byte) and ST0 loaded", rex_w ? "fxrstor64" : "fxrstor");
    asm volatile("fninit");
}

static void mxcsr(void)
{
    uint32_t v = 0x1f80 | 0x6000, back = 0, bad = 0x10000 | 0x1f80;
    int vec;

    asm volatile("ldmxcsr %0" :: "m"(v));
    asm volatile("stmxcsr (%0)" :: "r"(IOAPIC) : "memory");
    report((uint8_t)*ioregsel == (uint8_t)v, "stmxcsr to MMIO: low byte %#x", (uint8_t)*ioregsel);
    v = 0x1f80 | 0x0040;                        /* DAZ */
    asm volatile("ldmxcsr (%0); stmxcsr %1" : : "r"(put_straddling(&v, 4)), "m"(back) : "memory");
    asm volatile("stmxcsr %0" : "=m"(back));
    report(back == v, "ldmxcsr from MMIO: %#x", back);
    vec = TRY_ASM("ldmxcsr (%0)", : : "r"(put_straddling(&bad, 4)));
    asm volatile("stmxcsr %0" : "=m"(back));
    report(vec == GP && back == v, "ldmxcsr of a reserved bit from MMIO: #GP (%d), MXCSR kept", vec);
    v = 0x1f80;
    asm volatile("ldmxcsr %0" :: "m"(v));
    memcpy(AREA_RAM_PART, ref, 400);
    memcpy(AREA_RAM_PART + 24, &bad, 4);        /* the image's MXCSR */
    vec = TRY_ASM("fxrstor64 (%0)", : : "r"(AREA_MMIO));
    report(vec == GP, "fxrstor64 from MMIO with a reserved MXCSR bit: #GP (%d)", vec);
}

int main(void)
{
    map_alias_below_ioapic();
    sse_enable();
    store(true);
    store(false);
    load(true);
    load(false);
    mxcsr();
    return report_summary();
}
