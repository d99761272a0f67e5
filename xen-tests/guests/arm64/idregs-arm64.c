/*
 * idregs-arm64: the ID registers (ID group 3: op0 3, op1 0, CRn 0, CRm 1-7,
 * AArch64 and AArch32 feature registers) as the guest reads them at EL1.
 * Every one is printed, so test_arm64.sh finds any difference from bare QEMU
 * (`-M virt -cpu max`, no EL2) line for line: a domain runs at EL1 and can
 * never enter EL2, so the registers must not say EL2 is there
 * (ID_AA64PFR0_EL1.EL2, ID_PFR1_EL1.Virtualization), while every feature the
 * guest really has is described as on the bare CPU.
 */
#include "guest.h"
#include <asm/id_group3.h>

#define ID_READ(crm, op2) \
    case (crm) << 3 | (op2): return read_sysreg(s3_0_c0_c##crm##_##op2);

static uint64_t id_reg(unsigned crm, unsigned op2)
{
    switch (crm << 3 | op2) {
    ID_GROUP3(ID_READ)
    default: return 0;
    }
}

int main(void)
{
    unsigned crm, op2;

    for (crm = 1; crm <= 7; crm++)
        for (op2 = 0; op2 < 8; op2++)
            printf("S3_0_C0_C%u_%u %#lx\n", crm, op2, (unsigned long)id_reg(crm, op2));
    report(((id_reg(4, 0) >> 8) & 0xf) == 0, "ID_AA64PFR0_EL1.EL2 is 0: no EL2 for this guest");
    report(((id_reg(1, 1) >> 12) & 0xf) == 0, "ID_PFR1_EL1.Virtualization is 0");
    report(((id_reg(4, 0) >> 4) & 0xf) != 0, "ID_AA64PFR0_EL1.EL1 says EL1 is there (%lu)",
           (unsigned long)((id_reg(4, 0) >> 4) & 0xf));
    return report_summary();
}
