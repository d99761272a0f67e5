/*
 * PCI configuration mechanism #1 of a host bridge with no devices behind it
 * (0xCF8 CONFIG_ADDRESS as a dword, 0xCFC-0xCFF CONFIG_DATA), and the
 * chipset's reset control register at 0xCF9 (PIIX/ICH). Every function of
 * every bus reads as absent (all-ones, vendor 0xFFFF); data writes are
 * dropped. Self-contained: the owner passes port accesses in and is told of
 * a reset request through a callback.
 */
#ifndef ASM_VPCI_HOST_H
#define ASM_VPCI_HOST_H

#include <stdbool.h>
#include <stdint.h>

#define VPCI_HOST_PORT_ADDR  0xCF8
#define VPCI_HOST_PORT_RCR   0xCF9
#define VPCI_HOST_PORT_DATA  0xCFC
#define VPCI_HOST_PORTS      8

typedef void (*vpci_host_reset_fn)(void *opaque);

struct vpci_host {
    uint32_t config_address;
    uint8_t rcr;                    /* reset control: bit 1 (full reset) as written */
    vpci_host_reset_fn reset;
    void *opaque;
};

void vpci_host_init(struct vpci_host *h, vpci_host_reset_fn reset, void *opaque);
/* Accesses of 1, 2 or 4 bytes; false if the ports are not the bridge's. */
bool vpci_host_io_read(struct vpci_host *h, uint16_t port, unsigned size, uint32_t *val);
bool vpci_host_io_write(struct vpci_host *h, uint16_t port, unsigned size, uint32_t val);

#endif
