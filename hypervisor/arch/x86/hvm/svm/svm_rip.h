/*
 * Completing an intercepted instruction, inline for the hot exit handlers
 * (IN/OUT, CPUID, MSR in exit.c; MOV DR in svm_dr_access.h): no call frame.
 * svm_advance_rip()/svm_skip_instruction() (svm_internal.h) are the same for
 * everything else.
 */
#ifndef SVM_RIP_H
#define SVM_RIP_H

#include <asm/svm.h>
#include <asm/svm_vcpu.h>
#include <asm/x86.h>
#include "svm_debug.h"

/* RIP past the instruction as its completion moves it: wraps outside 64-bit
 * code, ends the interrupt shadow, clears RF. No single-step trap. */
static inline __attribute__((always_inline)) void svm_rip_advance(struct vmcb *vmcb, unsigned len)
{
    vmcb->save.rip += len;
    if (!(vmcb->save.cs.attrib & 0x200))      /* not 64-bit code: wrap at 4 GiB */
        vmcb->save.rip &= 0xffffffffull;
    vmcb->control.int_state &= ~1ull;         /* the instruction ended any shadow */
    vmcb->save.rflags &= ~X86_EFLAGS_RF;
}

/* The same, and the single-step trap the instruction owes. */
static inline __attribute__((always_inline)) void svm_rip_skip(struct vcpu *v, unsigned len)
{
    struct vmcb *vmcb = v->arch.vmcb;

    svm_rip_advance(vmcb, len);
    /* An intercepted instruction exits without its single-step trap: the
     * guest's own (TF) or the host debugger's (its TF was taken off at the
     * exit, so ask the debug core). */
    if ((vmcb->save.rflags & X86_EFLAGS_TF) || v->dbg.step_armed)
        svm_debug_emulated_step(v);
}

#endif
