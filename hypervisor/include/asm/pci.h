/* Host PCI configuration space (mechanism #1), for devices the hypervisor
 * itself uses (the ivshmem control region). */
#ifndef ASM_PCI_H
#define ASM_PCI_H

#include <stdbool.h>
#include <stdint.h>

struct pci_addr {
    uint8_t bus, dev, fn;
};

uint32_t pci_conf_read32(struct pci_addr a, uint8_t reg);
void pci_conf_write32(struct pci_addr a, uint8_t reg, uint32_t v);
/* The first function on any bus with this vendor/device id. */
bool pci_find(uint16_t vendor, uint16_t device, struct pci_addr *out);
/* A memory BAR as the firmware assigned it: base and size (sized by the
 * all-ones probe with decoding off), memory decoding enabled. false if the
 * BAR is an I/O BAR, unassigned or empty. */
bool pci_mem_bar(struct pci_addr a, unsigned int bar, uint64_t *base,
                 uint64_t *size);

#endif
