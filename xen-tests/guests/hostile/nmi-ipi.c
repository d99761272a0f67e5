/*
 * hostile: vcpus=2 native=compare
 *
 * nmi-ipi: NMIs through the local APIC (issue 9, finding 12). The ICR's
 * NMI delivery mode sends an NMI to another vCPU (which waits in HLT with
 * interrupts disabled: only an NMI wakes it), by its APIC ID and by the
 * all-but-self shorthand, and to the sender itself, by the "self" shorthand
 * and by its own APIC ID. An NMI handler counts them.
 * NMIs are blocked from the moment one is delivered until the handler's
 * IRET: a self-NMI sent inside the handler arrives only after it returned,
 * never nested. Hardware and QEMU deliver every one of these.
 */
#include "guest.h"

#define ICR_NMI        (4u << 8)
#define ICR_SELF       (1u << 18)
#define ICR_OTHERS     (3u << 18)

static volatile unsigned long nmis[2], nested, ap_ready, ap_wakeups;
static volatile int in_nmi[2];
static volatile int resend_in_handler;
static volatile unsigned long count_at_return;

static void nmi_handler(struct trap_frame *f)
{
    (void)f;
    unsigned cpu = apic_id() & 1;
    if (in_nmi[cpu])
        nested++;
    in_nmi[cpu] = 1;
    nmis[cpu]++;
    if (cpu == 0 && resend_in_handler) {
        resend_in_handler = 0;
        apic_write(APIC_ICR, ICR_SELF | ICR_NMI);   /* pending until our IRET */
        for (int i = 0; i < 20000; i++)
            pause();
        count_at_return = nmis[0];
    }
    in_nmi[cpu] = 0;
}

static void ap_main(unsigned int cpu)
{
    (void)cpu;
    ap_ready = 1;
    for (;;) {
        asm volatile("cli; hlt" ::: "memory");      /* only an NMI ends this HLT */
        ap_wakeups++;
    }
}

int main(void)
{
    apic_init();
    trap_set_handler(2, nmi_handler);
    if (smp_start_ap(1, ap_main) || !wait_count(&ap_ready, 1)) {
        report(false, "AP 1 started");
        return report_summary();
    }

    apic_send_ipi(1, ICR_NMI);
    report(wait_count(&nmis[1], 1) && wait_count(&ap_wakeups, 1), "an NMI IPI reaches the other vCPU and wakes it from HLT with IF=0");
    apic_send_ipi(1, ICR_NMI | 0x42);
    report(wait_count(&nmis[1], 2) && nmis[0] == 0, "a second NMI IPI (vector field ignored) reaches it, none comes back");
    apic_write(APIC_ICR, ICR_OTHERS | ICR_NMI);
    report(wait_count(&nmis[1], 3) && nmis[0] == 0, "the all-but-self shorthand reaches it, not the sender");

    cli();
    apic_write(APIC_ICR, ICR_SELF | ICR_NMI);
    report(wait_count(&nmis[0], 1), "a self-NMI by shorthand arrives with IF=0");
    apic_send_ipi(apic_id(), ICR_NMI);
    report(wait_count(&nmis[0], 2), "a self-NMI by destination ID arrives");

    resend_in_handler = 1;
    apic_write(APIC_ICR, ICR_SELF | ICR_NMI);
    report(wait_count(&nmis[0], 4), "an NMI sent inside the handler arrives after its IRET");
    report(count_at_return == 3, "it did not arrive before the handler returned");
    report(nested == 0, "no NMI ever nested in the handler");
    report(nmis[1] == 3, "the other vCPU got exactly its three NMIs");
    return report_summary();
}
