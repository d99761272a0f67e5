/*
 * A domain's PL011 (ARM DDI 0183). Transmit is immediate, so the flag
 * register always says "transmit FIFO empty, not busy", and each byte
 * written passes the transmit FIFO back below its trigger level: the
 * transmit interrupt is raised, until ICR clears it. Receive: the bytes
 * the toolstack sends (domain_console_input, from `xl console`) wait in the
 * receive FIFO (32 entries with LCR_H.FEN, else the 1-byte holding
 * register) until the guest reads UARTDR; FR's RXFE/RXFF say how full it is
 * and RIS/MIS its receive (FIFO at the IFLS trigger level) and receive
 * timeout (anything waiting: the host's bytes arrive in bursts, so the
 * timeout is taken as elapsed) interrupts, which follow the FIFO. The
 * interrupt line (UARTINTR: any interrupt unmasked by IMSC) goes to the
 * owner's callback whenever it changes (the domain's SPI 1, vgic.c).
 * Control registers read back what was written; the identification
 * registers give the PL011's values so probes recognise it.
 */
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <asm/vpl011.h>

#define DR      0x000
#define FR      0x018
#define IBRD    0x024
#define FBRD    0x028
#define LCR_H   0x02c
#define CR      0x030
#define IFLS    0x034
#define IMSC    0x038
#define RIS     0x03c
#define MIS     0x040
#define ICR     0x044
#define PERIPHID0 0xfe0
#define FR_RXFE (1U << 4)
#define FR_RXFF (1U << 6)
#define FR_TXFE (1U << 7)
#define LCR_H_FEN (1U << 4)
#define INT_RX  (1U << 4)
#define INT_TX  (1U << 5)
#define INT_RT  (1U << 6)
#define IFLS_RESET 0x12     /* both trigger levels at half full */

/* PeriphID0-3 then PCellID0-3 (0xfe0-0xffc). */
static const uint8_t id_regs[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

void vpl011_init(struct vpl011 *u, vpl011_irq_fn irq, void *opaque)
{
    memset(u, 0, sizeof(*u));
    u->lock = (spinlock_t)SPINLOCK_INIT;
    u->ifls = IFLS_RESET;
    u->irq = irq;
    u->irq_opaque = opaque;
}

static unsigned rx_capacity(const struct vpl011 *u)
{
    return (u->lcr_h & LCR_H_FEN) ? VPL011_FIFO : 1;
}

/* The receive trigger level (IFLS.RXIFLSEL: 1/8, 1/4, 1/2, 3/4, 7/8 of the
 * FIFO); 1 without the FIFO. */
static unsigned rx_trigger(const struct vpl011 *u)
{
    static const uint8_t eighths[8] = { 1, 2, 4, 6, 7, 4, 4, 4 };

    if (!(u->lcr_h & LCR_H_FEN))
        return 1;
    return VPL011_FIFO * eighths[(u->ifls >> 3) & 7] / 8;
}

static uint32_t raw_interrupts(const struct vpl011 *u)
{
    uint32_t ris = u->tx_int;

    if (u->rx_count >= rx_trigger(u))
        ris |= INT_RX;
    if (u->rx_count)
        ris |= INT_RT;
    return ris;
}

/* u->lock held: UARTINTR to the owner when it changes. */
static void update_line(struct vpl011 *u)
{
    bool line = (raw_interrupts(u) & u->imsc) != 0;

    if (line != u->line) {
        u->line = line;
        if (u->irq)
            u->irq(u->irq_opaque, line);
    }
}

static uint32_t *reg_of(struct vpl011 *u, uint64_t offset)
{
    switch (offset) {
    case CR:    return &u->cr;
    case LCR_H: return &u->lcr_h;
    case IBRD:  return &u->ibrd;
    case FBRD:  return &u->fbrd;
    case IFLS:  return &u->ifls;
    case IMSC:  return &u->imsc;
    default:    return NULL;
    }
}

static uint32_t read_locked(struct vpl011 *u, uint64_t offset)
{
    uint32_t *r = reg_of(u, offset);
    uint32_t val;

    if (r)
        return *r;
    switch (offset) {
    case DR:                    /* the oldest byte, no error bits; 0 if none */
        if (!u->rx_count)
            return 0;
        val = u->rx[u->rx_head];
        u->rx_head = (uint8_t)((u->rx_head + 1) % VPL011_FIFO);
        u->rx_count--;
        return val;
    case FR:
        return FR_TXFE | (u->rx_count ? 0 : FR_RXFE) |
               (u->rx_count >= rx_capacity(u) ? FR_RXFF : 0);
    case RIS:
        return raw_interrupts(u);
    case MIS:
        return raw_interrupts(u) & u->imsc;
    default:
        if (offset >= PERIPHID0 && !(offset & 3))
            return id_regs[(offset - PERIPHID0) / 4];
        return 0;               /* reserved: zero */
    }
}

bool vpl011_read(struct domain *d, uint64_t offset, unsigned size, uint64_t *val)
{
    struct vpl011 *u = &d->arch.uart;

    spin_lock(&u->lock);
    *val = read_locked(u, offset);
    update_line(u);
    spin_unlock(&u->lock);
    return size <= 4;
}

bool vpl011_write(struct domain *d, uint64_t offset, unsigned size, uint64_t val)
{
    struct vpl011 *u = &d->arch.uart;
    uint32_t *r = reg_of(u, offset);

    if (size > 4)
        return false;
    if (offset == DR)
        domain_console_putc(d, (char)(val & 0xff));
    spin_lock(&u->lock);
    if (offset == DR)
        u->tx_int = INT_TX;
    if (offset == ICR)
        u->tx_int &= ~(uint32_t)val;  /* the receive interrupts follow the FIFO */
    if (offset == LCR_H && ((u->lcr_h ^ (uint32_t)val) & LCR_H_FEN))
        u->rx_count = 0;        /* FEN changed: flushed, as QEMU's PL011 does */
    if (r)
        *r = (uint32_t)val;
    update_line(u);
    spin_unlock(&u->lock);
    return true;     /* read-only registers: ignored */
}

/* The toolstack's bytes (CONSOLE_WRITE) into the receive FIFO, as many as it
 * has room for; *room: what is left. */
uint32_t domain_console_input(struct domain *d, const void *buf, uint32_t len, uint32_t *room)
{
    struct vpl011 *u = &d->arch.uart;
    const uint8_t *p = buf;
    uint32_t taken = 0;

    spin_lock(&u->lock);
    while (taken < len && u->rx_count < rx_capacity(u)) {
        u->rx[(u->rx_head + u->rx_count) % VPL011_FIFO] = p[taken++];
        u->rx_count++;
    }
    *room = rx_capacity(u) - u->rx_count;
    update_line(u);
    spin_unlock(&u->lock);
    return taken;
}
