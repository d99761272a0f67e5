/*
 * hostile: native=compare
 *
 * mmio-insns2: the instruction classes beyond mmio-insns.c that a kernel
 * (or a compiler's code generation) can aim at MMIO (issue 9): MUL, IMUL
 * (one, two and three operands), DIV and IDIV with #DE for a zero divisor and
 * a quotient that does not fit, the shifts and rotates (SHL SHR SAR ROL ROR
 * RCL RCR by 1, CL and imm8, counts of 0 and past the width, SHLD/SHRD),
 * CMPS and SCAS with REP/REPE/REPNE, PUSH m and POP m, SETcc, CMOVcc,
 * BSF/BSR/TZCNT/LZCNT/POPCNT, MOVBE, MOVNTI, CMPXCHG8B/16B, MOV m16,Sreg
 * and the SSE/AVX moves (MOVD/MOVQ, MOVDQA/MOVDQU, MOVAPS/MOVUPS,
 * MOVSS/MOVSD, MOVLPS/MOVHPS/MOVLPD/MOVHPD, MOVNTDQ, MOVNTDQA, VMOVD,
 * VMOVDQU 128/256). Hardware performs each access; dbgvisor used to
 * end the domain ("cannot emulate ... access"). Each form runs once on RAM
 * (the reference, executed by the CPU) and once on MMIO with the same
 * operands and flags, and the register operands, all six arithmetic flags
 * (the undefined ones included) and what memory reads back must agree.
 * Targets as in mmio-insns.c: the xAPIC timer's initial count (32-bit
 * read/write) and guest-physical space with nothing behind it (writes
 * dropped, reads give the bus value learnt first: 0 on bare QEMU,
 * all-ones under dbgvisor as on a PC).
 */
#include "guest.h"

#define TIMER_ICR  (APIC_BASE_ADDR + 0x380)
#define UNBACKED   0xC0000000UL
#define ARITH      0x8d5UL
#define DE         0

#define FLAGS_IN  "pushfq; andq $-0x8d6, (%%rsp); orq %[f], (%%rsp); popfq\n\t"
#define FLAGS_OUT "\n\tpushfq; popq %[f]"

typedef unsigned __int128 u128;

struct regs { uint64_t r, a, d, f; };

static bool same(const struct regs *x, const struct regs *y)
{
    return x->r == y->r && x->a == y->a && x->d == y->d && (x->f & ARITH) == (y->f & ARITH);
}

static void check_form(const char *name, const char *where, const struct regs *ref,
                       const struct regs *io, bool mem_ok)
{
    bool ok = same(ref, io) && mem_ok;

    if (!ok)
        printf("# %s on %s: r %#lx/%#lx rax %#lx/%#lx rdx %#lx/%#lx flags %#lx/%#lx mem %s\n",
               name, where, ref->r, io->r, ref->a, io->a, ref->d, io->d, ref->f & ARITH,
               io->f & ARITH, mem_ok ? "same" : "differs");
    report(ok, "%s on %s: registers, flags and memory as on RAM", name, where);
}

/* INSN uses %[m] (memory of type T), %[r] (a 64-bit register), RAX, RDX and
 * may clobber RBX, RCX, R9 and XMM3-5/YMM3-5. The reference runs on RAM holding
 * `mem`, the MMIO run on `target` (holding `mem` if it keeps writes). */
#define FORM(name, T, INSN, target, keeps, mem, r0, a0, d0, f0) do {                       \
        T ref_m = (T)(mem), io_m;                                                           \
        struct regs ref = { r0, a0, d0, f0 }, io = ref;                                     \
        volatile T *io_p = (volatile T *)(target);                                          \
        asm volatile(FLAGS_IN INSN FLAGS_OUT                                                \
                     : [f] "+r"(ref.f), [m] "+m"(ref_m), [r] "+r"(ref.r), "+a"(ref.a),      \
                       "+d"(ref.d) : : "cc", "rbx", "rcx", "r9", "memory");\
        if (keeps)                                                                          \
            *io_p = (T)(mem);                                                               \
        asm volatile(FLAGS_IN INSN FLAGS_OUT                                                \
                     : [f] "+r"(io.f), [m] "+m"(*(T *)(target)), [r] "+r"(io.r), "+a"(io.a),\
                       "+d"(io.d) : : "cc", "rbx", "rcx", "r9", "memory"); \
        io_m = *io_p;                                                                       \
        if (!(keeps))                                                                       \
            ref_m = (T)(mem);                                                               \
        check_form(name, (keeps) ? "timer" : "unbacked", &ref, &io, ref_m == io_m);         \
    } while (0)

static void timer_forms(uint32_t m, uint64_t r, uint64_t a, uint64_t d, uint64_t f)
{
#define T32(name, INSN) FORM(name, uint32_t, INSN, TIMER_ICR, true, m, r, a, d, f)
    T32("mul",            "mull %[m]");
    T32("imul one",       "imull %[m]");
    T32("imul two",       "imull %[m], %k[r]");
    T32("imul imm8",      "imull $-7, %[m], %k[r]");
    T32("imul imm32",     "imull $100000, %[m], %k[r]");
    T32("div",            "xorl %%edx, %%edx; divl %[m]");
    T32("idiv",           "cdq; idivl %[m]");
    T32("shl 1",          "shll %[m]");
    T32("shl imm",        "shll $5, %[m]");
    T32("shl 0",          "shll $0, %[m]");
    T32("shl 33",         "shll $33, %[m]");
    T32("shr cl",         "movl %k[r], %%ecx; shrl %%cl, %[m]");
    T32("sar imm",        "sarl $31, %[m]");
    T32("rol imm",        "roll $7, %[m]");
    T32("ror cl",         "movl %k[r], %%ecx; rorl %%cl, %[m]");
    T32("rcl 1",          "rcll %[m]");
    T32("rcr imm",        "rcrl $3, %[m]");
    T32("rcl cl",         "movl %k[r], %%ecx; rcll %%cl, %[m]");
    T32("shld imm",       "shldl $4, %k[r], %[m]");
    T32("shrd cl",        "movl %k[r], %%ecx; shrdl %%cl, %k[r], %[m]");
    T32("cmovz",          "cmovzl %[m], %k[r]");
    T32("cmovnz",         "cmovnzl %[m], %k[r]");
    T32("cmovb",          "cmovbl %[m], %k[r]");
    T32("bsf",            "bsfl %[m], %k[r]");
    T32("bsr",            "bsrl %[m], %k[r]");
    T32("tzcnt",          "tzcntl %[m], %k[r]");
    T32("lzcnt",          "lzcntl %[m], %k[r]");
    T32("popcnt",         "popcntl %[m], %k[r]");
    T32("movbe load",     "movbel %[m], %k[r]");
    T32("movbe store",    "movbel %k[r], %[m]");
    T32("movnti",         "movntil %k[r], %[m]");
    T32("movd load",      "movq %[r], %%xmm3; movd %[m], %%xmm3; movq %%xmm3, %[r]");
    T32("movd store",     "movq %[r], %%xmm3; movd %%xmm3, %[m]");
    T32("movss load",     "movq %[r], %%xmm4; movss %[m], %%xmm4; movq %%xmm4, %[r]");
    T32("movss store",    "movq %[r], %%xmm4; movss %%xmm4, %[m]");
    T32("vmovd load",     "vmovq %[r], %%xmm5; vmovd %[m], %%xmm5; vmovq %%xmm5, %[r]");
    T32("vmovd store",    "vmovq %[r], %%xmm5; vmovd %%xmm5, %[m]");
#undef T32
}

static void unbacked_forms(uint64_t r, uint64_t a, uint64_t d, uint64_t f)
{
#define U(name, T, INSN) FORM(name, T, INSN, UNBACKED + 0x40, false, *(volatile T *)(UNBACKED + 0x40), r, a, d, f)
    U("mul byte",        uint8_t,  "mulb %[m]");
    U("imul word",       uint16_t, "imulw %[m]");
    U("mul qword",       uint64_t, "mulq %[m]");
    U("imul qword two",  uint64_t, "imulq %[m], %[r]");
    U("imul word imm16", uint16_t, "imulw $0x1234, %[m], %w[r]");
    U("shl byte cl",     uint8_t,  "movl %k[r], %%ecx; shlb %%cl, %[m]");
    U("sar word 1",      uint16_t, "sarw %[m]");
    U("shr qword imm",   uint64_t, "shrq $63, %[m]");
    U("rol byte imm",    uint8_t,  "rolb $9, %[m]");
    U("rcr byte cl",     uint8_t,  "movl %k[r], %%ecx; rcrb %%cl, %[m]");
    U("rcl word imm",    uint16_t, "rclw $11, %[m]");
    U("rcl word imm 17", uint16_t, "rclw $17, %[m]");     /* a whole turn */
    U("rcr byte imm 18", uint8_t,  "rcrb $18, %[m]");
    U("ror qword 1",     uint64_t, "rorq %[m]");
    U("shld word cl",    uint16_t, "movl %k[r], %%ecx; shldw %%cl, %w[r], %[m]");
    U("shrd qword imm",  uint64_t, "shrdq $13, %[r], %[m]");
    U("setc",            uint8_t,  "setc %[m]");
    U("setnle",          uint8_t,  "setnle %[m]");
    U("cmovs qword",     uint64_t, "cmovsq %[m], %[r]");
    U("cmovns dword",    uint32_t, "cmovnsl %[m], %k[r]");     /* zero-extends even if false */
    U("cmovo word",      uint16_t, "cmovow %[m], %w[r]");
    U("bsr qword",       uint64_t, "bsrq %[m], %[r]");
    U("bsf word",        uint16_t, "bsfw %[m], %w[r]");
    U("tzcnt qword",     uint64_t, "tzcntq %[m], %[r]");
    U("lzcnt word",      uint16_t, "lzcntw %[m], %w[r]");
    U("popcnt qword",    uint64_t, "popcntq %[m], %[r]");
    U("movbe qword",     uint64_t, "movbeq %[m], %[r]");
    U("movbe word",      uint16_t, "movbew %w[r], %[m]");
    U("movnti qword",    uint64_t, "movntiq %[r], %[m]");
    U("push m",          uint64_t, "pushq %[m]; popq %[r]");
    U("pop m",           uint64_t, "pushq %[r]; popq %[m]");
    U("push m word",     uint16_t, "pushw %[m]; popw %w[r]");
    U("cmpxchg8b ne",    uint64_t, "movq %[r], %%rbx; movq %%rbx, %%rcx; shrq $32, %%rcx; cmpxchg8b %[m]");
    U("cmpxchg8b eq",    uint64_t, "movq %[r], %%rbx; movq %%rbx, %%rcx; shrq $32, %%rcx; "
                                   "movq %[m], %%rax; movq %%rax, %%rdx; shrq $32, %%rdx; cmpxchg8b %[m]");
    U("cmpxchg16b ne",   u128,     "movq %[r], %%rbx; movq %%rbx, %%rcx; notq %%rcx; cmpxchg16b %[m]");
    U("cmpxchg16b eq",   u128,     "movq %[r], %%rbx; movq %%rbx, %%rcx; notq %%rcx; "
                                   "movq %[m], %%rax; movq 8%[m], %%rdx; cmpxchg16b %[m]");
    U("mov m,ds",        uint16_t, "movw %%ds, %[m]");
    U("mov m,ss",        uint16_t, "movw %%ss, %[m]");
    U("movq load",       uint64_t, "movq %[r], %%xmm3; movq %[m], %%xmm3; movq %%xmm3, %[r]");
    U("movq store",      uint64_t, "movq %[r], %%xmm3; movq %%xmm3, %[m]");
    U("movd qword load", uint64_t, "movq %[m], %%xmm4; movq %%xmm4, %[r]");
    U("movsd load",      uint64_t, "movq %[r], %%xmm5; movsd %[m], %%xmm5; movq %%xmm5, %[r]");
    U("vmovq load",      uint64_t, "vmovq %[m], %%xmm4; vmovq %%xmm4, %[r]");
#undef U
}

/* 16- and 32-byte vector moves: the loaded register must hold the bus
 * value in every byte (and zeros above where the form zero-extends); a
 * store is dropped. */
static void vector_moves(void)
{
    static uint8_t out[32] __attribute__((aligned(32)));
    static uint8_t pattern[32] __attribute__((aligned(32)));
    uint8_t bus = *(volatile uint8_t *)UNBACKED;
    volatile uint8_t *un = (volatile uint8_t *)(UNBACKED + 0x100);
    bool ok;

    for (unsigned i = 0; i < 32; i++)
        pattern[i] = (uint8_t)(0x11 * i + 3);
#define LOAD16(name, INSN) do {                                                         \
        memset(out, 0x5a, sizeof(out));                                                 \
        asm volatile("movdqa %1, %%xmm3\n\t" INSN ", %%xmm3\n\tmovdqa %%xmm3, %0"       \
                     : "=m"(*(uint8_t (*)[16])out) : "m"(*(uint8_t (*)[16])pattern),    \
                       "r"(un) : "memory");                                    \
        ok = true;                                                                      \
        for (unsigned i = 0; i < 16; i++)                                               \
            ok &= out[i] == bus;                                                        \
        report(ok, "%s from unbacked space: the bus value in every byte", name);        \
    } while (0)
    LOAD16("movdqu load", "movdqu (%2)");
    LOAD16("movdqa load", "movdqa (%2)");
    LOAD16("movups load", "movups (%2)");
    LOAD16("movaps load", "movaps (%2)");
    LOAD16("movupd load", "movupd (%2)");
    LOAD16("movntdqa load", "movntdqa (%2)");
#undef LOAD16
#define STORE16(name, INSN) do {                                                        \
        asm volatile("movdqa %0, %%xmm4\n\t" INSN : : "m"(*(uint8_t (*)[16])pattern),   \
                     "r"(un) : "memory");                                       \
        ok = true;                                                                      \
        for (unsigned i = 0; i < 16; i++)                                               \
            ok &= un[i] == bus;                                                         \
        report(ok, "%s to unbacked space: dropped", name);                              \
    } while (0)
    STORE16("movdqu store", "movdqu %%xmm4, (%1)");
    STORE16("movdqa store", "movdqa %%xmm4, (%1)");
    STORE16("movups store", "movups %%xmm4, (%1)");
    STORE16("movntdq store", "movntdq %%xmm4, (%1)");
    STORE16("movntps store", "movntps %%xmm4, (%1)");

    /* MOVLPS/MOVHPS: one half from memory, the other half kept */
    asm volatile("movdqa %1, %%xmm3\n\tmovlps (%2), %%xmm3\n\tmovdqa %%xmm3, %0"
                 : "=m"(*(uint8_t (*)[16])out) : "m"(*(uint8_t (*)[16])pattern), "r"(un) : "memory");
    ok = true;
    for (unsigned i = 0; i < 16; i++)
        ok &= out[i] == (i < 8 ? bus : pattern[i]);
    report(ok, "movlps load from unbacked space: bytes 0-7 the bus value, 8-15 kept");
    asm volatile("movdqa %1, %%xmm3\n\tmovhpd (%2), %%xmm3\n\tmovdqa %%xmm3, %0"
                 : "=m"(*(uint8_t (*)[16])out) : "m"(*(uint8_t (*)[16])pattern), "r"(un) : "memory");
    ok = true;
    for (unsigned i = 0; i < 16; i++)
        ok &= out[i] == (i < 8 ? pattern[i] : bus);
    report(ok, "movhpd load from unbacked space: bytes 0-7 kept, 8-15 the bus value");
    STORE16("movhps store", "movhps %%xmm4, (%1)");
    STORE16("movlpd store", "movlpd %%xmm4, (%1)");

    /* VEX: 256-bit load, and a 128-bit load that zeroes bits 255:128 */
    memset(out, 0x5a, sizeof(out));
    asm volatile("vmovdqu %1, %%ymm5\n\tvmovdqu (%2), %%ymm5\n\tvmovdqu %%ymm5, %0"
                 : "=m"(*(uint8_t (*)[32])out) : "m"(*(uint8_t (*)[32])pattern), "r"(un) : "memory");
    ok = true;
    for (unsigned i = 0; i < 32; i++)
        ok &= out[i] == bus;
    report(ok, "vmovdqu ymm load from unbacked space: the bus value in all 32 bytes");
    asm volatile("vmovdqu %1, %%ymm5\n\tvmovdqa (%2), %%xmm5\n\tvmovdqu %%ymm5, %0"
                 : "=m"(*(uint8_t (*)[32])out) : "m"(*(uint8_t (*)[32])pattern), "r"(un) : "memory");
    ok = true;
    for (unsigned i = 0; i < 32; i++)
        ok &= out[i] == (i < 16 ? bus : 0);
    report(ok, "vmovdqa xmm load from unbacked space: bits 255:128 zeroed");
    /* legacy SSE load keeps bits 255:128 */
    asm volatile("vmovdqu %1, %%ymm5\n\tmovdqu (%2), %%xmm5\n\tvmovdqu %%ymm5, %0"
                 : "=m"(*(uint8_t (*)[32])out) : "m"(*(uint8_t (*)[32])pattern), "r"(un) : "memory");
    ok = true;
    for (unsigned i = 0; i < 32; i++)
        ok &= out[i] == (i < 16 ? bus : pattern[i]);
    report(ok, "movdqu xmm load from unbacked space: bits 255:128 kept");
    asm volatile("vmovdqu %0, %%ymm3\n\tvmovdqu %%ymm3, (%1)" : : "m"(*(uint8_t (*)[32])pattern),
                 "r"(un) : "memory");
    ok = true;
    for (unsigned i = 0; i < 32; i++)
        ok &= un[i] == bus;
    report(ok, "vmovdqu ymm store to unbacked space: dropped");
#undef STORE16
}

/* DIV/IDIV: #DE for a zero divisor or a quotient too wide, the registers untouched. */
static void divide_errors(void)
{
    volatile uint32_t *icr = (volatile uint32_t *)TIMER_ICR;
    uint64_t a = 1234, d = 0;
    int vec;

    *icr = 0;
    vec = TRY_ASM("divl (%2)", : "+a"(a), "+d"(d) : "r"(icr));
    report(vec == DE && a == 1234 && d == 0, "div by a zero MMIO operand: #DE (vector %d)", vec);
    *icr = 2;
    d = 5;
    vec = TRY_ASM("divl (%2)", : "+a"(a), "+d"(d) : "r"(icr));
    report(vec == DE && a == 1234 && d == 5, "div whose quotient does not fit: #DE (vector %d)", vec);
    *icr = 0xffffffffu;
    a = 0x80000000u;
    d = 0xffffffffu;
    vec = TRY_ASM("idivl (%2)", : "+a"(a), "+d"(d) : "r"(icr));
    report(vec == DE && a == 0x80000000u, "idiv -2^31 / -1: #DE (vector %d)", vec);
    a = 0xfffffff9u;
    d = 0xffffffffu;
    vec = TRY_ASM("idivl (%2)", : "+a"(a), "+d"(d) : "r"(icr));
    report(vec == -1 && a == 7 && d == 0, "idiv -7 / -1 = 7 (vector %d, eax %#lx)", vec, a);
    *icr = 0;
}

/* CMPS and SCAS: each run against RAM holding the same bytes. */
static void compare_strings(void)
{
    static uint8_t ram[64], copy[64];
    uint8_t bus = *(volatile uint8_t *)UNBACKED;
    uint64_t rsi, rdi, rcx, f, ref_rsi, ref_rdi, ref_rcx, ref_f, a;

    memset(ram, bus, sizeof(ram));
    memset(copy, bus, sizeof(copy));
    ram[20] = (uint8_t)~bus;
#define CMPS(name, INSN, src, dst, ref_src, n) do {                                     \
        rsi = (uint64_t)(src); rdi = (uint64_t)(dst); rcx = (n); f = 0;                 \
        asm volatile(FLAGS_IN INSN FLAGS_OUT : [f] "+r"(f), "+S"(rsi), "+D"(rdi), "+c"(rcx) \
                     : : "cc", "memory");                                               \
        ref_rsi = (uint64_t)(ref_src); ref_rdi = (uint64_t)(dst); ref_rcx = (n); ref_f = 0; \
        asm volatile(FLAGS_IN INSN FLAGS_OUT : [f] "+r"(ref_f), "+S"(ref_rsi), "+D"(ref_rdi), \
                     "+c"(ref_rcx) : : "cc", "memory");                                 \
        report(rsi - (uint64_t)(src) == ref_rsi - (uint64_t)(ref_src) && rdi == ref_rdi && \
               rcx == ref_rcx && (f & ARITH) == (ref_f & ARITH),                        \
               "%s: rSI/rDI/rCX/flags as on RAM (rcx %lu/%lu)", name, rcx, ref_rcx);     \
    } while (0)
    CMPS("repe cmpsb unbacked vs RAM", "cld; repe cmpsb", UNBACKED, ram, copy, 64);
    CMPS("repne cmpsb unbacked vs RAM", "cld; repne cmpsb", UNBACKED, ram, copy, 64);
    CMPS("cmpsq unbacked vs RAM", "cld; cmpsq", UNBACKED, ram, copy, 1);
    CMPS("std; repe cmpsw", "std; repe cmpsw; cld", UNBACKED + 0x40, ram + 40, copy + 40, 10);
    CMPS("rep cmpsl count 0", "cld; repe cmpsl", UNBACKED, ram, copy, 0);
#undef CMPS
    /* SCAS: AL against ES:rDI (unbacked) */
    for (unsigned k = 0; k < 2; k++) {
        a = k ? (uint8_t)~bus : bus;
        rdi = UNBACKED; rcx = 17; f = 0;
        asm volatile(FLAGS_IN "cld; repne scasb" FLAGS_OUT : [f] "+r"(f), "+D"(rdi), "+c"(rcx)
                     : "a"(a) : "cc", "memory");
        ref_rdi = (uint64_t)copy; ref_rcx = 17; ref_f = 0;
        asm volatile(FLAGS_IN "cld; repne scasb" FLAGS_OUT : [f] "+r"(ref_f), "+D"(ref_rdi),
                     "+c"(ref_rcx) : "a"(a) : "cc", "memory");
        report(rdi - UNBACKED == ref_rdi - (uint64_t)copy && rcx == ref_rcx &&
               (f & ARITH) == (ref_f & ARITH), "repne scasb %s: as on RAM (rcx %lu/%lu)",
               k ? "for another byte" : "for the bus byte", rcx, ref_rcx);
    }
    /* SCASL on the timer count, both ways */
    *(volatile uint32_t *)TIMER_ICR = 0x1234;
    rdi = TIMER_ICR; f = 0;
    asm volatile(FLAGS_IN "cld; scasl" FLAGS_OUT : [f] "+r"(f), "+D"(rdi) : "a"(0x1233ul) : "cc", "memory");
    *(volatile uint32_t *)TIMER_ICR = 0;
    report(rdi == TIMER_ICR + 4 && (f & ARITH) == 0x095, "scasl on the timer count (0x1233 - 0x1234): flags %#lx",
           f & ARITH);
}

int main(void)
{
    static const struct { uint32_t m; uint64_t r, a, d, f; } cases[] = {
        { 0x00000003u, 0x00000005u, 0x10, 0x0, 0 },
        { 0x7fffffffu, 0x00000021u, 0xfffffffe, 0x1, 0x001 },
        { 0x80000000u, 0xffffffffffffffffull, 0x7, 0x0, 0x8d5 },
        { 0x12345678u, 0x0000000087654321ull, 0x87654321, 0x5, 0x040 },
        { 0x00000001u, 0x0000000000000000ull, 0xffffff00, 0x0, 0x801 },
    };

    sse_enable();
    write_cr4(read_cr4() | BIT(18));                   /* OSXSAVE; XCR0 = x87|SSE|AVX */
    asm volatile("xsetbv" :: "c"(0), "a"(7), "d"(0));
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++)
        timer_forms(cases[i].m, cases[i].r, cases[i].a, cases[i].d, cases[i].f);
    *(volatile uint32_t *)TIMER_ICR = 0;
    unbacked_forms(0x8000000000000001ull, 0x1234, 0x5678, 0);
    unbacked_forms(0x0000000000000005ull, 0x00ff, 0, 0x8d5);
    divide_errors();
    compare_strings();
    vector_moves();
    return report_summary();
}
