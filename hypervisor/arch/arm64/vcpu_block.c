/*
 * A vCPU in WFI. HCR_EL2.TWI traps the instruction: in hardware the vCPU
 * would sleep with its timer interrupt unroutable (taken to EL2, which is not
 * running) or spin. Instead the hypervisor saves the vCPU's virtual timer,
 * stops it, and sleeps on its own timer (CNTHP, PPI 26) until the guest's
 * deadline, then puts the timer back: its line is high at once, the physical
 * PPI 27 is taken at EL2 as soon as the guest runs and becomes the guest's
 * virtual interrupt (vgic.c). A virtual interrupt already pending ends the
 * WFI at once, whatever PSTATE.I says, as on hardware. With neither (timer
 * off or masked) the vCPU sleeps for good, as the CPU would; the scheduler
 * will run other vCPUs here once it is shared (docs/arm64.md).
 */
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <asm/sysreg.h>
#include <asm/vcpu_block.h>
#include <asm/vgic.h>
#include <asm/vtimer.h>

static uint64_t physical_count(void)
{
    isb();
    return read_sysreg(cntpct_el0);
}

void vcpu_block(struct vcpu *v, uint64_t wake_at)
{
    uint64_t deadline;
    bool blocked;

    if (vgic_has_pending())
        return;
    vtimer_save(v);
    deadline = MIN(vtimer_fires_at(v), wake_at);
    if (deadline != UINT64_MAX) {
        write_sysreg(CNTHP_CVAL_EL2, deadline);
        write_sysreg(CNTHP_CTL_EL2, CNT_CTL_ENABLE);
    }
    blocked = physical_count() < deadline;
    if (blocked) {
        v->arch.wfi_blocks++;
        dbg_on_deschedule(&v->dbg);     /* it leaves the pCPU, as a blocked vCPU on x86 */
    }
    /* DAIF is masked at EL2: WFI wakes for the hyp timer's PPI without taking it. */
    while (physical_count() < deadline)
        __asm__ volatile("wfi" ::: "memory");
    write_sysreg(CNTHP_CTL_EL2, 0);         /* its line low: nothing left pending */
    isb();
    vtimer_load(v);
    if (blocked)
        dbg_on_schedule(&v->dbg);
}
