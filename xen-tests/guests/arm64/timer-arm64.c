/*
 * timer-arm64: the EL1 virtual timer and the EL1 physical timer and their
 * interrupts through GICv3, as a kernel uses them (run with gic-version=3).
 * The guest wakes its redistributor, makes PPI 27 and PPI 30 (the virtual
 * and physical timers on QEMU virt) group-1 interrupts at priority 0x80 and
 * enables them, enables group 1 at the distributor and the CPU interface,
 * then for the virtual timer (CNTV_*, PPI 27) and again for the physical one
 * (CNTP_*, PPI 30):
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
 * Under dbgvisor the distributor and redistributor are emulated, the timers
 * are the vCPU's (switched with it; the virtual one offset by CNTVOFF_EL2),
 * their physical interrupts are taken at EL2 and given to the guest through
 * list registers, and WFI traps and blocks on the hypervisor's own timer. Only deterministic facts are printed: the record
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

#define VIRT_INTID      27
#define PHYS_INTID      30
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
static bool phys;                       /* the timer under test: CNTP_* rather than CNTV_* */
static unsigned timer_intid = VIRT_INTID;
static const char *tname = "CNTV";

static volatile uint32_t *reg32(uint64_t addr) { return (volatile uint32_t *)addr; }

static uint64_t timer_ctl(void)
{
    return phys ? read_sysreg(cntp_ctl_el0) : read_sysreg(cntv_ctl_el0);
}

static void timer_set_ctl(uint64_t v)
{
    if (phys)
        write_sysreg(cntp_ctl_el0, v);
    else
        write_sysreg(cntv_ctl_el0, v);
    isb();
}

/* The timer's counter has reached its compare value. */
static bool timer_past_cval(void)
{
    return phys ? read_sysreg(cntpct_el0) >= read_sysreg(cntp_cval_el0)
                : read_sysreg(cntvct_el0) >= read_sysreg(cntv_cval_el0);
}

static void on_irq(struct trap_frame *f)
{
    uint64_t iar = icc_iar1();

    last_intid = iar & 0xffffff;
    if (last_intid == timer_intid) {
        istatus_seen = timer_ctl() & CNTV_ISTATUS;
        past_deadline = timer_past_cval();
        timer_set_ctl(0);                       /* the line goes low */
    }
    if (last_intid != SPURIOUS)
        icc_eoir1(iar);
    irqs++;
}

static void arm_timer(void)
{
    uint64_t ticks = read_sysreg(cntfrq_el0) / 100;                   /* 10 ms */

    if (phys)
        write_sysreg(cntp_tval_el0, ticks);
    else
        write_sysreg(cntv_tval_el0, ticks);
    timer_set_ctl(CNTV_ENABLE);
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
    for (unsigned intid = VIRT_INTID; intid <= PHYS_INTID; intid += PHYS_INTID - VIRT_INTID) {
        *reg32(GICR_SGI + GICR_IGROUPR0) |= 1U << intid;
        prio[intid] = PRIORITY;
        *reg32(GICR_SGI + GICR_ISENABLER0) = 1U << intid;
        report(*reg32(GICR_SGI + GICR_ISENABLER0) & (1U << intid), "PPI %u enabled (GICR_ISENABLER0)", intid);
        report(*reg32(GICR_SGI + GICR_IGROUPR0) & (1U << intid), "PPI %u in group 1 (GICR_IGROUPR0)", intid);
        report(prio[intid] == PRIORITY, "PPI %u priority reads back %#x", intid, prio[intid]);
    }
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

    while (!(timer_ctl() & CNTV_ISTATUS))
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
    report(last_intid == timer_intid, "%s %s: ICC_IAR1_EL1 gave INTID %lu", tname, what,
           (unsigned long)last_intid);
    report(istatus_seen, "%s %s: %s_CTL.ISTATUS set in the handler", tname, what, tname);
    report(past_deadline, "%s %s: the counter at or past %s_CVAL_EL0", tname, what, tname);
}

/* One timer through every case; irqs counts from 0 for it. */
static void timer_checks(void)
{
    unsigned i;

    irqs = 0;
    for (i = 1; i <= ROUNDS; i++) {
        char what[32];
        snprintf(what, sizeof(what), "WFI round %u", i);
        arm_timer();
        wait_irq_wfi();
        check_timer_irq(what);
    }
    report(irqs == ROUNDS, "%s: %u timer interrupts for %u deadlines", tname, irqs, ROUNDS);

    /* PSTATE.I masks the exception, not the wake-up. */
    arm_timer();
    while (!(read_sysreg(isr_el1) & ISR_I))
        __asm__ volatile("wfi" ::: "memory");
    report(irqs == ROUNDS, "%s: masked WFI woke with ISR_EL1.I set, handler not run", tname);
    wait_irq_wfi();
    check_timer_irq("after unmasking");

    /* The priority mask: 0x80 is not higher than a mask of 0x80. */
    icc_pmr(PRIORITY);
    isb();
    arm_timer();
    wait_timer_fired();
    report(not_signalled(), "%s: priority 0x80 at PMR 0x80: not signalled, ICC_IAR1_EL1 gives 1023", tname);
    icc_pmr(0xff);
    isb();
    wait_irq_wfi();
    check_timer_irq("after raising PMR");

    /* Disabled at the redistributor: held back, delivered once enabled. */
    *reg32(GICR_SGI + GICR_ICENABLER0) = 1U << timer_intid;
    arm_timer();
    wait_timer_fired();
    report(not_signalled(), "disabled PPI %u: not signalled, ICC_IAR1_EL1 gives 1023", timer_intid);
    *reg32(GICR_SGI + GICR_ISENABLER0) = 1U << timer_intid;
    wait_irq_wfi();
    check_timer_irq("enabled again");

    /* The line went low while it was disabled: nothing to deliver. */
    *reg32(GICR_SGI + GICR_ICENABLER0) = 1U << timer_intid;
    arm_timer();
    wait_timer_fired();
    timer_set_ctl(0);
    *reg32(GICR_SGI + GICR_ISENABLER0) = 1U << timer_intid;
    report(not_signalled(), "%s: timer off before enabling: no interrupt", tname);
    report(irqs == ROUNDS + 3, "%s: %u timer interrupts in all", tname, irqs);
}

int main(void)
{
    if (!((read_sysreg(id_aa64pfr0_el1) >> 24) & 0xf)) {
        report(false, "GIC system registers");
        return report_summary();
    }
    set_irq_handler(on_irq);
    gic_setup();
    report((icc_iar1() & 0xffffff) == SPURIOUS, "nothing pending: ICC_IAR1_EL1 gives 1023");

    timer_checks();
    phys = true;
    timer_intid = PHYS_INTID;
    tname = "CNTP";
    timer_checks();

    /* WFIT: no interrupt comes, the timeout ends the wait. */
    if (read_sysreg(id_aa64isar2_el1) & 0xf) {
        uint64_t until = read_sysreg(cntvct_el0) + read_sysreg(cntfrq_el0) / 100;
        while (read_sysreg(cntvct_el0) < until)
            wfit(until);
        report(irqs == ROUNDS + 3, "WFIT returned at its timeout, no interrupt");
    }

    write_sysreg(cntv_ctl_el0, 0);
    write_sysreg(cntp_ctl_el0, 0);
    *reg32(GICR_SGI + GICR_ICENABLER0) = 1U << VIRT_INTID | 1U << PHYS_INTID;
    icc_igrpen1(0);
    return report_summary();
}
