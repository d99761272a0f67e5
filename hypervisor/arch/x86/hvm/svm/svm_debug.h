/* SVM side of debug virtualization: exits forwarded to the debug core. */
#ifndef SVM_DEBUG_H
#define SVM_DEBUG_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/svm.h>
#include <asm/svm_vcpu.h>
#include <asm/x86.h>

struct vcpu;

/* A trapped MOV DR that svm_dr_access.h's inline path did not complete: not cached yet,
 * rewritten meanwhile (cross-modifying code), LOCK (#UD), the privilege, alias and
 * general-detect rules, a write's #GP (dbg_on_mov_dr). exitcode: 0x20-0x3F. */
enum vcpu_run_result svm_debug_dr_access(struct vcpu *v, uint64_t exitcode);
/* The general register n (0-15, as an instruction encodes it). */
static inline uint64_t *svm_gpr(struct vcpu *v, unsigned n) { return &v->arch.gpr[n & 15]; }
enum vcpu_run_result svm_debug_handle_db(struct vcpu *v);
/* #BP intercept (exit 0x43) or an INT3 seen as a software-interrupt exit. */
enum vcpu_run_result svm_debug_handle_bp(struct vcpu *v);
enum vcpu_run_result svm_debug_handle_swint(struct vcpu *v);
enum vcpu_run_result svm_debug_handle_icebp(struct vcpu *v);
/* A fault intercepted while the host debugger single-steps the vCPU. */
enum vcpu_run_result svm_debug_handle_exception(struct vcpu *v, unsigned vector);
/* At every exit, before EXITINTINFO is re-injected: ends the watch over an
 * injected INT n's delivery; if it faulted, RIP goes back to the INT. */
void svm_debug_soft_delivery_exit(struct vcpu *v);
/* An emulated instruction completed with the guest's TF set. */
void svm_debug_emulated_step(struct vcpu *v);
/* #NPF on a page protected for an emulated watchpoint; false if not ours. */
bool svm_debug_handle_npf(struct vcpu *v, uint64_t gpa, uint64_t error);
/* Whether the CPU itself left DR7 as the entry loaded it, for dbg_after_vmexit_run:
 * only a hardware task switch changes it (clearing the local enables), and none
 * exists in long mode (APM vol. 2, "Task Management": an attempt raises #GP). A run that ended in
 * long mode also began there: entering or leaving it takes a CR0.PG write, and CR0
 * writes always exit (vmcb_init_control) before they take effect. */
static inline bool svm_run_kept_dr7(const struct vmcb *vmcb)
{
    return vmcb->save.efer & EFER_LMA;
}

#endif
