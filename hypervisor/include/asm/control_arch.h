/* What the control backend (common/control_backend*.c) asks of x86. */
#ifndef ASM_CONTROL_ARCH_H
#define ASM_CONTROL_ARCH_H

#include <asm/hvm_irq.h>
#include <asm/svm_vcpu.h>
#include <dbgvisor/control.h>

#define ARCH_CTL_CAPS  (DBGV_CAP_HVM | DBGV_CAP_HAP)
#define ARCH_CTL_EXTRA "svm npt"

/* The vCPU's instruction pointer (xl vcpu-list). */
static inline uint64_t arch_ctl_vcpu_pc(const struct vcpu *v)
{
    return svm_vcpu_rip(v);
}

/* VCPU_SET_REGS on a stopped vCPU (the toolstack's domain builder): 0 or
 * -DBGV_EINVAL for a mode of another architecture. */
static inline int arch_ctl_vcpu_set_regs(struct vcpu *v, const struct dbgv_ctl_vcpu_regs *r)
{
    if (r->mode == DBGV_VCPU_MODE_ARM64_LINUX)
        return -DBGV_EINVAL;
    svm_vcpu_set_regs(v, r);
    return 0;
}

/* xl.cfg's timer_mode (the server checked the range) as the vPIT's
 * reinjection of missed ticks; true: applied. */
static inline bool arch_ctl_set_timer_mode(struct domain *d, uint8_t mode)
{
    hvm_irq_set_timer_mode(d, (enum dbgv_timer_mode)mode);
    return true;
}

#endif
