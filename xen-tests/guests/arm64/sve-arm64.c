/*
 * sve-arm64: the FP/SIMD, SVE and SME the CPU offers at EL1, as bare QEMU
 * gives them: enable them (CPACR_EL1), ask for the longest vector (ZCR_EL1,
 * SMCR_EL1) and read the lengths back (RDVL, RDSVL), and run an SVE and an FP
 * instruction. A hypervisor that traps them (CPTR_EL2) or caps the lengths
 * (ZCR_EL2, SMCR_EL2) changes this record (test_arm64.sh compares it).
 */
#include "guest.h"

#define CPACR_FPEN  (3UL << 20)
#define CPACR_ZEN   (3UL << 16)
#define CPACR_SMEN  (3UL << 24)

int main(void)
{
    uint64_t pfr0 = read_sysreg(id_aa64pfr0_el1), pfr1 = read_sysreg(id_aa64pfr1_el1);
    unsigned sve = (pfr0 >> 32) & 0xf, sme = (pfr1 >> 24) & 0xf;
    uint64_t vl = 0, svl = 0, sum = 0;

    write_sysreg(cpacr_el1, CPACR_FPEN | CPACR_ZEN | CPACR_SMEN);
    isb();
    printf("SVE %u SME %u\n", sve, sme);
    __asm__ volatile("fmov d0, #1.0\n fadd d0, d0, d0\n fmov %0, d0" : "=r"(sum) : : "v0");
    report(sum == 0x4000000000000000UL, "FP: 1.0 + 1.0 = 2.0 (%#lx)", (unsigned long)sum);
    if (sve) {
        write_sysreg(s3_0_c1_c2_0, 0xf);                /* ZCR_EL1.LEN: longest */
        isb();
        __asm__ volatile(".arch_extension sve\n rdvl %0, #1" : "=r"(vl));
        report(vl >= 16 && vl % 16 == 0, "SVE vector length %lu bytes", (unsigned long)vl);
    }
    if (sme) {
        write_sysreg(s3_0_c1_c2_6, 0xf);                /* SMCR_EL1.LEN: longest */
        isb();
        __asm__ volatile(".arch_extension sme\n rdsvl %0, #1" : "=r"(svl));
        report(svl >= 16, "SME streaming vector length %lu bytes", (unsigned long)svl);
    }
    return report_summary();
}
