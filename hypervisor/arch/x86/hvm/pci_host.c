/*
 * PCI host bridge without devices (see asm/vpci_host.h). Access rules as
 * QEMU's i440FX/PIIX3 (the platform bare QEMU gives our test guests):
 * CONFIG_ADDRESS is only a dword at 0xCF8 (other widths there read
 * all-ones and are dropped), 0xCF9 is the byte-wide reset control
 * register: writing bit 2 (reset CPU) resets, bit 1 is kept.
 */
#include <asm/vpci_host.h>
#include <dbgvisor/lib.h>

#define ADDR_WRITABLE  0x80fffffcu          /* enable, bus, device, function, register */
#define RCR_FULL_RESET (1u << 1)
#define RCR_RESET_CPU  (1u << 2)

void vpci_host_init(struct vpci_host *h, vpci_host_reset_fn reset, void *opaque)
{
    memset(h, 0, sizeof(*h));
    h->reset = reset;
    h->opaque = opaque;
}

static bool claimed(uint16_t port, unsigned size)
{
    return port >= VPCI_HOST_PORT_ADDR && port + size <= VPCI_HOST_PORT_ADDR + VPCI_HOST_PORTS;
}

bool vpci_host_io_read(struct vpci_host *h, uint16_t port, unsigned size, uint32_t *val)
{
    if (!claimed(port, size))
        return false;
    if (port == VPCI_HOST_PORT_ADDR && size == 4)
        *val = h->config_address;
    else if (port == VPCI_HOST_PORT_RCR && size == 1)
        *val = h->rcr;
    else
        *val = 0xffffffffu;                 /* no device answers: master abort */
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
    }
    return true;                            /* configuration data: nobody to take it */
}
