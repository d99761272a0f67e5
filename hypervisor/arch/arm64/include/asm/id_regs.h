/* The ID registers as a domain reads them (id_regs.c). */
#ifndef ASM_ARM64_ID_REGS_H
#define ASM_ARM64_ID_REGS_H

#include <stdbool.h>
#include <asm/sysreg.h>

struct vcpu;

/* HCR_EL2 bit that makes EL1 reads of ID group 3 exit (EC 0x18). */
#define ID_REGS_HCR HCR_TID3

/* A trapped access to ID group 3 (op0 3, op1 0, CRn 0, CRm 1-7): a read gets
 * the domain's value; false if a is not such an access or is a write (the
 * caller makes it UNDEFINED). */
bool id_regs_access(struct vcpu *v, struct sysreg_access *a);

#endif
