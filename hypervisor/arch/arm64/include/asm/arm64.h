/* Interfaces between the files of arch/arm64. */
#ifndef ASM_ARM64_H
#define ASM_ARM64_H

#include <stdbool.h>
#include <stdint.h>
#include <public/debug.h>
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

/* smp.c: every pCPU the device tree lists is started (PSCI CPU_ON) and idles
 * at EL2 until there is work for it (the scheduler, next). */
#define MAX_PCPUS 8
void smp_boot_secondaries(const void *dtb);

/* psci.c: the machine's PSCI firmware (SMC conduit, below EL2). */
void __attribute__((noreturn)) host_system_off(void);
/* CPU_ON: start the CPU mpidr at entry (physical) with x0 = context; PSCI status. */
int64_t host_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context);

/* stage2.c: a domain's guest-physical -> host-physical tables. */
int stage2_init(struct domain *d);
/* Map [ipa, ipa+size) to [hpa, ...) as normal RAM; 2 MiB aligned. */
int stage2_map_ram(struct domain *d, uint64_t ipa, uint64_t hpa, uint64_t size);
void stage2_activate(struct domain *d);

/* traps.c: handle one exit; false when the vCPU must stop running. */
bool arm64_handle_exit(struct vcpu *v, uint64_t kind);

/* domain_build.c: the boot-time domain from a boot module. */
struct boot_module { uint64_t start, end; };
struct domain *arm64_build_domain(const char *name, const struct boot_module *image,
                                  const void *host_dtb, uint64_t mem_bytes,
                                  enum dbgv_debug_policy policy, uint32_t quiet_switches);
void arm64_run_vcpu(struct vcpu *v);

/* Guest memory access helpers. */
void *arm64_gpa_to_hva(struct domain *d, uint64_t ipa, uint64_t len);

#endif
