/*
 * hostile: vcpus=2 policies=trap,adaptive native=run
 *
 * xmc-int3: cross-modifying code under a software-interrupt intercept
 * (issue 9), the INT3 sibling of xmc-mov-dr. The AP keeps rewriting one
 * 4-byte code site between `int3; ret` (CC C3 ..) and `nop; ret` (90 C3 ..)
 * with single aligned stores while the BSP calls the site in a loop. The
 * CPU runs whichever it fetches: a call either raises #BP (the handler
 * counts it and returns after the INT3, to the RET) or does nothing. The
 * hypervisor sees INT3 as an intercept and reads the bytes at RIP for the
 * instruction's length; if the AP rewrote them in between, it used to crash
 * the domain ("no software interrupt at rip ..."). Now the vCPU re-enters
 * at the same RIP and runs what is there. Calls with and without a #BP must
 * add up.
 */
#include "guest.h"

#define SITE_INT3 0x9090c3ccu   /* int3; ret */
#define SITE_NOP  0x9090c390u   /* nop; ret */
#define CALLS     30000u

static volatile uint32_t site __attribute__((aligned(64), section(".data")));
static volatile int done, ap_running;
static volatile unsigned long flips, bps, bad_ip;

static void on_bp(struct trap_frame *f)
{
    bps++;
    if (f->ip != (unsigned long)&site + 1)
        bad_ip++;
}

static void ap_main(unsigned int cpu)
{
    ap_running = 1;
    while (!done) {
        site = SITE_NOP;
        site = SITE_INT3;
        flips++;
    }
}

int main(void)
{
    unsigned long hit = 0, skipped = 0;

    site = SITE_INT3;
    trap_set_handler(3, on_bp);
    if (smp_start_ap(1, ap_main)) {
        printf("xmc-int3: AP did not start\n");
        return 1;
    }
    while (!ap_running)
        pause();
    for (unsigned i = 0; i < CALLS; i++) {
        unsigned long before = bps;

        asm volatile("call *%0" :: "r"((unsigned long)&site) : "memory");
        if (bps == before + 1)
            hit++;
        else if (bps == before)
            skipped++;
    }
    done = 1;
    printf("xmc-int3: %lu calls raised #BP, %lu ran the NOP, %lu wrong return addresses; "
           "AP flipped %lu times\n", hit, skipped, bad_ip, flips);
    report(hit + skipped == CALLS && bad_ip == 0, "every call ran one of the two instructions");
    report(flips > 0, "the AP rewrote the site while the BSP ran it");
    return report_summary();
}
