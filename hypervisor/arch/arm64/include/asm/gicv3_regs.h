/* GICv3 distributor and redistributor registers (ARM IHI 0069, 12.9-12.11),
 * for the physical GIC (gicv3.c) and the domain's emulated one (vgic.c). */
#ifndef ASM_ARM64_GICV3_REGS_H
#define ASM_ARM64_GICV3_REGS_H

/* Distributor */
#define GICD_CTLR         0x0000
#define GICD_TYPER        0x0004
#define GICD_IIDR         0x0008
#define GICD_IROUTER      0x6000        /* 64-bit, one per SPI (n = 32..1019) */
#define GICD_IROUTER_END  0x7fe0
#define GICD_CTLR_GRP0    (1U << 0)
#define GICD_CTLR_GRP1    (1U << 1)     /* one security state (DS = 1) */
#define GICD_CTLR_ARE     (1U << 4)
#define GICD_CTLR_DS      (1U << 6)
#define GICD_CTLR_RWP     (1U << 31)
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
/* Both: identification */
#define GIC_PIDR2         0xffe8

#endif
