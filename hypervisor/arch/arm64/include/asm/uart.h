/* PL011 driver for the serial port the hypervisor owns (the console).
 * Same interface as the x86 16550 driver so common/console.c builds on both;
 * the port argument names a UART (only the console exists on arm64 today). */
#ifndef ASM_UART_H
#define ASM_UART_H

#include <stddef.h>
#include <stdint.h>

#define UART_COM1 0   /* console */

/* The console PL011's MMIO base (from the DTB; QEMU virt: 0x09000000). */
void uart_init(uint64_t base);
void uart_putc(uint16_t port, char c);

#endif
