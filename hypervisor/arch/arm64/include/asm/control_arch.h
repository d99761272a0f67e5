/* What the control backend (common/control_backend*.c) asks of arm64. */
#ifndef ASM_CONTROL_ARCH_H
#define ASM_CONTROL_ARCH_H

#include <dbgvisor/domain.h>
#include <dbgvisor/control.h>

/* Hardware virtualization and stage-2 translation, on AArch64. */
#define ARCH_CTL_CAPS  (DBGV_CAP_HVM | DBGV_CAP_HAP | DBGV_CAP_ARCH_ARM64)
#define ARCH_CTL_EXTRA "el2 stage2"

/* The vCPU's PC (xl vcpu-list's rip column). */
static inline uint64_t arch_ctl_vcpu_pc(const struct vcpu *v)
{
    return v->arch.regs.elr;
}

/* VCPU_SET_REGS on a stopped vCPU (the toolstack's domain builder):
 * DBGV_VCPU_MODE_ARM64_LINUX only. 0, -DBGV_EINVAL or -DBGV_ENOMEM (no room
 * for the device tree). arch/arm64/control_arch.c */
int arch_ctl_vcpu_set_regs(struct vcpu *v, const struct dbgv_ctl_vcpu_regs *r);

/* xl.cfg's timer_mode is about x86's PIT (as in Xen, an HVM option): the
 * arm64 virtual timer has no missed ticks to reinject. Not applied. */
static inline bool arch_ctl_set_timer_mode(struct domain *d, uint8_t mode)
{
    return false;
}

#endif
