/*
 * The ID registers a domain reads (ID group 3: op0 3, op1 0, CRn 0, CRm 1-7,
 * ARM DDI 0487 D23.3). HCR_EL2.TID3 makes its reads exit, and each gets the
 * hardware's value, as read at EL2, with what a domain does not have taken
 * out: it runs at EL1 and cannot enter EL2, so ID_AA64PFR0_EL1.EL2 and the
 * AArch32 ID_PFR1_EL1.Virtualization field read 0, as on a CPU without EL2
 * (QEMU virt without virtualization=on: `idregs-arm64` compares every
 * register of the group with it). Everything else is the hardware's: the
 * debug core, the PMU and the other per-vCPU state give the guest what these
 * registers describe.
 */
#include <dbgvisor/domain.h>
#include <asm/id_group3.h>
#include <asm/id_regs.h>
#include <asm/sysreg.h>

#define PFR0_EL2_MASK        (0xfULL << 8)     /* ID_AA64PFR0_EL1.EL2 */
#define PFR1_VIRT_MASK       (0xfULL << 12)    /* ID_PFR1_EL1.Virtualization */

/* The group's register at (crm, op2), read at EL2. */
#define ID_CASE(crm, op2) \
    case (crm) << 3 | (op2): return read_sysreg(s3_0_c0_c##crm##_##op2);

static uint64_t hardware_id(unsigned crm, unsigned op2)
{
    switch (crm << 3 | op2) {
    ID_GROUP3(ID_CASE)
    default: return 0;
    }
}

bool id_regs_access(struct vcpu *v, struct sysreg_access *a)
{
    if (a->op0 != 3 || a->op1 != 0 || a->crn != 0 || a->crm < 1 || a->crm > 7 || a->write)
        return false;
    a->value = hardware_id(a->crm, a->op2);
    if (a->crm == 4 && a->op2 == 0)
        a->value &= ~PFR0_EL2_MASK;
    else if (a->crm == 1 && a->op2 == 1)
        a->value &= ~PFR1_VIRT_MASK;
    return true;
}
