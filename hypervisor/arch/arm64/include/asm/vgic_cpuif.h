/* The guest's GICv3 CPU interface system registers that trap to EL2. */
#ifndef ASM_ARM64_VGIC_CPUIF_H
#define ASM_ARM64_VGIC_CPUIF_H

#include <stdbool.h>
#include <asm/sysreg.h>

struct vcpu;
/* Emulate a trapped GIC CPU-interface register; false if a is not one. */
bool vgic_cpuif_access(struct vcpu *v, struct sysreg_access *a);

#endif
