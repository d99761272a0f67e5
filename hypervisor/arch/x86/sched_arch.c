/*
 * The scheduler's x86 mechanisms (asm/sched_arch.h): the local-APIC tick and
 * the kick / exit-guest IPIs call into common/schedule.c; an idle pCPU halts
 * with its APIC timer armed for the earliest blocked vCPU's deadline.
 */
#include <asm/apic.h>
#include <asm/sched_arch.h>
#include <asm/traps.h>
#include <asm/x86.h>
#include <dbgvisor/percpu.h>
#include <dbgvisor/sched.h>

static void tick(struct cpu_regs *regs)
{
    if (lapic_timer_tick_due())
        sched_tick();       /* else early for a guest timer: the exit was the point */
}

static void kick_ipi(struct cpu_regs *regs)
{
    sched_kicked();
}

/* Nothing to do: the interrupt's VM exit is the point (sched_vcpu_exit_guest). */
static void exit_guest_ipi(struct cpu_regs *regs)
{
}

void arch_sched_init(void)
{
    set_irq_handler(VECTOR_TIMER, tick);
    set_irq_handler(VECTOR_KICK, kick_ipi);
    set_irq_handler(VECTOR_EXIT_GUEST, exit_guest_ipi);
}

void arch_sched_send_ipi(unsigned pcpu, enum sched_ipi ipi)
{
    lapic_send_ipi(pcpus[pcpu].apic_id, ipi == SCHED_IPI_KICK ? VECTOR_KICK : VECTOR_EXIT_GUEST);
}

void arch_sched_idle(unsigned pcpu, uint64_t deadline_ns)
{
    lapic_timer_fire_by(pcpu, deadline_ns);     /* a blocked vCPU's timer */
    safe_halt();                                /* until the tick or a kick */
}
