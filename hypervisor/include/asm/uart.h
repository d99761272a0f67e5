/* 16550 UART driver for the physical serial ports the hypervisor owns. */
#ifndef ASM_UART_H
#define ASM_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UART_COM1 0x3F8   /* console */
#define UART_COM2 0x2F8   /* control channel (a unix socket on the host) */
#define UART_COM2_IRQ 3

void uart_init(uint16_t base);
/* Interrupt when received data is available (the line is ISA IRQ 3/4). */
void uart_enable_rx_irq(uint16_t base);
void uart_putc(uint16_t base, char c);
void uart_write(uint16_t base, const void *buf, size_t len);
/* Non-blocking read: returns -1 when no byte is waiting. */
int uart_getc(uint16_t base);

#endif
