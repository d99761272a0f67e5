/*
 * hostile: native=compare
 *
 * mmio-x87: x87 and MMX instructions whose memory operand is MMIO (issue
 * 9): FLD/FST/FSTP m32/m64/m80, FILD/FIST/FISTP/FISTTP m16/m32/m64,
 * FBLD/FBSTP, FADD/FMUL/FSUBR/FDIV/FCOM/FCOMP with m32/m64 reals, FIADD/
 * FIMUL/FICOM with m16/m32 integers, FLDCW/FNSTCW/FNSTSW m16, MMX MOVD and
 * MOVQ loads and stores; #NM with CR0.TS, #MF for a pending unmasked
 * exception left pending (QEMU TCG raises #MF at FWAIT only), and a store
 * an unmasked overflow suppresses (a record line: QEMU TCG stores anyway,
 * native-quirks.txt has the architectural answer). Each form runs once on RAM (the reference) and once on
 * an operand whose last byte is the I/O APIC's IOREGSEL (a RAM page is
 * mapped right below it), from the same x87 stack: ST0-ST2, FSW and the
 * memory must agree. Hardware performs the access; dbgvisor used to end
 * the domain ("cannot emulate IOAPIC access ... (bytes d9 ...)").
 */
#include "mmio-alias.h"

#define NM 7

static void setup(void)
{
    map_alias_below_ioapic();
    write_cr0(read_cr0() | 0x20);                   /* NE: #MF, not FERR# */
    sse_enable();
}

/* An operand of `size` bytes whose last byte is IOREGSEL. */
#define OPERAND(size) straddling_operand(size)
#define put(v, size) put_straddling(v, size)
#define get(v, size) get_straddling(v, size)

struct x87_state {
    uint16_t fsw;
    uint8_t st[3][10];
    uint8_t mem[10];
};

static const long double start0 = 1.25L, start1 = -3.0e300L;

static void start_stack(void)
{
    asm volatile("fninit; fldt %0; fldt %1" :: "m"(start1), "m"(start0));
}

static void capture(struct x87_state *s)
{
    asm volatile("fnstsw %0; fstpt %1; fstpt %2; fstpt %3; fninit"
                 : "=m"(s->fsw), "=m"(s->st[0]), "=m"(s->st[1]), "=m"(s->st[2]));
}

static bool same_state(const struct x87_state *a, const struct x87_state *b, unsigned size)
{
    return a->fsw == b->fsw && same_bytes(a->st, b->st, sizeof(a->st)) && same_bytes(a->mem, b->mem, size);
}

#define FORM(name, size, INSN, init) do {                                              \
        struct x87_state ref, io;                                                       \
        uint8_t ref_m[16] = { 0 }, init_m[16] = { 0 };                                  \
        memset(&ref, 0, sizeof(ref)); memset(&io, 0, sizeof(io));                       \
        memcpy(init_m, init, size); memcpy(ref_m, init, size);                          \
        start_stack();                                                                  \
        asm volatile(INSN :: "r"(ref_m) : "memory");                                    \
        capture(&ref);                                                                  \
        memcpy(ref.mem, ref_m, size);                                                   \
        put(init_m, size);                                                              \
        start_stack();                                                                  \
        asm volatile(INSN :: "r"(OPERAND(size)) : "memory");                            \
        capture(&io);                                                                   \
        get(io.mem, size);                                                              \
        if (!same_state(&ref, &io, size))                                               \
            printf("# %s: fsw %#x/%#x st0 %02x%02x/%02x%02x mem %02x%02x/%02x%02x\n",    \
                   name, ref.fsw, io.fsw, ref.st[0][9], ref.st[0][8], io.st[0][9],      \
                   io.st[0][8], ref.mem[1], ref.mem[0], io.mem[1], io.mem[0]);          \
        report(same_state(&ref, &io, size), "%s on MMIO: stack, FSW and memory as on RAM", name); \
    } while (0)

static void forms(void)
{
    static const float f32 = 2.5f;
    static const double f64 = -1.0e-3;
    static const long double f80 = 7.0e-4000L;
    static const int16_t i16 = -1234;
    static const int32_t i32 = 123456789;
    static const int64_t i64 = -9876543210123LL;
    static const uint8_t bcd[10] = { 0x89, 0x67, 0x45, 0x23, 0x01, 0, 0, 0, 0, 0x80 };
    static const uint16_t cw = 0x0c7f;                 /* round toward zero, masked */
    static const uint8_t junk[10] = { 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5 };

    FORM("flds", 4, "flds (%0)", &f32);
    FORM("fldl", 8, "fldl (%0)", &f64);
    FORM("fldt", 10, "fldt (%0)", &f80);
    FORM("fsts", 4, "fsts (%0)", junk);
    FORM("fstps", 4, "fstps (%0)", junk);
    FORM("fstl", 8, "fstl (%0)", junk);
    FORM("fstpl", 8, "fstpl (%0)", junk);
    FORM("fstpt", 10, "fstpt (%0)", junk);
    FORM("filds", 2, "filds (%0)", &i16);
    FORM("fildl", 4, "fildl (%0)", &i32);
    FORM("fildll", 8, "fildll (%0)", &i64);
    FORM("fists", 2, "fists (%0)", junk);
    FORM("fistps", 2, "fistps (%0)", junk);
    FORM("fistl", 4, "fistl (%0)", junk);
    FORM("fistpl", 4, "fistpl (%0)", junk);
    FORM("fistpll (overflow: indefinite)", 8, "fxch; fistpll (%0)", junk);
    FORM("fisttpl", 4, "fisttpl (%0)", junk);
    FORM("fbld", 10, "fbld (%0)", bcd);
    FORM("fbstp", 10, "fbstp (%0)", junk);
    FORM("fadds", 4, "fadds (%0)", &f32);
    FORM("faddl", 8, "faddl (%0)", &f64);
    FORM("fmuls", 4, "fmuls (%0)", &f32);
    FORM("fsubrl", 8, "fsubrl (%0)", &f64);
    FORM("fdivs", 4, "fdivs (%0)", &f32);
    FORM("fcoms", 4, "fcoms (%0)", &f32);
    FORM("fcompl", 8, "fcompl (%0)", &f64);
    FORM("fiaddl", 4, "fiaddl (%0)", &i32);
    FORM("fimuls", 2, "fimuls (%0)", &i16);
    FORM("ficoml", 4, "ficoml (%0)", &i32);
    FORM("fldcw + fsqrt", 2, "fldcw (%0); fsqrt", &cw);
    FORM("fnstcw", 2, "fnstcw (%0)", junk);
    FORM("fnstsw", 2, "fnstsw (%0)", junk);
}

static void mmx(void)
{
    uint64_t v = 0x0123456789abcdefULL, out = 0, r;
    uint32_t d;

    put(&v, 8);
    asm volatile("movq (%1), %%mm3; movq %%mm3, %0; emms" : "=m"(r) : "r"(OPERAND(8)) : "memory");
    report(r == v, "MMX movq mm, m64 from MMIO: %#lx", r);
    asm volatile("movq %1, %%mm5; movq %%mm5, (%0); emms" :: "r"(OPERAND(8)), "m"(v) : "memory");
    get(&out, 8);
    report(out == v, "MMX movq m64, mm to MMIO: %#lx", out);
    put(&v, 4);
    asm volatile("movq %2, %%mm2; movd (%1), %%mm2; movq %%mm2, %0; emms"
                 : "=m"(r) : "r"(OPERAND(4)), "m"(v) : "memory");
    report(r == (uint32_t)v, "MMX movd mm, m32 zero-extends: %#lx", r);
    asm volatile("movq %1, %%mm6; movd %%mm6, (%0); emms" :: "r"(OPERAND(4)), "m"(v) : "memory");
    d = 0;
    get(&d, 4);
    report(d == (uint32_t)v, "MMX movd m32, mm to MMIO: %#x", d);
}

static void faults(void)
{
    static const float one = 1.0f;
    static const long double huge = 1.0e4000L;
    uint8_t junk[4] = { 0x5a, 0x5a, 0x5a, 0x5a }, after[4];
    uint16_t fsw = 0;
    int vec;

    put(&one, 4);
    asm volatile("fninit");
    write_cr0(read_cr0() | 8);
    vec = TRY_ASM("flds (%0)", : : "r"(OPERAND(4)));
    write_cr0(read_cr0() & ~8UL);
    report(vec == NM, "flds from MMIO with CR0.TS: #NM (%d)", vec);

    /* 1/0 with ZE unmasked: pending; the next waiting instruction faults. */
    asm volatile("fninit; fldcw %0; fld1; fldz; fdivrp" :: "m"((uint16_t){ 0x37b }));
    vec = TRY_ASM("flds (%0)", : : "r"(OPERAND(4)));
    asm volatile("fnstsw %0; fnclex; fninit" : "=m"(fsw));
    /* Hardware raises #MF here before the access; QEMU TCG only at FWAIT,
     * so natively (and under dbgvisor, whose CPU is QEMU's) the load runs
     * and the exception stays pending. The hypervisor must not take the
     * #MF itself. */
    report(vec == -1 && (fsw & 0x84) == 0x84, "flds from MMIO with ZE pending: no fault, ZE and ES "
           "stay pending (fsw %#x)", fsw & 0xff);

    /* FST m32 of 1e4000 with OE unmasked: nothing stored, OE pending. */
    put(junk, 4);
    asm volatile("fninit; fldcw %0; fldt %1" :: "m"((uint16_t){ 0x377 }), "m"(huge));
    vec = TRY_ASM("fsts (%0)", : : "r"(OPERAND(4)));
    asm volatile("fnstsw %0; fnclex; fninit" : "=m"(fsw));
    get(after, 4);
    /* An unmasked overflow leaves a memory destination alone (SDM vol. 1
     * 8.5.4); QEMU TCG stores the result anyway (native-quirks.txt). */
    printf("fsts to MMIO with OE unmasked: memory %s\n", same_bytes(after, junk, 4) ? "unchanged" : "written");
    report(vec == -1 && (fsw & 0x88) == 0x88, "fsts with OE unmasked: OE and ES pending (fsw %#x, vector %d)",
           fsw & 0xff, vec);

}

int main(void)
{
    setup();
    forms();
    mmx();
    faults();
    return report_summary();
}
