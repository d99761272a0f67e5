/*
 * The domain's COM1: a 16550A as QEMU models it, so boot code that programs
 * the divisor latch, FIFOs and modem control and polls LSR/IIR sees what it
 * sees natively. Transmitted bytes go to the domain console at once (the
 * transmitter is always empty); nothing is ever received.
 */
#include <asm/hvm_devices.h>
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>

#define UART_RBR_THR 0
#define UART_IER     1
#define UART_IIR_FCR 2
#define UART_LCR     3
#define UART_MCR     4
#define UART_LSR     5
#define UART_MSR     6
#define UART_SCR     7

#define LCR_DLAB       0x80
#define IER_THRI       0x02
#define IER_MASK       0x0f
#define IIR_NO_INT     0x01
#define IIR_THRI       0x02
#define IIR_FIFO_ON    0xc0
#define FCR_FIFO_EN    0x01
#define MCR_LOOP       0x10
#define MCR_OUT2       0x08
#define MCR_MASK       0x1f
#define LSR_THRE_TEMT  0x60
#define MSR_IDLE_LINES 0xb0             /* DCD, DSR, CTS asserted */

void vuart_reset(struct vuart *u)
{
    *u = (struct vuart){ .mcr = MCR_OUT2, .divisor = 0x0c };
}

static uint8_t iir(struct vuart *u)
{
    uint8_t fifo = (u->fcr & FCR_FIFO_EN) ? IIR_FIFO_ON : 0;

    if ((u->ier & IER_THRI) && u->thr_ipending) {
        u->thr_ipending = false;        /* reading IIR acknowledges THRE */
        return fifo | IIR_THRI;
    }
    return fifo | IIR_NO_INT;
}

/* In loopback the modem outputs drive the inputs: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
static uint8_t modem_status(const struct vuart *u)
{
    if (!(u->mcr & MCR_LOOP))
        return MSR_IDLE_LINES;
    return (uint8_t)(((u->mcr & 0x0c) << 4) | ((u->mcr & 0x01) << 5) | ((u->mcr & 0x02) << 3));
}

uint8_t vuart_read(struct vcpu *v, unsigned reg)
{
    struct vuart *u = &v->domain->arch.uart;

    switch (reg) {
    case UART_RBR_THR: return (u->lcr & LCR_DLAB) ? (uint8_t)u->divisor : 0;
    case UART_IER:     return (u->lcr & LCR_DLAB) ? (uint8_t)(u->divisor >> 8) : u->ier;
    case UART_IIR_FCR: return iir(u);
    case UART_LCR:     return u->lcr;
    case UART_MCR:     return u->mcr;
    case UART_LSR:     return LSR_THRE_TEMT;
    case UART_MSR:     return modem_status(u);
    default:           return u->scr;
    }
}

void vuart_write(struct vcpu *v, unsigned reg, uint8_t val)
{
    struct vuart *u = &v->domain->arch.uart;

    switch (reg) {
    case UART_RBR_THR:
        if (u->lcr & LCR_DLAB) {
            u->divisor = (u->divisor & 0xff00) | val;
            break;
        }
        if (!(u->mcr & MCR_LOOP))       /* looped-back bytes go to the (absent) receiver */
            domain_console_putc(v->domain, (char)val);
        u->thr_ipending = true;         /* sent at once: THR is empty again */
        break;
    case UART_IER:
        if (u->lcr & LCR_DLAB) {
            u->divisor = (uint16_t)((u->divisor & 0x00ff) | val << 8);
            break;
        }
        if ((val & IER_THRI) && !(u->ier & IER_THRI))
            u->thr_ipending = true;     /* enabling THRE with THR empty raises it */
        u->ier = val & IER_MASK;
        break;
    case UART_IIR_FCR: u->fcr = val & FCR_FIFO_EN; break;   /* reset bits self-clear */
    case UART_LCR:     u->lcr = val; break;
    case UART_MCR:     u->mcr = val & MCR_MASK; break;
    case UART_SCR:     u->scr = val; break;
    default:           break;                               /* LSR/MSR: read-only */
    }
}
