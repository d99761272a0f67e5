/*
 * hostile: vcpus=2 policies=trap native=no
 *
 * apic-lowest-priority: lowest-priority delivery (issue 9; SDM vol 3
 * 11.6.2.4, the I/O APIC's delivery mode 1) to both vCPUs of a flat
 * logical destination, by IPI and by an I/O APIC message (COM1's THR-empty
 * interrupt on pin 4, raised by toggling IER). The target is the APIC with
 * the lowest arbitration priority: with the BSP's TPR at 0x80 every one goes
 * to the AP, with the AP's at 0x80 every one to the BSP; with equal
 * priorities the two take turns (KVM's rule; both get some). The
 * hypervisor used to send every IPI to the first match, and I/O APIC
 * messages to the first of equal TPRs. native=no: QEMU 10 TCG does no
 * arbitration and always picks the lowest APIC ID.
 */
#include "guest.h"

#define APIC_TPR     0x080
#define APIC_LDR     0x0D0
#define APIC_DFR     0x0E0
#define VEC          0x41
#define LOWEST       0x100u
#define LOGICAL      0x800u
#define COM1         0x3f8
#define IER          1
#define IIR          2
#define IOAPIC_BASE  0xFEC00000UL
#define COM1_GSI     4
#define BOTH         0x03          /* flat model: BSP bit 0, AP bit 1 */

static volatile unsigned long hits[2], ap_ready, ap_cmd, ap_done;
static volatile uint32_t ap_tpr;

static void handler(struct trap_frame *f)
{
    (void)f;
    hits[apic_id() & 1]++;
    inb(COM1 + IIR);                 /* acknowledges a THR-empty interrupt */
    apic_eoi();
}

static void ioapic_write(uint32_t reg, uint32_t val)
{
    *(volatile uint32_t *)IOAPIC_BASE = reg;
    *(volatile uint32_t *)(IOAPIC_BASE + 0x10) = val;
}

static void flat_logical(unsigned cpu)
{
    apic_write(APIC_DFR, 0xffffffff);
    apic_write(APIC_LDR, (1u << cpu) << 24);
}

static void ap_main(unsigned int cpu)
{
    flat_logical(cpu);
    ap_ready = 1;
    for (;;) {
        asm volatile("sti; hlt; cli" ::: "memory");
        if (ap_cmd != ap_done) {
            apic_write(APIC_TPR, ap_tpr);
            ap_done = ap_cmd;
        }
    }
}

/* The AP sets its own TPR (an IPI that reaches nobody wakes it: a
 * physical destination no APIC has). */
static void set_ap_tpr(uint32_t tpr)
{
    ap_tpr = tpr;
    ap_cmd++;
    while (ap_done != ap_cmd) {
        apic_send_ipi(1, 0x400);     /* an NMI wakes its HLT; the handler ignores it */
        for (int i = 0; i < 2000 && ap_done != ap_cmd; i++)
            pause();
    }
}

static void nmi_handler(struct trap_frame *f) { (void)f; }

static void settle(void) { irq_settle(20000); }

/* n lowest-priority interrupts, one at a time, each taken before the next. */
static void send(bool ioapic, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        unsigned long before = hits[0] + hits[1];
        if (ioapic) {
            outb(COM1 + IER, 0x02);  /* THR empty: an edge on pin 4 */
        } else {
            apic_write(APIC_ICR2, BOTH << 24);
            apic_write(APIC_ICR, LOGICAL | LOWEST | VEC);
        }
        sti();
        for (int t = 0; t < 2000000 && hits[0] + hits[1] == before; t++)
            pause();
        cli();
        if (ioapic)
            outb(COM1 + IER, 0x00);
    }
    settle();
}

static void round(bool ioapic, const char *how)
{
    hits[0] = hits[1] = 0;
    apic_write(APIC_TPR, 0x80);
    send(ioapic, 6);
    apic_write(APIC_TPR, 0);
    settle();
    report(hits[0] == 0 && hits[1] == 6, "%s: BSP TPR 0x80: all six to the AP (BSP %lu, AP %lu)",
           how, hits[0], hits[1]);
    hits[0] = hits[1] = 0;
    set_ap_tpr(0x80);
    send(ioapic, 6);
    set_ap_tpr(0);
    settle();
    report(hits[0] == 6 && hits[1] == 0, "%s: AP TPR 0x80: all six to the BSP (BSP %lu, AP %lu)",
           how, hits[0], hits[1]);
    hits[0] = hits[1] = 0;
    send(ioapic, 8);
    report(hits[0] + hits[1] == 8 && hits[0] >= 2 && hits[1] >= 2,
           "%s: equal priorities take turns (BSP %lu, AP %lu)", how, hits[0], hits[1]);
}

int main(void)
{
    apic_init();
    trap_set_handler(VEC, handler);
    trap_set_handler(2, nmi_handler);
    flat_logical(0);
    if (smp_start_ap(1, ap_main) || !wait_count(&ap_ready, 1)) {
        report(false, "AP 1 started");
        return report_summary();
    }
    round(false, "IPI");

    outb(COM1 + IER, 0);
    outb(COM1 + 3, 0x03);
    outb(COM1 + 4, 0x0b);           /* OUT2: the line reaches the interrupt controllers */
    ioapic_write(0x11 + 2 * COM1_GSI, (uint32_t)BOTH << 24);
    ioapic_write(0x10 + 2 * COM1_GSI, LOGICAL | LOWEST | VEC);
    round(true, "I/O APIC");
    ioapic_write(0x10 + 2 * COM1_GSI, 0x10000);
    return report_summary();
}
