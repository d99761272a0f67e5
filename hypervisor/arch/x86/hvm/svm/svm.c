/*
 * SVM mechanisms: enabling SVM on a pCPU, building a vCPU's VMCB, and the
 * world switch with event injection. Exit handling is in exit.c; policy
 * (what to intercept for debug registers) comes from the debug core.
 */
#include <asm/hvm_emul.h>
#include <asm/npt.h>
#include <public/control.h>
#include <asm/svm.h>
#include <asm/svm_vcpu.h>
#include <asm/x86.h>
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/page_alloc.h>
#include <dbgvisor/percpu.h>
#include "svm_internal.h"

extern void svm_vmrun(uint64_t *gpr, uint64_t vmcb_pa, uint64_t host_vmcb_pa);

static uint64_t iopm_pa, msrpm_pa;
static uint32_t next_asid = 1, max_asid;
static spinlock_t asid_lock = SPINLOCK_INIT;

static uint64_t zeroed_pages(size_t n)
{
    uint64_t pa = palloc_alloc(n, 1);
    if (pa)
        memset((void *)pa, 0, n * PAGE_SIZE);
    return pa;
}

bool svm_cpu_init(void)
{
    uint32_t a, b, c, d;
    struct pcpu *p = this_pcpu();

    cpuid_count(0x80000001, 0, &a, &b, &c, &d);
    if (!(c & (1u << 2)))
        return false;
    cpuid_count(0x8000000A, 0, &a, &b, &c, &d);
    if (!(d & 1))                       /* NPT */
        return false;
    max_asid = b;
    if (rdmsr(MSR_VM_CR) & (1u << 4))   /* SVMDIS */
        return false;
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
    p->host_save_pa = zeroed_pages(1);
    p->host_vmcb_pa = zeroed_pages(1);
    if (!p->host_save_pa || !p->host_vmcb_pa)
        return false;
    wrmsr(MSR_VM_HSAVE_PA, p->host_save_pa);
    /* Capture this pCPU's FS/GS/TR/syscall MSRs for VMLOAD after each exit. */
    __asm__ volatile("vmsave %0" :: "a"(p->host_vmcb_pa) : "memory");

    spin_lock(&asid_lock);
    if (!iopm_pa) {
        /* Intercept every port and every MSR: the guest sees only what we emulate. */
        iopm_pa = zeroed_pages(3);
        msrpm_pa = zeroed_pages(2);
        memset((void *)iopm_pa, 0xff, 3 * PAGE_SIZE);
        memset((void *)msrpm_pa, 0xff, 2 * PAGE_SIZE);
    }
    spin_unlock(&asid_lock);
    return iopm_pa && msrpm_pa;
}

static void seg(struct vmcb_seg *s, uint16_t sel, uint16_t attrib, uint32_t limit, uint64_t base)
{
    *s = (struct vmcb_seg){ .sel = sel, .attrib = attrib, .limit = limit, .base = base };
}

/* The state every vCPU starts from; the entry point decides the mode. */
static void vmcb_reset(struct vcpu *v)
{
    struct vmcb *vmcb = v->arch.vmcb;
    struct vmcb_control *c = &vmcb->control;

    memset(vmcb, 0, sizeof(*vmcb));
    c->intercept_exceptions = (1u << X86_EXC_DB) | (1u << X86_EXC_BP) | (1u << X86_EXC_AC);
    c->intercept_cr |= SVM_INTERCEPT_CR8_WRITE;     /* cr8.c says why */
    c->intercept_misc1 = SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI | SVM_INTERCEPT_SMI |
                         SVM_INTERCEPT_INIT | SVM_INTERCEPT_CPUID | SVM_INTERCEPT_HLT |
                         SVM_INTERCEPT_IOIO | SVM_INTERCEPT_MSR | SVM_INTERCEPT_SHUTDOWN |
                         SVM_INTERCEPT_INVD | SVM_INTERCEPT_TASKSW | SVM_INTERCEPT_INTN;
    c->intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL | SVM_INTERCEPT_VMLOAD |
                         SVM_INTERCEPT_VMSAVE | SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
                         SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_ICEBP | SVM_INTERCEPT_MONITOR |
                         SVM_INTERCEPT_MWAIT | SVM_INTERCEPT_RDTSCP;
    c->iopm_base_pa = iopm_pa;
    c->msrpm_base_pa = msrpm_pa;
    c->asid = v->arch.asid;
    c->tlb_control = 1;
    c->int_ctl = SVM_V_INTR_MASKING;
    c->np_enable = 1;
    c->n_cr3 = v->domain->arch.npt_root_pa;

    struct vmcb_save *s = &vmcb->save;
    s->efer = EFER_SVME;                   /* required by VMRUN; hidden from the guest */
    s->cr0 = X86_CR0_ET;
    s->dr6 = 0xffff0ff0;
    s->dr7 = 0x400;
    s->rflags = 0x2;
    s->g_pat = 0x0007040600070406ull;
    seg(&s->ldtr, 0, 0x0082, 0xffff, 0);
    seg(&s->tr, 0, 0x008b, 0xffff, 0);
    seg(&s->gdtr, 0, 0, 0xffff, 0);
    seg(&s->idtr, 0, 0, 0x3ff, 0);
    memset(v->arch.gpr, 0, sizeof(v->arch.gpr));
    v->arch.flush_tlb = true;
    v->arch.step_after_emulation = false;
    vlapic_reset(v);
}

int svm_vcpu_init(struct vcpu *v)
{
    v->arch.vmcb_pa = zeroed_pages(1);
    if (!v->arch.vmcb_pa)
        return -1;
    v->arch.vmcb = (struct vmcb *)v->arch.vmcb_pa;
    spin_lock(&asid_lock);
    v->arch.asid = next_asid++;
    if (max_asid && next_asid >= max_asid)
        next_asid = 1;      /* reuse is safe: we flush on every new placement */
    spin_unlock(&asid_lock);
    vmcb_reset(v);
    return 0;
}

void svm_vcpu_set_entry(struct vcpu *v, uint32_t eip, uint32_t eax, uint32_t ebx)
{
    struct vmcb_save *s = &v->arch.vmcb->save;

    vmcb_reset(v);
    /* Multiboot: flat 32-bit protected mode, paging off, IF=0. */
    s->cr0 = X86_CR0_PE | X86_CR0_ET;
    seg(&s->cs, 0x08, 0x0c9b, 0xffffffff, 0);
    seg(&s->ds, 0x10, 0x0c93, 0xffffffff, 0);
    s->es = s->ss = s->fs = s->gs = s->ds;
    s->rip = eip;
    s->rax = eax;
    v->arch.gpr[GPR_RBX] = ebx;
    v->arch.wait_for_sipi = false;
}

void svm_vcpu_start_sipi(struct vcpu *v, uint8_t vector)
{
    struct vmcb_save *s = &v->arch.vmcb->save;

    vmcb_reset(v);
    s->cr0 = X86_CR0_ET;
    seg(&s->cs, (uint16_t)(vector << 8), 0x009b, 0xffff, (uint64_t)vector << 12);
    seg(&s->ds, 0, 0x0093, 0xffff, 0);
    s->es = s->ss = s->fs = s->gs = s->ds;
    s->rip = 0;
    v->arch.gpr[GPR_RDX] = 0x600;    /* family/model/stepping after reset */
    v->arch.wait_for_sipi = false;
}

int svm_domain_init(struct domain *d)
{
    if (npt_map(d, 0, d->ram_hpa, d->mem_bytes, NPT_R | NPT_W | NPT_X) < 0)
        return -1;
    hvm_io_domain_init(d);
    return 0;
}

void svm_domain_destroy(struct domain *d)
{
    npt_destroy(d);
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (d->vcpus[i] && d->vcpus[i]->arch.vmcb_pa)
            palloc_free(d->vcpus[i]->arch.vmcb_pa, 1);
}

uint64_t svm_vcpu_rip(const struct vcpu *v) { return v->arch.vmcb->save.rip; }

void svm_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
    uint64_t ev = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_EXEPT | vector;
    if (has_error)
        ev |= SVM_EVTINJ_VALID_ERR | ((uint64_t)error << 32);
    v->arch.vmcb->control.eventinj = ev;
}

/* Interrupt delivery: inject now if the guest can take it, else ask for a
 * VINTR exit at the moment it opens its interrupt window. */
static void inject_pending_interrupt(struct vcpu *v)
{
    struct vmcb *vmcb = v->arch.vmcb;
    int vec;

    vlapic_poll_timer(v, now_ns());
    vmcb->control.intercept_misc1 &= ~SVM_INTERCEPT_VINTR;
    vmcb->control.int_ctl &= ~SVM_V_IRQ;
    if (vmcb->control.eventinj & SVM_EVTINJ_VALID)
        return;
    vec = vlapic_pending_vector(v);
    if (vec < 0)
        return;
    if (dbg_host_blocks_irqs(&v->dbg))
        return;             /* the host debugger is stepping with IRQs held off */
    if ((vmcb->save.rflags & X86_EFLAGS_IF) && !(vmcb->control.int_state & 1)) {
        vlapic_ack(v, vec);
        vmcb->control.eventinj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_INTR | (uint64_t)vec;
    } else {
        vmcb->control.int_ctl |= SVM_V_IRQ | SVM_V_IGN_TPR;
        vmcb->control.intercept_misc1 |= SVM_INTERCEPT_VINTR;
    }
}

enum vcpu_run_result svm_vcpu_run(struct vcpu *v)
{
    struct vmcb *vmcb = v->arch.vmcb;
    struct pcpu *p = this_pcpu();

    if (v->arch.flush_tlb || v->pcpu != (int)p->id) {
        vmcb->control.tlb_control = 1;
        v->arch.flush_tlb = false;
    }
    v->pcpu = p->id;
    /* With V_INTR_MASKING the guest reads CR8 from V_TPR: the APIC's TPR. */
    vmcb->control.int_ctl = (vmcb->control.int_ctl & ~SVM_V_TPR_MASK) | vlapic_cr8(v);
    inject_pending_interrupt(v);
    dbg_before_vmentry(&v->dbg);

    vmcb->save.rax = v->arch.gpr[GPR_RAX];
    vmcb->save.rsp = v->arch.gpr[GPR_RSP];
    __asm__ volatile("clgi; sti" ::: "memory");
    svm_vmrun(v->arch.gpr, v->arch.vmcb_pa, p->host_vmcb_pa);
    /* GIF=0, IF=1: STGI lets a pending host interrupt (the tick) in now. */
    __asm__ volatile("stgi; cli" ::: "memory");
    v->arch.gpr[GPR_RAX] = vmcb->save.rax;
    v->arch.gpr[GPR_RSP] = vmcb->save.rsp;
    vmcb->control.tlb_control = 0;

    dbg_after_vmexit(&v->dbg);
    svm_reinject_interrupted_event(v);
    return svm_handle_exit(v);
}

void svm_vcpu_set_regs(struct vcpu *v, const struct dbgv_ctl_vcpu_regs *r)
{
    struct vmcb_save *s = &v->arch.vmcb->save;
    static const struct { uint32_t bit; unsigned gpr; } map[] = {
        { DBGV_REG_RSP, GPR_RSP }, { DBGV_REG_RBP, GPR_RBP }, { DBGV_REG_RAX, GPR_RAX },
        { DBGV_REG_RBX, GPR_RBX }, { DBGV_REG_RCX, GPR_RCX }, { DBGV_REG_RDX, GPR_RDX },
        { DBGV_REG_RSI, GPR_RSI }, { DBGV_REG_RDI, GPR_RDI },
    };
    const uint64_t *src[] = { &r->rsp, &r->rbp, &r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi };

    if (r->mode == DBGV_VCPU_MODE_PM32)
        svm_vcpu_set_entry(v, (uint32_t)r->rip, (uint32_t)r->rax, (uint32_t)r->rbx);
    if (r->mask & DBGV_REG_RIP)
        s->rip = r->rip;
    if (r->mask & DBGV_REG_RFLAGS)
        s->rflags = (r->rflags & 0x3f7fd7ull) | 0x2;   /* reserved bits as the CPU keeps them */
    for (unsigned i = 0; i < ARRAY_SIZE(map); i++)
        if (r->mask & map[i].bit)
            v->arch.gpr[map[i].gpr] = *src[i];
}
