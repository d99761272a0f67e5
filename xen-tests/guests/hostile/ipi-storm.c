/*
 * hostile: vcpus=2 pcpus=2 policies=trap,adaptive native=run
 *
 * ipi-storm: two vCPUs fire fixed IPIs at each other (and at themselves
 * through the self shorthand) as fast as they can for a while, with no
 * pause between. Every IPI is either delivered or coalesced into one
 * pending IRR bit, as on hardware, so each side must see at least one and
 * at most as many as were sent, and both sides must finish. The hypervisor
 * must keep the canary running and must not livelock on the storm.
 * native=run: counts depend on timing, so only the verdicts are compared.
 */
#include "guest.h"

#define IPI_VECTOR 0x50
#define ROUNDS 20000UL
static volatile unsigned long got[2], sent[2], done[2];

static void on_ipi(struct trap_frame *f)
{
    got[apic_id() & 1]++;
    apic_eoi();
}

static void storm(unsigned int me)
{
    unsigned int peer = me ^ 1;

    for (unsigned long i = 0; i < ROUNDS; i++) {
        apic_send_ipi(i & 1 ? peer : me, IPI_VECTOR);
        sent[i & 1 ? peer : me]++;
    }
    done[me] = 1;
    while (!done[peer])
        pause();
}

static void ap_main(unsigned int cpu)
{
    apic_init();
    sti();
    storm(1);
    for (volatile int i = 0; i < 100000; i++)
        ;
    cli();
    halt_forever();
}

int main(void)
{
    trap_set_handler(IPI_VECTOR, on_ipi);
    if (smp_start_ap(1, ap_main)) {
        printf("ipi-storm: AP did not start\n");
        return 1;
    }
    sti();
    storm(0);
    for (volatile int i = 0; i < 100000; i++)
        ;
    cli();
    for (int c = 0; c < 2; c++)
        report(got[c] >= 1 && got[c] <= sent[c], "cpu %d: IPIs delivered or coalesced, never invented", c);
    return report_summary();
}
