/*
 * Calls a guest makes through HVC (or SMC): PSCI 1.1 for power (SYSTEM_OFF
 * ends the domain with exit code 0, SYSTEM_RESET with reason reboot), and
 * one call of our own in the SMCCC vendor-specific hypervisor range:
 * DBGV_HVC_EXIT ends the domain with the exit code in x1 (docs/arm64.md).
 */
#ifndef ASM_ARM64_VPSCI_H
#define ASM_ARM64_VPSCI_H

#include <stdbool.h>

#define PSCI_VERSION        0x84000000U
#define PSCI_CPU_SUSPEND_32 0x84000001U
#define PSCI_CPU_SUSPEND_64 0xc4000001U
#define PSCI_CPU_OFF        0x84000002U
#define PSCI_CPU_ON_32      0x84000003U
#define PSCI_CPU_ON_64      0xc4000003U
#define PSCI_AFFINITY_32    0x84000004U
#define PSCI_AFFINITY_64    0xc4000004U
#define PSCI_MIGRATE_INFO_TYPE 0x84000006U
#define PSCI_SYSTEM_OFF     0x84000008U
#define PSCI_SYSTEM_RESET   0x84000009U
#define PSCI_FEATURES       0x8400000aU
#define SMCCC_VERSION       0x80000000U
#define DBGV_HVC_EXIT       0x8600db00U   /* fast call, SMC32, owner 6 (vendor hyp) */

struct vcpu;
/* Function ID in x0, result in x0; false once the domain has ended. */
bool vpsci_call(struct vcpu *v);

#endif
