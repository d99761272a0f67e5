/* Emulated PL011 for a domain: transmit into the domain's console, flags that
 * say "transmit FIFO empty, receive FIFO empty", every other register RAZ/WI. */
#ifndef ASM_ARM64_VPL011_H
#define ASM_ARM64_VPL011_H

#include <stdbool.h>
#include <stdint.h>

#define VPL011_IPA   0x09000000ULL   /* where QEMU virt puts its PL011 */
#define VPL011_SIZE  0x1000ULL

struct vpl011 {
    uint32_t cr, lcr_h, ibrd, fbrd, imsc;   /* programmed values read back */
};

struct domain;
/* offset within the 4 KiB frame; size in bytes. Returns false if the access is not
 * one a PL011 accepts (the caller gives the guest an external abort). */
bool vpl011_read(struct domain *d, uint64_t offset, unsigned size, uint64_t *val);
bool vpl011_write(struct domain *d, uint64_t offset, unsigned size, uint64_t val);

#endif
