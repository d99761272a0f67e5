/*
 * The performance monitors (PMUv3, ARM DDI 0487 D13) as a vCPU's own. The
 * hypervisor counts nothing itself, so every counter is the guest's:
 * MDCR_EL2.HPMN = PMCR_EL0.N (EL1 sees all N, as without EL2), TPM and TPMCR
 * clear (no trap: accesses at hardware speed), HPMD and HCCD set (the
 * counters and the cycle counter do not count while the hypervisor runs at
 * EL2, as the guest's never saw an EL2). The registers are the pCPU's, so
 * they are saved when the vCPU leaves it and loaded when one arrives: the
 * configuration (PMCR, event types and filters, enables, interrupt enables,
 * overflow flags, PMSELR, PMUSERENR) and the counts. A vCPU out of reset
 * gets the state the CPU had out of reset, taken on the boot CPU before any
 * guest ran. The overflow interrupt (PPI 23, level: PMOVS & PMINTEN) is
 * taken at EL2 while the vCPU runs and given to it through a hardware list
 * register (vgic.c), as the timers' are; a vCPU's line is low while it is
 * off the pCPU (interrupt enables cleared at put, restored at load).
 */
#include <dbgvisor/console.h>
#include <dbgvisor/lib.h>
#include <asm/pmu.h>
#include <asm/sysreg.h>

#define PMUVER_V3P1   4
#define PMUVER_V3P5   6
#define PMUVER_IMPDEF 0xf
#define PMCR_E        (1ULL << 0)
#define PMCR_N(v)     (((v) >> 11) & 0x1f)
/* E, D, X, DP, LC, LP, FZO, FZS: the fields a write stores (P and C act, N,
 * IDCODE and IMP are read-only). */
#define PMCR_WRITABLE 0x1000002f9ULL
#define MDCR_TPMCR    (1ULL << 5)
#define MDCR_TPM      (1ULL << 6)
#define MDCR_HPME     (1ULL << 7)
#define MDCR_HPMD     (1ULL << 17)
#define MDCR_HCCD     (1ULL << 23)
#define ALL_COUNTERS  0xffffffffULL     /* PMCNTEN/PMINTEN/PMOVS: bit 31 cycle, 0-30 events */

static bool has_pmu;
static unsigned nr_counters;
static uint64_t mdcr_pmu;               /* MDCR_EL2's PMU fields for every vCPU */
static struct pmu_context reset_state;

/* The counter's registers through PMSELR_EL0 (at EL2 every counter is
 * reachable whatever HPMN says). */
static void select_counter(unsigned i)
{
    write_sysreg(pmselr_el0, i);
    isb();
}

void pmu_probe(void)
{
    unsigned ver = (read_sysreg(id_aa64dfr0_el1) >> 8) & 0xf;

    has_pmu = ver != 0 && ver != PMUVER_IMPDEF;
    if (!has_pmu)
        return;
    nr_counters = PMCR_N(read_sysreg(pmcr_el0));
    if (nr_counters > PMU_MAX_COUNTERS)
        nr_counters = PMU_MAX_COUNTERS;
    mdcr_pmu = nr_counters | (ver >= PMUVER_V3P1 ? MDCR_HPMD : 0) |
               (ver >= PMUVER_V3P5 ? MDCR_HCCD : 0);
    pmu_save(&reset_state);
    printk("PMUv3 (ID_AA64DFR0_EL1.PMUVer %u): %u event counters, switched per vCPU\n", ver,
           nr_counters);
}

void pmu_reset(struct pmu_context *c)
{
    *c = reset_state;
}

void pmu_save(struct pmu_context *c)
{
    unsigned i;

    if (!has_pmu)
        return;
    c->pmcr = read_sysreg(pmcr_el0) & PMCR_WRITABLE;
    write_sysreg(pmcr_el0, c->pmcr & ~PMCR_E);      /* nothing counts from here */
    isb();
    c->selr = read_sysreg(pmselr_el0);
    c->cnten = read_sysreg(pmcntenset_el0);
    c->inten = read_sysreg(pmintenset_el1);
    c->ovs = read_sysreg(pmovsset_el0);
    write_sysreg(pmintenclr_el1, ALL_COUNTERS);      /* its overflow line low */
    c->userenr = read_sysreg(pmuserenr_el0);
    c->ccntr = read_sysreg(pmccntr_el0);
    c->ccfiltr = read_sysreg(pmccfiltr_el0);
    for (i = 0; i < nr_counters; i++) {
        select_counter(i);
        c->evcntr[i] = read_sysreg(pmxevcntr_el0);
        c->evtyper[i] = read_sysreg(pmxevtyper_el0);
    }
}

void pmu_load(const struct pmu_context *c)
{
    unsigned i;

    if (!has_pmu)
        return;
    write_sysreg(mdcr_el2, (read_sysreg(mdcr_el2) & ~(MDCR_HPMN_MASK | MDCR_TPMCR | MDCR_TPM |
                                                       MDCR_HPME | MDCR_HPMD | MDCR_HCCD)) |
                           mdcr_pmu);
    write_sysreg(pmcr_el0, c->pmcr & ~PMCR_E);      /* stopped while it is filled */
    isb();
    for (i = 0; i < nr_counters; i++) {
        select_counter(i);
        write_sysreg(pmxevtyper_el0, c->evtyper[i]);
        write_sysreg(pmxevcntr_el0, c->evcntr[i]);
    }
    write_sysreg(pmccfiltr_el0, c->ccfiltr);
    write_sysreg(pmccntr_el0, c->ccntr);
    write_sysreg(pmcntenclr_el0, ALL_COUNTERS);
    write_sysreg(pmcntenset_el0, c->cnten);
    write_sysreg(pmintenclr_el1, ALL_COUNTERS);
    write_sysreg(pmintenset_el1, c->inten);
    write_sysreg(pmovsclr_el0, ALL_COUNTERS);
    write_sysreg(pmovsset_el0, c->ovs);
    write_sysreg(pmuserenr_el0, c->userenr);
    write_sysreg(pmselr_el0, c->selr);
    isb();
    write_sysreg(pmcr_el0, c->pmcr);
    isb();
}
