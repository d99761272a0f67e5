/*
 * hostile: vcpus=2 policies=trap,adaptive native=run
 *
 * xmc-intercepts: cross-modifying code under the intercepts whose
 * instruction the hypervisor decodes itself (issue 9). The AP keeps
 * rewriting one 4-byte code site with single aligned stores while the BSP
 * calls it in a loop; the CPU runs whichever version it fetches.
 *  - MOV DR: `mov %rax,%dr0; ret` (0F 23 C0 C3) vs `nopl (%rax); ret`
 *    (0F 1F 00 C3): a call writes DR0 or does nothing.
 *  - INT3: `int3; ret` (CC C3) vs `nop; ret` (90 C3): a call raises #BP (the
 *    handler counts it, returning after the INT3 to the RET) or does nothing.
 * QEMU TCG gives no decode assists, so after the intercept the hypervisor
 * reads the bytes at RIP; if the AP rewrote them in between, it used to
 * crash the domain ("debug-register exit ... is not a MOV DR", "no software
 * interrupt at rip ..."). Hardware executes what it fetched; now the vCPU
 * re-enters at the same RIP and runs what is there. The counts must add up
 * and DR0 must only ever hold the value written. (A race: how often the
 * window is hit varies from run to run.)
 */
#include "guest.h"

#define MOVDR_SITE  0xc3c0230fu   /* mov %rax,%dr0; ret */
#define MOVDR_OTHER 0xc3001f0fu   /* nopl (%rax); ret */
#define INT3_SITE   0x9090c3ccu   /* int3; ret */
#define INT3_OTHER  0x9090c390u   /* nop; ret */
#define CALLS       30000u
#define MARK        0x1000ul

static volatile uint32_t site __attribute__((aligned(64), section(".data")));
static volatile uint32_t flip_a, flip_b;
static volatile int phase, ap_seen = -1;       /* phase: 0 idle, 1 flipping, 2 done */
static volatile unsigned long flips, bps, bad_ip;

static void on_bp(struct trap_frame *f)
{
    bps++;
    if (f->ip != (unsigned long)&site + 1)
        bad_ip++;
}

static void ap_main(unsigned int cpu)
{
    while (phase != 2) {
        ap_seen = phase;
        if (phase != 1)
            continue;
        site = flip_b;
        site = flip_a;
        flips++;
    }
}

static void start_flipping(uint32_t a, uint32_t b)
{
    site = a;
    flip_a = a;
    flip_b = b;
    flips = 0;
    phase = 1;
    while (flips == 0)
        pause();                            /* the AP is at it */
}

static void stop_flipping(void)
{
    phase = 0;
    ap_seen = 1;
    while (ap_seen == 1)
        pause();                            /* the AP finished its last store */
    site = flip_a;
}

/* ran: calls that executed the intercepted instruction; bad: inconsistent
 * outcomes (DR0 neither 0 nor the value; #BP returning elsewhere). */
static void phase_report(const char *what, unsigned long ran, unsigned long nop,
                         unsigned long bad)
{
    printf("xmc-intercepts: %s: %lu calls ran it, %lu ran the other, %lu inconsistent; "
           "%lu flips\n", what, ran, nop, bad, flips);
    report(ran + nop == CALLS && bad == 0, "%s: every call ran one of the two", what);
    report(flips > 0, "%s: the AP rewrote the site while the BSP ran it", what);
}

static void movdr_phase(void)
{
    unsigned long wrote = 0, skipped = 0, odd = 0;

    start_flipping(MOVDR_SITE, MOVDR_OTHER);
    for (unsigned i = 0; i < CALLS; i++) {
        unsigned long v = MARK + ((i & 0xff) << 4);   /* aligned, so DR0 keeps it */

        write_dr0(0);
        asm volatile("call *%1" :: "a"(v), "r"((unsigned long)&site) : "memory");
        unsigned long now = read_dr0();
        if (now == v)
            wrote++;
        else if (now == 0)
            skipped++;
        else
            odd++;
    }
    stop_flipping();
    phase_report("mov dr", wrote, skipped, odd);
}

static void int3_phase(void)
{
    unsigned long hit = 0, skipped = 0;

    trap_set_handler(3, on_bp);
    start_flipping(INT3_SITE, INT3_OTHER);
    for (unsigned i = 0; i < CALLS; i++) {
        unsigned long before = bps;

        asm volatile("call *%0" :: "r"((unsigned long)&site) : "memory");
        if (bps == before + 1)
            hit++;
        else if (bps == before)
            skipped++;
    }
    stop_flipping();
    phase_report("int3", hit, skipped, bad_ip);
}

int main(void)
{
    if (smp_start_ap(1, ap_main)) {
        printf("xmc-intercepts: AP did not start\n");
        return 1;
    }
    while (ap_seen != 0)
        pause();
    movdr_phase();
    int3_phase();
    phase = 2;
    return report_summary();
}
