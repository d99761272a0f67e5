/*
 * ID group 3 (ARM DDI 0487 D23.3): the feature ID registers at op0 3, op1 0,
 * CRn 0, CRm 1-7, op2 0-7 (unallocated encodings read as zero). X(crm, op2)
 * once per encoding; shared by the hypervisor (id_regs.c) and the guest that
 * prints them (idregs-arm64), so neither can miss one.
 */
#ifndef ASM_ARM64_ID_GROUP3_H
#define ASM_ARM64_ID_GROUP3_H

#define ID_GROUP3_ROW(X, crm) X(crm, 0) X(crm, 1) X(crm, 2) X(crm, 3) X(crm, 4) X(crm, 5) X(crm, 6) X(crm, 7)
#define ID_GROUP3(X) \
    ID_GROUP3_ROW(X, 1) ID_GROUP3_ROW(X, 2) ID_GROUP3_ROW(X, 3) ID_GROUP3_ROW(X, 4) \
    ID_GROUP3_ROW(X, 5) ID_GROUP3_ROW(X, 6) ID_GROUP3_ROW(X, 7)

#endif
