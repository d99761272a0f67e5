/*
 * The trapped MOV DR exit (exit codes 0x20-0x3F), inline in the exit dispatch
 * (exit.c) so that the commonest debug exit pays no call frame of its own: a
 * cached decode of a plain MOV DR that makes this very exit, and the common
 * case of the rules (asm/dr_fast_path.h). Everything else, a first run of the
 * instruction included, goes through svm_debug_dr_access().
 */
#ifndef SVM_DR_ACCESS_H
#define SVM_DR_ACCESS_H

#include <asm/dr_fast_path.h>
#include <asm/svm.h>
#include "dr_decode.h"
#include "svm_debug.h"
#include "svm_rip.h"

static inline __attribute__((always_inline)) enum vcpu_run_result
svm_debug_handle_dr_access(struct vcpu *v, uint64_t exitcode)
{
    /* TCG gives no decode assist: the exit names the DR and the direction,
     * the cached decode the general register (dr_decode.c). */
    const struct dr_insn_plain *p = svm_dr_insn_cached(v);

    if (p && p->exitcode == exitcode &&
        dr_mov_fast(&v->dbg, v->arch.vmcb->save.cpl, exitcode & 15,
                    exitcode >= SVM_EXIT_WRITE_DR0, p->long_mode, svm_gpr(v, p->gpr))) {
        svm_rip_skip(v, p->len);
        return RUN_CONTINUE;
    }
    return svm_debug_dr_access(v, exitcode);
}

#endif
