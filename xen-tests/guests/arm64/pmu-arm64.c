/*
 * pmu-arm64: the performance monitors (PMUv3) are this vCPU's own.
 * test_arm64.sh runs two domains of this guest from one boot bundle on one
 * pCPU and on two, and each record must equal bare QEMU's line for line.
 * Each reads the PMU as it is out of reset (PMCR_EL0's writable fields,
 * the counter enables, interrupt enables, overflow flags, PMSELR_EL0,
 * PMUSERENR_EL0, the cycle counter and its filter, every event counter and
 * event type): it must be the CPU's reset state, not what the other domain
 * configured. Then it writes its secret: counters 0 and 1 count the
 * software-increment event (deterministic: only our PMSWINC_EL0 writes
 * count), counter 1 starting at 0xffffffff so its first increment
 * overflows (PMOVSSET bit 1), the other event counters and the cycle counter
 * stopped with values and event types from a generator seeded at our start,
 * and random interrupt enables, overflow flags, PMUSERENR and PMSELR. After
 * sleeping in WFIT (the other domain runs and writes its own) and after
 * spinning through several time slices (preempted), every register must hold
 * ours and the two counting counters exactly our increments. Nothing here
 * counts time, so bare QEMU prints the same. Last, the overflow interrupt:
 * PPI 23 set up in the GIC, counter 2 counting software increments from
 * 0xffffffff with its interrupt enabled; one increment must give exactly one
 * IRQ with INTID 23, whose handler clears the flag (the line goes low).
 */
#include "guest.h"

#define PMCR_E        (1UL << 0)
#define PMCR_P        (1UL << 1)
#define PMCR_C        (1UL << 2)
#define PMCR_LC       (1UL << 6)
#define PMCR_N(v)     (((v) >> 11) & 0x1f)
#define PMCR_WRITABLE 0x1000002f9UL     /* E, D, X, DP, LC, LP, FZO, FZS */
#define CYCLE_BIT     (1UL << 31)
#define EV_SW_INCR    0x00
#define PMUVER_V3P5   6
#define ROUNDS        6
#define MAX_COUNTERS  31
#define GICD          0x08000000UL      /* QEMU virt */
#define GICR_RD       0x080a0000UL      /* CPU 0's redistributor */
#define GICR_SGI      (GICR_RD + 0x10000UL)
#define PMU_INTID     23
#define SPURIOUS      1023

struct pmu {
    uint64_t pmcr, cnten, inten, ovs, selr, userenr, ccntr, ccfiltr;
    uint64_t evcntr[MAX_COUNTERS], evtyper[MAX_COUNTERS];
};

static const char *const names[] = {
    "PMCR_EL0", "PMCNTENSET_EL0", "PMINTENSET_EL1", "PMOVSSET_EL0", "PMSELR_EL0",
    "PMUSERENR_EL0", "PMCCNTR_EL0", "PMCCFILTR_EL0",
};

static unsigned n;
static struct pmu now, mine;

static void select_counter(unsigned i)
{
    write_sysreg(pmselr_el0, i);
    isb();
}

/* Everything, PMSELR_EL0 put back after the counters read through it. */
static void read_pmu(struct pmu *p)
{
    unsigned i;

    p->pmcr = read_sysreg(pmcr_el0) & PMCR_WRITABLE;
    p->cnten = read_sysreg(pmcntenset_el0);
    p->inten = read_sysreg(pmintenset_el1);
    p->ovs = read_sysreg(pmovsset_el0);
    p->selr = read_sysreg(pmselr_el0);
    p->userenr = read_sysreg(pmuserenr_el0);
    p->ccntr = read_sysreg(pmccntr_el0);
    p->ccfiltr = read_sysreg(pmccfiltr_el0);
    for (i = 0; i < n; i++) {
        select_counter(i);
        p->evcntr[i] = read_sysreg(pmxevcntr_el0);
        p->evtyper[i] = read_sysreg(pmxevtyper_el0);
    }
    select_counter(p->selr);
}

static void write_pmu(const struct pmu *p)
{
    unsigned i;

    write_sysreg(pmcr_el0, 0);
    isb();
    for (i = 0; i < n; i++) {
        select_counter(i);
        write_sysreg(pmxevtyper_el0, p->evtyper[i]);
        write_sysreg(pmxevcntr_el0, p->evcntr[i]);
    }
    write_sysreg(pmccfiltr_el0, p->ccfiltr);
    write_sysreg(pmccntr_el0, p->ccntr);
    write_sysreg(pmcntenclr_el0, ~0UL);
    write_sysreg(pmcntenset_el0, p->cnten);
    write_sysreg(pmintenclr_el1, ~0UL);
    write_sysreg(pmintenset_el1, p->inten);
    write_sysreg(pmovsclr_el0, ~0UL);
    write_sysreg(pmovsset_el0, p->ovs);
    write_sysreg(pmuserenr_el0, p->userenr);
    select_counter(p->selr);
    write_sysreg(pmcr_el0, p->pmcr);
    isb();
}

static const uint64_t *field(const struct pmu *p, unsigned i)
{
    return &p->pmcr + i;
}

static unsigned differences(const struct pmu *a, const struct pmu *b)
{
    unsigned d = 0, i;

    for (i = 0; i < ARRAY_SIZE(names); i++)
        d += *field(a, i) != *field(b, i);
    for (i = 0; i < n; i++)
        d += (a->evcntr[i] != b->evcntr[i]) + (a->evtyper[i] != b->evtyper[i]);
    return d;
}

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Counters 0 and 1 count our software increments at EL1 (PMEVTYPER filters
 * clear), everything else holds values nothing changes. */
static void make_secret(struct pmu *p, uint64_t seed)
{
    uint64_t counters = (1UL << n) - 1;
    unsigned i;

    for (i = 0; i < n; i++) {
        p->evcntr[i] = next(&seed) & 0xffffffffUL;
        p->evtyper[i] = next(&seed) & 0xfc00ffffUL;     /* filters and the event number */
    }
    p->evtyper[0] = p->evtyper[1] = EV_SW_INCR;
    p->evcntr[0] &= 0x7fffffffUL;                   /* no overflow of its own */
    p->evcntr[1] = 0xffffffffUL;
    p->cnten = 3;                                   /* counters 0, 1; the cycle counter stopped */
    p->ccntr = next(&seed);
    p->ccfiltr = next(&seed) & 0xfc000000UL;
    p->inten = next(&seed) & (counters | CYCLE_BIT);
    p->ovs = next(&seed) & (counters | CYCLE_BIT) & ~2UL;
    p->userenr = next(&seed) & 0xf;
    p->selr = next(&seed) % n;
    p->pmcr = PMCR_E | PMCR_LC | (next(&seed) & 0x18);   /* D, X at random */
}

static void sw_increment(unsigned times)
{
    while (times--)
        write_sysreg(pmswinc_el0, 3);               /* counters 0 and 1 */
    isb();
}

static volatile unsigned pmu_irqs;
static volatile uint64_t pmu_intid;

static void on_irq(struct trap_frame *f)
{
    uint64_t iar = read_sysreg(s3_0_c12_c12_0);         /* ICC_IAR1_EL1 */

    pmu_intid = iar & 0xffffff;
    if (pmu_intid == PMU_INTID)
        write_sysreg(pmovsclr_el0, 1UL << 2);           /* the line goes low */
    isb();
    if (pmu_intid != SPURIOUS)
        write_sysreg(s3_0_c12_c12_1, iar);              /* ICC_EOIR1_EL1 */
    pmu_irqs++;
}

/* PPI 23 as a group-1 interrupt at priority 0x80, the GIC's group 1 on. */
static void gic_pmu_irq(void)
{
    volatile uint32_t *waker = (volatile uint32_t *)(GICR_RD + 0x14);

    *(volatile uint32_t *)GICD = 1U << 4 | 1U << 1;                /* GICD_CTLR: ARE, Grp1 */
    *waker &= ~2U;                                                  /* ProcessorSleep */
    while (*waker & 4U)                                             /* ChildrenAsleep */
        ;
    *(volatile uint32_t *)(GICR_SGI + 0x80) |= 1U << PMU_INTID;    /* IGROUPR0 */
    *(volatile uint8_t *)(GICR_SGI + 0x400 + PMU_INTID) = 0x80;    /* IPRIORITYR */
    *(volatile uint32_t *)(GICR_SGI + 0x100) = 1U << PMU_INTID;    /* ISENABLER0 */
    write_sysreg(s3_0_c4_c6_0, 0xff);                               /* ICC_PMR_EL1 */
    write_sysreg(s3_0_c12_c12_7, 1);                                /* ICC_IGRPEN1_EL1 */
    isb();
}

static void overflow_interrupt(void)
{
    unsigned i;

    gic_pmu_irq();
    set_irq_handler(on_irq);
    write_sysreg(pmovsclr_el0, ~0UL);
    write_sysreg(pmintenclr_el1, ~0UL);
    select_counter(2);
    write_sysreg(pmxevtyper_el0, EV_SW_INCR);
    write_sysreg(pmxevcntr_el0, 0xffffffffUL);
    write_sysreg(pmcntenset_el0, 1UL << 2);
    write_sysreg(pmintenset_el1, 1UL << 2);
    isb();
    /* The secret's enables and flags had the line high before PPI 23 was
     * enabled; it went low above, so nothing is pending (a level PPI). */
    report((read_sysreg(s3_0_c12_c12_2) & 0xffffff) == SPURIOUS,
           "nothing pending before the overflow: ICC_HPPIR1_EL1 gives %lu",
           (unsigned long)(read_sysreg(s3_0_c12_c12_2) & 0xffffff));
    __asm__ volatile("msr daifclr, #2" ::: "memory");
    write_sysreg(pmswinc_el0, 1UL << 2);
    isb();
    for (i = 0; i < 1000000 && !pmu_irqs; i++)
        __asm__ volatile("" ::: "memory");
    __asm__ volatile("msr daifset, #2" ::: "memory");
    report(pmu_irqs == 1 && pmu_intid == PMU_INTID, "counter 2 overflowed: %u PMU interrupt(s), INTID %lu",
           pmu_irqs, (unsigned long)pmu_intid);
    report(!(read_sysreg(pmovsset_el0) & (1UL << 2)), "the handler cleared the overflow flag");
    write_sysreg(pmintenclr_el1, ~0UL);
}

int main(void)
{
    unsigned ver = (read_sysreg(id_aa64dfr0_el1) >> 8) & 0xf, i, nonzero = 0, round;

    if (ver == 0 || ver == 0xf) {
        printf("no PMUv3\n");
        return report_summary();
    }
    n = PMCR_N(read_sysreg(pmcr_el0));
    if (n < 3 || n > MAX_COUNTERS) {
        report(false, "PMCR_EL0.N is %u", n);
        return report_summary();
    }
    printf("PMUv3 (PMUVer %u): %u event counters\n", ver, n);

    /* Out of reset: the CPU's state, nothing of another domain's. */
    read_pmu(&now);
    for (i = 0; i < ARRAY_SIZE(names); i++)
        report(*field(&now, i) == 0 || i == 0, "%s out of reset: %#lx", names[i],
               (unsigned long)*field(&now, i));
    for (i = 0; i < n; i++)
        nonzero += now.evcntr[i] != 0 || now.evtyper[i] != 0;
    report(nonzero == 0, "PMEVCNTR/PMEVTYPER 0-%u out of reset: %u nonzero", n - 1, nonzero);

    /* Our secret, as the CPU stores it, then the first increment (counter 1 overflows). */
    make_secret(&mine, read_sysreg(cntpct_el0) | 1);
    write_pmu(&mine);
    read_pmu(&mine);
    sw_increment(1);
    mine.evcntr[0]++;
    /* PMUv3p5's event counters are 64 bits: with PMCR_EL0.LP clear the flag
     * is set on the carry out of bit 31 and the count goes on. */
    mine.evcntr[1] = ver >= PMUVER_V3P5 ? 1UL << 32 : 0;
    mine.ovs |= 2;
    read_pmu(&now);
    report(differences(&now, &mine) == 0, "secret written; counter 1 overflowed (PMOVSSET bit 1)");
    for (round = 0; round < ROUNDS; round++) {
        if (round % 2)
            spin_ms(30);                    /* through several slices: preempted */
        else
            sleep_ms(5);                    /* blocked: the other domain runs */
        sw_increment(round + 1);
        mine.evcntr[0] += round + 1;
        mine.evcntr[1] += round + 1;
        read_pmu(&now);
        report(differences(&now, &mine) == 0,
               "round %u (%s): every PMU register holds ours, counters 0/1 our %u increments",
               round, round % 2 ? "preempted" : "slept", round + 1);
    }
    overflow_interrupt();
    write_sysreg(pmcr_el0, PMCR_P | PMCR_C);        /* stopped and cleared */
    return report_summary();
}
