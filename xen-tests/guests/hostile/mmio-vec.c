/*
 * hostile: native=compare
 *
 * mmio-vec: SSE and AVX arithmetic whose source operand is MMIO (issue 9):
 * ADDPS/MULPD/SUBPS/DIVPD/MINPS/MAXPD, ADDSS/MULSD/DIVSS, ANDPS/ORPD/XORPS/
 * ANDNPD, PADDD/PADDQ/PSUBD/PSUBQ, PAND/PANDN/POR/PXOR, PCMPEQB/W/D,
 * CMPPS/CMPPD/CMPSD/VCMPPS/VCMPSS (predicates 0-7) in
 * legacy SSE (m128 aligned at the I/O APIC: IOREGSEL in the low dword,
 * zeros above; m32/m64 scalars) and VEX.128/VEX.256 (m128/m256 whose last
 * byte is IOREGSEL, a RAM page mapped right below it; vvvv as the first
 * source), a denormal operand (MXCSR.DE), DAZ, and #XM for an unmasked
 * divide by zero with the destination unchanged (a record line: QEMU TCG
 * raises no #XM, native-quirks.txt has the architectural answer). Each form runs on RAM (the
 * reference) and on MMIO from the same registers and MXCSR: YMM3 and MXCSR
 * must agree. Hardware performs the access; dbgvisor used to end the
 * domain ("cannot emulate IOAPIC access ... (bytes 0f 58 ...)").
 */
#include "mmio-alias.h"

#define XM 19

static void setup(void)
{
    map_alias_below_ioapic();
    sse_enable();
    write_cr4(read_cr4() | BIT(18));                   /* OSXSAVE; XCR0 = x87|SSE|AVX */
    asm volatile("xsetbv" :: "c"(0), "a"(7), "d"(0));
}

/* Where the operand is: straddling (last byte IOREGSEL) or aligned at
 * the I/O APIC (IOREGSEL, then zeros: the operand must be so). */
static void *place(const uint8_t *v, unsigned size, bool aligned)
{
    if (aligned) {
        *ioregsel = v[0];
        return (void *)IOAPIC;
    }
    return put_straddling(v, size);
}

struct vstate { uint8_t y[32] __attribute__((aligned(32))); uint32_t mxcsr; int vec; };

static uint8_t reg3[32] __attribute__((aligned(32))), reg4[32] __attribute__((aligned(32)));

/* YMM3 and YMM4 from reg3/reg4, MXCSR = mxcsr; INSN on %0; YMM3, MXCSR out. */
#define RUN(st, INSN, ptr, mx) do {                                                     \
        uint32_t m_ = (mx);                                                             \
        asm volatile("vmovdqu %0, %%ymm3; vmovdqu %1, %%ymm4; ldmxcsr %2"               \
                     :: "m"(reg3), "m"(reg4), "m"(m_));                                 \
        (st)->vec = TRY_ASM(INSN, : : "r"(ptr));                                        \
        asm volatile("vmovdqu %%ymm3, %0; stmxcsr %1" : "=m"((st)->y), "=m"((st)->mxcsr)); \
        asm volatile("ldmxcsr %0" :: "m"((uint32_t){ 0x1f80 }));                        \
    } while (0)

#define FORM(name, size, at_ioapic, INSN, opnd, mx) do {                                  \
        static uint8_t ram_[32] __attribute__((aligned(32)));                           \
        struct vstate ref_, io_;                                                        \
        memcpy(ram_, opnd, size);                                                       \
        RUN(&ref_, INSN, ram_, mx);                                                     \
        RUN(&io_, INSN, place((const uint8_t *)(opnd), size, at_ioapic), mx);                                \
        bool ok_ = same_bytes(ref_.y, io_.y, 32) && ref_.mxcsr == io_.mxcsr && ref_.vec == io_.vec; \
        if (!ok_)                                                                       \
            printf("# %s: y0 %02x/%02x y16 %02x/%02x mxcsr %#x/%#x vector %d/%d\n", name, \
                   ref_.y[0], io_.y[0], ref_.y[16], io_.y[16], ref_.mxcsr, io_.mxcsr,   \
                   ref_.vec, io_.vec);                                                  \
        report(ok_, "%s with an MMIO source: YMM3, MXCSR%s as on RAM", name,            \
               ref_.vec >= 0 ? " and the exception" : "");                              \
    } while (0)

/* ZE unmasked: hardware raises #XM with YMM3 unchanged and ZE set; QEMU
 * TCG raises nothing and writes the result (a record line: the
 * architectural one is in native-quirks.txt). */
static void unmasked_exception(void)
{
    static const uint8_t zero32[32];
    struct vstate io;

    RUN(&io, "divps (%0), %%xmm3", place(zero32, 16, true), 0x1d80);
    printf("divps from MMIO by zero, ZE unmasked: %s, XMM3 %s\n",
           io.vec == XM ? "#XM" : io.vec < 0 ? "no fault" : "another fault",
           same_bytes(io.y, reg3, 16) ? "unchanged" : "written");
    report((io.mxcsr & 0x3f) == 0x4, "divps by zero: MXCSR.ZE alone set (%#x)", io.mxcsr);
    RUN(&io, "vdivpd (%0), %%ymm4, %%ymm3", place(zero32, 32, false), 0x1d80);
    printf("vdivpd from MMIO by zero, ZE unmasked: %s, YMM3 %s\n",
           io.vec == XM ? "#XM" : io.vec < 0 ? "no fault" : "another fault",
           same_bytes(io.y, reg3, 32) ? "unchanged" : "written");
    report((io.mxcsr & 0x3f) == 0x4, "vdivpd by zero: MXCSR.ZE alone set (%#x)", io.mxcsr);
}

static void forms(void)
{
    static uint8_t lane0[32] = { 0x40 };                /* aligned: IOREGSEL then zeros */
    static uint8_t any[32];
    static const float one = 1.0f;
    static const double two = 2.0;
    static const uint8_t zero32[32];

    for (unsigned i = 0; i < 32; i++) {
        reg3[i] = (uint8_t)(0x3f + i * 7);
        reg4[i] = (uint8_t)(0x41 - i * 3);
        any[i] = (uint8_t)(0x40 + i * 5);
    }
    /* legacy SSE, m128 aligned (lane 0 = 0x40: a denormal float, DE) */
    FORM("addps", 16, true, "addps (%0), %%xmm3", lane0, 0x1f80);
    FORM("addps with DAZ", 16, true, "addps (%0), %%xmm3", lane0, 0x1fc0);
    FORM("mulpd", 16, true, "mulpd (%0), %%xmm3", lane0, 0x1f80);
    FORM("subps", 16, true, "subps (%0), %%xmm3", lane0, 0x1f80);
    FORM("divpd", 16, true, "divpd (%0), %%xmm3", lane0, 0x1f80);
    FORM("minps", 16, true, "minps (%0), %%xmm3", lane0, 0x1f80);
    FORM("maxpd", 16, true, "maxpd (%0), %%xmm3", lane0, 0x1f80);
    FORM("andps", 16, true, "andps (%0), %%xmm3", lane0, 0x1f80);
    FORM("orpd", 16, true, "orpd (%0), %%xmm3", lane0, 0x1f80);
    FORM("xorps", 16, true, "xorps (%0), %%xmm3", lane0, 0x1f80);
    FORM("andnpd", 16, true, "andnpd (%0), %%xmm3", lane0, 0x1f80);
    FORM("paddd", 16, true, "paddd (%0), %%xmm3", lane0, 0x1f80);
    FORM("paddq", 16, true, "paddq (%0), %%xmm3", lane0, 0x1f80);
    FORM("psubd", 16, true, "psubd (%0), %%xmm3", lane0, 0x1f80);
    FORM("psubq", 16, true, "psubq (%0), %%xmm3", lane0, 0x1f80);
    FORM("pand", 16, true, "pand (%0), %%xmm3", lane0, 0x1f80);
    FORM("pandn", 16, true, "pandn (%0), %%xmm3", lane0, 0x1f80);
    FORM("por", 16, true, "por (%0), %%xmm3", lane0, 0x1f80);
    FORM("pxor", 16, true, "pxor (%0), %%xmm3", lane0, 0x1f80);
    FORM("pcmpeqb", 16, true, "pcmpeqb (%0), %%xmm3", zero32, 0x1f80);
    FORM("pcmpeqw", 16, true, "pcmpeqw (%0), %%xmm3", zero32, 0x1f80);
    FORM("pcmpeqd", 16, true, "pcmpeqd (%0), %%xmm3", lane0, 0x1f80);
    FORM("cmpps lt", 16, true, "cmpps $1, (%0), %%xmm3", lane0, 0x1f80);
    FORM("cmppd unord", 16, true, "cmppd $3, (%0), %%xmm3", lane0, 0x1f80);
    /* legacy scalars: any alignment */
    FORM("addss", 4, false, "addss (%0), %%xmm3", &one, 0x1f80);
    FORM("mulsd", 8, false, "mulsd (%0), %%xmm3", &two, 0x1f80);
    FORM("divss by a denormal", 4, false, "divss (%0), %%xmm3", any, 0x1f80);
    /* VEX: vvvv is the first source, any alignment */
    FORM("vaddps xmm", 16, false, "vaddps (%0), %%xmm4, %%xmm3", any, 0x1f80);
    FORM("vaddps ymm", 32, false, "vaddps (%0), %%ymm4, %%ymm3", any, 0x1f80);
    FORM("vmulpd ymm", 32, false, "vmulpd (%0), %%ymm4, %%ymm3", any, 0x1f80);
    FORM("vxorps ymm", 32, false, "vxorps (%0), %%ymm4, %%ymm3", any, 0x1f80);
    FORM("vpxor xmm", 16, false, "vpxor (%0), %%xmm4, %%xmm3", any, 0x1f80);
    FORM("vpaddd ymm", 32, false, "vpaddd (%0), %%ymm4, %%ymm3", any, 0x1f80);
    FORM("vsubsd", 8, false, "vsubsd (%0), %%xmm4, %%xmm3", &two, 0x1f80);
    FORM("vmaxss", 4, false, "vmaxss (%0), %%xmm4, %%xmm3", &one, 0x1f80);
    FORM("cmpsd le", 8, false, "cmpsd $2, (%0), %%xmm3", &two, 0x1f80);
    FORM("vcmpps nlt ymm", 32, false, "vcmpps $5, (%0), %%ymm4, %%ymm3", any, 0x1f80);
    FORM("vcmpss eq", 4, false, "vcmpss $0, (%0), %%xmm4, %%xmm3", &one, 0x1f80);
    unmasked_exception();
}

int main(void)
{
    setup();
    forms();
    return report_summary();
}
