/* The arm64 part of struct vcpu / struct domain (dbgvisor/domain.h). */
#ifndef ASM_ARM64_HVM_H
#define ASM_ARM64_HVM_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/vpl011.h>
#include <asm/vgic.h>
#include <asm/vtimer.h>

/* Guest general registers and return state, saved by the EL2 vectors (entry.S:
 * the offsets there follow this layout). */
struct guest_regs {
    uint64_t x[31];
    uint64_t elr;       /* guest PC */
    uint64_t spsr;      /* guest PSTATE */
};

struct arch_vcpu {
    struct guest_regs regs;
    uint64_t esr, far, hpfar;   /* syndrome of the last exit */
    struct vtimer vtimer;       /* its virtual timer while blocked (vtimer.c) */
    struct vgic_cpu vgic;       /* its redistributor's SGI/PPI state (vgic.c) */
    uint64_t wfi_blocks;        /* WFIs that slept (vcpu_block.c) */
};

struct arch_domain {
    uint64_t s2_root_pa;        /* stage-2 level-1 table (VTTBR_EL2.BADDR) */
    uint64_t ram_ipa;           /* guest RAM starts here (QEMU virt: 0x40000000) */
    struct vpl011 uart;
    uint64_t cntvoff;           /* CNTVOFF_EL2: the virtual counter's zero */
    uint32_t gicd_ctlr;         /* the distributor's group enables (vgic.c) */
};

#endif
