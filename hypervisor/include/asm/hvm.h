/* x86 (SVM) parts of a vCPU and of a domain. */
#ifndef ASM_HVM_H
#define ASM_HVM_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/hvm_msr.h>
#include <asm/vlapic.h>

enum x86_gpr {
    GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
    GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
};

struct vmcb;

struct arch_vcpu {
    /* Indexed by x86 register number; RAX and RSP live in the VMCB while
     * the guest runs and are copied here around each exit (svm_sync_*). */
    uint64_t gpr[16];
    struct vmcb *vmcb;
    uint64_t vmcb_pa;
    uint32_t asid;
    bool flush_tlb;
    struct vlapic vlapic;
    struct hvm_msr_state msr;
    /* AP start-up: INIT parks the vCPU, SIPI starts it at vector << 12. */
    bool wait_for_sipi;
    /* Set when an emulated instruction completed while the guest had TF set:
     * the hardware will not raise its single-step trap, so we inject it. */
    bool step_after_emulation;
};

struct arch_domain {
    uint64_t npt_root_pa;       /* nested page table PML4 */
    uint16_t fw_cfg_selector;
    uint32_t fw_cfg_offset;
};

#endif
