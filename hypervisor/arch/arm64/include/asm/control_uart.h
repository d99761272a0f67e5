/* arm64's control channel transport: QEMU virt's second non-secure PL011
 * (present when QEMU is given a second -serial; the launcher backs it with a
 * unix socket). arch/arm64/control_channel.c */
#ifndef ASM_ARM64_CONTROL_UART_H
#define ASM_ARM64_CONTROL_UART_H

#include <stdbool.h>

/* Finds the PL011 the DTB's alias serial1 names (not the console); true if
 * there is one. A domain's device tree (dtb_build.c) never names it: the
 * domain has no such device (its IPA is unbacked). */
bool control_uart_probe(const void *dtb);

#endif
