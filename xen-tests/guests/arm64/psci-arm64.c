/*
 * psci-arm64: the PSCI firmware interface a guest at EL1 finds through HVC
 * (bare QEMU without EL2: QEMU's own PSCI; a domain: the hypervisor's,
 * vpsci.c). PSCI_FEATURES for every function of PSCI 1.1 (DEN0022), the
 * answers of MIGRATE_INFO_TYPE (no Trusted OS to migrate), MIGRATE,
 * CPU_SUSPEND with a power state it must refuse, and CPU_SUSPEND to
 * standby, which returns when an interrupt is pending, as WFI does (the
 * virtual timer's, with PSTATE.I masked). Linux calls MIGRATE_INFO_TYPE at
 * boot; the record must equal bare QEMU's (test_arm64.sh).
 */
#include "guest.h"

#define PSCI_VERSION          0x84000000UL
#define PSCI_CPU_SUSPEND_32   0x84000001UL
#define PSCI_CPU_SUSPEND_64   0xc4000001UL
#define PSCI_MIGRATE_32       0x84000005UL
#define PSCI_MIGRATE_INFO     0x84000006UL
#define PSCI_FEATURES         0x8400000aUL
#define SUSPEND_STANDBY       0x0UL
#define SUSPEND_LEVEL1        (1UL << 24)   /* a power level QEMU virt's CPUs do not have */

#define GICR_SGI              0x080b0000UL  /* CPU 0's SGI_base */
#define GICR_WAKER            0x080a0014UL
#define GICD_CTLR             0x08000000UL
#define GICR_IGROUPR0         0x0080
#define GICR_ISENABLER0       0x0100
#define TIMER_INTID           27
#define ISR_I                 (1UL << 7)

static const struct { uint64_t fn; const char *name; } functions[] = {
    { 0x84000000, "PSCI_VERSION" },      { 0x84000001, "CPU_SUSPEND" },
    { 0xc4000001, "CPU_SUSPEND64" },     { 0x84000002, "CPU_OFF" },
    { 0x84000003, "CPU_ON" },            { 0xc4000003, "CPU_ON64" },
    { 0x84000004, "AFFINITY_INFO" },     { 0xc4000004, "AFFINITY_INFO64" },
    { 0x84000005, "MIGRATE" },           { 0x84000006, "MIGRATE_INFO_TYPE" },
    { 0x84000007, "MIGRATE_INFO_UP_CPU" }, { 0x84000008, "SYSTEM_OFF" },
    { 0x84000009, "SYSTEM_RESET" },      { 0x8400000a, "PSCI_FEATURES" },
    { 0x8400000c, "CPU_DEFAULT_SUSPEND" }, { 0x8400000e, "SYSTEM_SUSPEND" },
    { 0x84000012, "SYSTEM_RESET2" },     { 0x84000013, "MEM_PROTECT" },
};

static volatile uint32_t *reg32(uint64_t addr) { return (volatile uint32_t *)addr; }

int main(void)
{
    unsigned i;
    uint64_t r;

    for (i = 0; i < sizeof(functions) / sizeof(functions[0]); i++)
        printf("PSCI_FEATURES(%s) = %ld\n", functions[i].name,
               (long)hvc_call(PSCI_FEATURES, functions[i].fn));
    r = hvc_call(PSCI_MIGRATE_INFO, 0);
    report(r == 2, "MIGRATE_INFO_TYPE: %ld (Trusted OS not present or not migrating)", (long)r);
    r = hvc_call(PSCI_MIGRATE_32, 0);
    report(r == (uint64_t)-1, "MIGRATE: %ld (not supported)", (long)r);
    r = hvc_call(PSCI_CPU_SUSPEND_32, SUSPEND_LEVEL1);
    report(r == (uint64_t)-2, "CPU_SUSPEND to power level 1: %ld (invalid parameters)", (long)r);

    /* The timer's PPI enabled (group 1) so that it wakes a standby state. */
    *reg32(GICD_CTLR) = (1U << 4) | (1U << 1);
    *reg32(GICR_WAKER) &= ~(1U << 1);
    while (*reg32(GICR_WAKER) & (1U << 2))
        ;
    *reg32(GICR_SGI + GICR_IGROUPR0) |= 1U << TIMER_INTID;
    *reg32(GICR_SGI + GICR_ISENABLER0) = 1U << TIMER_INTID;
    write_sysreg(s3_0_c4_c6_0, 0xff);           /* ICC_PMR_EL1 */
    write_sysreg(s3_0_c12_c12_7, 1);            /* ICC_IGRPEN1_EL1 */
    write_sysreg(cntv_tval_el0, read_sysreg(cntfrq_el0) / 100);     /* 10 ms */
    write_sysreg(cntv_ctl_el0, 1);
    isb();
    do
        r = hvc_call(PSCI_CPU_SUSPEND_64, SUSPEND_STANDBY);
    while (r == 0 && !(read_sysreg(isr_el1) & ISR_I));
    report(r == 0, "CPU_SUSPEND to standby: %ld", (long)r);
    report(read_sysreg(isr_el1) & ISR_I, "it returned with the timer's interrupt pending");
    report(read_sysreg(cntv_ctl_el0) & 4, "the timer fired (CNTV_CTL.ISTATUS)");
    write_sysreg(cntv_ctl_el0, 0);
    printf("PSCI_VERSION = %#lx\n", (unsigned long)hvc_call(PSCI_VERSION, 0));
    return report_summary();
}
