/*
 * #VMEXIT dispatch: one handler per exit code, each a few lines that call
 * into the device models (io.c, msr.c, cpuid.c, vlapic.c) or the debug layer.
 */
#include <asm/svm.h>
#include <asm/x86.h>
#include <asm/hvm_emul.h>
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/percpu.h>
#include "svm_internal.h"
#include "svm_debug.h"
#include "svm_dr_access.h"
#include "svm_rip.h"
#include "cr.h"

void svm_advance_rip(struct vcpu *v, unsigned len) { svm_rip_advance(v->arch.vmcb, len); }
void svm_skip_instruction(struct vcpu *v, unsigned len) { svm_rip_skip(v, len); }

void svm_reinject_interrupted_event(struct vcpu *v)
{
    struct vmcb_control *c = &v->arch.vmcb->control;
    uint64_t info;

    svm_debug_soft_delivery_exit(v);
    info = c->exitintinfo;
    if (!(info & SVM_EVTINJ_VALID))
        return;
    /* Every event the guest raises by an instruction (INT n, INT3, INTO,
     * ICEBP) is intercepted and injected by svm_debug.c with RIP already
     * past the instruction, so a software interrupt cannot be re-executed:
     * it is injected again, with the same return address (RIP). */
    c->eventinj = info;
    c->exitintinfo = 0;
}

static enum vcpu_run_result handle_hlt(struct vcpu *v)
{
    svm_skip_instruction(v, 1);
    if (hvm_vcpu_has_interrupt(v))
        return RUN_CONTINUE;
    v->state = VCPU_BLOCKED;
    return RUN_RESCHEDULE;
}

static enum vcpu_run_result handle_ioio(struct vcpu *v)
{
    struct vmcb *vmcb = v->arch.vmcb;
    uint32_t info = (uint32_t)vmcb->control.exitinfo1;
    uint16_t port = info >> SVM_IOIO_PORT_SHIFT;
    unsigned size = (info >> SVM_IOIO_SIZE_SHIFT) & 7;   /* 1, 2 or 4 */

    if (info & SVM_IOIO_STR)
        return svm_string_io(v, info);
    unsigned effects = hvm_io_exit(v, port, size, info & SVM_IOIO_IN);

    v->arch.exit_left_irqs = !(effects & HVM_IO_MAY_TOUCH_IRQS);
    /* Another pCPU ending the domain meanwhile stops the run loop anyway. */
    if ((effects & HVM_IO_MAY_END_DOMAIN) && domain_is_ended(v->domain))
        return RUN_RESCHEDULE;
    /* EXITINFO2 holds the next RIP for IOIO exits even without NRIPS. */
    svm_rip_skip(v, (unsigned)(vmcb->control.exitinfo2 - vmcb->save.rip));
    return RUN_CONTINUE;
}

static enum vcpu_run_result handle_msr(struct vcpu *v)
{
    uint32_t msr = (uint32_t)v->arch.gpr[GPR_RCX];
    bool write = v->arch.vmcb->control.exitinfo1 == 1;
    uint64_t val = 0;
    int rc;

    if (write) {
        val = (v->arch.gpr[GPR_RDX] << 32) | (uint32_t)v->arch.gpr[GPR_RAX];
        rc = hvm_msr_write(v, msr, val);
    } else {
        rc = hvm_msr_read(v, msr, &val);
        v->arch.exit_left_irqs = true;     /* reads change no interrupt state (msr.c, vlapic.c) */
        if (rc == 0) {
            v->arch.gpr[GPR_RAX] = (uint32_t)val;
            v->arch.gpr[GPR_RDX] = val >> 32;
        }
    }
    if (rc < 0) {
        pr_debug("d%u v%u: %s of MSR %#x -> #GP\n", v->domain->id, v->id,
                 write ? "write" : "read", msr);
        svm_inject_gp(v);
        return RUN_CONTINUE;
    }
    svm_rip_skip(v, 2);
    return RUN_CONTINUE;
}

static enum vcpu_run_result handle_cpuid(struct vcpu *v)
{
    hvm_cpuid_exit(v);
    svm_rip_skip(v, 2);
    v->arch.exit_left_irqs = true;
    return RUN_CONTINUE;
}

static enum vcpu_run_result handle_npf(struct vcpu *v)
{
    uint64_t gpa = v->arch.vmcb->control.exitinfo2;
    uint64_t err = v->arch.vmcb->control.exitinfo1;
    const struct hvm_mmio_device *dev = hvm_mmio_device_at(v, gpa);

    if (dev)
        return hvm_mmio_access(v, gpa, err, dev);
    if (svm_debug_handle_npf(v, gpa, err))
        return RUN_CONTINUE;
    return hvm_unbacked_access(v, gpa, err);
}

static enum vcpu_run_result handle_vmmcall(struct vcpu *v)
{
    /* No hypercalls yet: behave as an undefined instruction. */
    svm_inject_ud(v);
    return RUN_CONTINUE;
}

static void log_seg(const char *name, const struct vmcb_seg *g)
{
    printk("  %s sel %#x attr %#x limit %#x base %#llx\n", name, g->sel, g->attrib, g->limit,
           (unsigned long long)g->base);
}

/* A guest must not be able to get here (cr.c, msr.c and xstate.c refuse
 * what VMRUN would); if it happens anyway, say which state VMRUN refused. */
static enum vcpu_run_result handle_invalid_state(struct vcpu *v)
{
    const struct vmcb_save *s = &v->arch.vmcb->save;

    printk("d%u v%u: VMRUN refused the guest state: cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx "
           "dr6 %#llx dr7 %#llx rflags %#llx rip %#llx cpl %u xcr0 %#llx\n", v->domain->id, v->id,
           (unsigned long long)s->cr0, (unsigned long long)s->cr3, (unsigned long long)s->cr4,
           (unsigned long long)s->efer, (unsigned long long)s->dr6, (unsigned long long)s->dr7,
           (unsigned long long)s->rflags, (unsigned long long)s->rip, s->cpl,
           (unsigned long long)v->arch.xcr0);
    log_seg("cs", &s->cs); log_seg("ss", &s->ss); log_seg("ds", &s->ds);
    log_seg("tr", &s->tr); log_seg("gdtr", &s->gdtr); log_seg("idtr", &s->idtr);
    domain_crash(v->domain, "VMRUN refused the state: cr0 %#llx cr4 %#llx efer %#llx cs.attr %#x",
                 (unsigned long long)s->cr0, (unsigned long long)s->cr4,
                 (unsigned long long)s->efer, s->cs.attrib);
    return RUN_RESCHEDULE;
}

enum vcpu_run_result svm_handle_exit(struct vcpu *v)
{
    struct vmcb *vmcb = v->arch.vmcb;
    uint64_t code = vmcb->control.exitcode;

    /* QEMU stores VMEXIT_INVALID (-1) as a 32-bit value. */
    if ((uint32_t)code == (uint32_t)SVM_EXIT_INVALID)
        return handle_invalid_state(v);

    if (v->arch.vlapic.nmi_iret_seen)       /* an NMI handler's IRET was intercepted */
        svm_nmi_after_exit(v);
    /* The most frequent exits before the switch's range checks. */
    if (code == SVM_EXIT_IOIO)
        return handle_ioio(v);
    if (code == SVM_EXIT_CPUID)
        return handle_cpuid(v);
    if (code >= SVM_EXIT_READ_DR0 && code < SVM_EXIT_READ_DR0 + 0x20) {
        v->arch.exit_left_irqs = true;        /* the debug core only */
        return svm_debug_handle_dr_access(v, code);
    }
    switch (code) {
    case SVM_EXIT_INTR:
    case SVM_EXIT_NMI:
    case SVM_EXIT_SMI:
        return this_pcpu()->need_resched ? RUN_RESCHEDULE : RUN_CONTINUE;
    case SVM_EXIT_IRET:
        return svm_nmi_handle_iret(v);
    case SVM_EXIT_VINTR:
        return RUN_CONTINUE;         /* window open: injected on the next entry */
    case SVM_EXIT_INIT:
        /* A physical INIT aimed at this pCPU: it concerns the host, not the guest (nothing
         * sends one after boot). The guest's own INIT IPIs never exit this way: vlapic.c
         * emulates them (sched_vcpu_init_received). */
        return RUN_CONTINUE;
    case SVM_EXIT_EXCP_BASE + X86_EXC_DB:
        return svm_debug_handle_db(v);
    case SVM_EXIT_EXCP_BASE + X86_EXC_BP:
        return svm_debug_handle_bp(v);
    case SVM_EXIT_EXCP_BASE + X86_EXC_AC:
        svm_inject_exception(v, X86_EXC_AC, true, (uint32_t)vmcb->control.exitinfo1);
        return RUN_CONTINUE;
    case SVM_EXIT_SWINT:
        return svm_debug_handle_swint(v);
    case SVM_EXIT_ICEBP:
        return svm_debug_handle_icebp(v);
    case SVM_EXIT_HLT:
        return handle_hlt(v);
    case SVM_EXIT_MSR:
        return handle_msr(v);
    case SVM_EXIT_NPF:
        return handle_npf(v);
    case SVM_EXIT_VMMCALL:
        return handle_vmmcall(v);
    case SVM_EXIT_VMRUN: case SVM_EXIT_VMLOAD: case SVM_EXIT_VMSAVE:
    case SVM_EXIT_STGI: case SVM_EXIT_CLGI: case SVM_EXIT_SKINIT:
    case SVM_EXIT_MONITOR: case SVM_EXIT_MWAIT:
        svm_inject_ud(v);            /* not offered in CPUID */
        return RUN_CONTINUE;
    case SVM_EXIT_INVD:
        svm_skip_instruction(v, 2);
        return RUN_CONTINUE;
    case SVM_EXIT_SHUTDOWN:
        domain_crash(v->domain, "triple fault at rip %#llx", (unsigned long long)vmcb->save.rip);
        return RUN_RESCHEDULE;
    case SVM_EXIT_WRITE_CR0:
    case SVM_EXIT_WRITE_CR3:
    case SVM_EXIT_WRITE_CR4:
    case SVM_EXIT_WRITE_CR8:
        return svm_handle_cr_write(v, (unsigned)(code - SVM_EXIT_WRITE_CR0));
    case SVM_EXIT_XSETBV:
        return svm_handle_xsetbv(v);
    default:
        /* Faults intercepted only while the host debugger steps. */
        if (code > SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32)
            return svm_debug_handle_exception(v, (unsigned)(code - SVM_EXIT_EXCP_BASE));
        domain_crash(v->domain, "unhandled exit %#llx (info1 %#llx info2 %#llx) at rip %#llx",
                     (unsigned long long)code, (unsigned long long)vmcb->control.exitinfo1,
                     (unsigned long long)vmcb->control.exitinfo2,
                     (unsigned long long)vmcb->save.rip);
        return RUN_RESCHEDULE;
    }
}
