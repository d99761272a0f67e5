/*
 * hostile: native=compare
 *
 * mmio-insns: memory accesses to MMIO by instructions other than MOV
 * (issue 9; Linux reads and updates the xAPIC with them, and an unknown one
 * used to crash the domain: "cannot emulate APIC access (bytes 29 10 00)").
 * Every instruction form runs twice with the same operands and flags: once
 * on RAM (the reference, executed by the CPU) and once on MMIO, and the
 * results must agree: the register operand, the arithmetic flags and what
 * the memory reads back afterwards. Targets: the xAPIC timer's initial
 * count (a 32-bit read/write register on both QEMU and dbgvisor) for dword
 * forms, and guest-physical space with nothing behind it (writes dropped;
 * reads give the bus value, learnt first: 0 on bare QEMU, all-ones under
 * dbgvisor as on hardware) for every operand size. Forms: ADD OR ADC SBB AND
 * SUB XOR CMP in both directions and with imm8/imm32 (group 1), TEST, XCHG,
 * NOT, NEG, INC, DEC, BT/BTS/BTR/BTC (register and immediate), CMPXCHG
 * (equal and not), XADD, MOVZX/MOVSX, MOV moffs, high-byte registers, REX
 * registers, an FS override, the 0x67 address-size prefix, RIP-relative
 * addressing, and MOVS/STOS/LODS with REP and DF with MMIO on either side.
 * Hardware performs each of these accesses; dbgvisor emulates them
 * (hvm/emulate.c) with the flags computed by the CPU itself.
 */
#include "guest.h"

#define TIMER_ICR  (APIC_BASE_ADDR + 0x380)
#define UNBACKED   0xC0000000UL
#define ARITH      0x8d5UL

/* Loads the arithmetic flags from f (the rest of RFLAGS kept), runs INSN,
 * stores RFLAGS back into f. */
#define FLAGS_IN  "pushfq; andq $-0x8d6, (%%rsp); orq %[f], (%%rsp); popfq\n\t"
#define FLAGS_OUT "\n\tpushfq; popq %[f]"

/* One form: INSN uses %[m] (memory, type T) and %[r] (a 64-bit register).
 * The reference runs on RAM holding `mem`, then the MMIO run on `target`
 * (which holds `mem` too where it keeps writes); `keeps` says whether the
 * target keeps what is written (the timer count) or drops it. */
#define FORM(name, T, INSN, target, keeps, mem, reg, flags) do {                        \
        T ref_m = (T)(mem), io_m;                                                        \
        uint64_t ref_r = (reg), io_r = (reg), ref_f = (flags), io_f = (flags);           \
        volatile T *io = (volatile T *)(target);                                         \
        asm volatile(FLAGS_IN INSN FLAGS_OUT                                             \
                     : [f] "+r"(ref_f), [m] "+m"(ref_m), [r] "+r"(ref_r) : : "cc", "rax", "rcx", "r9"); \
        if (keeps)                                                                       \
            *io = (T)(mem);                                                              \
        asm volatile(FLAGS_IN INSN FLAGS_OUT                                             \
                     : [f] "+r"(io_f), [m] "+m"(*(T *)(target)), [r] "+r"(io_r) : : "cc", "rax", "rcx", "r9"); \
        io_m = *io;                                                                      \
        if (!(keeps))                                                                    \
            ref_m = (T)(mem);                                                            \
        check_form(name, (keeps) ? "timer" : "unbacked", ref_r == io_r,                  \
                   (ref_f & ARITH) == (io_f & ARITH), ref_m == io_m,                      \
                   ref_r, io_r, ref_f, io_f, (uint64_t)ref_m, (uint64_t)io_m);           \
    } while (0)

static void check_form(const char *name, const char *where, bool reg_ok, bool flags_ok,
                       bool mem_ok, uint64_t ref_r, uint64_t io_r, uint64_t ref_f,
                       uint64_t io_f, uint64_t ref_m, uint64_t io_m)
{
    if (!(reg_ok && flags_ok && mem_ok))
        printf("# %s on %s: reg %#lx/%#lx flags %#lx/%#lx mem %#lx/%#lx (RAM/MMIO)\n",
               name, where, ref_r, io_r, ref_f & ARITH, io_f & ARITH, ref_m, io_m);
    report(reg_ok && flags_ok && mem_ok, "%s on %s: register, flags and memory as on RAM",
           name, where);
}

/* Dword forms on the timer's initial count (keeps writes). */
static void timer_forms(uint32_t m, uint64_t r, uint64_t f)
{
#define T32(name, INSN) FORM(name, uint32_t, INSN, TIMER_ICR, true, m, r, f)
    T32("mov store",   "movl %k[r], %[m]");
    T32("mov load",    "movl %[m], %k[r]");
    T32("mov imm",     "movl $0x12345678, %[m]");
    T32("add m,r",     "addl %k[r], %[m]");
    T32("add r,m",     "addl %[m], %k[r]");
    T32("or m,r",      "orl %k[r], %[m]");
    T32("adc m,r",     "adcl %k[r], %[m]");
    T32("sbb r,m",     "sbbl %[m], %k[r]");
    T32("and m,r",     "andl %k[r], %[m]");
    T32("sub m,r",     "subl %k[r], %[m]");
    T32("sub r,m",     "subl %[m], %k[r]");
    T32("xor m,r",     "xorl %k[r], %[m]");
    T32("cmp m,r",     "cmpl %k[r], %[m]");
    T32("cmp r,m",     "cmpl %[m], %k[r]");
    T32("add imm32",   "addl $0x7ffffff0, %[m]");
    T32("sub imm8",    "subl $-3, %[m]");
    T32("cmp imm8",    "cmpl $5, %[m]");
    T32("and imm32",   "andl $0xf0f0f0f0, %[m]");
    T32("test m,r",    "testl %k[r], %[m]");
    T32("test imm",    "testl $0x80000001, %[m]");
    T32("xchg",        "xchgl %k[r], %[m]");
    T32("not",         "notl %[m]");
    T32("neg",         "negl %[m]");
    T32("inc",         "incl %[m]");
    T32("dec",         "decl %[m]");
    T32("bt r",        "movl %k[r], %%ecx; andl $31, %%ecx; btl %%ecx, %[m]");
    T32("bts imm",     "btsl $31, %[m]");
    T32("btr imm",     "btrl $0, %[m]");
    T32("btc r",       "movl %k[r], %%ecx; andl $31, %%ecx; btcl %%ecx, %[m]");
    T32("xadd",        "xaddl %k[r], %[m]");
    T32("cmpxchg",     "movl %[m], %%eax; cmpxchgl %k[r], %[m]");
    T32("cmpxchg ne",  "movl %[m], %%eax; incl %%eax; cmpxchgl %k[r], %[m]; movl %%eax, %k[r]");
    T32("fs override", "movl %%fs:%[m], %k[r]");
    T32("lock or",     "lock orl %k[r], %[m]");
    T32("REX r9",      "movq %[r], %%r9; addl %%r9d, %[m]; movl %[m], %%r9d; movq %%r9, %[r]");
#undef T32
}

/* Every operand size on unbacked space (drops writes, reads the bus value). */
static void unbacked_forms(uint64_t r, uint64_t f)
{
#define U(name, T, INSN) FORM(name, T, INSN, UNBACKED + 0x40, false, *(volatile T *)(UNBACKED + 0x40), r, f)
    U("add byte",       uint8_t,  "addb %b[r], %[m]");
    U("or word",        uint16_t, "orw %w[r], %[m]");
    U("adc qword",      uint64_t, "adcq %[r], %[m]");
    U("sbb byte r,m",   uint8_t,  "sbbb %[m], %b[r]");
    U("and word r,m",   uint16_t, "andw %[m], %w[r]");
    U("sub qword",      uint64_t, "subq %[r], %[m]");
    U("xor byte",       uint8_t,  "xorb %b[r], %[m]");
    U("cmp word",       uint16_t, "cmpw %w[r], %[m]");
    U("cmp qword imm8", uint64_t, "cmpq $-1, %[m]");
    U("add word imm16", uint16_t, "addw $0x1234, %[m]");
    U("or byte imm8",   uint8_t,  "orb $0x81, %[m]");
    U("and byte imm8",  uint8_t,  "andb $0x0f, %[m]");     /* group 1 /4-/7: an extension, */
    U("sub byte imm8",  uint8_t,  "subb $0x7f, %[m]");     /* not a high-byte register */
    U("xor byte imm8",  uint8_t,  "xorb $0x55, %[m]");
    U("cmp byte imm8",  uint8_t,  "cmpb $0x80, %[m]");
    U("not byte",       uint8_t,  "notb %[m]");
    U("sub qword imm32",uint64_t, "subq $0x12345678, %[m]");
    U("test byte",      uint8_t,  "testb $0x80, %[m]");
    U("test qword r",   uint64_t, "testq %[r], %[m]");
    U("xchg qword",     uint64_t, "xchgq %[r], %[m]");
    U("xchg byte",      uint8_t,  "xchgb %b[r], %[m]");
    U("not word",       uint16_t, "notw %[m]");
    U("neg byte",       uint8_t,  "negb %[m]");
    U("inc qword",      uint64_t, "incq %[m]");
    U("dec word",       uint16_t, "decw %[m]");
    U("bts qword r",    uint64_t, "movq %[r], %%rcx; andq $63, %%rcx; btsq %%rcx, %[m]");
    U("btr word imm",   uint16_t, "btrw $15, %[m]");
    U("bt qword imm",   uint64_t, "btq $63, %[m]");
    U("movzx byte",     uint8_t,  "movzbq %[m], %[r]");
    U("movsx word",     uint16_t, "movswq %[m], %[r]");
    U("movsx byte",     uint8_t,  "movsbl %[m], %k[r]");
    U("cmpxchg qword",  uint64_t, "movq %[m], %%rax; cmpxchgq %[r], %[m]");
    U("xadd word",      uint16_t, "xaddw %w[r], %[m]");
    U("high byte",      uint8_t,  "movq %[r], %%rcx; addb %%ch, %[m]; movb %[m], %%ch; movq %%rcx, %[r]");
    U("addr32",         uint32_t, "leaq %[m], %%rcx; addr32 addl %k[r], (%%ecx)");
#undef U
}

/* RIP-relative: 0x5000000 past the instruction lies above RAM (the image
 * runs below 16 MiB, RAM is 64 MiB natively and under dbgvisor). */
static void rip_relative(void)
{
    uint32_t bus = *(volatile uint32_t *)(UNBACKED), got = 0x5a5a5a5a;
    uint64_t f = 0;

    asm volatile(FLAGS_IN "addl 0x5000000(%%rip), %k[r]" FLAGS_OUT
                 : [f] "+r"(f), [r] "+r"(got) : : "cc");
    report(got == (uint32_t)(0x5a5a5a5a + bus), "RIP-relative add from unbacked space");
}

static void strings(void)
{
    static uint32_t ram32[4];
    static uint8_t ram8[100];
    uint64_t bus64 = *(volatile uint64_t *)UNBACKED;
    uint16_t bus16 = (uint16_t)bus64;
    uint8_t bus8 = (uint8_t)bus64;
    uint64_t rsi, rdi, rcx, rax;
    bool ok = true;

    /* APIC -> RAM and RAM -> APIC, one dword each */
    *(volatile uint32_t *)TIMER_ICR = 0x31415926;
    rsi = TIMER_ICR; rdi = (uint64_t)&ram32[0]; rcx = 1;
    asm volatile("cld; rep movsl" : "+S"(rsi), "+D"(rdi), "+c"(rcx) : : "memory");
    report(ram32[0] == 0x31415926 && rsi == TIMER_ICR + 4 && rcx == 0, "rep movsl from the APIC to RAM");
    ram32[1] = 0x27182818;
    rsi = (uint64_t)&ram32[1]; rdi = TIMER_ICR;
    asm volatile("cld; movsl" : "+S"(rsi), "+D"(rdi) : : "memory");
    report(*(volatile uint32_t *)TIMER_ICR == 0x27182818 && rdi == TIMER_ICR + 4, "movsl from RAM to the APIC");

    /* STOS to unbacked space, backwards */
    rdi = UNBACKED + 0x100; rcx = 5; rax = 0x1111222233334444ull;
    asm volatile("std; rep stosq; cld" : "+D"(rdi), "+c"(rcx) : "a"(rax) : "memory");
    report(rdi == UNBACKED + 0x100 - 40 && rcx == 0 && *(volatile uint64_t *)(UNBACKED + 0x100) == bus64,
           "std; rep stosq into unbacked space (dropped, RDI moves down)");

    /* LODS from unbacked space */
    rsi = UNBACKED + 0x10; rcx = 3; rax = 0x5555;
    asm volatile("cld; rep lodsw" : "+S"(rsi), "+c"(rcx), "+a"(rax) : : "memory");
    report((uint16_t)rax == bus16 && rsi == UNBACKED + 0x16 && rcx == 0, "rep lodsw from unbacked space");

    /* unbacked -> RAM, 100 bytes */
    memset(ram8, 0x77, sizeof(ram8));
    rsi = UNBACKED + 0x200; rdi = (uint64_t)ram8; rcx = sizeof(ram8);
    asm volatile("cld; rep movsb" : "+S"(rsi), "+D"(rdi), "+c"(rcx) : : "memory");
    for (unsigned i = 0; i < sizeof(ram8); i++)
        ok &= ram8[i] == bus8;
    report(ok && rcx == 0 && rdi == (uint64_t)ram8 + sizeof(ram8), "rep movsb from unbacked space to RAM");

    /* RAM -> unbacked with a 32-bit address size (the image is below 4 GiB) */
    rsi = (uint64_t)&ram32[2]; rdi = UNBACKED + 0x300; rcx = 2;
    asm volatile("cld; addr32 rep movsl" : "+S"(rsi), "+D"(rdi), "+c"(rcx) : : "memory");
    report(rcx == 0 && rdi == UNBACKED + 0x308 && *(volatile uint32_t *)(UNBACKED + 0x300) == (uint32_t)bus64,
           "addr32 rep movsl from RAM to unbacked space (dropped)");
}

int main(void)
{
    static const struct { uint32_t m; uint64_t r, f; } cases[] = {
        { 0x00000001u, 0x00000001u, 0 },
        { 0x7fffffffu, 0x00000001u, 0x001 },             /* CF in: ADC/SBB; OF out */
        { 0x80000000u, 0xffffffffffffffffull, 0x8d5 },
        { 0x12345678u, 0x0000000087654321ull, 0x040 },
    };

    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++)
        timer_forms(cases[i].m, cases[i].r, cases[i].f);
    *(volatile uint32_t *)TIMER_ICR = 0;                 /* the timer stops */
    unbacked_forms(0x8000000000000001ull, 0);
    unbacked_forms(0x0000000000000005ull, 0x001);
    rip_relative();
    strings();
    return report_summary();
}
