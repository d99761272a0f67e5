/* Per-vCPU MSR state that lives neither in the VMCB nor elsewhere (msr.c). */
#ifndef ASM_HVM_MSR_H
#define ASM_HVM_MSR_H

#include <stdint.h>

#define HVM_MTRR_VCNT    8      /* variable-range pairs offered in MTRRcap */
#define HVM_MTRR_NFIXED  11     /* fixed-range MSRs 0x250, 0x258-0x259, 0x268-0x26F */

struct hvm_msr_state {
    uint64_t tsc_offset;        /* guest TSC = host TSC + offset; survives INIT */
    uint64_t tsc_adjust;        /* IA32_TSC_ADJUST, moved with every TSC write */
    uint64_t misc_enable;
    uint64_t tsc_aux;           /* loaded into the real MSR for RDTSCP/RDPID */
    uint64_t debugctl;          /* stored and reported; LBR/BTF have no effect */
    uint64_t apic_base;         /* IA32_APIC_BASE[51:12]: where this vCPU's xAPIC page is */
    uint64_t mtrr_def_type;
    uint64_t mtrr_fixed[HVM_MTRR_NFIXED];
    uint64_t mtrr_var[2 * HVM_MTRR_VCNT];   /* base0, mask0, base1, ... */
    uint64_t kvm_system_time;   /* MSR_KVM_SYSTEM_TIME_NEW as written (pvclock.c) */
};

/* A group of MSRs answers for an MSR it knows, or MSR_UNKNOWN from the number
 * alone (msr.c remembers which group knows which MSR). */
enum msr_result { MSR_OK = 0, MSR_GP = -1, MSR_UNKNOWN = 1 };

struct vcpu;
/* Power-up values; INIT leaves these MSRs alone (SDM table 9-1). */
void hvm_msr_reset(struct vcpu *v);
/* Into the CPU when the vCPU is put on a pCPU, and after an emulated write:
 * MSRs the guest reads without an exit (TSC_AUX via RDPID, and RDTSCP,
 * whose intercept QEMU TCG does not honour). */
void hvm_msr_load_guest(struct vcpu *v);

#endif
