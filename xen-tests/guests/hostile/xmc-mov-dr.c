/*
 * hostile: vcpus=2 policies=trap native=run
 *
 * xmc-mov-dr: cross-modifying code under a MOV DR intercept (issue 9). The
 * AP keeps rewriting one 4-byte code site between `mov %rax,%dr0; ret`
 * (0F 23 C0 C3) and `nopl (%rax); ret` (0F 1F 00 C3) with single aligned
 * stores, while the BSP calls the site in a loop under the `trap` policy.
 * The CPU executes whichever instruction it fetches, so every call either
 * writes DR0 or does nothing. The intercept happens when the BSP runs the
 * MOV DR; the hypervisor (no decode assists on QEMU TCG) then reads the
 * bytes at RIP, and if the AP rewrote them in between, it used to crash
 * the domain ("debug-register exit ... is not a MOV DR"). Now the vCPU
 * re-enters at the same RIP and runs what is there. The guest counts calls
 * that wrote DR0 and calls that did not: they must add up, and DR0 must
 * only ever hold the value written.
 */
#include "guest.h"

#define SITE_MOV 0xc3c0230fu   /* mov %rax,%dr0; ret */
#define SITE_NOP 0xc3001f0fu   /* nopl (%rax); ret */
#define CALLS    30000u
#define MARK     0x1000ul

static volatile uint32_t site __attribute__((aligned(64), section(".data")));
static volatile int done, ap_running;
static volatile unsigned long flips;

static void ap_main(unsigned int cpu)
{
    ap_running = 1;
    while (!done) {
        site = SITE_NOP;
        site = SITE_MOV;
        flips++;
    }
}

int main(void)
{
    unsigned long wrote = 0, skipped = 0, odd = 0;

    site = SITE_MOV;
    if (smp_start_ap(1, ap_main)) {
        printf("xmc-mov-dr: AP did not start\n");
        return 1;
    }
    while (!ap_running)
        pause();
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
    done = 1;
    printf("xmc-mov-dr: %lu calls wrote DR0, %lu ran the NOP, %lu odd; AP flipped %lu times\n",
           wrote, skipped, odd, flips);
    report(wrote + skipped == CALLS && odd == 0, "every call ran one of the two instructions");
    report(flips > 0, "the AP rewrote the site while the BSP ran it");
    return report_summary();
}
