/* The scheduler: fair round-robin of runnable vCPUs across all pCPUs. */
#ifndef DBGVISOR_SCHED_H
#define DBGVISOR_SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include <public/control.h>

struct vcpu;
struct domain;

#define SCHED_SLICE_NS DBGV_SCHED_SLICE_NS   /* at boot: three scheduler ticks */

void sched_init(bool exit_when_done);
/* From the arch (asm/sched_arch.h): its periodic tick on this pCPU (ends the
 * slice when it is over), and a kick IPI received (look again). */
void sched_tick(void);
void sched_kicked(void);
/* The per-pCPU loop: pick, run, repeat; an idle pCPU halts until the tick. */
void __attribute__((noreturn)) sched_run(void);
/* Make v runnable if it was blocked, and make whoever runs it look again. */
void sched_vcpu_kick(struct vcpu *v);
/* Call after moving d away from ACTIVE (domain.c): forces every vCPU of d off
 * its pCPU and returns once none is on one; none enters again while d stays
 * out of ACTIVE (the protocol is in schedule.c). Not from d's other vCPUs. */
void sched_domain_sync(struct domain *d);
/* If v is in guest mode on another pCPU, make it exit (no reschedule): its
 * next VM entry then sees whatever was requested of it. */
void sched_vcpu_exit_guest(struct vcpu *v);
/* The guest's INIT and SIPI IPIs to v (see schedule.c for how a running target takes them). */
void sched_vcpu_init_received(struct vcpu *v);
void sched_vcpu_sipi(struct vcpu *v, uint8_t vector);
/* [vCPU, before each entry, if an INIT is pending or a SIPI latched] Apply them. true: v
 * now waits for a SIPI and must leave its pCPU; false: it starts at the latched SIPI. */
bool sched_vcpu_take_init_sipi(struct vcpu *v);
/* Hard affinity (Xen's vcpu-pin): v is picked only on the pCPUs in cpumap
 * (bit n = pCPU n, non-empty, pCPUs that exist); if it is on another one now
 * it leaves it at once. sched_all_pcpus() is every pCPU, the default. */
void sched_vcpu_set_affinity(struct vcpu *v, uint32_t cpumap);
uint32_t sched_all_pcpus(void);
/* The time slice (SCHED_PARAMS, `xl sched-rr -s -t`); takes effect at each
 * pCPU's next tick. */
uint64_t sched_slice_ns(void);
/* CPU time v has had, including the slice it is running now (as Xen's
 * vcpu_time: xl list and vcpu-list show it live). */
uint64_t sched_vcpu_time_ns(struct vcpu *v);
void sched_set_slice_ns(uint64_t ns);

/* Protocol step 2 (schedule.c): before every VM entry the domain's and the vCPU's state
 * are read again, and a pending reschedule ends the run. The arch layer may loop over
 * consecutive entries itself, asking this between them, as run_vcpu() does. */
#include <dbgvisor/domain.h>
#include <dbgvisor/percpu.h>
static inline bool sched_vcpu_keeps_running(const struct pcpu *p, const struct vcpu *v)
{
    return v->domain->state == DOMAIN_ACTIVE && v->state == VCPU_RUNNING && !p->need_resched;
}

#endif
