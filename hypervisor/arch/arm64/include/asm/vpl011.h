/* Emulated PL011 for a domain: transmit into the domain's console, receive
 * what the toolstack sends (`xl console`, CONSOLE_WRITE) through the receive
 * FIFO, its interrupts and their line (UARTINTR) to the owner's callback,
 * identification registers, every other register RAZ/WI. */
#ifndef ASM_ARM64_VPL011_H
#define ASM_ARM64_VPL011_H

#include <stdbool.h>
#include <stdint.h>
#include <dbgvisor/spinlock.h>

#define VPL011_IPA   0x09000000ULL   /* where QEMU virt puts its PL011 */
#define VPL011_SIZE  0x1000ULL
#define VPL011_FIFO  32              /* the PL011's receive FIFO depth */
#define VPL011_SPI   1               /* its interrupt, as on QEMU virt: SPI 1 (INTID 33) */

/* UARTINTR changed to level (called with the model's lock held). */
typedef void (*vpl011_irq_fn)(void *opaque, bool level);

struct vpl011 {
    spinlock_t lock;                        /* vCPUs' accesses vs the toolstack's input */
    uint32_t cr, lcr_h, ibrd, fbrd, imsc;   /* programmed values read back */
    uint32_t ifls;                          /* as written; vpl011_init sets the reset value */
    uint8_t rx[VPL011_FIFO];                /* received, not yet read (a ring) */
    uint8_t rx_head, rx_count;
    uint32_t tx_int;                        /* the transmit interrupt, until ICR clears it */
    bool line;                              /* UARTINTR as last told */
    vpl011_irq_fn irq;
    void *irq_opaque;
};

struct domain;
void vpl011_init(struct vpl011 *u, vpl011_irq_fn irq, void *opaque);
/* offset within the 4 KiB frame; size in bytes. Returns false if the access is not
 * one a PL011 accepts (the caller gives the guest an external abort). */
bool vpl011_read(struct domain *d, uint64_t offset, unsigned size, uint64_t *val);
bool vpl011_write(struct domain *d, uint64_t offset, unsigned size, uint64_t val);

#endif
