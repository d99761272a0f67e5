/*
 * PCI host bridge (see asm/vpci_host.h). Access rules as QEMU's
 * i440FX/PIIX3 (the platform bare QEMU gives our test guests):
 * CONFIG_ADDRESS is only a dword at 0xCF8 (other widths there read
 * all-ones and are dropped), 0xCF9 is the byte-wide reset control
 * register: writing bit 2 (reset CPU) resets, bit 1 is kept. CONFIG_DATA
 * reaches the register CONFIG_ADDRESS names, plus the byte offset of the
 * data port used; with the enable bit clear it reads all-ones.
 *
 * Linux needs the bridge: its type-1 probe accepts mechanism #1 only when
 * a function on bus 0 reads as a host bridge or VGA (pci_sanity_check).
 */
#include <asm/vpci_host.h>
#include <dbgvisor/lib.h>

#define ADDR_WRITABLE  0x80fffffcu          /* enable, bus, device, function, register */
#define ADDR_ENABLE    0x80000000u
#define ADDR_FUNCTION  0x00ffff00u          /* bus, device, function */
#define ADDR_REGISTER  0x000000fcu
#define RCR_FULL_RESET (1u << 1)
#define RCR_RESET_CPU  (1u << 2)

/* Type 0 header offsets (PCI Local Bus 3.0, 6.1). */
#define CFG_VENDOR     0x00
#define CFG_DEVICE     0x02
#define CFG_COMMAND    0x04
#define CFG_REVISION   0x08
#define CFG_CLASS      0x09                 /* programming interface, subclass, class */
#define CFG_CACHE_LINE 0x0c
#define CFG_LATENCY    0x0d
#define CFG_SUBVENDOR  0x2c
#define CFG_SUBSYSTEM  0x2e
#define CFG_IRQ_LINE   0x3c

/* Command bits a host bridge implements (I/O and memory decode, bus
 * master, parity and SERR# response, INTx disable); the rest are reserved
 * or meaningless here and read 0 (QEMU's write mask). */
#define COMMAND_WRITABLE 0x0547u

static void put16(uint8_t *cfg, unsigned off, uint16_t v)
{
    cfg[off] = (uint8_t)v;
    cfg[off + 1] = (uint8_t)(v >> 8);
}

/* Which bits of each byte a write may change: the command register, cache
 * line size, latency timer and interrupt line; IDs, class, header type,
 * BARs (none: they read 0 whatever is written, so sizing finds nothing),
 * status (no error ever latched) and the chipset registers above 0x40
 * (PAM, SMRAM: not modelled) are read-only. */
static uint8_t write_mask(unsigned off)
{
    switch (off) {
    case CFG_COMMAND:     return (uint8_t)COMMAND_WRITABLE;
    case CFG_COMMAND + 1: return (uint8_t)(COMMAND_WRITABLE >> 8);
    case CFG_CACHE_LINE:
    case CFG_LATENCY:
    case CFG_IRQ_LINE:    return 0xff;
    default:              return 0;
    }
}

void vpci_host_init(struct vpci_host *h, vpci_host_reset_fn reset, void *opaque)
{
    memset(h, 0, sizeof(*h));
    h->reset = reset;
    h->opaque = opaque;
    put16(h->bridge, CFG_VENDOR, VPCI_HOST_VENDOR);
    put16(h->bridge, CFG_DEVICE, VPCI_HOST_DEVICE);
    h->bridge[CFG_REVISION] = VPCI_HOST_REVISION;
    h->bridge[CFG_CLASS] = (uint8_t)VPCI_HOST_CLASS;
    h->bridge[CFG_CLASS + 1] = (uint8_t)(VPCI_HOST_CLASS >> 8);
    h->bridge[CFG_CLASS + 2] = (uint8_t)(VPCI_HOST_CLASS >> 16);
    put16(h->bridge, CFG_SUBVENDOR, VPCI_HOST_SUBVENDOR);
    put16(h->bridge, CFG_SUBSYSTEM, VPCI_HOST_SUBSYSTEM);
    /* Header type 0, single function; interrupt pin 0: none. */
}

static bool claimed(uint16_t port, unsigned size)
{
    return port >= VPCI_HOST_PORT_ADDR && port + size <= VPCI_HOST_PORT_ADDR + VPCI_HOST_PORTS;
}

static bool is_data_port(uint16_t port)
{
    return port >= VPCI_HOST_PORT_DATA;
}

/* The bridge's configuration space when CONFIG_ADDRESS selects it (bus 0,
 * device 0, function 0, enabled); NULL means no device answers (master
 * abort: reads all-ones, writes dropped). */
static uint8_t *selected_space(struct vpci_host *h)
{
    if (!(h->config_address & ADDR_ENABLE) || (h->config_address & ADDR_FUNCTION))
        return NULL;
    return h->bridge;
}

static unsigned data_offset(const struct vpci_host *h, uint16_t port)
{
    return (h->config_address & ADDR_REGISTER) + (port - VPCI_HOST_PORT_DATA);
}

bool vpci_host_io_read(struct vpci_host *h, uint16_t port, unsigned size, uint32_t *val)
{
    if (!claimed(port, size))
        return false;
    *val = 0xffffffffu;
    if (port == VPCI_HOST_PORT_ADDR && size == 4) {
        *val = h->config_address;
    } else if (port == VPCI_HOST_PORT_RCR && size == 1) {
        *val = h->rcr;
    } else if (is_data_port(port)) {
        const uint8_t *cfg = selected_space(h);
        unsigned off = data_offset(h, port);

        for (unsigned i = 0; cfg && i < size; i++)
            *val = (*val & ~(0xffu << (8 * i))) | ((uint32_t)cfg[off + i] << (8 * i));
    }
    if (size < 4)
        *val &= (1u << (8 * size)) - 1;
    return true;
}

bool vpci_host_io_write(struct vpci_host *h, uint16_t port, unsigned size, uint32_t val)
{
    if (!claimed(port, size))
        return false;
    if (port == VPCI_HOST_PORT_ADDR && size == 4) {
        h->config_address = val & ADDR_WRITABLE;
    } else if (port == VPCI_HOST_PORT_RCR && size == 1) {
        h->rcr = (uint8_t)(val & RCR_FULL_RESET);
        if ((val & RCR_RESET_CPU) && h->reset)
            h->reset(h->opaque);
    } else if (is_data_port(port)) {
        uint8_t *cfg = selected_space(h);
        unsigned off = data_offset(h, port);

        for (unsigned i = 0; cfg && i < size; i++) {
            uint8_t mask = write_mask(off + i);

            cfg[off + i] = (uint8_t)((cfg[off + i] & ~mask) | ((val >> (8 * i)) & mask));
        }
    }
    return true;
}
