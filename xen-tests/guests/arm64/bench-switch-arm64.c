/*
 * bench-switch-arm64: world switches between two debugging domains on one
 * pCPU, for `make bench` (run-bench section 7). Two copies run side by side;
 * each gives the CPU up in a WFIT whose timeout has already passed, so under
 * dbgvisor every round is: exit, the vCPU blocks, the scheduler switches to
 * the other domain (which does the same), and back. Natively the WFIT
 * returns at once. Rounds are timed with CNTVCT_EL0 (one tick per
 * instruction under -icount shift=0, scaled by 10^9/CNTFRQ), so a round is
 * this domain's loop, the other's, and two switches.
 *   clean   MDSCR_EL1 and every pair disarmed: nothing of the debug file
 *           is live (what a switch costs a domain that does not debug)
 *   armed   a watchpoint armed (MDSCR_EL1.MDE, DBGWCR0.E) on a variable
 *           never stored to and a breakpoint on data never executed, at an
 *           offset taken from the counter at boot so that the two copies'
 *           files differ (a switch that compares with what the hardware holds
 *           must write it): the file is live at every switch (the dirty
 *           flag's cost: saved on the way out, loaded on the way in)
 * A warm-up before each phase lets the two copies fall into step.
 * One line per phase: "bench switch-PHASE iters=N insns=T per_iter=P".
 */
#include "guest.h"

#define ROUNDS          500
#define WARMUP          50
#define MDSCR_KDE       (1UL << 13)
#define MDSCR_MDE       (1UL << 15)
/* DBGWCR: E, PAC = EL1 only, LSC = store, BAS = eight bytes. */
#define WCR_EL1_STORE   (1UL | 1UL << 1 | 2UL << 3 | 0xffUL << 5)
/* DBGBCR: E, PMC = EL1, BAS = all four bytes of an A64 instruction. */
#define BCR_EL1_EXEC    (1UL | 1UL << 1 | 0xfUL << 5)

static uint64_t cntfrq;
static volatile uint64_t never_stored __attribute__((aligned(8)));
static volatile uint32_t never_run[256] __attribute__((aligned(8)));

static uint64_t ticks(void)
{
    isb();
    return read_sysreg(cntvct_el0);
}

/* Give the CPU up: WFIT with a timeout 20 ticks away (one whose timeout has
 * passed completes without trapping). */
static void yield(void)
{
    uint64_t soon = ticks() + 20;

    __asm__ volatile(".arch armv8.7-a\n\twfit %0" : : "r"(soon) : "memory");
}

static void phase(const char *name)
{
    uint64_t t0, t;
    unsigned i;

    for (i = 0; i < WARMUP; i++)
        yield();
    t0 = ticks();
    for (i = 0; i < ROUNDS; i++)
        yield();
    t = (ticks() - t0) * (1000000000UL / cntfrq);
    printf("bench switch-%s iters=%u insns=%llu per_iter=%llu\n", name, ROUNDS,
           (unsigned long long)t, (unsigned long long)(t / ROUNDS));
}

int main(void)
{
    uint64_t mine = ticks() % ARRAY_SIZE(never_run);   /* differs between the copies */

    cntfrq = read_sysreg(cntfrq_el0);
    if (!cntfrq || 1000000000UL % cntfrq) {
        printf("bench: CNTFRQ_EL0 %llu does not divide 1 GHz\n", (unsigned long long)cntfrq);
        return 1;
    }
    write_sysreg(oslar_el1, 0);
    phase("clean");

    write_sysreg(dbgwvr0_el1, (uint64_t)&never_stored);
    write_sysreg(dbgwcr0_el1, WCR_EL1_STORE);
    write_sysreg(dbgbvr0_el1, (uint64_t)&never_run[mine]);
    write_sysreg(dbgbcr0_el1, BCR_EL1_EXEC);
    write_sysreg(mdscr_el1, MDSCR_KDE | MDSCR_MDE);
    isb();
    phase("armed");

    write_sysreg(dbgwcr0_el1, 0);
    write_sysreg(dbgbcr0_el1, 0);
    write_sysreg(mdscr_el1, 0);
    isb();
    printf("bench switch-offset %llu\n", (unsigned long long)mine);
    return 0;
}
