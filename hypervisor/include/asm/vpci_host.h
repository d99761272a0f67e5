/*
 * PCI configuration mechanism #1 (0xCF8 CONFIG_ADDRESS as a dword,
 * 0xCFC-0xCFF CONFIG_DATA) of a host bridge modelled on QEMU's i440FX
 * (82441FX PMC, 8086:1237): bus 0 device 0 function 0 is the bridge
 * itself, with read-only IDs, a command register whose implemented bits
 * are writable, no BARs and no interrupt; every other function of every
 * bus reads as absent (all-ones) and drops writes. Also the chipset's
 * reset control register at 0xCF9 (PIIX/ICH). Self-contained: the owner
 * passes port accesses in and is told of a reset request through a callback.
 */
#ifndef ASM_VPCI_HOST_H
#define ASM_VPCI_HOST_H

#include <stdbool.h>
#include <stdint.h>

#define VPCI_HOST_PORT_ADDR  0xCF8
#define VPCI_HOST_PORT_RCR   0xCF9
#define VPCI_HOST_PORT_DATA  0xCFC
#define VPCI_HOST_PORTS      8

/* What the bridge answers to (PCI 3.0 type 0 header, QEMU's values). */
#define VPCI_HOST_VENDOR     0x8086      /* Intel */
#define VPCI_HOST_DEVICE     0x1237      /* 82441FX PMC (440FX) */
#define VPCI_HOST_REVISION   0x02
#define VPCI_HOST_CLASS      0x060000    /* bridge, host bridge, no programming interface */
#define VPCI_HOST_SUBVENDOR  0x1af4      /* QEMU's default subsystem IDs */
#define VPCI_HOST_SUBSYSTEM  0x1100
#define VPCI_CONFIG_SIZE     256

typedef void (*vpci_host_reset_fn)(void *opaque);

struct vpci_host {
    uint32_t config_address;
    uint8_t rcr;                        /* reset control: bit 1 (full reset) as written */
    uint8_t bridge[VPCI_CONFIG_SIZE];   /* 00:00.0's configuration space */
    vpci_host_reset_fn reset;
    void *opaque;
};

void vpci_host_init(struct vpci_host *h, vpci_host_reset_fn reset, void *opaque);
/* Accesses of 1, 2 or 4 bytes; false if the ports are not the bridge's. */
bool vpci_host_io_read(struct vpci_host *h, uint16_t port, unsigned size, uint32_t *val);
bool vpci_host_io_write(struct vpci_host *h, uint16_t port, unsigned size, uint32_t val);

#endif
