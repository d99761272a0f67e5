/*
 * hostile: policies=trap,adaptive native=no
 *
 * invalid-state: guest-caused invalid processor state (issue 9, finding 11).
 * The guest writes reserved or inconsistent values to CR0, CR3, CR4, EFER
 * and XCR0 and must get what hardware gives (AMD APM vol. 2 3.1, vol. 3
 * MOV CRn, WRMSR, XSETBV): #GP(0) (#UD for XSETBV while CR4.OSXSAVE is
 * clear), with the register unchanged. A hypervisor that lets such a value
 * reach the VMCB makes VMRUN fail (exit code -1) and loses the domain. Valid
 * writes (CLTS, LMSW from a register and from memory, toggling TS/OSXSAVE,
 * reloading CR3, a legal XCR0) must take effect. A far transfer to a code
 * segment with L=1 and D=1 in long mode (hardware: #GP(selector); bare QEMU
 * runs it as 64-bit code) must not end the domain either.
 * native=no: bare QEMU 10 TCG is not the reference here. It hangs on a MOV
 * CR4 with a reserved bit or PAE cleared in long mode (it takes an SVM exit
 * outside a guest), ignores CR0[63:32], NW without CD and reserved EFER bits,
 * accepts CR0.PG without PE, and hangs when 64-bit code clears CR0.PG or
 * sets a CR3 bit above MAXPHYADDR. Its XSETBV checks match hardware; the
 * xsave guest compares those with it.
 */
#include "guest.h"

#define CR0_MP BIT(1)
#define CR0_TS BIT(3)
#define CR0_NW BIT(29)
#define CR0_CD BIT(30)
#define CR0_PG BIT(31)
#define CR0_PE BIT(0)
#define CR4_PAE BIT(5)
#define CR4_PCIDE BIT(17)
#define CR4_OSXSAVE BIT(18)
#define MSR_EFER 0xC0000080
extern uint64_t gdt64[];
#define EFER_LME BIT(8)
#define EFER_SVME BIT(12)

static unsigned long read_cr3_(void) { unsigned long v; asm volatile("mov %%cr3,%0" : "=r"(v)); return v; }
static int try_cr0(unsigned long v) { return TRY_ASM("mov %0, %%cr0", :: "r"(v)); }
static int try_cr4(unsigned long v) { return TRY_ASM("mov %0, %%cr4", :: "r"(v)); }
static int try_xsetbv(uint32_t idx, uint64_t v)
{
    return TRY_ASM("xsetbv", :: "c"(idx), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}
static long user_xsetbv(void)
{
    asm volatile("xsetbv" :: "c"(0), "a"(3), "d"(0));
    return 0;
}

static void expect_gp(int vec, unsigned long before, unsigned long after, const char *what)
{
    report(vec == 13 && last_trap.error_code == 0 && before == after,
           "%s: vector %d, error code %lu, register %s", what, vec,
           vec >= 0 ? (unsigned long)last_trap.error_code : 0ul,
           before == after ? "unchanged" : "changed");
}

int main(void)
{
    unsigned long cr0 = read_cr0(), cr4 = read_cr4();
    uint64_t efer = rdmsr(MSR_EFER);
    struct cpuid_regs r1, rd;

    printf("cr0 %#lx cr4 %#lx efer %#llx\n", cr0, cr4, (unsigned long long)efer);

    /* CR4: reserved bits, PAE off in long mode, PCIDE with CR3[11:0] != 0. */
    expect_gp(try_cr4(cr4 | BIT(15)), cr4, read_cr4(), "MOV CR4 with reserved bit 15");
    expect_gp(try_cr4(cr4 | BIT(24)), cr4, read_cr4(), "MOV CR4 with reserved bit 24");
    expect_gp(try_cr4(cr4 | (1UL << 32)), cr4, read_cr4(), "MOV CR4 with bit 32");
    expect_gp(try_cr4(cr4 | BIT(13)), cr4, read_cr4(), "MOV CR4 with VMXE (no VMX offered)");
    expect_gp(try_cr4(cr4 & ~CR4_PAE), cr4, read_cr4(), "MOV CR4 clearing PAE in long mode");

    unsigned long cr3 = read_cr3_();
    expect_gp(TRY_ASM("mov %0, %%cr3", :: "r"(cr3 | (1UL << 62))), cr3, read_cr3_(), "MOV CR3 with bit 62 in long mode");
    report(TRY_ASM("mov %0, %%cr3", :: "r"(cr3)) == -1 && read_cr3_() == cr3, "MOV CR3 reloads its own value");

    /* CR0: high bits, NW without CD, PG without PE, PG off in 64-bit code. */
    expect_gp(try_cr0(cr0 | (1UL << 32)), cr0, read_cr0(), "MOV CR0 with bit 32");
    expect_gp(try_cr0((cr0 & ~CR0_CD) | CR0_NW), cr0, read_cr0(), "MOV CR0 with NW but not CD");
    expect_gp(try_cr0(cr0 & ~CR0_PE), cr0, read_cr0(), "MOV CR0 with PG but not PE");
    expect_gp(try_cr0(cr0 & ~CR0_PG), cr0, read_cr0(), "MOV CR0 clearing PG in 64-bit mode");

    /* A far transfer to a 64-bit code segment with D also set: hardware
     * raises #GP(selector), bare QEMU runs it as 64-bit code; either way
     * the domain lives on (VMRUN would refuse such a CS if it reached it). */
    uint64_t saved = gdt64[3], rax, rcx;
    gdt64[3] = 0x00EF9A000000FFFFULL;            /* selector 0x18: L=1, D=1 */
    int vec = TRY_ASM("pushq $0x18; leaq 2f(%%rip), %%rax; pushq %%rax; lretq\n"
                      "2: movl $2000000, %%ecx\n3: decl %%ecx; jnz 3b\n"
                      "pushq $0x08; leaq 4f(%%rip), %%rax; pushq %%rax; lretq\n4:",
                      : "=&a"(rax), "=&c"(rcx) :);
    gdt64[3] = saved;
    report(vec == -1 || vec == 13, "code segment with L=1 and D=1 in long mode: survived (vector %d)", vec);

    /* Valid CR0 writes still take effect. */
    report(try_cr0(cr0 | CR0_TS) == -1 && (read_cr0() & CR0_TS), "MOV CR0 sets TS");
    asm volatile("clts");
    report(!(read_cr0() & CR0_TS), "CLTS clears TS");
    asm volatile("lmsw %w0" :: "r"((unsigned)(cr0 & 0xffff) | CR0_TS));
    report((read_cr0() & CR0_TS) && (read_cr0() & CR0_PE), "LMSW sets TS and keeps PE");
    uint16_t msw = (uint16_t)(cr0 & ~CR0_TS);
    asm volatile("lmsw %0" :: "m"(msw));
    report(read_cr0() == cr0, "LMSW from memory restores the machine status word (cr0 %#lx)", read_cr0());
    report(try_cr0(cr0) == -1 && read_cr0() == cr0, "MOV CR0 back to the start value");

    /* EFER: reserved bit, SVME not offered, LME change with paging on. */
    expect_gp(try_wrmsr(MSR_EFER, efer | BIT(20)), efer, rdmsr(MSR_EFER), "WRMSR EFER with reserved bit 20");
    expect_gp(try_wrmsr(MSR_EFER, efer | EFER_SVME), efer, rdmsr(MSR_EFER), "WRMSR EFER.SVME (SVM not offered)");
    expect_gp(try_wrmsr(MSR_EFER, efer & ~EFER_LME), efer, rdmsr(MSR_EFER), "WRMSR EFER clearing LME with paging on");
    report(try_wrmsr(MSR_EFER, efer) == -1 && rdmsr(MSR_EFER) == efer, "WRMSR EFER with its own value");

    /* XSETBV: #UD without OSXSAVE, then the value rules. */
    r1 = cpuid(1, 0);
    report(r1.c & BIT(26), "CPUID offers XSAVE");
    if (!(r1.c & BIT(26)))
        return report_summary();
    report(try_xsetbv(0, 1) == 6, "XSETBV with CR4.OSXSAVE clear -> #UD");
    report(try_cr4(cr4 | CR4_OSXSAVE) == -1 && (read_cr4() & CR4_OSXSAVE), "MOV CR4 sets OSXSAVE");
    r1 = cpuid(1, 0);
    report(r1.c & BIT(27), "CPUID.1:ECX.OSXSAVE follows CR4");
    rd = cpuid(0xd, 0);
    uint64_t xcr0 = xgetbv0();
    printf("XCR0 %#llx, supported %#x:%#x\n", (unsigned long long)xcr0, rd.d, rd.a);
    expect_gp(try_xsetbv(1, 1), xcr0, xgetbv0(), "XSETBV to XCR1");
    expect_gp(try_xsetbv(0, 0), xcr0, xgetbv0(), "XSETBV XCR0=0 (x87 clear)");
    expect_gp(try_xsetbv(0, 2), xcr0, xgetbv0(), "XSETBV XCR0=2 (x87 clear)");
    expect_gp(try_xsetbv(0, 5), xcr0, xgetbv0(), "XSETBV XCR0=5 (AVX without SSE)");
    expect_gp(try_xsetbv(0, 0xe7), xcr0, xgetbv0(), "XSETBV XCR0 with AVX-512 bits");
    expect_gp(try_xsetbv(0, 1ULL << 63), xcr0, xgetbv0(), "XSETBV XCR0 bit 63");
    expect_gp(try_xsetbv(0, 3 | BIT(10)), xcr0, xgetbv0(), "XSETBV XCR0 reserved bit 10");
    long r = run_user(user_xsetbv);
    report(r == -1 - 13 && xgetbv0() == xcr0, "XSETBV at CPL3 -> #GP (result %ld)", r);
    report(try_xsetbv(0, 3) == -1 && xgetbv0() == 3, "XSETBV XCR0=3 takes effect");
    if (rd.a & 4)
        report(try_xsetbv(0, 7) == -1 && xgetbv0() == 7, "XSETBV XCR0=7 takes effect");
    report(try_cr4(cr4) == -1 && read_cr4() == cr4, "MOV CR4 back to the start value");
    return report_summary();
}
