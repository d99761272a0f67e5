/*
 * A vCPU's performance monitors (PMUv3), switched with the vCPU (pmu.c):
 * every counter is the guest's (MDCR_EL2.HPMN = PMCR_EL0.N, no trap), so
 * its accesses run at hardware speed, and the whole register set is saved
 * and loaded when vCPUs share a pCPU, so no domain sees another's counters
 * or their configuration.
 */
#ifndef ASM_ARM64_PMU_H
#define ASM_ARM64_PMU_H

#include <stdint.h>

#define PMU_MAX_COUNTERS 31

struct pmu_context {
    uint64_t pmcr;                  /* PMCR_EL0's writable fields (E last on load) */
    uint64_t cnten, inten, ovs;     /* PMCNTENSET, PMINTENSET, PMOVSSET */
    uint64_t selr, userenr;         /* PMSELR_EL0, PMUSERENR_EL0 */
    uint64_t ccntr, ccfiltr;        /* cycle counter and its filter */
    uint64_t evcntr[PMU_MAX_COUNTERS], evtyper[PMU_MAX_COUNTERS];
};

/* Boot CPU, before any vCPU runs: whether there is a PMUv3, how many event
 * counters, and its state out of reset (what a vCPU's reset gives). */
void pmu_probe(void);
void pmu_reset(struct pmu_context *c);
/* Put: the vCPU's state saved and the counters stopped. */
void pmu_save(struct pmu_context *c);
/* Load: all counters the guest's, its state in the hardware. */
void pmu_load(const struct pmu_context *c);

#endif
