/*
 * unbacked-arm64: loads, stores and an instruction fetch at guest-physical
 * addresses with nothing behind them (a hole in QEMU virt's device space and
 * the first byte past the guest's RAM). Bare QEMU answers with synchronous
 * external aborts; a dbgvisor domain must get the same exceptions, with the
 * same ESR and FAR, and the hypervisor must carry on (test_arm64.sh compares
 * the two records line for line). Run with 64 MiB of RAM.
 */
#include "guest.h"

#define HOLE        0x0c000000UL   /* QEMU virt: platform-bus window, empty */
#define RAM_END     0x44000000UL   /* 0x40000000 + 64 MiB */
#define EC_IABT_CUR 0x21
#define EC_DABT_CUR 0x25

static volatile uint64_t esr, far, aborts, pan_in_handler;

#define SCTLR_SPAN  (1UL << 23)
#define PSTATE_PAN  (1UL << 22)

static void on_data_abort(struct trap_frame *f)
{
    esr = f->esr;
    far = f->far;
    aborts++;
    pan_in_handler = read_sysreg(s3_0_c4_c2_3) & PSTATE_PAN;  /* PAN */
    f->elr += 4;                    /* skip the access */
}

static void on_insn_abort(struct trap_frame *f)
{
    esr = f->esr;
    far = f->far;
    aborts++;
    f->elr = f->x[30];              /* back to the caller of the jump */
}

static void access(const char *what, uint64_t addr, bool write)
{
    volatile uint32_t *p = (volatile uint32_t *)addr;

    aborts = 0;
    if (write)
        *p = 0x5a5a5a5a;
    else
        (void)*p;
    report(aborts == 1 && ESR_EC(esr) == EC_DABT_CUR && far == addr,
           "%s %s %#lx: data abort, ESR %#lx FAR %#lx", write ? "store to" : "load from", what,
           (unsigned long)addr, (unsigned long)esr, (unsigned long)far);
}

int main(void)
{
    set_trap_handler(EC_DABT_CUR, on_data_abort);
    set_trap_handler(EC_IABT_CUR, on_insn_abort);
    access("the device hole", HOLE, false);
    access("the device hole", HOLE, true);
    access("past RAM", RAM_END, false);
    access("past RAM", RAM_END + 0x1000, true);

    /* Exception entry sets PSTATE.PAN when SCTLR_EL1.SPAN is 0 (FEAT_PAN). */
    if ((read_sysreg(id_aa64mmfr1_el1) >> 20) & 0xf) {
        write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) & ~SCTLR_SPAN);
        isb();
        access("the device hole", HOLE, false);
        report(pan_in_handler, "the abort handler runs with PSTATE.PAN set (SPAN = 0)");
        write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | SCTLR_SPAN);
        isb();
    }

    aborts = 0;
    __asm__ volatile("blr %0" : : "r"(RAM_END + 0x2000) : "x30", "memory");
    report(aborts == 1 && ESR_EC(esr) == EC_IABT_CUR && far == RAM_END + 0x2000,
           "fetch past RAM: instruction abort, ESR %#lx FAR %#lx", (unsigned long)esr,
           (unsigned long)far);
    return report_summary();
}
