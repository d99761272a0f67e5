/*
 * The scheduler's arm64 mechanisms (asm/sched_arch.h). The tick is the hyp
 * timer (CNTHP, PPI 26), re-armed every 4 ms as x86's local-APIC tick; the
 * kick and exit-guest IPIs are SGIs 0 and 1. Interrupts reach EL2 only as a
 * guest's exit (HCR_EL2.IMO) or, on an idle pCPU, by waking its WFI: EL2 runs
 * with DAIF masked and acknowledges them itself (arch_sched_irq).
 */
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/percpu.h>
#include <dbgvisor/sched.h>
#include <asm/arm64.h>
#include <asm/gicv3.h>
#include <asm/sched_arch.h>
#include <asm/sysreg.h>
#include <asm/timebase.h>
#include <asm/vgic.h>

#define TICK_NS 4000000ULL

/* The hyp timer at the next tick, or at deadline (physical count) if sooner. */
static void arm_hyp_timer(uint64_t deadline)
{
    uint64_t tick = counter_now() + ns_to_counter(TICK_NS);

    write_sysreg(CNTHP_CVAL_EL2, MIN(tick, deadline));
    write_sysreg(CNTHP_CTL_EL2, CNT_CTL_ENABLE);
    isb();
}

void arch_sched_init(void)
{
    arm_hyp_timer(UINT64_MAX);
}

void arch_sched_send_ipi(unsigned pcpu, enum sched_ipi ipi)
{
    gicv3_send_sgi(smp_pcpu_mpidr(pcpu), ipi == SCHED_IPI_KICK ? SGI_KICK : SGI_EXIT_GUEST);
}

void arch_sched_irq(struct vcpu *v, uint32_t intid)
{
    switch (intid) {
    case PPI_VIRT_TIMER:
    case PPI_PHYS_TIMER:
    case PPI_PMU:
        if (v) {
            vgic_inject_hw(v, intid);       /* active until the guest deactivates it */
            return;
        }
        break;
    case PPI_HYP_TIMER:
        arm_hyp_timer(UINT64_MAX);
        gicv3_deactivate(intid);
        sched_tick();
        return;
    case SGI_KICK:
        sched_kicked();
        break;
    case PPI_MAINTENANCE:   /* the guest deactivated a level SPI: it syncs before entering */
        break;
    default:            /* SGI_EXIT_GUEST: the exit was the point; an SPI: its device's */
        gicv3_spi_dispatch(intid);
        break;
    }
    gicv3_deactivate(intid);
}

void arch_sched_idle(unsigned pcpu, uint64_t deadline_ns)
{
    uint32_t intid;

    arm_hyp_timer(ns_to_counter(deadline_ns));
    /* DAIF is masked at EL2: WFI wakes for a pending interrupt without taking it. */
    __asm__ volatile("dsb sy; wfi" ::: "memory");
    while ((intid = gicv3_ack()) != INTID_SPURIOUS) {
        gicv3_priority_drop(intid);
        arch_sched_irq(NULL, intid);
    }
}
