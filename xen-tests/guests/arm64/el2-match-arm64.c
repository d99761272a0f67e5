/*
 * el2-match-arm64 (hostile): breakpoints and watchpoints the guest programs to
 * match at every exception level, EL2 included (HMC = 1, SSC = 0b01, PxC =
 * 0b11), over the memory where a hypervisor lives: a watchpoint on the whole
 * low 2 GiB (MASK = 31), loads and stores, and breakpoints on the addresses
 * where an arm64 Image is loaded. With PSTATE.D set (so the guest itself takes
 * none at EL1) it then makes the hypervisor work: PSCI calls, trapped debug
 * registers, PL011 output. On hardware debug exceptions targeting EL1 are
 * never taken at EL2 (MDCR_EL2.TDE = 0): the hypervisor must not see one,
 * and the guest finds its registers as it left them. Compared with a native
 * run (test_arm64.sh).
 */
#include "guest.h"

#define MDSCR_KDE   (1UL << 13)
#define MDSCR_MDE   (1UL << 15)
#define ALL_ELS     (1UL << 13 | 1UL << 14 | 3UL << 1)  /* HMC, SSC = 0b01, PxC = 0b11 */
#define WCR_ALL     (1UL | ALL_ELS | 3UL << 3 | 0xffUL << 5 | 31UL << 24)  /* load+store, 2 GiB */
#define BCR_ALL     (1UL | ALL_ELS | 0xfUL << 5)
#define IMAGE_BASE  0x40080000UL

int main(void)
{
    uint64_t v = 0;
    unsigned i;

    write_sysreg(oslar_el1, 0);
    __asm__ volatile("msr daifset, #8" ::: "memory");
    write_sysreg(dbgwvr0_el1, 0);
    write_sysreg(dbgwcr0_el1, WCR_ALL);
    write_sysreg(dbgbvr0_el1, IMAGE_BASE);
    write_sysreg(dbgbcr0_el1, BCR_ALL);
    write_sysreg(dbgbvr1_el1, IMAGE_BASE + 0x800);      /* a vector table's usual place */
    write_sysreg(dbgbcr1_el1, BCR_ALL);
    write_sysreg(mdscr_el1, MDSCR_KDE | MDSCR_MDE);
    isb();
    for (i = 0; i < 8; i++) {
        v += hvc_call(0x84000000U, 0);                  /* PSCI_VERSION */
        v += read_sysreg(dbgwcr0_el1) != WCR_ALL;       /* trapped read */
        printf("round %u\n", i);                        /* emulated PL011 stores */
    }
    report(read_sysreg(dbgwcr0_el1) == WCR_ALL && read_sysreg(dbgbcr1_el1) == BCR_ALL,
           "EL2-matching controls read back as written");
    report(v == 8 * 0x10001UL, "eight PSCI_VERSION calls answered");
    write_sysreg(dbgwcr0_el1, 0);
    write_sysreg(dbgbcr0_el1, 0);
    write_sysreg(dbgbcr1_el1, 0);
    write_sysreg(mdscr_el1, 0);
    isb();
    __asm__ volatile("msr daifclr, #8" ::: "memory");
    report(true, "still running after the hypervisor ran under them");
    return report_summary();
}
