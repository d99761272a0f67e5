/*
 * Guest debugging from the host (docs/guest-debug.md): the control backend
 * in common/guest_debug.c and what it needs from the arch layer
 * (arch/x86/hvm/svm/svm_debug.c). All of these run in the control loop with
 * the domain paused and none of its vCPUs on a pCPU, except gdbg_attached().
 */
#ifndef DBGVISOR_GUEST_DEBUG_H
#define DBGVISOR_GUEST_DEBUG_H

#include <stdbool.h>
#include <stdint.h>
#include "../public/control.h"

struct domain;
struct vcpu;

/* [any] A host debugger is attached to the domain. */
bool gdbg_attached(const struct domain *d);

/* Arch: forget per-vCPU debugger state (attach and detach). */
void arch_gdbg_reset(struct vcpu *v);
/* Arch: the host breakpoints of v changed; re-arm what the hardware slots
 * cannot hold (NPT-emulated breakpoints and watchpoints). */
void arch_gdbg_bps_changed(struct vcpu *v);
/* Arch: registers as the guest sees them, and writes of the ones selected. */
void arch_gdbg_get_regs(struct vcpu *v, struct dbgv_gdbg_regs *out);
/* -1 (nothing written) for a RIP the vCPU cannot run at in its mode. */
int arch_gdbg_set_regs(struct vcpu *v, uint32_t mask, const struct dbgv_gdbg_regs *in);
/* Arch (AArch64 only): the vCPU's registers in the public AArch64 layout, and
 * writes of those selected; -1 (nothing written) for a PSTATE the vCPU cannot
 * run with. An architecture without them leaves them undefined (weak): the
 * requests answer -ENOSYS there, and the x86 layout's -ENOSYS where it lacks those. */
void arch_gdbg_get_regs_arm64(struct vcpu *v, struct dbgv_gdbg_regs_arm64 *out);
int arch_gdbg_set_regs_arm64(struct vcpu *v, uint64_t mask, uint32_t vmask,
                             const struct dbgv_gdbg_regs_arm64 *in);
/* Arch: guest linear -> guest physical through v's page tables; 0 or -1. */
int arch_gdbg_virt_to_phys(struct vcpu *v, uint64_t gva, uint64_t *gpa);

#endif
