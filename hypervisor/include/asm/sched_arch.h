/*
 * What the scheduler (common/schedule.c) needs from the architecture, x86
 * flavour: SVM runs the vCPU, the local APIC ticks, idles and carries the
 * IPIs, hvm/irq.c owns the guest timers. The arm64 flavour is
 * arch/arm64/include/asm/sched_arch.h.
 */
#ifndef ASM_SCHED_ARCH_H
#define ASM_SCHED_ARCH_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/apic.h>
#include <asm/hvm_irq.h>
#include <asm/svm_vcpu.h>

/* The vCPU's debug registers are the common debug core's (dbg_on_schedule). */
#define ARCH_SCHED_DEBUG_CORE 1

enum sched_ipi { SCHED_IPI_KICK, SCHED_IPI_EXIT_GUEST };

/* sched_arch.c: the tick and the IPIs call sched_tick()/sched_kicked(). */
void arch_sched_init(void);
void arch_sched_send_ipi(unsigned pcpu, enum sched_ipi ipi);
/* Nothing to run: sleep until the tick, an IPI or deadline_ns (a blocked
 * vCPU's timer, UINT64_MAX: none). */
void arch_sched_idle(unsigned pcpu, uint64_t deadline_ns);

static inline void arch_vcpu_load(struct vcpu *v) { svm_vcpu_load(v); }
static inline void arch_vcpu_put(struct vcpu *v) { svm_vcpu_put(v); }
static inline enum vcpu_run_result arch_vcpu_run(struct vcpu *v) { return svm_vcpu_run(v); }
/* A blocked vCPU: fire its timers; true if it has an interrupt to take. */
static inline bool arch_vcpu_poll_timers(struct vcpu *v, uint64_t now)
{
    return hvm_poll_timers(v, now);
}
static inline uint64_t arch_vcpu_next_timer_ns(struct vcpu *v) { return hvm_next_timer_ns(v); }
/* sched_lock held: the vCPUs (bit per id) the domain's devices interrupted. */
static inline uint32_t arch_domain_take_kicks(struct domain *d) { return hvm_irq_take_kicks(d); }
/* INIT and SIPI (schedule.c's protocol): the architectural effects. */
static inline void arch_vcpu_init_signal(struct vcpu *v) { svm_vcpu_init_signal(v); }
static inline void arch_vcpu_start_sipi(struct vcpu *v, uint8_t vector)
{
    svm_vcpu_start_sipi(v, vector);
}

#endif
