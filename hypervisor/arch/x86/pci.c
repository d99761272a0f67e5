/*
 * Host PCI configuration access through ports 0xCF8/0xCFC. Only pCPU 0's
 * set-up uses it, before the scheduler starts: no lock.
 */
#include <asm/pci.h>
#include <asm/x86.h>

#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc
#define PCI_COMMAND   0x04
#define PCI_CMD_MEM   0x2
#define PCI_HEADER    0x0c
#define PCI_BAR0      0x10

static uint32_t conf_addr(struct pci_addr a, uint8_t reg)
{
    return 0x80000000u | (uint32_t)a.bus << 16 | (uint32_t)a.dev << 11 |
           (uint32_t)a.fn << 8 | (reg & 0xfc);
}

uint32_t pci_conf_read32(struct pci_addr a, uint8_t reg)
{
    outl(PCI_CONF_ADDR, conf_addr(a, reg));
    return inl(PCI_CONF_DATA);
}

void pci_conf_write32(struct pci_addr a, uint8_t reg, uint32_t v)
{
    outl(PCI_CONF_ADDR, conf_addr(a, reg));
    outl(PCI_CONF_DATA, v);
}

bool pci_find(uint16_t vendor, uint16_t device, struct pci_addr *out)
{
    uint32_t want = (uint32_t)device << 16 | vendor;

    for ( unsigned int bus = 0; bus < 256; bus++ )
        for ( unsigned int dev = 0; dev < 32; dev++ )
            for ( unsigned int fn = 0; fn < 8; fn++ )
            {
                struct pci_addr a = { bus, dev, fn };
                uint32_t id = pci_conf_read32(a, 0);

                if ( (id & 0xffff) == 0xffff )
                {
                    if ( fn == 0 )
                        break;          /* no device here */
                    continue;
                }
                if ( id == want )
                {
                    *out = a;
                    return true;
                }
                /* Functions beyond 0 only on multi-function devices. */
                if ( fn == 0 && !(pci_conf_read32(a, PCI_HEADER) & 0x800000) )
                    break;
            }
    return false;
}

bool pci_mem_bar(struct pci_addr a, unsigned int bar, uint64_t *base,
                 uint64_t *size)
{
    uint8_t reg = PCI_BAR0 + 4 * bar;
    uint32_t cmd = pci_conf_read32(a, PCI_COMMAND);
    uint32_t lo = pci_conf_read32(a, reg), hi = 0, slo, shi = ~0u;
    bool is64 = (lo & 0x6) == 0x4;

    if ( lo & 1 || bar > 5 || (is64 && bar == 5) )
        return false;
    if ( is64 )
        hi = pci_conf_read32(a, reg + 4);

    /* Size it with decoding off, so nothing answers at all-ones meanwhile. */
    pci_conf_write32(a, PCI_COMMAND, cmd & ~PCI_CMD_MEM);
    pci_conf_write32(a, reg, ~0u);
    slo = pci_conf_read32(a, reg);
    pci_conf_write32(a, reg, lo);
    if ( is64 )
    {
        pci_conf_write32(a, reg + 4, ~0u);
        shi = pci_conf_read32(a, reg + 4);
        pci_conf_write32(a, reg + 4, hi);
    }
    pci_conf_write32(a, PCI_COMMAND, cmd | PCI_CMD_MEM);

    *base = ((uint64_t)hi << 32) | (lo & ~0xfu);
    *size = ~(((uint64_t)shi << 32) | (slo & ~0xfu)) + 1;
    if ( !is64 )
        *size &= 0xffffffffu;
    return *base != 0 && *size != 0;
}
