/* A domain's GICv3 distributor (vgic_dist.c): its control and identification
 * registers and its shared peripheral interrupts (SPIs), as state plus
 * functions. The owner (vgic.c) serialises calls, passes the guest's
 * accesses and the devices' line levels in, and moves the SPIs between the
 * distributor and a vCPU's list registers with vgic_dist_sync_lrs. */
#ifndef ASM_ARM64_VGIC_DIST_H
#define ASM_ARM64_VGIC_DIST_H

#include <stdbool.h>
#include <stdint.h>

#define VGIC_SPI_FIRST  32
#define VGIC_NR_SPIS    32      /* INTIDs 32-63: GICD_TYPER.ITLinesNumber = 1 */
#define VGIC_IIDR       0x0000043bU     /* GICD/GICR_IIDR: Arm's JEP106 code, product 0 */

/* Bit n of each mask is SPI INTID 32 + n. Zeroed is the reset state. */
struct vgic_dist {
    uint32_t ctlr;              /* EnableGrp0, EnableGrp1 */
    uint32_t enabled, group, edge;  /* ISENABLER, IGROUPR, ICFGR (1: edge-triggered) */
    uint32_t level;             /* the devices' lines */
    uint32_t latch;             /* pending from an edge or ISPENDR, until acknowledged */
    uint32_t active;            /* active, while in no list register */
    uint8_t priority[VGIC_NR_SPIS];
    uint64_t irouter[VGIC_NR_SPIS];
    /* While an SPI is in a list register: whose (vCPU + 1; 0 = none), what it
     * was written with, whether its pending state came from the latch, and
     * the guest's ICPENDR/ICACTIVER since (applied when it comes back). */
    uint8_t holder[VGIC_NR_SPIS];
    uint32_t lr_pending, lr_active, lr_latch, clear_pending, clear_active;
};

/* The distributor frame: offset, 1/4/8 bytes. False: not an access the GIC
 * accepts (the caller gives the guest an external abort). */
bool vgic_dist_mmio(struct vgic_dist *d, uint64_t off, unsigned size, bool write, uint64_t *val);
/* A device's line into SPI intid (32-63; others ignored). */
void vgic_dist_set_level(struct vgic_dist *d, uint32_t intid, bool level);
/* The vCPUs (bit n = vCPU n, of nr_vcpus) an SPI in no list register waits
 * for (pending and forwarded, or active, and routed to them). */
uint32_t vgic_dist_vcpus_waiting(const struct vgic_dist *d, unsigned nr_vcpus);
/* After a change to the distributor: those, and the vCPUs whose list
 * registers hold an SPI (its state may have changed). */
uint32_t vgic_dist_vcpus_to_sync(const struct vgic_dist *d, unsigned nr_vcpus);
/* vCPU vcpu's list registers lr[0..nr_lrs): the SPIs in them come back to
 * the distributor (what the guest acknowledged and deactivated), then those
 * routed to it that are pending and forwarded, or still active there, go into
 * the free ones, highest priority first; a level-sensitive one asks for an
 * EOI maintenance interrupt, so its line is sampled again when the guest
 * deactivates it. Returns how many SPIs its list registers now hold. */
unsigned vgic_dist_sync_lrs(struct vgic_dist *d, unsigned vcpu, uint64_t *lr, unsigned nr_lrs);

#endif
