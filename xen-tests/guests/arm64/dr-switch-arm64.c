/*
 * dr-switch-arm64: the guest's debug registers across the times it leaves the
 * CPU. It arms a store watchpoint and parks a value in an unarmed breakpoint
 * register, then sleeps in WFIT (under dbgvisor a sleeping WFI is a
 * switch-out: the debug core saves the registers while they are dirty and
 * applies the policy's switch-out rule) and checks after each sleep that the
 * values are still there and the watchpoint still fires. Then it disarms
 * everything and sleeps more times than the adaptive policy's quiet threshold
 * (it traps again), and arms once more. The record is compared line for line
 * with a native run under every policy (xen-tests/integration/test_arm64.sh).
 */
#include "guest.h"

#define MDSCR_KDE       (1UL << 13)
#define MDSCR_MDE       (1UL << 15)
/* DBGWCR: E, PAC = EL1 only, LSC = store, BAS = eight bytes. */
#define WCR_EL1_STORE   (1UL | 1UL << 1 | 2UL << 3 | 0xffUL << 5)
#define PARKED          0x40abc000UL     /* DBGBVR1: a value, never armed */
#define ROUNDS          12

static volatile uint64_t watched __attribute__((aligned(8)));
static volatile unsigned hits;

/* The store completes once the watchpoint is off; the loop arms it again. */
static void on_watch(struct trap_frame *f)
{
    hits++;
    write_sysreg(dbgwcr0_el1, 0);
    isb();
}

static uint64_t vcount(void)
{
    isb();
    return read_sysreg(cntvct_el0);
}

/* Sleep for about a millisecond in WFIT (it may return early: wait again). */
static void sleep_a_little(void)
{
    uint64_t until = vcount() + read_sysreg(cntfrq_el0) / 1000;

    while (vcount() < until)
        __asm__ volatile(".arch armv8.7-a\n\twfit %0" : : "r"(until) : "memory");
}

static void arm_watchpoint(void)
{
    write_sysreg(dbgwcr0_el1, WCR_EL1_STORE);
    isb();
}

int main(void)
{
    unsigned kept = 0, n;

    set_trap_handler(EC_WATCH_CUR, on_watch);
    write_sysreg(oslar_el1, 0);
    write_sysreg(mdscr_el1, MDSCR_KDE | MDSCR_MDE);
    write_sysreg(dbgbvr1_el1, PARKED);
    write_sysreg(dbgwvr0_el1, (uint64_t)&watched);
    arm_watchpoint();
    __asm__ volatile("msr daifclr, #8" ::: "memory");

    for (n = 0; n < ROUNDS; n++) {
        sleep_a_little();
        if (read_sysreg(dbgbvr1_el1) == PARKED &&
            read_sysreg(dbgwvr0_el1) == (uint64_t)&watched &&
            read_sysreg(mdscr_el1) == (MDSCR_KDE | MDSCR_MDE))
            kept++;
        watched = n;
        arm_watchpoint();
    }
    report(kept == ROUNDS, "registers kept across %u sleeps (%u)", ROUNDS, kept);
    report(hits == ROUNDS, "the watchpoint fired after every sleep (%u)", hits);

    write_sysreg(dbgwcr0_el1, 0);
    write_sysreg(mdscr_el1, 0);
    isb();
    for (n = 0; n < ROUNDS; n++)
        sleep_a_little();
    watched = 1;
    report(hits == ROUNDS, "disarmed: quiet sleeps, no watchpoint (%u)", hits);
    report(read_sysreg(dbgbvr1_el1) == PARKED, "DBGBVR1 kept through the quiet sleeps");

    write_sysreg(mdscr_el1, MDSCR_KDE | MDSCR_MDE);
    arm_watchpoint();
    watched = 2;
    report(hits == ROUNDS + 1, "armed again: the watchpoint fires (%u)", hits);
    write_sysreg(dbgwcr0_el1, 0);
    write_sysreg(mdscr_el1, 0);
    return report_summary();
}
