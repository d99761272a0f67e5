/* PL011 ports the hypervisor owns: polled transmit and receive. */
#include <stdint.h>
#include <asm/cpu_relax.h>
#include <asm/uart.h>
#include <dbgvisor/time.h>

#define PL011_DR    0x00
#define PL011_FR    0x18
#define PL011_LCR_H 0x2c
#define PL011_CR    0x30
#define PL011_IMSC  0x38
#define IMSC_RXIM   (1U << 4)
#define IMSC_RTIM   (1U << 6)
#define FR_RXFE     (1U << 4)
#define FR_TXFF     (1U << 5)
#define LCR_H_FEN   (1U << 4)
#define LCR_H_WLEN8 (3U << 5)
#define CR_UARTEN   (1U << 0)
#define CR_TXE      (1U << 8)
#define CR_RXE      (1U << 9)

static volatile uint8_t *ports[2] = { (volatile uint8_t *)0x09000000UL, 0 };

static inline volatile uint32_t *reg(uint16_t port, unsigned off)
{
    return (volatile uint32_t *)(ports[port] + off);
}

void uart_init(uint16_t port, uint64_t base)
{
    if (port >= 2)
        return;
    ports[port] = (volatile uint8_t *)base;
    if (port == UART_COM1)
        return;             /* the console as the firmware left it */
    /* 8N1 with the FIFOs on, no interrupts (polled), receiver enabled. */
    *reg(port, PL011_CR) = 0;
    *reg(port, PL011_IMSC) = 0;
    *reg(port, PL011_LCR_H) = LCR_H_WLEN8 | LCR_H_FEN;
    *reg(port, PL011_CR) = CR_UARTEN | CR_TXE | CR_RXE;
}

void uart_putc(uint16_t port, char c)
{
    if (port >= 2 || !ports[port])
        return;
    while (*reg(port, PL011_FR) & FR_TXFF)
        cpu_relax();
    *reg(port, PL011_DR) = (uint8_t)c;
}

bool uart_write_bounded(uint16_t port, const void *buf, size_t len, uint64_t timeout_ns)
{
    const uint8_t *p = buf;

    if (port >= 2 || !ports[port])
        return false;
    while (len--) {
        if (*reg(port, PL011_FR) & FR_TXFF) {
            uint64_t until = now_ns() + timeout_ns;
            while (*reg(port, PL011_FR) & FR_TXFF)
                if (now_ns() >= until)
                    return false;
        }
        *reg(port, PL011_DR) = *p++;
    }
    return true;
}

bool uart_rx_ready(uint16_t port)
{
    return port < 2 && ports[port] && !(*reg(port, PL011_FR) & FR_RXFE);
}

int uart_getc(uint16_t port)
{
    if (!uart_rx_ready(port))
        return -1;
    return (int)(*reg(port, PL011_DR) & 0xff);
}

void uart_rx_irq(uint16_t port, bool on)
{
    if (port < 2 && ports[port])
        *reg(port, PL011_IMSC) = on ? IMSC_RXIM | IMSC_RTIM : 0;
}
