/*
 * The control backend's arm64 hooks (asm/control_arch.h): a vCPU put in the
 * Linux arm64 boot state by the toolstack's domain builder (xl create of an
 * arm64 Image), with the device tree a boot-time domain gets.
 */
#include <asm/arm64.h>
#include <asm/control_arch.h>
#include <dbgvisor/domain.h>

int arch_ctl_vcpu_set_regs(struct vcpu *v, const struct dbgv_ctl_vcpu_regs *r)
{
    uint64_t dtb_ipa;

    if (r->mode != DBGV_VCPU_MODE_ARM64_LINUX || r->mask != DBGV_REG_RIP)
        return -DBGV_EINVAL;
    if (arm64_domain_dtb(v->domain, &dtb_ipa) < 0)
        return -DBGV_ENOMEM;
    arm64_vcpu_reset(v, r->rip, dtb_ipa);
    return 0;
}
