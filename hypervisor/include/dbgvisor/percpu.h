/* Per-physical-CPU state. */
#ifndef DBGVISOR_PERCPU_H
#define DBGVISOR_PERCPU_H

#include <stdbool.h>
#include <stdint.h>

#define MAX_PCPUS 8

struct vcpu;

struct pcpu {
    struct pcpu *self;           /* first: this_pcpu() reads it at GS:0 */
    unsigned id;
    uint32_t apic_id;
    bool online;
    struct vcpu *current;        /* vCPU loaded on this pCPU, or NULL */
    volatile bool need_resched;  /* set by the tick or a kick IPI */
    uint64_t host_save_pa;       /* SVM host state-save area (VM_HSAVE_PA) */
    uint64_t host_vmcb_pa;       /* VMSAVE/VMLOAD area for host FS/GS/TR/... */
    uint64_t idle_ns, busy_ns;
    uint64_t stack_top;
};

extern struct pcpu pcpus[MAX_PCPUS];
extern unsigned nr_pcpus;

struct pcpu *this_pcpu(void);
/* Makes p the running pCPU's own (before anything calls this_pcpu). */
void pcpu_set_current(struct pcpu *p);

#endif
