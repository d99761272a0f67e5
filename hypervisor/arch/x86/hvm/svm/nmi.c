/*
 * NMI delivery to a vCPU. The virtual APIC marks an NMI pending (ICR
 * delivery mode NMI); it is injected as an SVM event of type NMI when the
 * vCPU can take one. The CPU then blocks further NMIs until the handler's
 * IRET: the IRET is intercepted to see it coming (SVM gives no virtual NMI
 * masking on QEMU), and as the intercept fires before the IRET executes,
 * NMIs are unblocked once RIP has moved off it (KVM does the same).
 */
#include <asm/svm.h>
#include <dbgvisor/debug.h>
#include <dbgvisor/domain.h>
#include "svm_internal.h"

#define NMI_VECTOR 2

void svm_nmi_after_exit(struct vcpu *v)
{
    struct vlapic *l = &v->arch.vlapic;

    if (l->nmi_iret_seen && v->arch.vmcb->save.rip != l->nmi_iret_rip) {
        l->nmi_iret_seen = false;
        l->nmi_blocked = false;
    }
}

bool svm_nmi_inject(struct vcpu *v)
{
    struct vmcb *vmcb = v->arch.vmcb;
    struct vlapic *l = &v->arch.vlapic;

    if (!l->nmi_pending || l->nmi_blocked || (vmcb->control.eventinj & SVM_EVTINJ_VALID))
        return false;
    /* Held off by an interrupt shadow (as KVM does) or by the host debugger's step. */
    if ((vmcb->control.int_state & 1) || dbg_host_blocks_irqs(&v->dbg))
        return false;
    __atomic_store_n(&l->nmi_pending, false, __ATOMIC_SEQ_CST);
    l->nmi_blocked = true;
    vmcb->control.eventinj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_NMI | NMI_VECTOR;
    vmcb->control.intercept_misc1 |= SVM_INTERCEPT_IRET;
    return true;
}

enum vcpu_run_result svm_nmi_handle_iret(struct vcpu *v)
{
    struct vlapic *l = &v->arch.vlapic;

    /* The IRET runs when the guest resumes; NMIs open once RIP moved past it. */
    l->nmi_iret_seen = true;
    l->nmi_iret_rip = v->arch.vmcb->save.rip;
    v->arch.vmcb->control.intercept_misc1 &= ~SVM_INTERCEPT_IRET;
    return RUN_CONTINUE;
}
