/*
 * The trapped MOV DR exit (exit codes 0x20-0x3F), inline in the exit dispatch
 * (exit.c) so that the commonest debug exit pays no call frame of its own: the
 * cached decode, its consistency with the exit code, and the common case
 * (asm/dr_fast_path.h). Everything else goes through svm_debug_dr_access_full().
 */
#ifndef SVM_DR_ACCESS_H
#define SVM_DR_ACCESS_H

#include <asm/decode.h>
#include <asm/dr_fast_path.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include "dr_decode.h"
#include "svm_debug.h"
#include "svm_rip.h"

static inline __attribute__((always_inline)) enum vcpu_run_result
svm_debug_handle_dr_access(struct vcpu *v, uint64_t exitcode)
{
    struct vmcb *vmcb = v->arch.vmcb;
    struct x86_insn insn;
    int mode = guest_cpu_mode_of(&vmcb->save);
    unsigned n;

    /* TCG gives no decode assist: find the GPR operand ourselves (once per
     * instruction, dr_decode.c). The exit says a MOV DR ran; other bytes
     * there now mean another vCPU rewrote them, and the guest runs what is
     * there instead. */
    if (svm_decode_dr_insn(v, mode, &insn, &n) < 0 ||
        (insn.kind != X86_INSN_MOV_FROM_DR && insn.kind != X86_INSN_MOV_TO_DR) ||
        (insn.kind == X86_INSN_MOV_TO_DR) != (exitcode >= SVM_EXIT_WRITE_DR0) ||
        (insn.dr < 8 && insn.dr != (exitcode & 0xf)))
        return guest_insn_changed(v, n, "debug-register exit");
    if (!insn.lock &&
        dr_mov_fast(&v->dbg, vmcb->save.cpl, insn.dr, insn.kind == X86_INSN_MOV_TO_DR,
                    mode == X86_MODE_LONG64, &v->arch.gpr[insn.gpr & 15])) {
        svm_rip_skip(v, insn.len);
        return RUN_CONTINUE;
    }
    return svm_debug_dr_access_full(v, &insn, mode);
}

#endif
