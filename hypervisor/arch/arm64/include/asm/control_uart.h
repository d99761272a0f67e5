/* arm64's control channel transport: QEMU virt's second non-secure PL011
 * (present when QEMU is given a second -serial; the launcher backs it with a
 * unix socket). arch/arm64/control_channel.c */
#ifndef ASM_ARM64_CONTROL_UART_H
#define ASM_ARM64_CONTROL_UART_H

#include <stdbool.h>

/* Finds the PL011 the DTB's alias serial1 names (not the console); true if
 * there is one. Call before any domain's device tree is written. */
bool control_uart_probe(const void *dtb);
/* Removes that PL011 and its alias from a domain's device tree: the
 * domain has no such device (its IPA is unbacked). */
void control_uart_hide(void *domain_dtb);

#endif
