/*
 * What the domain life cycle (common/domain.c) needs from the architecture:
 * the domain's translation and devices, its vCPUs' power-on state, and their
 * release. x86: arch/x86/domain_arch.c (SVM, NPT, the PC platform); arm64:
 * arch/arm64/domain_arch.c (stage 2, the virtual timer's offset, the
 * FP/SME buffers). Everything they allocate is charged to d->pages, so a
 * destroyed domain gives all of it back.
 */
#ifndef DBGVISOR_DOMAIN_ARCH_H
#define DBGVISOR_DOMAIN_ARCH_H

#include <stdbool.h>
#include <stdint.h>

struct domain;
struct vcpu;

/* d's RAM (d->ram_hpa, d->mem_bytes) is allocated and zeroed: map it and set
 * up the domain's devices. < 0 on failure (arch_domain_destroy cleans up). */
int arch_domain_init(struct domain *d);
/* A new vCPU (id, domain set) in the power-on state. < 0 on failure. */
int arch_vcpu_init(struct vcpu *v);
/* Every vCPU exists (x86: the firmware tables that list them). */
void arch_domain_vcpus_ready(struct domain *d);
/* Frees what arch_domain_init and arch_vcpu_init allocated, also for a domain
 * whose set-up failed part way. No vCPU of d is on a pCPU or enters again. */
void arch_domain_destroy(struct domain *d);
/* The guest-physical address of RAM's first byte (x86: 0; QEMU virt: 1 GiB). */
uint64_t arch_domain_ram_base(const struct domain *d);
/* The debug core's DR6.RTM: whether the CPU has RTM (x86), false elsewhere. */
bool arch_debug_has_rtm(void);
/* After the domain's end lines: what the architecture counted (arm64: WFIs
 * that blocked), for the log. */
void arch_domain_log_end(struct domain *d);

#endif
