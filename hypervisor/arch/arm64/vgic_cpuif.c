/*
 * GICv3 CPU interface at EL1. HCR_EL2.IMO/FMO make the guest's ICC_* accesses
 * go to the virtual interface (ICV_*, state in ICH_VMCR_EL2), so a domain
 * never reaches the physical GIC; what still traps to EL2 is SGI generation
 * (ICC_SGI0R/SGI1R/ASGI1R_EL1). A domain has one vCPU and its redistributor
 * (vgic.c) does not model SGIs yet, so the write is accepted and dropped,
 * which is what gic-cpuif-arm64 observes on bare QEMU too, where nothing
 * enabled SGI 1 (docs/arm64.md, "what is next": SGIs between vCPUs).
 */
#include <asm/vgic_cpuif.h>

bool vgic_cpuif_access(struct vcpu *v, struct sysreg_access *a)
{
    if (a->op0 != 3 || !a->write)
        return false;           /* the SGI registers are write-only */
    switch (SYSREG_ENC(a->op1, a->crn, a->crm, a->op2)) {
    case SYSREG_ENC(0, 12, 11, 5):     /* ICC_SGI1R_EL1 */
    case SYSREG_ENC(1, 12, 11, 6):     /* ICC_ASGI1R_EL1 */
    case SYSREG_ENC(2, 12, 11, 7):     /* ICC_SGI0R_EL1 */
        return true;
    default:
        return false;
    }
}
