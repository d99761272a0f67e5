/* Polled 16550 driver: the console and the control channel both use it. */
#include <asm/uart.h>
#include <asm/x86.h>

#define UART_THR 0
#define UART_RBR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_LSR_DR   0x01
#define UART_LSR_THRE 0x20

void uart_init(uint16_t base)
{
    outb(base + UART_IER, 0x00);
    outb(base + UART_LCR, 0x80);     /* DLAB: 115200 baud */
    outb(base + UART_THR, 0x01);
    outb(base + UART_IER, 0x00);
    outb(base + UART_LCR, 0x03);     /* 8N1 */
    /* Enable and clear the FIFOs, trigger level 14: QEMU feeds the receive
     * FIFO only up to the trigger level per I/O-thread pass. */
    outb(base + UART_FCR, 0xC7);
    outb(base + UART_MCR, 0x03);     /* DTR | RTS */
}

void uart_enable_rx_irq(uint16_t base)
{
    outb(base + UART_MCR, 0x0B);     /* DTR | RTS | OUT2: OUT2 gates the IRQ line */
    outb(base + UART_IER, 0x01);     /* received data available */
}

void uart_putc(uint16_t base, char c)
{
    while (!(inb(base + UART_LSR) & UART_LSR_THRE))
        cpu_relax();
    outb(base + UART_THR, (uint8_t)c);
}

void uart_write(uint16_t base, const void *buf, size_t len)
{
    const char *p = buf;
    while (len--)
        uart_putc(base, *p++);
}

int uart_getc(uint16_t base)
{
    if (!(inb(base + UART_LSR) & UART_LSR_DR))
        return -1;
    return inb(base + UART_RBR);
}
