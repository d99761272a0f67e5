/* GICv3 distributor and redistributor registers (ARM IHI 0069, 12.9-12.11),
 * for the physical GIC (gicv3.c) and the domain's emulated one (vgic.c). */
#ifndef ASM_ARM64_GICV3_REGS_H
#define ASM_ARM64_GICV3_REGS_H

/* Distributor */
#define GICD_CTLR         0x0000
#define GICD_TYPER        0x0004
#define GICD_IIDR         0x0008
#define GICD_IGROUPR      0x0080        /* one bit per INTID, 32 per register */
#define GICD_ISENABLER    0x0100
#define GICD_ICENABLER    0x0180
#define GICD_ISPENDR      0x0200
#define GICD_ICPENDR      0x0280
#define GICD_ISACTIVER    0x0300
#define GICD_ICACTIVER    0x0380
#define GICD_IPRIORITYR   0x0400        /* one byte per INTID */
#define GICD_ICFGR        0x0c00        /* two bits per INTID, bit 1 = edge */
#define GICD_IGRPMODR     0x0d00
#define GICD_IROUTER      0x6000        /* 64-bit, one per SPI (n = 32..1019) */
#define GICD_IROUTER_END  0x7fe0
#define GICD_CTLR_GRP0    (1U << 0)
#define GICD_CTLR_GRP1    (1U << 1)     /* one security state (DS = 1) */
#define GICD_CTLR_ARE     (1U << 4)
#define GICD_CTLR_DS      (1U << 6)
#define GICD_CTLR_RWP     (1U << 31)
#define GICD_TYPER_NO1N   (1U << 25)    /* 1 of N SPI routing not supported */
#define GICD_IROUTER_AFF  0xff00ffffffULL   /* Aff3 [39:32], Aff2-Aff0 [23:0] */
/* Redistributor: RD_base */
#define GICR_CTLR         0x0000
#define GICR_IIDR         0x0004
#define GICR_TYPER        0x0008
#define GICR_TYPER_VLPIS  (1ULL << 1)
#define GICR_TYPER_LAST   (1ULL << 4)
#define GICR_WAKER        0x0014
#define WAKER_SLEEP       (1U << 1)     /* ProcessorSleep */
#define WAKER_ASLEEP      (1U << 2)     /* ChildrenAsleep */
/* Redistributor: SGI_base, the second 64 KiB frame */
#define GICR_SGI          0x10000
#define GICR_FRAME        0x20000       /* RD_base + SGI_base */
#define GICR_IGROUPR0     0x0080
#define GICR_ISENABLER0   0x0100
#define GICR_ICENABLER0   0x0180
#define GICR_ISPENDR0     0x0200
#define GICR_ICPENDR0     0x0280
#define GICR_ISACTIVER0   0x0300
#define GICR_ICACTIVER0   0x0380
#define GICR_IPRIORITYR   0x0400
#define GICR_ICFGR0       0x0c00
#define GICR_ICFGR1       0x0c04
#define GICR_IGRPMODR0    0x0d00
/* ICH_LR<n>_EL2: one virtual interrupt of the virtual CPU interface */
#define ICH_LR_PENDING    (1ULL << 62)
#define ICH_LR_ACTIVE     (1ULL << 63)
#define ICH_LR_STATE      (3ULL << 62)
#define ICH_LR_HW         (1ULL << 61)
#define ICH_LR_GROUP1     (1ULL << 60)
#define ICH_LR_EOI        (1ULL << 41)  /* HW = 0: maintenance interrupt at deactivation */
#define ICH_LR_PRIORITY_SHIFT 48
#define ICH_LR_PINTID_SHIFT   32
/* Both: identification */
#define GIC_PIDR2         0xffe8
#define GIC_PIDR2_GICV3   0x3b          /* ArchRev 3 */

#endif
