/*
 * A vCPU in WFI. HCR_EL2.TWI traps the instruction: in hardware the vCPU
 * would sleep with its timer interrupt unroutable (taken to EL2, which is not
 * running) or spin. Instead the vCPU blocks in the scheduler until the first
 * deadline of its virtual and physical timers (or WFIT's timeout, if sooner)
 * and the pCPU runs other vCPUs or idles; when it runs again its timers are
 * put back, the line is high at once and the physical PPI 27 or 30 becomes
 * the guest's virtual interrupt (vgic.c). A virtual interrupt already pending ends the WFI at once,
 * whatever PSTATE.I says, as on hardware. With neither (timer off or masked)
 * the vCPU sleeps until something else wakes it, as the CPU would.
 */
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <asm/timebase.h>
#include <asm/vcpu_block.h>
#include <asm/vgic.h>
#include <asm/vtimer.h>

/* The running vCPU's first timer deadline, from the hardware (physical count). */
static uint64_t live_timer_deadline(struct vcpu *v)
{
    struct vtimer t;

    vtimer_read_live(&t);
    return vtimer_deadline(v->domain, &t);
}

void vcpu_block(struct vcpu *v, uint64_t wake_at)
{
    uint64_t deadline;

    if (vgic_has_pending() || vgic_sgi_waiting(v) || vgic_spi_waiting(v))
        return;
    deadline = MIN(live_timer_deadline(v), wake_at);
    if (counter_now() < deadline)
        v->arch.wfi_blocks++;
    v->arch.block_deadline = deadline;
    /* The deadline is visible before the state (arch_vcpu_poll_timers). */
    __atomic_store_n(&v->state, VCPU_BLOCKED, __ATOMIC_RELEASE);
}
