/*
 * uart-echo: COM1's receiver as a driver sees it. First the register
 * sequences of a 16550A, checked as TAP (the same natively and under
 * dbgvisor): FIFO and THR-empty bits of IIR, a loopback byte raising the
 * received-data interrupt, a holding-register overrun and a FIFO overrun
 * raising the line-status interrupt with LSR.OE. Then it prints
 * "uart-echo: ready" and echoes every line it receives ("echo: LINE")
 * until the line "quit", taking the bytes in COM1's interrupt handler
 * (ISA IRQ 4 through the I/O APIC, the CPU halted in between), checking
 * that each interrupt had a source in IIR naming received data and that no
 * byte was lost to an overrun (the sender, QEMU's chardev or `xl console`,
 * respects the FIFO's room).
 */
#include "guest.h"

#define COM1 0x3f8
enum { RBR, IER, IIR, LCR, MCR, LSR, MSR, SCR };
#define FCR IIR
#define THR RBR

static uint8_t rd(int reg) { return inb(COM1 + reg); }
static void wr(int reg, uint8_t v) { outb(COM1 + reg, v); }

/* LSR once the receiver has data (a loopback byte arrives at once on both). */
static uint8_t lsr_when_ready(void)
{
    uint8_t lsr = rd(LSR);

    for (int i = 0; i < 1000 && !(lsr & 0x01); i++)
        lsr = rd(LSR);
    return lsr;
}

/* Until the transmitter has sent everything (QEMU takes a character time
 * per byte, even in loopback; dbgvisor's transmitter is always empty). */
static void wait_transmitter_empty(void)
{
    for (int i = 0; i < 1000 && !(rd(LSR) & 0x40); i++)
        sleep_ticks(100000);
}

static const char *const reg_names[] = { "RBR", "IER", "IIR", "LCR", "MCR", "LSR", "MSR", "SCR" };

/* Results are printed once the checks are over: printing writes THR,
 * which re-arms THR empty, and in loopback the text would go to the
 * receiver instead of the line. */
#define MAX_CHECKS 24
static struct { bool ok; char text[96]; } checks[MAX_CHECKS];
static unsigned nchecks;

static void record(bool ok, const char *text)
{
    if (nchecks < MAX_CHECKS) {
        checks[nchecks].ok = ok;
        snprintf(checks[nchecks].text, sizeof(checks[nchecks].text), "%s", text);
        nchecks++;
    }
}

/* One register read, checked: "WHAT: REG value (wanted)". */
static void expect(int reg, uint8_t mask, uint8_t want, const char *what)
{
    uint8_t v = rd(reg) & mask;
    char text[96];

    snprintf(text, sizeof(text), "%s: %s %#x (%#x)", what, reg_names[reg], v, want);
    record(v == want, text);
}

static void report_checks(void)
{
    for (unsigned i = 0; i < nchecks; i++)
        report(checks[i].ok, "%s", checks[i].text);
}

static void check_registers(void)
{

    wr(IER, 0x00);
    wr(LCR, 0x83);                  /* divisor 1: 115200 baud */
    wr(RBR, 0x01);
    wr(IER, 0x00);
    wr(LCR, 0x03);                  /* 8N1 */
    wr(FCR, 0x07);                  /* FIFO on, both FIFOs reset, trigger 1 */
    wr(MCR, 0x0b);                  /* DTR, RTS, OUT2 */
    expect(IIR, 0xff, 0xc1, "FIFO on, nothing pending");
    expect(LSR, 0xff, 0x60, "THR and transmitter empty, no data");
    wr(IER, 0x02);
    expect(IIR, 0xff, 0xc2, "THRI enabled while THR is empty");
    expect(IIR, 0xff, 0xc1, "the IIR read acknowledged THR empty");
    wr(IER, 0x00);

    wr(MCR, 0x1b);                  /* loopback: the transmitter feeds the receiver */
    expect(MSR, 0xf0, 0xb0, "loopback: DTR/RTS/OUT2 read back as DSR/CTS/DCD");
    wr(IER, 0x01);
    wr(THR, 'L');
    lsr_when_ready();
    expect(LSR, 0xff, 0x61, "loopback byte received");
    expect(IIR, 0xff, 0xc4, "received-data interrupt");
    expect(RBR, 0xff, 'L', "RBR returns the looped byte");
    expect(LSR, 0xff, 0x60, "drained");
    expect(IIR, 0xff, 0xc1, "drained: no interrupt");

    wr(FCR, 0x00);                  /* no FIFO: one holding register */
    wr(IER, 0x05);                  /* received data and line status */
    wr(THR, 'a');
    lsr_when_ready();
    wr(THR, 'b');                   /* overruns the unread 'a' */
    expect(IIR, 0xff, 0x06, "holding-register overrun: line-status interrupt");
    expect(LSR, 0xff, 0x63, "data ready and overrun (reading LSR clears OE)");
    expect(IIR, 0xff, 0x04, "then received data");
    expect(RBR, 0xff, 'b', "the newer byte replaced the older");

    wr(FCR, 0x07);
    for (int i = 0; i < 16; i++)    /* fill the receive FIFO (the transmit FIFO holds 16 too) */
        wr(THR, (uint8_t)('A' + i));
    wait_transmitter_empty();
    wr(THR, 'Q');                   /* one more than the receive FIFO holds (sent at once:
                                     * the transmitter is idle; LSR is not read, that clears OE) */
    expect(IIR, 0xff, 0xc6, "FIFO overrun: line-status interrupt");
    expect(LSR, 0xff, 0x63, "FIFO overrun: data ready and overrun");
    bool kept = true;
    for (int i = 0; i < 16; i++)
        kept &= rd(RBR) == 'A' + i;
    record(kept && rd(LSR) == 0x60, "the full FIFO kept its 16 bytes, the 17th was lost");

    wr(FCR, 0x07);
    wr(IER, 0x00);
    wr(MCR, 0x0b);
    report_checks();
}

/* ---- the echo: received bytes through IRQ 4 ---- */

#define IOAPIC_BASE   0xFEC00000UL
#define COM1_GSI      4             /* ISA IRQ 4 on I/O APIC pin 4 */
#define COM1_VECTOR   0x34

static volatile uint8_t rx_ring[1024];
static volatile unsigned rx_head, rx_tail;
static volatile unsigned irqs, spurious, overruns, wrong_iir;
static volatile uint8_t first_wrong;

static void ioapic_write(uint32_t reg, uint32_t val)
{
    *(volatile uint32_t *)IOAPIC_BASE = reg;
    *(volatile uint32_t *)(IOAPIC_BASE + 0x10) = val;
}

/* The 8250 driver's loop: while IIR names a source, serve it. */
static void com1_interrupt(struct trap_frame *f)
{
    uint8_t iir;
    bool any = false;

    (void)f;
    irqs++;
    while (!((iir = rd(IIR)) & 0x01)) {
        any = true;
        /* Received data (c4), or its timeout (cc): QEMU shows the timeout
         * once four character times passed without a read, even above the
         * trigger level; dbgvisor's characters take no time, so it shows
         * received data at or above the trigger level and the timeout below.
         * Line status (c6) only after an overrun. */
        if (iir != 0xc4 && iir != 0xcc && iir != 0xc6 && !wrong_iir++)
            first_wrong = iir;
        uint8_t lsr = rd(LSR);
        overruns += !!(lsr & 0x02);
        while (lsr & 0x01) {
            uint8_t c = rd(RBR);

            if (rx_head - rx_tail < sizeof(rx_ring))
                rx_ring[rx_head++ % sizeof(rx_ring)] = c;
            lsr = rd(LSR);
        }
    }
    spurious += !any;
    apic_eoi();
}

/* Next received byte; HLT until the receiver interrupts. */
static char next_byte(void)
{
    char c;

    cli();
    while (rx_tail == rx_head)
        asm volatile("sti; hlt; cli" ::: "memory");
    c = (char)rx_ring[rx_tail++ % sizeof(rx_ring)];
    sti();
    return c;
}

static void echo_lines(void)
{
    char line[256];
    unsigned len = 0, lines = 0, bytes = 0;

    trap_set_handler(COM1_VECTOR, com1_interrupt);
    ioapic_write(0x11 + 2 * COM1_GSI, apic_id() << 24);        /* to this CPU */
    ioapic_write(0x10 + 2 * COM1_GSI, COM1_VECTOR);            /* fixed, edge, high, unmasked */
    wr(IER, 0x05);                  /* received data and line status */
    sti();
    printf("uart-echo: ready\n");
    for (;;) {
        char c = next_byte();

        bytes++;
        if (c == '\r')
            continue;
        if (c != '\n') {
            if (len < sizeof(line) - 1)
                line[len++] = c;
            continue;
        }
        line[len] = 0;
        printf("echo: %s\n", line);
        lines++;
        len = 0;
        if (!strncmp(line, "quit", 5))
            break;
    }
    wr(IER, 0x00);
    ioapic_write(0x10 + 2 * COM1_GSI, 0x10000);                /* masked */
    /* An interrupt may find nothing left: a byte that arrived while the
     * handler was draining raised the line again (an edge the I/O APIC
     * latched) and the same loop read it. Counted, not an error. */
    printf("uart-echo: %u lines, %u bytes, %u interrupts, %u found nothing pending\n",
           lines, bytes, irqs, spurious);
    report(lines >= 2, "received the lines");
    report(irqs > 0, "the receiver interrupted (IRQ 4 through the I/O APIC)");
    report(wrong_iir == 0, "IIR named received data whenever it interrupted (%u times not, first %#x)",
           wrong_iir, first_wrong);
    report(overruns == 0, "no overrun: the sender respected the FIFO's room (%u)", overruns);
}

int main(void)
{
    check_registers();
    echo_lines();
    return report_summary();
}
