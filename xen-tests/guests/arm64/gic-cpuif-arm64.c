/*
 * gic-cpuif-arm64: the GICv3 CPU interface system registers at EL1 (run with
 * gic-version=3): ICC_SRE_EL1, the priority mask and group-1 enable read back
 * what was written, and an SGI to itself (ICC_SGI1R_EL1) is accepted. Under
 * dbgvisor these are the virtual interface's (HCR_EL2.IMO/FMO: the guest
 * never reaches the physical GIC) and SGI generation traps to EL2; the record
 * must still be bare QEMU's (test_arm64.sh compares it).
 */
#include "guest.h"

int main(void)
{
    uint64_t gic = (read_sysreg(id_aa64pfr0_el1) >> 24) & 0xf;

    printf("GIC system registers: %s\n", gic ? "yes" : "no");
    if (!gic)
        return report_summary();
    report(read_sysreg(s3_0_c12_c12_5) & 1, "ICC_SRE_EL1.SRE is set");       /* ICC_SRE_EL1 */
    write_sysreg(s3_0_c4_c6_0, 0xf0);                                          /* ICC_PMR_EL1 */
    isb();
    report(read_sysreg(s3_0_c4_c6_0) == 0xf0, "ICC_PMR_EL1 reads back 0xf0");
    write_sysreg(s3_0_c12_c12_7, 1);                                           /* ICC_IGRPEN1_EL1 */
    isb();
    report(read_sysreg(s3_0_c12_c12_7) == 1, "ICC_IGRPEN1_EL1 reads back 1");
    write_sysreg(s3_0_c12_c11_5, 1UL << 24 | 1);   /* ICC_SGI1R_EL1: INTID 1 to affinity 0.0.0, CPU 0 */
    isb();
    report(true, "ICC_SGI1R_EL1 write accepted");
    write_sysreg(s3_0_c12_c12_7, 0);
    write_sysreg(s3_0_c4_c6_0, 0);
    return report_summary();
}
