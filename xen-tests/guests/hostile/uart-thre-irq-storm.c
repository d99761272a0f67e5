/*
 * hostile: vcpus=1 native=compare
 *
 * uart-thre-irq-storm: COM1's interrupt as fast as a guest can make it.
 * With COM1's THR-empty interrupt routed through the I/O APIC (ISA IRQ 4,
 * pin 4, edge), the guest turns IER.THRI off and on again and again: on a
 * 16550A each enabling with THR empty raises the interrupt (a new edge on
 * the line), and the handler's IIR read (c2) acknowledges it. It also
 * writes THR inside the handler now and then: THR empties at once and the
 * interrupt is raised again, an edge the next IIR read acknowledges. Every
 * edge must reach the guest exactly once, natively as under dbgvisor, and
 * the hypervisor (UART lock, interrupt router, vCPU kicks) must not mind the
 * rate. rounds=N (20000).
 */
#include "guest.h"

#define COM1        0x3f8
#define IER         1
#define IIR         2
#define IOAPIC_BASE 0xFEC00000UL
#define COM1_GSI    4
#define VECTOR      0x35

static volatile unsigned long irqs, thre_seen, other_iir, resent;
static volatile bool send_from_handler;

static void ioapic_write(uint32_t reg, uint32_t val)
{
    *(volatile uint32_t *)IOAPIC_BASE = reg;
    *(volatile uint32_t *)(IOAPIC_BASE + 0x10) = val;
}

static void handler(struct trap_frame *f)
{
    uint8_t iir = inb(COM1 + IIR);

    (void)f;
    irqs++;
    if ((iir & 0x0f) == 0x02)
        thre_seen++;
    else
        other_iir++;
    if (send_from_handler) {
        send_from_handler = false;
        outb(COM1, '.');            /* empties at once: THR empty again */
        resent++;
    }
    apic_eoi();
}

int main(void)
{
    unsigned long rounds = cmdline_uint("rounds", 20000), expected = 0;

    outb(COM1 + IER, 0);
    outb(COM1 + 3, 0x03);
    outb(COM1 + IIR, 0x07);
    outb(COM1 + 4, 0x0b);           /* OUT2: the line reaches the interrupt controllers */
    trap_set_handler(VECTOR, handler);
    ioapic_write(0x11 + 2 * COM1_GSI, apic_id() << 24);
    ioapic_write(0x10 + 2 * COM1_GSI, VECTOR);
    sti();
    for (unsigned long i = 0; i < rounds; i++) {
        if (i % 1000 == 999) {
            send_from_handler = true;
            expected++;             /* the THR write in the handler raises one more */
        }
        outb(COM1 + IER, 0x02);     /* THR empty: an edge */
        expected++;
        while (irqs < expected)
            pause();
        outb(COM1 + IER, 0x00);
    }
    cli();
    ioapic_write(0x10 + 2 * COM1_GSI, 0x10000);
    printf("\n");
    report(irqs == expected, "every THR-empty edge interrupted once: %lu of %lu", irqs, expected);
    report(thre_seen == irqs && other_iir == 0, "IIR named THR empty each time (%lu other)", other_iir);
    report(resent == rounds / 1000, "THR writes from the handler: %lu", resent);
    return report_summary();
}
