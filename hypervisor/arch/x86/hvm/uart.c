/*
 * Virtual 16550A (see asm/vuart.h), register behaviour as QEMU's serial.c
 * and the National PC16550D data sheet describe it: divisor latch, FIFOs
 * with trigger levels, the four interrupt sources in IIR priority order
 * (line status, received data or FIFO timeout, THR empty, modem status),
 * LSR.OE on overrun, loopback. On a PC the interrupt reaches the PIC only
 * while MCR.OUT2 is set (OUT2 drives the IRQ buffer), and not in loopback
 * mode, where the OUT pins are forced inactive; QEMU's model does not gate,
 * hardware does, and guests set OUT2 (Linux, the BIOS).
 */
#include <asm/vuart.h>

#define UART_RBR_THR 0
#define UART_IER     1
#define UART_IIR_FCR 2
#define UART_LCR     3
#define UART_MCR     4
#define UART_LSR     5
#define UART_MSR     6
#define UART_SCR     7

#define LCR_DLAB       0x80
#define IER_RDI        0x01
#define IER_THRI       0x02
#define IER_RLSI       0x04
#define IER_MSI        0x08
#define IER_MASK       0x0f
#define IIR_MSI        0x00
#define IIR_NO_INT     0x01
#define IIR_THRI       0x02
#define IIR_RDI        0x04
#define IIR_RLSI       0x06
#define IIR_CTI        0x0c
#define IIR_FIFO_ON    0xc0
#define FCR_FIFO_EN    0x01
#define FCR_RX_RESET   0x02
#define FCR_TX_RESET   0x04
#define FCR_KEPT       0xc9             /* trigger level, DMA mode, enable */
#define MCR_DTR        0x01
#define MCR_RTS        0x02
#define MCR_OUT1       0x04
#define MCR_OUT2       0x08
#define MCR_LOOP       0x10
#define MCR_MASK       0x1f
#define LSR_DR         0x01
#define LSR_OE         0x02
#define LSR_THRE       0x20
#define LSR_TEMT       0x40
#define MSR_CTS        0x10
#define MSR_DSR        0x20
#define MSR_RI         0x40
#define MSR_DCD        0x80
#define MSR_TERI       0x04
#define MSR_IDLE_LINES (MSR_DCD | MSR_DSR | MSR_CTS)   /* what QEMU reports unplugged */

static const uint8_t fifo_trigger_levels[4] = { 1, 4, 8, 14 };

static bool fifo_on(const struct vuart *u)
{
    return u->fcr & FCR_FIFO_EN;
}

static bool data_ready(const struct vuart *u)
{
    return fifo_on(u) ? u->rx_count != 0 : u->rbr_full;
}

/* Modem inputs: fixed idle lines, or in loopback DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
static uint8_t modem_lines(const struct vuart *u)
{
    if (!(u->mcr & MCR_LOOP))
        return MSR_IDLE_LINES;
    return (uint8_t)((u->mcr & MCR_DTR ? MSR_DSR : 0) | (u->mcr & MCR_RTS ? MSR_CTS : 0) |
                     (u->mcr & MCR_OUT1 ? MSR_RI : 0) | (u->mcr & MCR_OUT2 ? MSR_DCD : 0));
}

/* The highest-priority pending source, as IIR bits 3:0. */
static uint8_t pending_source(const struct vuart *u)
{
    if ((u->ier & IER_RLSI) && u->lsr_errors)
        return IIR_RLSI;
    if ((u->ier & IER_RDI) && data_ready(u)) {
        if (!fifo_on(u) || u->rx_count >= fifo_trigger_levels[u->fcr >> 6])
            return IIR_RDI;
        return IIR_CTI;                 /* below the trigger level: the timeout (immediate) */
    }
    if ((u->ier & IER_THRI) && u->thr_ipending)
        return IIR_THRI;
    if ((u->ier & IER_MSI) && u->msr_delta)
        return IIR_MSI;
    return IIR_NO_INT;
}

bool vuart_irq_line(const struct vuart *u)
{
    return pending_source(u) != IIR_NO_INT && (u->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;
}

static void update_irq(struct vuart *u)
{
    bool level = vuart_irq_line(u);

    if (level != u->irq_level) {
        u->irq_level = level;
        if (u->irq_changed)
            u->irq_changed(u->opaque, level);
    }
}

void vuart_init(struct vuart *u, vuart_tx_fn tx, vuart_irq_fn irq_changed, void *opaque)
{
    *u = (struct vuart){ .mcr = MCR_OUT2, .divisor = 0x0c, .tx = tx,
                         .irq_changed = irq_changed, .opaque = opaque };
}

unsigned vuart_rx_room(const struct vuart *u)
{
    if (u->mcr & MCR_LOOP)
        return 0;
    if (fifo_on(u))
        return VUART_FIFO_SIZE - u->rx_count;
    return !u->rbr_full;
}

/* One byte into the receiver: a full FIFO keeps its contents and loses the
 * new byte, the single holding register is overwritten; both set OE. */
static bool receive_byte(struct vuart *u, uint8_t byte)
{
    if (fifo_on(u)) {
        if (u->rx_count == VUART_FIFO_SIZE) {
            u->lsr_errors |= LSR_OE;
            return false;
        }
        u->rx_fifo[(u->rx_head + u->rx_count++) % VUART_FIFO_SIZE] = byte;
        return true;
    }
    if (u->rbr_full)
        u->lsr_errors |= LSR_OE;
    u->rbr = byte;
    u->rbr_full = true;
    return true;
}

unsigned vuart_receive(struct vuart *u, const uint8_t *buf, unsigned len)
{
    unsigned taken = 0;

    if (u->mcr & MCR_LOOP)
        return 0;
    for (unsigned i = 0; i < len; i++) {
        bool room = vuart_rx_room(u) != 0;

        receive_byte(u, buf[i]);
        taken += room;
    }
    update_irq(u);
    return taken;
}

static uint8_t read_rbr(struct vuart *u)
{
    uint8_t byte;

    if (!fifo_on(u)) {
        u->rbr_full = false;
        return u->rbr;                  /* an empty holding register repeats its last byte */
    }
    if (u->rx_count == 0)
        return 0;
    byte = u->rx_fifo[u->rx_head];
    u->rx_head = (uint8_t)((u->rx_head + 1) % VUART_FIFO_SIZE);
    u->rx_count--;
    return byte;
}

static uint8_t read_iir(struct vuart *u)
{
    uint8_t source = pending_source(u);

    if (source == IIR_THRI)
        u->thr_ipending = false;        /* reading IIR acknowledges THR empty */
    return (fifo_on(u) ? IIR_FIFO_ON : 0) | source;
}

static uint8_t read_lsr(struct vuart *u)
{
    uint8_t lsr = LSR_THRE | LSR_TEMT | u->lsr_errors | (data_ready(u) ? LSR_DR : 0);

    u->lsr_errors = 0;                  /* reading LSR clears OE */
    return lsr;
}

static uint8_t read_msr(struct vuart *u)
{
    uint8_t msr = modem_lines(u) | u->msr_delta;

    u->msr_delta = 0;
    return msr;
}

uint8_t vuart_io_read(struct vuart *u, unsigned reg)
{
    bool dlab = u->lcr & LCR_DLAB;
    uint8_t val;

    switch (reg) {
    case UART_RBR_THR: val = dlab ? (uint8_t)u->divisor : read_rbr(u); break;
    case UART_IER:     val = dlab ? (uint8_t)(u->divisor >> 8) : u->ier; break;
    case UART_IIR_FCR: val = read_iir(u); break;
    case UART_LCR:     return u->lcr;
    case UART_MCR:     return u->mcr;
    case UART_LSR:     val = read_lsr(u); break;
    case UART_MSR:     val = read_msr(u); break;
    default:           return u->scr;
    }
    update_irq(u);
    return val;
}

static void write_thr(struct vuart *u, uint8_t val)
{
    /* THR fills and empties at once: the THRE interrupt drops and rises
     * again, an edge for an edge-triggered PIC as on hardware. */
    u->thr_ipending = false;
    update_irq(u);
    if (u->mcr & MCR_LOOP)
        receive_byte(u, val);           /* the output is wired to the input */
    else if (u->tx)
        u->tx(u->opaque, val);
    u->thr_ipending = true;
}

static void write_ier(struct vuart *u, uint8_t val)
{
    uint8_t changed = (u->ier ^ val) & IER_MASK;

    u->ier = val & IER_MASK;
    /* Enabling THRI while THR is empty raises it (QEMU, relied on by Windows). */
    if (changed & IER_THRI)
        u->thr_ipending = u->ier & IER_THRI;
}

static void write_fcr(struct vuart *u, uint8_t val)
{
    if ((val ^ u->fcr) & FCR_FIFO_EN)   /* enabling or disabling flushes both FIFOs */
        val |= FCR_RX_RESET | FCR_TX_RESET;
    if (val & FCR_RX_RESET) {
        u->rx_count = u->rx_head = 0;
        u->rbr_full = false;
    }
    if (val & FCR_TX_RESET)
        u->thr_ipending = true;         /* THR is empty (QEMU sets it likewise) */
    u->fcr = val & FCR_KEPT;
}

static void write_mcr(struct vuart *u, uint8_t val)
{
    uint8_t before = modem_lines(u), after, changed;

    u->mcr = val & MCR_MASK;
    after = modem_lines(u);
    changed = before ^ after;
    /* Delta bits 0, 1, 3 follow CTS, DSR, DCD; TERI is RI's falling edge. */
    u->msr_delta |= (uint8_t)(((changed & (MSR_CTS | MSR_DSR | MSR_DCD)) >> 4) |
                              ((before & ~after & MSR_RI) ? MSR_TERI : 0));
}

void vuart_io_write(struct vuart *u, unsigned reg, uint8_t val)
{
    bool dlab = u->lcr & LCR_DLAB;

    switch (reg) {
    case UART_RBR_THR:
        if (dlab)
            u->divisor = (u->divisor & 0xff00) | val;
        else
            write_thr(u, val);
        break;
    case UART_IER:
        if (dlab)
            u->divisor = (uint16_t)((u->divisor & 0x00ff) | val << 8);
        else
            write_ier(u, val);
        break;
    case UART_IIR_FCR: write_fcr(u, val); break;
    case UART_LCR:     u->lcr = val; break;
    case UART_MCR:     write_mcr(u, val); break;
    case UART_SCR:     u->scr = val; break;
    default:           break;           /* LSR/MSR: read-only */
    }
    update_irq(u);
}
