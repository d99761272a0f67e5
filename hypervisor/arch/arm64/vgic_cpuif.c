/*
 * GICv3 CPU interface at EL1. HCR_EL2.IMO/FMO make the guest's ICC_* accesses
 * go to the virtual interface (ICV_*, state in ICH_VMCR_EL2), so a domain
 * never reaches the physical GIC; what still traps to EL2 is SGI generation
 * (ICC_SGI0R/SGI1R/ASGI1R_EL1). ICC_SGI1R_EL1 (group 1, the one a
 * non-secure OS uses) goes to the target vCPUs through vgic.c; the group-0
 * and alternate-group forms are accepted and dropped (docs/arm64.md).
 */
#include <asm/vgic.h>
#include <asm/vgic_cpuif.h>

bool vgic_cpuif_access(struct vcpu *v, struct sysreg_access *a)
{
    if (a->op0 != 3 || !a->write)
        return false;           /* the SGI registers are write-only */
    switch (SYSREG_ENC(a->op1, a->crn, a->crm, a->op2)) {
    case SYSREG_ENC(0, 12, 11, 5):     /* ICC_SGI1R_EL1 */
        vgic_send_sgi(v, a->value);
        return true;
    case SYSREG_ENC(1, 12, 11, 6):     /* ICC_ASGI1R_EL1 */
    case SYSREG_ENC(2, 12, 11, 7):     /* ICC_SGI0R_EL1 */
        return true;
    default:
        return false;
    }
}
