/* A domain's GICv3 (vgic.c): its distributor and a redistributor per vCPU,
 * emulated, and virtual interrupts delivered through list registers. */
#ifndef ASM_ARM64_VGIC_H
#define ASM_ARM64_VGIC_H

#include <stdbool.h>
#include <stdint.h>

#define VGICD_IPA       0x08000000ULL   /* where QEMU virt puts them */
#define VGICD_SIZE      0x10000ULL
#define VGICR_IPA       0x080a0000ULL
#define VGICR_FRAME     0x20000ULL      /* per vCPU: RD_base + SGI_base */
#define VGICR_SIZE      (VGICR_FRAME * 8)   /* room for the most vCPUs a domain has */

/* The guest-visible state of the vCPU's SGIs and PPIs (INTIDs 0-31). */
struct vgic_cpu {
    uint32_t enabled, group, icfgr1, grpmod;
    uint8_t priority[32];
    bool asleep;                /* GICR_WAKER.ProcessorSleep */
    uint32_t held;              /* physical interrupts kept active while the
                                   guest cannot take their virtual one */
    /* The virtual CPU interface while the vCPU is off its pCPU (vgic_save). */
    uint64_t lr[16];
    uint64_t vmcr;
    uint64_t ap0r[4], ap1r[4];
    uint32_t phys_active;       /* its PPIs left active in the physical GIC */
    uint32_t sgi_pending;       /* SGIs sent to it, not yet in a list register
                                   (bit n = INTID n; set by any vCPU, atomic) */
    bool spi_sync;              /* sync its SPIs before the next entry (atomic) */
    unsigned spis_held;         /* SPIs in its list registers at the last sync */
};

struct domain;
struct vcpu;
void vgic_vcpu_reset(struct vcpu *v);
/* The vCPU's virtual CPU interface (list registers, VMCR, active priorities)
 * into the hardware and on (ICH_HCR_EL2.En), with the physical PPIs linked to
 * its list registers active again on this pCPU; vgic_save takes it all out
 * and leaves this pCPU's PPIs inactive for the next vCPU. */
void vgic_load(struct vcpu *v);
void vgic_save(struct vcpu *v);
/* A virtual interrupt is pending in the saved list registers (a vCPU off its pCPU). */
bool vgic_saved_pending(const struct vcpu *v);
/* MMIO: offset in the region, 1/4/8 bytes; false gives the guest an external abort. */
bool vgic_dist_access(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val);
bool vgic_redist_access(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val);
/* Physical PPI intid, acknowledged and priority-dropped but still active:
 * becomes the guest's pending virtual interrupt of the same INTID, linked to
 * it (LR.HW), so the guest's deactivation deactivates the physical one. */
void vgic_inject_hw(struct vcpu *v, uint32_t intid);
/* A virtual interrupt is pending in a list register (WFI wakes for it). */
bool vgic_has_pending(void);
/* ICC_SGI1R_EL1 written by v: the SGI to the vCPUs it names (each kicked). */
void vgic_send_sgi(struct vcpu *v, uint64_t sgi1r);
/* An SGI sent to v that it would take (enabled, group on) is waiting. */
bool vgic_sgi_waiting(const struct vcpu *v);
/* Before v enters: its waiting SGIs into free list registers. */
void vgic_flush_sgis(struct vcpu *v);
/* The domain's distributor out of reset (no SPI enabled, pending or routed). */
void vgic_domain_init(struct domain *d);
/* A device's interrupt line into SPI intid (32-63); the vCPUs concerned kicked. */
void vgic_set_spi_level(struct domain *d, uint32_t intid, bool level);
/* v must sync its SPIs with the distributor before it enters (a WFI ends). */
bool vgic_spi_waiting(const struct vcpu *v);
/* Before v enters, if vgic_spi_waiting or its list registers hold an SPI:
 * the SPIs in its list registers and the distributor's brought together
 * (vgic_dist_sync_lrs). */
void vgic_sync_spis(struct vcpu *v);

#endif
