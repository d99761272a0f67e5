/*
 * bench-arm64: the arm64 workloads of `make bench` (xen-tests/bench/arm64-bench,
 * run-bench section 7), all in one run because an arm64 domain gets no
 * command line yet. Under -icount shift=0 QEMU's virtual clock advances one
 * nanosecond per instruction, so CNTVCT_EL0 deltas scaled by 10^9/CNTFRQ are
 * instruction counts: deterministic, the same natively and as a domain.
 *   compute  arithmetic only: no exits
 *   hvc      HVC PSCI_VERSION: an exit whose handling does nearly nothing
 *            (natively QEMU's own PSCI answers it without leaving the guest)
 *   msr      MSR DBGBVR0_EL1: one debug-register write (trapped by MDCR_EL2.TDA
 *            under `trap`, the hardware's once a lazy policy has loaded the file)
 *   mrs      MRS DBGBVR0_EL1: one debug-register read
 *   dr       a debugger-heavy round as x86's run-bench 2: DBGBVR0-3 written,
 *            DBGBCR0 armed (5 writes), MDSCR_EL1 and DBGBVR0 read back (2 reads)
 *   drsleep  the same round, then a sleep in WFIT (under dbgvisor a switch-out
 *            of the vCPU: the dirty file is saved, the policy's rule applied);
 *            only the round is timed
 * One line per workload: "bench NAME iters=N insns=T per_iter=P".
 */
#include "guest.h"

#define ITERS           2000
#define SLEEP_ITERS     300
#define PSCI_VERSION    0x84000000U
#define MDSCR_KDE       (1UL << 13)
#define MDSCR_MDE       (1UL << 15)
/* DBGBCR: E, PMC = EL1, BAS = all four bytes of an A64 instruction. */
#define BCR_EL1_EXEC    (1UL | 1UL << 1 | 0xfUL << 5)

static uint64_t cntfrq;
/* Never executed: the breakpoints point at data. */
static volatile uint32_t never_run[64] __attribute__((aligned(8)));

/* Instructions since boot under -icount shift=0 (one tick per ns). */
static uint64_t insns(void)
{
    uint64_t c;

    isb();
    c = read_sysreg(cntvct_el0);
    isb();
    return c * (1000000000UL / cntfrq);
}

static unsigned long dr_round(unsigned long i)
{
    uint64_t base = (uint64_t)never_run;

    write_sysreg(dbgbvr0_el1, base + (i % 16) * 4);
    write_sysreg(dbgbvr1_el1, base + 64 + (i % 16) * 4);
    write_sysreg(dbgbvr2_el1, base + 128 + (i % 16) * 4);
    write_sysreg(dbgbvr3_el1, base + 192 + (i % 8) * 4);
    write_sysreg(dbgbcr0_el1, BCR_EL1_EXEC);
    return read_sysreg(mdscr_el1) ^ read_sysreg(dbgbvr0_el1);
}

/* Sleep for about 100 us in WFIT (it may return early: wait again). */
static void sleep_a_little(void)
{
    uint64_t until;

    isb();
    until = read_sysreg(cntvct_el0) + cntfrq / 10000;
    for (;;) {
        isb();
        if (read_sysreg(cntvct_el0) >= until)
            break;
        __asm__ volatile(".arch armv8.7-a\n\twfit %0" : : "r"(until) : "memory");
    }
}

static void result(const char *name, unsigned long iters, uint64_t total)
{
    printf("bench %s iters=%lu insns=%llu per_iter=%llu\n", name, iters,
           (unsigned long long)total, (unsigned long long)(total / iters));
}

int main(void)
{
    volatile unsigned long sink = 0;
    uint64_t t0, total;
    unsigned long i;

    cntfrq = read_sysreg(cntfrq_el0);
    if (!cntfrq || 1000000000UL % cntfrq) {
        printf("bench: CNTFRQ_EL0 %llu does not divide 1 GHz\n", (unsigned long long)cntfrq);
        return 1;
    }
    write_sysreg(oslar_el1, 0);
    write_sysreg(mdscr_el1, MDSCR_KDE | MDSCR_MDE);

    t0 = insns();
    for (i = 0; i < ITERS; i++)
        sink += i * 2654435761UL ^ (sink >> 3);
    result("compute", ITERS, insns() - t0);

    t0 = insns();
    for (i = 0; i < ITERS; i++)
        sink += hvc_call(PSCI_VERSION, 0);
    result("hvc", ITERS, insns() - t0);

    t0 = insns();
    for (i = 0; i < ITERS; i++)
        write_sysreg(dbgbvr0_el1, (uint64_t)never_run + (i % 16) * 4);
    result("msr", ITERS, insns() - t0);

    t0 = insns();
    for (i = 0; i < ITERS; i++)
        sink += read_sysreg(dbgbvr0_el1);
    result("mrs", ITERS, insns() - t0);

    t0 = insns();
    for (i = 0; i < ITERS; i++)
        sink += dr_round(i);
    result("dr", ITERS, insns() - t0);

    total = 0;
    for (i = 0; i < SLEEP_ITERS; i++) {
        t0 = insns();
        sink += dr_round(i);
        total += insns() - t0;
        sleep_a_little();
    }
    result("drsleep", SLEEP_ITERS, total);

    write_sysreg(dbgbcr0_el1, 0);
    write_sysreg(mdscr_el1, 0);
    isb();
    return 0;
}
