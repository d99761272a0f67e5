/* Per-pCPU state on arm64: TPIDR_EL2 points at the pCPU's struct pcpu
 * (the world switch keeps the guest's registers elsewhere, entry.S). */
#include <dbgvisor/percpu.h>
#include <asm/sysreg.h>

struct pcpu pcpus[MAX_PCPUS];
unsigned nr_pcpus;

struct pcpu *this_pcpu(void)
{
    return (struct pcpu *)read_sysreg(tpidr_el2);
}

void pcpu_set_current(struct pcpu *p)
{
    p->self = p;
    write_sysreg(tpidr_el2, (uint64_t)p);
}
