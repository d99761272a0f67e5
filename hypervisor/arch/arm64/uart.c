/* PL011 console: polled transmit. */
#include <stdint.h>
#include <asm/cpu_relax.h>
#include <asm/uart.h>

#define PL011_DR   0x00
#define PL011_FR   0x18
#define FR_TXFF    (1U << 5)

static volatile uint8_t *pl011 = (volatile uint8_t *)0x09000000UL;

void uart_init(uint64_t base)
{
    pl011 = (volatile uint8_t *)base;
}

void uart_putc(uint16_t port, char c)
{
    (void)port;
    while (*(volatile uint32_t *)(pl011 + PL011_FR) & FR_TXFF)
        cpu_relax();
    *(volatile uint32_t *)(pl011 + PL011_DR) = (uint8_t)c;
}
