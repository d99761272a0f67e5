/*
 * timer-arm64: the EL1 virtual timer and its interrupt through GICv3, as a
 * kernel uses them (run with gic-version=3). The guest wakes its redistributor,
 * makes PPI 27 (the virtual timer on QEMU virt) a group-1 interrupt at
 * priority 0x80 and enables it, enables group 1 at the distributor and the
 * CPU interface, then:
 *  - three times: CNTV_TVAL = 10 ms, WFI until the IRQ; the handler reads
 *    ICC_IAR1_EL1 (INTID 27), sees CNTV_CTL.ISTATUS and the counter past the
 *    compare value, turns the timer off and writes ICC_EOIR1_EL1;
 *  - WFI with IRQs masked (PSTATE.I) still wakes when the timer fires, with
 *    ISR_EL1.I set; unmasking takes the interrupt;
 *  - at ICC_PMR_EL1 = 0x80 the interrupt (priority 0x80) is not signalled and
 *    ICC_IAR1_EL1 gives 1023; raising the mask delivers it;
 *  - disabled at the redistributor (GICR_ICENABLER0) it is not signalled;
 *    enabling it again delivers it while the timer's line is high, and not
 *    when the timer was turned off first (a level-sensitive PPI);
 *  - WFIT (FEAT_WFxT) with no interrupt to come returns at its timeout.
 * Under dbgvisor the distributor and redistributor are emulated, the timer is
 * the domain's (CNTVOFF_EL2), its physical interrupt is taken at EL2 and given
 * to the guest through a list register, and WFI traps and blocks on the
 * hypervisor's own timer. Only deterministic facts are printed: the record
 * is compared with bare QEMU's (test_arm64.sh).
 */
#include "guest.h"

#define GICD            0x08000000UL    /* QEMU virt */
#define GICR            0x080a0000UL    /* redistributor of CPU 0: RD_base */
#define GICR_SGI        (GICR + 0x10000UL)
#define GICD_CTLR       0x0000
#define GICD_CTLR_RWP   (1U << 31)
#define GICD_CTLR_ARE   (1U << 4)
#define GICD_CTLR_GRP1  (1U << 1)
#define GICR_WAKER      0x0014
#define WAKER_SLEEP     (1U << 1)
#define WAKER_ASLEEP    (1U << 2)
#define GICR_IGROUPR0   0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_ICENABLER0 0x0180
#define GICR_IPRIORITYR 0x0400

#define TIMER_INTID     27
#define PRIORITY        0x80
#define SPURIOUS        1023
#define CNTV_ENABLE     (1UL << 0)
#define CNTV_ISTATUS    (1UL << 2)
#define ISR_I           (1UL << 7)
#define ROUNDS          3

#define icc_iar1()      read_sysreg(s3_0_c12_c12_0)
#define icc_eoir1(v)    write_sysreg(s3_0_c12_c12_1, v)
#define icc_pmr(v)      write_sysreg(s3_0_c4_c6_0, v)
#define icc_igrpen1(v)  write_sysreg(s3_0_c12_c12_7, v)
#define icc_sre()       read_sysreg(s3_0_c12_c12_5)

static volatile unsigned irqs;
static volatile uint64_t last_intid;
static volatile bool istatus_seen, past_deadline;

static volatile uint32_t *reg32(uint64_t addr) { return (volatile uint32_t *)addr; }

static void on_irq(struct trap_frame *f)
{
    uint64_t iar = icc_iar1();

    last_intid = iar & 0xffffff;
    if (last_intid == TIMER_INTID) {
        istatus_seen = read_sysreg(cntv_ctl_el0) & CNTV_ISTATUS;
        past_deadline = read_sysreg(cntvct_el0) >= read_sysreg(cntv_cval_el0);
        write_sysreg(cntv_ctl_el0, 0);          /* the line goes low */
        isb();
    }
    if (last_intid != SPURIOUS)
        icc_eoir1(iar);
    irqs++;
}

static void arm_timer(void)
{
    write_sysreg(cntv_tval_el0, read_sysreg(cntfrq_el0) / 100);      /* 10 ms */
    write_sysreg(cntv_ctl_el0, CNTV_ENABLE);
    isb();
}

static void gic_setup(void)
{
    volatile uint8_t *prio = (volatile uint8_t *)(GICR_SGI + GICR_IPRIORITYR);

    *reg32(GICD + GICD_CTLR) = GICD_CTLR_ARE | GICD_CTLR_GRP1;
    while (*reg32(GICD + GICD_CTLR) & GICD_CTLR_RWP)
        ;
    *reg32(GICR + GICR_WAKER) &= ~WAKER_SLEEP;
    while (*reg32(GICR + GICR_WAKER) & WAKER_ASLEEP)
        ;
    report(true, "redistributor awake (GICR_WAKER.ChildrenAsleep clear)");
    *reg32(GICR_SGI + GICR_IGROUPR0) |= 1U << TIMER_INTID;
    prio[TIMER_INTID] = PRIORITY;
    *reg32(GICR_SGI + GICR_ISENABLER0) = 1U << TIMER_INTID;
    report(*reg32(GICR_SGI + GICR_ISENABLER0) & (1U << TIMER_INTID), "PPI 27 enabled (GICR_ISENABLER0)");
    report(*reg32(GICR_SGI + GICR_IGROUPR0) & (1U << TIMER_INTID), "PPI 27 in group 1 (GICR_IGROUPR0)");
    report(prio[TIMER_INTID] == PRIORITY, "PPI 27 priority reads back %#x", prio[TIMER_INTID]);
    report(icc_sre() & 1, "ICC_SRE_EL1.SRE set");
    icc_pmr(0xff);
    icc_igrpen1(1);
    isb();
}

/* Wait with WFI, IRQs unmasked, until the handler has run once more. */
static void wait_irq_wfi(void)
{
    unsigned before = irqs;

    __asm__ volatile("msr daifclr, #2" ::: "memory");
    while (irqs == before)
        __asm__ volatile("wfi" ::: "memory");
    __asm__ volatile("msr daifset, #2" ::: "memory");
}

/* The timer has fired (its line is high); give an interrupt time to arrive. */
static void wait_timer_fired(void)
{
    unsigned i;

    while (!(read_sysreg(cntv_ctl_el0) & CNTV_ISTATUS))
        ;
    for (i = 0; i < 100000; i++)
        __asm__ volatile("" ::: "memory");
}

/* Nothing signalled: ISR_EL1.I clear, no handler runs when IRQs are unmasked
 * for a moment, and ICC_IAR1_EL1 gives 1023. */
static bool not_signalled(void)
{
    unsigned before = irqs;
    bool pending = read_sysreg(isr_el1) & ISR_I;
    uint64_t iar;

    __asm__ volatile("msr daifclr, #2; isb; msr daifset, #2" ::: "memory");
    iar = icc_iar1() & 0xffffff;
    return irqs == before && !pending && iar == SPURIOUS;
}

static void check_timer_irq(const char *what)
{
    report(last_intid == TIMER_INTID, "%s: ICC_IAR1_EL1 gave INTID %lu", what,
           (unsigned long)last_intid);
    report(istatus_seen, "%s: CNTV_CTL.ISTATUS set in the handler", what);
    report(past_deadline, "%s: CNTVCT_EL0 at or past CNTV_CVAL_EL0", what);
}

int main(void)
{
    unsigned i;

    if (!((read_sysreg(id_aa64pfr0_el1) >> 24) & 0xf)) {
        report(false, "GIC system registers");
        return report_summary();
    }
    set_irq_handler(on_irq);
    gic_setup();
    report((icc_iar1() & 0xffffff) == SPURIOUS, "nothing pending: ICC_IAR1_EL1 gives 1023");

    for (i = 1; i <= ROUNDS; i++) {
        char what[32];
        snprintf(what, sizeof(what), "WFI round %u", i);
        arm_timer();
        wait_irq_wfi();
        check_timer_irq(what);
    }
    report(irqs == ROUNDS, "%u timer interrupts for %u deadlines", irqs, ROUNDS);

    /* PSTATE.I masks the exception, not the wake-up. */
    arm_timer();
    while (!(read_sysreg(isr_el1) & ISR_I))
        __asm__ volatile("wfi" ::: "memory");
    report(irqs == ROUNDS, "masked WFI woke with ISR_EL1.I set, handler not run");
    wait_irq_wfi();
    check_timer_irq("after unmasking");

    /* The priority mask: 0x80 is not higher than a mask of 0x80. */
    icc_pmr(PRIORITY);
    isb();
    arm_timer();
    wait_timer_fired();
    report(not_signalled(), "priority 0x80 at PMR 0x80: not signalled, ICC_IAR1_EL1 gives 1023");
    icc_pmr(0xff);
    isb();
    wait_irq_wfi();
    check_timer_irq("after raising PMR");

    /* Disabled at the redistributor: held back, delivered once enabled. */
    *reg32(GICR_SGI + GICR_ICENABLER0) = 1U << TIMER_INTID;
    arm_timer();
    wait_timer_fired();
    report(not_signalled(), "disabled PPI 27: not signalled, ICC_IAR1_EL1 gives 1023");
    *reg32(GICR_SGI + GICR_ISENABLER0) = 1U << TIMER_INTID;
    wait_irq_wfi();
    check_timer_irq("enabled again");

    /* The line went low while it was disabled: nothing to deliver. */
    *reg32(GICR_SGI + GICR_ICENABLER0) = 1U << TIMER_INTID;
    arm_timer();
    wait_timer_fired();
    write_sysreg(cntv_ctl_el0, 0);
    isb();
    *reg32(GICR_SGI + GICR_ISENABLER0) = 1U << TIMER_INTID;
    report(not_signalled(), "timer off before enabling: no interrupt");
    report(irqs == ROUNDS + 3, "%u timer interrupts in all", irqs);

    /* WFIT: no interrupt comes, the timeout ends the wait. */
    if (read_sysreg(id_aa64isar2_el1) & 0xf) {
        uint64_t until = read_sysreg(cntvct_el0) + read_sysreg(cntfrq_el0) / 100;
        while (read_sysreg(cntvct_el0) < until)
            wfit(until);
        report(irqs == ROUNDS + 3, "WFIT returned at its timeout, no interrupt");
    }

    write_sysreg(cntv_ctl_el0, 0);
    *reg32(GICR_SGI + GICR_ICENABLER0) = 1U << TIMER_INTID;
    icc_igrpen1(0);
    return report_summary();
}
