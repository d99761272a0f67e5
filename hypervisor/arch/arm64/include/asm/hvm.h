/* The arm64 part of struct vcpu / struct domain (dbgvisor/domain.h). */
#ifndef ASM_ARM64_HVM_H
#define ASM_ARM64_HVM_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/el1_context.h>
#include <asm/fpsimd.h>
#include <asm/pmu.h>
#include <asm/vpl011.h>
#include <asm/vgic.h>
#include <asm/vgic_dist.h>
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
    uint64_t block_deadline;    /* while BLOCKED: wake at this physical count */
    struct el1_context el1;     /* EL1 system registers while off its pCPU */
    struct fp_context fp;       /* FP/SIMD, SVE, SME while off its pCPU */
    struct pmu_context pmu;     /* performance monitors while off its pCPU (pmu.c) */
    /* PSCI CPU_OFF/CPU_ON through the scheduler's INIT/SIPI protocol
     * (schedule.c names them after x86's signals). */
    bool init_pending, sipi_latched, wait_for_sipi;
    uint8_t sipi_vector;
    uint64_t psci_entry, psci_context;  /* CPU_ON's entry point and context ID */
    /* vdebug.c: instructions stepped hidden from the guest where its own debug
     * state disables what the host's TDE made fire: a breakpoint or watchpoint of
     * its own (stepped over with the pair disarmed), or its own MDSCR_EL1.SS. */
    struct vdebug_skip {
        uint32_t slots;         /* hardware pairs disarmed for one instruction */
        bool     armed;         /* the last entry carried the skip */
        bool     step_exit;     /* ... and ended with its own step exception */
        bool     stepping;      /* a hidden step of the guest's own SS is under way */
        bool     guest_ss;      /* the guest's PSTATE.SS before the hidden step */
        uint64_t from_pc;       /* ... and its PC */
        uint64_t mdscr;         /* MDSCR_EL1 before the skip, put back after it */
    } dbg_skip;
    /* vdebug.c: a host breakpoint traced from boot (hostbp=): each hit is reported
     * and stepped over with the host's hidden single-step. */
    struct vdebug_trace {
        uint64_t addr;          /* 0: none */
        bool     stepping;      /* stepping over it, the breakpoint out */
        uint64_t hits;
    } dbg_trace;
};

struct arch_domain {
    uint64_t s2_root_pa;        /* stage-2 level-1 table (VTTBR_EL2.BADDR) */
    uint64_t ram_ipa;           /* guest RAM starts here (QEMU virt: 0x40000000) */
    struct vpl011 uart;
    uint64_t cntvoff;           /* CNTVOFF_EL2: the virtual counter's zero */
    struct vgic_dist gicd;      /* its GIC distributor and SPIs (vgic_dist.c) */
    spinlock_t gicd_lock;       /* vCPUs' and devices' accesses to it (vgic.c) */
};

#endif
