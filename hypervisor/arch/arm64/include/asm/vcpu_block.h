/* WFI of a vCPU (vcpu_block.c). */
#ifndef ASM_ARM64_VCPU_BLOCK_H
#define ASM_ARM64_VCPU_BLOCK_H

#include <stdint.h>

struct vcpu;
/* The vCPU executed WFI (HCR_EL2.TWI): return when it has something to wake
 * for, its virtual timer firing or a pending virtual interrupt, or at
 * wake_at (physical count; UINT64_MAX: no limit; WFIT's timeout). */
void vcpu_block(struct vcpu *v, uint64_t wake_at);

#endif
