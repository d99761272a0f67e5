/*
 * hostile: policies=trap,adaptive native=compare
 *
 * xsave: the extended-state contract (issue 9, finding 1). CPUID leaves 1,
 * 7 and 0xD must describe the same state: every offered feature that needs
 * a state component (AVX, AVX2, FMA, F16C, AVX-512, MPX, PKU) has it in
 * CPUID.0xD.0 EDX:EAX, OSXSAVE follows CR4, EBX of leaf 0xD.0 (and of 0xD.1
 * with XSAVEC) is the area size for the current XCR0 as the sub-leaves give
 * it, and a component not offered has an empty sub-leaf. The x87/SSE state
 * starts as after reset (FCW 0x37F, MXCSR 0x1F80, XCR0 1). XSAVE, XRSTOR
 * (also with XSTATE_BV clear: initial state), XSAVEOPT and XSAVEC round-trip
 * x87, MXCSR, XMM and YMM; XSAVE without CR4.OSXSAVE and AVX without XCR0's
 * YMM bit raise #UD. The record is compared with bare QEMU line for line.
 */
#include "guest.h"

#define CR4_OSXSAVE BIT(18)
#define XCOMP_BV_COMPACTED (1ULL << 63)

static uint8_t area[4096] __attribute__((aligned(64)));
static uint8_t area2[4096] __attribute__((aligned(64)));
static uint64_t pattern[16][4], back[16][4];

static uint64_t xgetbv(uint32_t idx)
{
    uint32_t lo, hi;
    asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(idx));
    return ((uint64_t)hi << 32) | lo;
}
static void xsetbv(uint64_t v) { asm volatile("xsetbv" :: "c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))); }
static void xsave(void *p, uint64_t m) { asm volatile("xsave (%0)" :: "r"(p), "a"((uint32_t)m), "d"((uint32_t)(m >> 32)) : "memory"); }
static void xsaveopt(void *p, uint64_t m) { asm volatile("xsaveopt (%0)" :: "r"(p), "a"((uint32_t)m), "d"((uint32_t)(m >> 32)) : "memory"); }
static void xsavec(void *p, uint64_t m) { asm volatile("xsavec (%0)" :: "r"(p), "a"((uint32_t)m), "d"((uint32_t)(m >> 32)) : "memory"); }
static void xrstor(void *p, uint64_t m) { asm volatile("xrstor (%0)" :: "r"(p), "a"((uint32_t)m), "d"((uint32_t)(m >> 32)) : "memory"); }
static uint32_t stmxcsr(void) { uint32_t v; asm volatile("stmxcsr %0" : "=m"(v)); return v; }
static void ldmxcsr(uint32_t v) { asm volatile("ldmxcsr %0" :: "m"(v)); }
static uint16_t fnstcw(void) { uint16_t v; asm volatile("fnstcw %0" : "=m"(v)); return v; }

/* All 16 vector registers, 32 bytes each with AVX, 16 without. */
#define VREGS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#define YLOAD(n)  asm volatile("vmovdqu %0, %%ymm" #n :: "m"(pattern[n]));
#define YSTORE(n) asm volatile("vmovdqu %%ymm" #n ", %0" : "=m"(back[n]));
#define XLOAD(n)  asm volatile("movdqu %0, %%xmm" #n :: "m"(pattern[n]));
#define XSTORE(n) asm volatile("movdqu %%xmm" #n ", %0" : "=m"(back[n]));
static void vec_load(bool avx) { if (avx) { VREGS(YLOAD) } else { VREGS(XLOAD) } }
static void vec_store(bool avx) { memset(back, 0, sizeof(back)); if (avx) { VREGS(YSTORE) } else { VREGS(XSTORE) } }
static void vec_clobber(bool avx)
{
    if (avx)
        asm volatile("vzeroall");
    else
        asm volatile("pxor %%xmm0,%%xmm0; pxor %%xmm8,%%xmm8; pxor %%xmm15,%%xmm15" ::: "memory");
}
static bool vec_equal(bool avx)
{
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < (avx ? 4 : 2); j++)
            if (back[i][j] != pattern[i][j])
                return false;
    return true;
}
static bool vec_zero(bool avx)
{
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < (avx ? 4 : 2); j++)
            if (back[i][j])
                return false;
    return true;
}

/* x87: pi and 1 on the stack; read back as doubles. */
static void x87_load(void) { asm volatile("fninit; fldpi; fld1"); }
static bool x87_check(void)
{
    uint64_t one, pi;
    asm volatile("fstpl %0; fstpl %1" : "=m"(one), "=m"(pi));
    return one == 0x3ff0000000000000ULL && pi == 0x400921fb54442d18ULL;
}

static bool same(const void *a, const void *b, unsigned n)
{
    const uint8_t *x = a, *y = b;
    while (n--)
        if (*x++ != *y++)
            return false;
    return true;
}

static struct cpuid_regs sub[64];

static uint32_t area_size(uint64_t mask)
{
    uint32_t size = 576;
    for (int i = 2; i < 64; i++)
        if ((mask & (1ULL << i)) && sub[i].b + sub[i].a > size)
            size = sub[i].b + sub[i].a;
    return size;
}
static uint32_t compacted_size(uint64_t mask)
{
    uint32_t size = 576;
    for (int i = 2; i < 64; i++) {
        if (!(mask & (1ULL << i)))
            continue;
        if (sub[i].c & 2)
            size = (size + 63) & ~63u;
        size += sub[i].a;
    }
    return size;
}

int main(void)
{
    struct cpuid_regs r1 = cpuid(1, 0), r7 = cpuid(7, 0), d0, d1;
    uint64_t supported, xcr0;
    bool ok;

    report(r1.c & BIT(26), "CPUID.1:ECX offers XSAVE");
    if (!(r1.c & BIT(26)))
        return report_summary();
    d0 = cpuid(0xd, 0);
    supported = ((uint64_t)d0.d << 32) | d0.a;
    for (int i = 2; i < 64; i++)
        sub[i] = cpuid(0xd, i);
    bool avx = r1.c & BIT(28);

    report((supported & 3) == 3, "leaf 0xD.0 offers the x87 and SSE components");
    report(avx == !!(supported & 4), "AVX is offered exactly when the YMM component is");
    report(!(r1.c & (BIT(12) | BIT(29))) || avx, "FMA and F16C only with AVX");
    report(!(r7.b & BIT(5)) || avx, "AVX2 only with AVX");
    report(!(r7.b & BIT(16)) || (supported & 0xe0) == 0xe0, "AVX-512F only with the opmask/ZMM components");
    report(!!(r7.b & BIT(14)) == ((supported & 0x18) == 0x18), "MPX exactly with the BNDREGS/BNDCSR components");
    report(!(r7.c & BIT(3)) || (supported & BIT(9)), "PKU only with the PKRU component");
    ok = true;
    for (int i = 2; i < 64; i++) {
        bool offered = supported & (1ULL << i);
        if (!offered && (sub[i].a | sub[i].b | sub[i].c | sub[i].d))
            ok = false;
        if (offered && (!sub[i].a || sub[i].b < 576 || sub[i].b + sub[i].a > d0.c))
            ok = false;
    }
    report(ok, "each offered component has a size and an offset inside leaf 0xD.0 ECX, the others none");
    report(d0.c == area_size(supported), "leaf 0xD.0 ECX is the size for every offered component");
    report(!(r1.c & BIT(27)), "OSXSAVE is clear while CR4.OSXSAVE is");
    report(TRY_ASM("xsave (%0)", :: "r"(area), "a"(3), "d"(0)) == 6, "XSAVE without CR4.OSXSAVE -> #UD");

    sse_enable();
    report(fnstcw() == 0x37f, "FCW starts at 0x37f (%#x)", fnstcw());
    report(stmxcsr() == 0x1f80, "MXCSR starts at 0x1f80 (%#x)", stmxcsr());
    write_cr4(read_cr4() | CR4_OSXSAVE);
    report(cpuid(1, 0).c & BIT(27), "OSXSAVE is set once CR4.OSXSAVE is");
    report(xgetbv(0) == 1, "XCR0 starts at 1 (%#llx)", (unsigned long long)xgetbv(0));
    report(cpuid(0xd, 0).b == area_size(1), "leaf 0xD.0 EBX is the size for XCR0=1");
    xsetbv(3);
    report(cpuid(0xd, 0).b == area_size(3), "leaf 0xD.0 EBX is the size for XCR0=3");
    if (avx) {
        report(TRY_ASM("vmovdqu %%ymm1, %0", : "=m"(back[0]) :) == 6, "AVX with XCR0.YMM clear -> #UD");
        xsetbv(7);
        report(cpuid(0xd, 0).b == area_size(7), "leaf 0xD.0 EBX is the size for XCR0=7");
    }
    xcr0 = xgetbv(0);
    d1 = cpuid(0xd, 1);
    if (d1.a & 2)
        report(d1.b == compacted_size(xcr0), "leaf 0xD.1 EBX is the compacted size for XCR0");

    /* XSAVE / XRSTOR round trip. */
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 4; j++)
            pattern[i][j] = 0x0101010101010101ULL * (uint64_t)(i + 1) ^ ((uint64_t)j << 56) ^ 0x8000000000000000ULL;
    memset(area, 0, sizeof(area));
    x87_load();
    ldmxcsr(0x9f80);
    vec_load(avx);
    xsave(area, xcr0);
    uint64_t bv = *(uint64_t *)(area + 512);
    report(*(uint32_t *)(area + 24) == 0x9f80, "XSAVE stored MXCSR");
    report(same(area + 160, pattern[0], 16) && same(area + 160 + 15 * 16, pattern[15], 16), "XSAVE stored xmm0 and xmm15");
    if (avx)
        report(same(area + sub[2].b, &pattern[0][2], 16) && same(area + sub[2].b + 15 * 16, &pattern[15][2], 16),
               "XSAVE stored the upper halves of ymm0 and ymm15 at the leaf 0xD.2 offset");
    report((bv & xcr0) == xcr0, "XSTATE_BV marks every enabled component in use (%#llx)", (unsigned long long)(bv & xcr0));
    asm volatile("fninit");
    ldmxcsr(0x1f80);
    vec_clobber(avx);
    xrstor(area, xcr0);
    vec_store(avx);
    report(vec_equal(avx) && stmxcsr() == 0x9f80 && x87_check(), "XRSTOR brought back x87, MXCSR and every vector register");

    *(uint64_t *)(area + 512) &= ~6ULL;       /* SSE and YMM to their initial state */
    xrstor(area, xcr0);
    vec_store(avx);
    report(vec_zero(avx) && stmxcsr() == 0x9f80, "XRSTOR with XSTATE_BV clear zeroes the registers, loads MXCSR");

    if (d1.a & 1) {
        x87_load();
        vec_load(avx);
        memset(area2, 0, sizeof(area2));
        xsaveopt(area2, xcr0);
        ok = same(area2 + 160, pattern[0], 16) && (!avx || same(area2 + sub[2].b, &pattern[0][2], 16));
        vec_clobber(avx);
        xrstor(area2, xcr0);
        vec_store(avx);
        report(ok && vec_equal(avx) && x87_check(), "XSAVEOPT round trip");
    }
    if (d1.a & 2) {
        x87_load();
        vec_load(avx);
        memset(area2, 0, sizeof(area2));
        xsavec(area2, xcr0);
        uint64_t comp = *(uint64_t *)(area2 + 520);
        ok = comp == (XCOMP_BV_COMPACTED | xcr0) && (!avx || same(area2 + 576, &pattern[0][2], 16));
        vec_clobber(avx);
        xrstor(area2, xcr0);
        vec_store(avx);
        report(ok && vec_equal(avx) && x87_check(), "XSAVEC (compacted) round trip, XCOMP_BV %#llx", (unsigned long long)comp);
    }
    if (d1.a & 4)
        report(!(xgetbv(1) & ~xcr0), "XGETBV(1) reports in-use components within XCR0");
    xsetbv(1);
    write_cr4(read_cr4() & ~CR4_OSXSAVE);
    report(!(cpuid(1, 0).c & BIT(27)), "OSXSAVE clears with CR4.OSXSAVE");
    return report_summary();
}
