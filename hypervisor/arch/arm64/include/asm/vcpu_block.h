/* WFI of a vCPU (vcpu_block.c). */
#ifndef ASM_ARM64_VCPU_BLOCK_H
#define ASM_ARM64_VCPU_BLOCK_H

#include <stdint.h>

struct vcpu;
/* The vCPU executed WFI (HCR_EL2.TWI): unless a virtual interrupt is pending
 * it becomes BLOCKED until its virtual timer fires, something wakes it, or
 * wake_at (physical count; UINT64_MAX: no limit; WFIT's timeout). */
void vcpu_block(struct vcpu *v, uint64_t wake_at);

#endif
