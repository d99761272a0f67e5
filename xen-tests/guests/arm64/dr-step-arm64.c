/*
 * dr-step-arm64: software step (MDSCR_EL1.SS, SPSR.SS) at EL1 across
 * instructions that a hypervisor completes on the guest's behalf: a trapped
 * debug-register write (MSR DBGBVR1_EL1), an emulated device read (the PL011
 * flag register) and a PSCI call (HVC). On hardware every one of them is
 * followed by its own step exception, ELR = the next instruction; a
 * hypervisor that emulates an instruction must leave the step pending, or
 * the guest misses one (the arm64 twin of x86's TF after an emulated
 * instruction). Compared line for line with a native run (test_arm64.sh).
 */
#include "guest.h"

#define MDSCR_SS    (1UL << 0)
#define MDSCR_KDE   (1UL << 13)
#define MDSCR_MDE   (1UL << 15)
#define SPSR_SS     (1UL << 21)
#define MAX_STEPS   16

extern char step_start[], step_end[];
static volatile uint64_t step_elr[MAX_STEPS], step_esr;
static volatile unsigned steps;

/* BRK just before the region: arm the step, resume after the BRK. */
static void on_brk(struct trap_frame *f)
{
    write_sysreg(mdscr_el1, MDSCR_KDE | MDSCR_MDE | MDSCR_SS);
    isb();
    f->elr += 4;
    f->spsr |= SPSR_SS;
}

/* One step done: record where, keep stepping until the end of the region. */
static void on_step(struct trap_frame *f)
{
    if (steps < MAX_STEPS)
        step_elr[steps] = f->elr;
    steps++;
    step_esr = f->esr;
    if (f->elr == (uint64_t)step_end || steps >= MAX_STEPS) {
        write_sysreg(mdscr_el1, MDSCR_KDE | MDSCR_MDE);
        isb();
        f->spsr &= ~SPSR_SS;
    } else {
        f->spsr |= SPSR_SS;
    }
}

int main(void)
{
    uint64_t version;

    set_trap_handler(EC_BRK, on_brk);
    set_trap_handler(EC_SSTEP_CUR, on_step);
    write_sysreg(oslar_el1, 0);
    isb();
    __asm__ volatile("msr daifclr, #8" ::: "memory");
    __asm__ volatile(
        "   mov     x0, #0x84000000\n"      /* PSCI_VERSION */
        "   mov     x3, #0x09000000\n"
        "   brk     #0\n"
        "   .globl  step_start\n"
        "step_start:\n"
        "   mov     x1, #0x1000\n"
        "   msr     dbgbvr1_el1, x1\n"      /* trapped to EL2 under dbgvisor */
        "   add     x1, x1, #4\n"
        "   ldr     w2, [x3, #0x18]\n"      /* PL011 FR: emulated under dbgvisor */
        "   add     x1, x1, #4\n"
        "   hvc     #0\n"                   /* PSCI */
        "   nop\n"
        "   .globl  step_end\n"
        "step_end:\n"
        "   mov     %0, x0\n"
        : "=r"(version) : : "x0", "x1", "x2", "x3", "memory");
    __asm__ volatile("msr daifset, #8" ::: "memory");

    for (unsigned i = 0; i < steps && i < MAX_STEPS; i++)
        printf("step %u: ELR = step_start + %lu\n", i,
               (unsigned long)(step_elr[i] - (uint64_t)step_start));
    report(steps == 7, "7 step exceptions for 7 instructions (took %u)", steps);
    report(ESR_EC(step_esr) == EC_SSTEP_CUR, "ESR_EL1 %#lx: software step, same EL",
           (unsigned long)step_esr);
    report(read_sysreg(dbgbvr1_el1) == 0x1000, "the stepped MSR DBGBVR1_EL1 took effect");
    report(version >= 0x10000, "the stepped PSCI_VERSION call returned (%#lx)",
           (unsigned long)version);
    write_sysreg(mdscr_el1, 0);
    return report_summary();
}
