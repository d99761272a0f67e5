/*
 * What the scheduler (common/schedule.c) needs from the architecture, arm64
 * flavour: vcpu.c runs a vCPU and switches its context, sched_arch.c ticks on
 * the hyp timer (CNTHP, PPI 26), idles in WFI and sends the kick and
 * exit-guest IPIs as SGIs. The x86 flavour is include/asm/sched_arch.h.
 */
#ifndef ASM_ARM64_SCHED_ARCH_H
#define ASM_ARM64_SCHED_ARCH_H

#include <stdbool.h>
#include <stdint.h>

struct domain;
struct vcpu;

/* The vCPU's debug registers are the common debug core's (vdebug.c is its
 * arch layer): the scheduler calls dbg_on_schedule/dbg_on_deschedule. */
#define ARCH_SCHED_DEBUG_CORE 1

enum vcpu_run_result {
    RUN_CONTINUE,      /* exit handled, guest may resume at once */
    RUN_RESCHEDULE,    /* give the scheduler a chance (tick, block, end) */
};

enum sched_ipi { SCHED_IPI_KICK, SCHED_IPI_EXIT_GUEST };

/* sched_arch.c */
void arch_sched_init(void);
void arch_sched_send_ipi(unsigned pcpu, enum sched_ipi ipi);
void arch_sched_idle(unsigned pcpu, uint64_t deadline_ns);
/* Interrupts taken at EL2 (a guest's exit, or after an idle WFI): the tick,
 * the kick, the virtual timer's PPI (to the running vCPU v, or NULL). */
void arch_sched_irq(struct vcpu *v, uint32_t intid);

/* vcpu.c: the vCPU's context onto this pCPU and off it, one guest entry and
 * its exit. */
void arch_vcpu_load(struct vcpu *v);
void arch_vcpu_put(struct vcpu *v);
enum vcpu_run_result arch_vcpu_run(struct vcpu *v);
/* A blocked vCPU: true if its timer is due or it has an interrupt to take. */
bool arch_vcpu_poll_timers(struct vcpu *v, uint64_t now);
uint64_t arch_vcpu_next_timer_ns(struct vcpu *v);
/* No device of a domain interrupts other vCPUs under sched_lock. */
static inline uint32_t arch_domain_take_kicks(struct domain *d) { return 0; }
/* PSCI CPU_OFF / CPU_ON through the scheduler's INIT / SIPI protocol
 * (vpsci.c): off, waiting to be started; started at the entry CPU_ON gave. */
void arch_vcpu_init_signal(struct vcpu *v);
void arch_vcpu_start_sipi(struct vcpu *v, uint8_t vector);

#endif
