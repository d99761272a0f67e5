/* Interfaces between the files of arch/arm64. */
#ifndef ASM_ARM64_H
#define ASM_ARM64_H

#include <stdbool.h>
#include <stdint.h>
#include <dbgvisor/percpu.h>
#include <asm/hvm.h>

struct domain;
struct vcpu;

/* entry.S: run the guest until it takes an exception to EL2. */
enum guest_exit_kind { EXIT_SYNC = 0, EXIT_IRQ = 1, EXIT_FIQ = 2, EXIT_SERROR = 3 };
uint64_t guest_enter(struct guest_regs *regs);

/* mmu.c: the hypervisor's stage-1 identity map, MMU on (called from head.S):
 * built and enabled on the boot CPU, enabled on each secondary. */
void mmu_init_el2(void);
void mmu_enable_el2(void);

/* smp.c: every pCPU the device tree lists is started (PSCI CPU_ON) and waits
 * at EL2 until smp_release_secondaries lets it run the scheduler. */
void smp_boot_secondaries(const void *dtb);
void smp_release_secondaries(void);
uint64_t smp_pcpu_mpidr(unsigned pcpu);

/* psci.c: the machine's PSCI firmware (SMC conduit, below EL2). */
void __attribute__((noreturn)) host_system_off(void);
/* CPU_ON: start the CPU mpidr at entry (physical) with x0 = context; PSCI status. */
int64_t host_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context);

/* stage2.c: a domain's guest-physical -> host-physical tables. */
int stage2_init(struct domain *d);
/* Map [ipa, ipa+size) to [hpa, ...) as normal RAM; 2 MiB aligned. */
int stage2_map_ram(struct domain *d, uint64_t ipa, uint64_t hpa, uint64_t size);
void stage2_activate(struct domain *d);
/* Frees the tables (no vCPU of d runs any more). */
void stage2_destroy(struct domain *d);

/* traps.c: handle one exit; false when the vCPU must stop running. */
bool arm64_handle_exit(struct vcpu *v, uint64_t kind);
/* traps.c: take an exception to the guest's EL1 with this ESR and FAR, as the
 * hardware would have (vector, SPSR/ELR_EL1, the PSTATE of an exception entry). */
void arm64_inject_el1(struct vcpu *v, uint64_t esr, uint64_t far);

/* domain_build.c: a boot-time domain (its vCPU 0 runnable, the others off
 * until PSCI CPU_ON; ended crashed if its Image or device tree cannot be
 * loaded); NULL, reported, if it cannot be created. */
struct boot_module { uint64_t start, end; };
struct boot_domain;
struct domain *arm64_build_domain(const struct boot_domain *spec, const void *host_dtb);
/* domain_build.c: keeps the host's device tree for the domains the toolstack
 * creates later; arm64_domain_dtb writes one into d's RAM (its last 2 MiB, the
 * boot-time domains' tree, with d->cmdline as bootargs and the ramdisk the
 * toolstack loaded at [initrd_start, initrd_end), none if empty) and gives
 * its IPA. 0 or -1. */
void arm64_keep_host_dtb(const void *host_dtb);
int arm64_domain_dtb(struct domain *d, uint64_t initrd_start, uint64_t initrd_end,
                     uint64_t *dtb_ipa);

/* vcpu.c: a vCPU out of reset, entered at EL1h at entry with x0 = arg. */
void arm64_vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t arg);
/* vcpus vCPUs fit the MPIDRs the domain's vCPUs get (VMPIDR_EL2, Aff0). */
bool arm64_vcpu_limits_ok(unsigned vcpus);

#endif
