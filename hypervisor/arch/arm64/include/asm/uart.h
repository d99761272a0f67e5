/* PL011 driver for the serial ports the hypervisor owns: the console and,
 * when QEMU gives a second one (a second -serial), the control channel.
 * Same interface as the x86 16550 driver so common/console.c builds on both;
 * the port argument names a UART. */
#ifndef ASM_UART_H
#define ASM_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UART_COM1 0   /* console */
#define UART_CTL  1   /* control channel (a unix socket on the host) */

/* The PL011 behind port, at its MMIO base from the DTB (QEMU virt: console
 * 0x09000000, the second 0x09040000); enables its transmitter and receiver. */
void uart_init(uint16_t port, uint64_t base);
void uart_putc(uint16_t port, char c);
/* At most timeout_ns waiting for room per byte: a peer that stops reading
 * must not stall the caller. false if bytes were dropped. */
bool uart_write_bounded(uint16_t port, const void *buf, size_t len, uint64_t timeout_ns);
bool uart_rx_ready(uint16_t port);
/* The receive and receive-timeout interrupts on or off (IMSC): the line is
 * level-sensitive, so its handler turns them off until the bytes are read. */
void uart_rx_irq(uint16_t port, bool on);
/* Non-blocking read: returns -1 when no byte is waiting. */
int uart_getc(uint16_t port);

#endif
