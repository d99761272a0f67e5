/*
 * SVM mechanisms: enabling SVM on a pCPU, building a vCPU's VMCB, and the
 * world switch with event injection. Exit handling is in exit.c; policy
 * (what to intercept for debug registers) comes from the debug core.
 */
#include <asm/apic.h>
#include <asm/hvm_emul.h>
#include <asm/hvm_msr.h>
#include <asm/npt.h>
#include <public/control.h>
#include <asm/svm.h>
#include <asm/svm_vcpu.h>
#include <asm/tsc_time.h>
#include <asm/hvm_emul.h>
#include <asm/x86.h>
#include <asm/xstate.h>
#include <dbgvisor/bzimage.h>
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/page_alloc.h>
#include <dbgvisor/percpu.h>
#include <dbgvisor/sched.h>
#include "svm_debug.h"
#include "svm_internal.h"

static uint64_t iopm_pa, msrpm_pa;
static spinlock_t bitmaps_lock = SPINLOCK_INIT;

static uint64_t zeroed_pages(struct palloc_owner *owner, size_t n)
{
    uint64_t pa = palloc_alloc_for(owner, n, 1);
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
    if (b < 2)                          /* ASID 0 is the host's */
        return false;
    svm_asid_cpu_init(p->id, b);
    if (rdmsr(MSR_VM_CR) & (1u << 4))   /* SVMDIS */
        return false;
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
    p->host_save_pa = zeroed_pages(&palloc_hypervisor, 1);
    p->host_vmcb_pa = zeroed_pages(&palloc_hypervisor, 1);
    if (!p->host_save_pa || !p->host_vmcb_pa)
        return false;
    wrmsr(MSR_VM_HSAVE_PA, p->host_save_pa);
    /* Capture this pCPU's FS/GS/TR/syscall MSRs for VMLOAD after each exit. */
    __asm__ volatile("vmsave %0" :: "a"(p->host_vmcb_pa) : "memory");
    xstate_cpu_init();

    spin_lock(&bitmaps_lock);
    if (!iopm_pa) {
        /* Intercept every port and every MSR: the guest sees only what we emulate. */
        iopm_pa = zeroed_pages(&palloc_hypervisor, 3);
        msrpm_pa = zeroed_pages(&palloc_hypervisor, 2);
        memset((void *)iopm_pa, 0xff, 3 * PAGE_SIZE);
        memset((void *)msrpm_pa, 0xff, 2 * PAGE_SIZE);
    }
    spin_unlock(&bitmaps_lock);
    return iopm_pa && msrpm_pa;
}

static void seg(struct vmcb_seg *s, uint16_t sel, uint16_t attrib, uint32_t limit, uint64_t base)
{
    *s = (struct vmcb_seg){ .sel = sel, .attrib = attrib, .limit = limit, .base = base };
}

/* Control fields every vCPU runs with: what we intercept, where the bitmaps are, NPT. */
static void vmcb_init_control(struct vcpu *v)
{
    struct vmcb_control *c = &v->arch.vmcb->control;

    memset(c, 0, sizeof(*c));
    c->intercept_exceptions = (1u << X86_EXC_DB) | (1u << X86_EXC_BP) | (1u << X86_EXC_AC);
    /* Task switches are not intercepted: the CPU performs them exactly
     * (TSS save/load, busy bits, NT and back link, CR0.TS, DR7 local enables,
     * the T-bit #DB, which the #DB intercept routes). QEMU TCG never raises
     * the intercept anyway (docs/architecture.md). */
    c->intercept_misc1 = SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI | SVM_INTERCEPT_SMI |
                         SVM_INTERCEPT_INIT | SVM_INTERCEPT_CPUID | SVM_INTERCEPT_HLT |
                         SVM_INTERCEPT_IOIO | SVM_INTERCEPT_MSR | SVM_INTERCEPT_SHUTDOWN |
                         SVM_INTERCEPT_INVD | SVM_INTERCEPT_INTN;
    c->intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL | SVM_INTERCEPT_VMLOAD |
                         SVM_INTERCEPT_VMSAVE | SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
                         SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_ICEBP | SVM_INTERCEPT_MONITOR |
                         SVM_INTERCEPT_MWAIT | SVM_INTERCEPT_XSETBV;
    /* RDTSCP runs natively: msr.c loads TSC_AUX. CR0/CR3/CR4 writes and
     * XSETBV are checked like hardware (cr.c), so that a guest can raise #GP
     * but never make VMRUN fail. (QEMU TCG turns a reserved CR3/CR4 bit in a
     * guest's MOV into a VMRUN-failure exit.) CR8 writes go to the APIC's
     * TPR (cr.c says why they must exit). */
    c->intercept_cr = SVM_INTERCEPT_CR_WRITE(0) | SVM_INTERCEPT_CR_WRITE(3) |
                      SVM_INTERCEPT_CR_WRITE(4) | SVM_INTERCEPT_CR_WRITE(8);
    c->iopm_base_pa = iopm_pa;
    c->msrpm_base_pa = msrpm_pa;
    c->int_ctl = SVM_V_INTR_MASKING;
    c->np_enable = 1;
    c->n_cr3 = v->domain->arch.npt_root_pa;
    c->tsc_offset = v->arch.msr.tsc_offset;  /* INIT does not reset the TSC */
    /* The ASID and TLB_CONTROL are chosen at each entry (asid.c). */
}

enum vcpu_reset_kind {
    RESET_POWER_ON,     /* a new vCPU, or a new entry state from the toolstack/boot */
    RESET_INIT,         /* the INIT signal: keeps MSRs, CR0.CD/NW, x87/SSE/AVX state */
};

#define CR0_CD_NW     ((1u << 30) | (1u << 29))
#define PAT_POWER_ON  0x0007040600070406ull

/*
 * The architectural state after RESET or INIT (Intel SDM vol. 3 table 10-1, AMD APM
 * vol. 2 table 14-1): real mode at F000:FFF0, CR0 = 0x60000010 (INIT keeps CD/NW),
 * CR2/CR3/CR4 = 0, EFER = 0, RFLAGS = 2, DR0-3 = 0, DR6 = 0xFFFF0FF0, DR7 = 0x400, GPRs 0
 * but EDX = family/model/stepping, GDTR/IDTR base 0 limit 0xFFFF, segments base 0 limit
 * 0xFFFF, the local APIC reset (INIT keeps its ID and its mode), no pending event. The debug core is
 * told by the callers (dbg_vcpu_reset) that the DR state and intercepts were reset.
 */
static void vcpu_reset(struct vcpu *v, enum vcpu_reset_kind kind)
{
    struct vmcb *vmcb = v->arch.vmcb;
    struct vmcb_save *s = &vmcb->save;
    const struct vmcb_save old = *s;
    uint32_t id[4];

    memset(vmcb, 0, sizeof(*vmcb));
    vmcb_init_control(v);
    s->efer = EFER_SVME;                   /* required by VMRUN; hidden from the guest */
    s->cr0 = CR0_CD_NW | X86_CR0_ET;
    s->dr6 = 0xffff0ff0;
    s->dr7 = 0x400;
    s->rflags = 0x2;
    s->rip = 0xfff0;
    seg(&s->cs, 0xf000, 0x009b, 0xffff, 0xffff0000);
    seg(&s->ds, 0, 0x0093, 0xffff, 0);
    s->es = s->ss = s->fs = s->gs = s->ds;
    seg(&s->ldtr, 0, 0x0082, 0xffff, 0);
    seg(&s->tr, 0, 0x008b, 0xffff, 0);
    seg(&s->gdtr, 0, 0, 0xffff, 0);
    seg(&s->idtr, 0, 0, 0xffff, 0);
    s->g_pat = PAT_POWER_ON;
    memset(v->arch.gpr, 0, sizeof(v->arch.gpr));
    hvm_cpuid(v, 1, 0, id);
    v->arch.gpr[GPR_RDX] = id[0];
    v->arch.flush_tlb = true;              /* INIT invalidates the TLBs */
    v->arch.step_after_emulation = false;
    if (kind == RESET_INIT) {
        vlapic_init_signal(v);             /* the APIC keeps its ID and mode */
        s->cr0 = (old.cr0 & CR0_CD_NW) | X86_CR0_ET;
        /* MSRs are not changed by INIT (EFER is, above). */
        s->star = old.star;
        s->lstar = old.lstar;
        s->cstar = old.cstar;
        s->sfmask = old.sfmask;
        s->kernel_gs_base = old.kernel_gs_base;
        s->sysenter_cs = old.sysenter_cs;
        s->sysenter_esp = old.sysenter_esp;
        s->sysenter_eip = old.sysenter_eip;
        s->g_pat = old.g_pat;
        /* x87/SSE/AVX state: INIT leaves it as it is. */
    } else {
        vlapic_reset(v);
        xstate_vcpu_reset(v);              /* FCW, MXCSR and XCR0 as after RESET */
    }
}

int svm_vcpu_init(struct vcpu *v)
{
    v->arch.vmcb_pa = zeroed_pages(&v->domain->pages, 1);
    if (!v->arch.vmcb_pa)
        return -1;
    v->arch.vmcb = (struct vmcb *)v->arch.vmcb_pa;
    if (xstate_vcpu_init(v) < 0)
        return -1;
    svm_asid_vcpu_init(&v->arch.asid);
    v->arch.next_timer_ns = v->arch.next_timer_tsc = UINT64_MAX;   /* never, converted */
    hvm_msr_reset(v);
    vcpu_reset(v, RESET_POWER_ON);         /* the debug core starts with dbg_init() */
    return 0;
}

void svm_vcpu_set_entry(struct vcpu *v, uint32_t eip, uint32_t eax, uint32_t ebx)
{
    struct vmcb_save *s = &v->arch.vmcb->save;

    vcpu_reset(v, RESET_POWER_ON);
    dbg_vcpu_reset(&v->dbg);
    /* Multiboot: flat 32-bit protected mode, paging off, IF=0. */
    s->cr0 = X86_CR0_PE | X86_CR0_ET;
    seg(&s->cs, 0x08, 0x0c9b, 0xffffffff, 0);
    seg(&s->ds, 0x10, 0x0c93, 0xffffffff, 0);
    s->es = s->ss = s->fs = s->gs = s->ds;
    s->rip = eip;
    /* RAX lives in gpr[] between runs: svm_vcpu_run copies it into the VMCB. */
    v->arch.gpr[GPR_RAX] = eax;
    v->arch.gpr[GPR_RBX] = ebx;
    v->arch.wait_for_sipi = false;
    v->arch.init_pending = v->arch.sipi_latched = false;
}

/*
 * The Linux 64-bit boot protocol's entry state (Documentation/arch/x86/boot.rst):
 * long mode with paging on at cr3, PAE, CS a flat 64-bit code segment and
 * DS/ES/SS/FS/GS flat data, both from the GDT at gdt_base (the caller wrote it there:
 * the hidden parts loaded here are what that GDT says, as after a far jump and
 * segment loads), IF=0, GPRs zero; RIP and RSI (boot_params) come after.
 */
void svm_vcpu_set_entry64(struct vcpu *v, const struct vcpu_entry64 *e)
{
    struct vmcb_save *s = &v->arch.vmcb->save;

    svm_vcpu_set_entry(v, 0, 0, 0);
    s->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_PG;
    s->cr3 = e->cr3;
    s->cr4 = X86_CR4_PAE;
    s->efer = EFER_SVME | EFER_LME | EFER_LMA;
    seg(&s->cs, e->cs, 0x0a9b, 0xffffffff, 0);    /* P, DPL 0, code, L=1, G */
    seg(&s->ds, e->ds, 0x0c93, 0xffffffff, 0);    /* P, DPL 0, data, D/B, G */
    s->es = s->ss = s->fs = s->gs = s->ds;
    seg(&s->gdtr, 0, 0, e->gdt_limit, e->gdt_base);
}

void svm_vcpu_init_signal(struct vcpu *v)
{
    vcpu_reset(v, RESET_INIT);
    dbg_vcpu_reset(&v->dbg);
}

void svm_vcpu_start_sipi(struct vcpu *v, uint8_t vector)
{
    struct vmcb_save *s = &v->arch.vmcb->save;

    /* From the INIT state: real mode at vector << 12. */
    seg(&s->cs, (uint16_t)(vector << 8), 0x009b, 0xffff, (uint64_t)vector << 12);
    s->rip = 0;
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
        if (d->vcpus[i] && d->vcpus[i]->arch.vmcb_pa) {
            palloc_free_for(&d->pages, d->vcpus[i]->arch.vmcb_pa, 1);
            xstate_vcpu_destroy(d->vcpus[i]);
        }
}

uint64_t svm_vcpu_rip(const struct vcpu *v) { return v->arch.vmcb->save.rip; }

/* Exception classes for delivering one exception while delivering another
 * (AMD APM vol. 2 8.2.9 "Double Fault", Intel SDM vol. 3 table 6-5). */
enum exc_class { EXC_BENIGN, EXC_CONTRIBUTORY, EXC_PAGE_FAULT, EXC_DOUBLE_FAULT };

static enum exc_class exc_class_of(uint64_t type, unsigned vector)
{
    if (type != SVM_EVTINJ_TYPE_EXEPT)
        return EXC_BENIGN;                  /* interrupts, NMI, INT n */
    switch (vector) {
    case X86_EXC_DE: case X86_EXC_TS: case X86_EXC_NP: case X86_EXC_SS: case X86_EXC_GP:
        return EXC_CONTRIBUTORY;
    case X86_EXC_PF:
        return EXC_PAGE_FAULT;
    case X86_EXC_DF:
        return EXC_DOUBLE_FAULT;
    default:
        return EXC_BENIGN;
    }
}

/*
 * Inject an exception. An event still pending in EVENTINJ here is one whose
 * delivery raised this exception (re-injected from EXITINTINFO by
 * svm_reinject_interrupted_event, the exception intercepted meanwhile): the
 * CPU's class rules decide. Contributory during contributory, or page fault
 * or contributory during a page fault, is #DF(0); any of those during #DF
 * shuts the domain down (triple fault); otherwise the new one is delivered.
 */
void svm_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
    uint64_t prev = v->arch.vmcb->control.eventinj, ev;

    if (prev & SVM_EVTINJ_VALID) {
        enum exc_class first = exc_class_of(prev & (7ull << 8), prev & 0xff);
        enum exc_class second = exc_class_of(SVM_EVTINJ_TYPE_EXEPT, vector);

        if (second != EXC_BENIGN && first == EXC_DOUBLE_FAULT) {
            domain_crash(v->domain, "triple fault: exception %u while delivering #DF at rip %#llx",
                         vector, (unsigned long long)v->arch.vmcb->save.rip);
            return;
        }
        if ((first == EXC_CONTRIBUTORY && second == EXC_CONTRIBUTORY) ||
            (first == EXC_PAGE_FAULT && second != EXC_BENIGN)) {
            vector = X86_EXC_DF;
            has_error = true;
            error = 0;
        }
    }
    ev = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_EXEPT | vector;
    if (has_error)
        ev |= SVM_EVTINJ_VALID_ERR | ((uint64_t)error << 32);
    v->arch.vmcb->control.eventinj = ev;
}

/* INT n (and INT3/INTO): delivered as the instruction would be, gate DPL
 * checked against CPL; the return address is the VMCB's RIP. */
void svm_inject_soft_interrupt(struct vcpu *v, uint8_t vector)
{
    v->arch.vmcb->control.eventinj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_SOFT | vector;
}

/* Interrupt delivery: inject now if the guest can take it, else ask for a
 * VINTR exit at the moment it opens its interrupt window. The vPIC's ExtINT
 * goes first (its vector comes from the INTA cycle, not from the APIC's
 * priorities), then the APIC's highest deliverable vector. */
static void inject_pending_interrupt(struct vcpu *v, uint64_t now, uint64_t next_timer)
{
    struct vmcb *vmcb = v->arch.vmcb;
    int vec;
    bool extint;

    if (now >= next_timer)                /* the timers are polled only when one is due */
        hvm_poll_timers(v, now);
    hvm_irq_flush_kicks(v->domain);
    v->arch.irqs_idle = false;
    vmcb->control.intercept_misc1 &= ~SVM_INTERCEPT_VINTR;
    vmcb->control.int_ctl &= ~SVM_V_IRQ;
    if (svm_nmi_inject(v) || (vmcb->control.eventinj & SVM_EVTINJ_VALID))
        return;
    vec = vlapic_pending_vector(v);
    extint = hvm_irq_extint_pending(v);
    if (vec < 0 && !extint) {
        v->arch.irqs_idle = true;
        return;
    }
    if (dbg_host_blocks_irqs(&v->dbg))
        return;             /* the host debugger is stepping with IRQs held off */
    if ((vmcb->save.rflags & X86_EFLAGS_IF) && !(vmcb->control.int_state & 1)) {
        int ext = extint ? hvm_irq_extint_ack(v) : -1;   /* INTA */
        if (ext >= 0)
            vec = ext;
        else if (vec >= 0)
            vlapic_ack(v, vec);
        else
            return;         /* the PIC's request went away before INTA */
        vmcb->control.eventinj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_INTR | (uint64_t)vec;
        /* Another request already waits (the next owed PIT tick, raised at an
         * auto-EOI INTA): exit as soon as the guest can take it. */
        if (hvm_vcpu_has_interrupt(v)) {
            vmcb->control.int_ctl |= SVM_V_IRQ | SVM_V_IGN_TPR;
            vmcb->control.intercept_misc1 |= SVM_INTERCEPT_VINTR;
        }
    } else {
        vmcb->control.int_ctl |= SVM_V_IRQ | SVM_V_IGN_TPR;
        vmcb->control.intercept_misc1 |= SVM_INTERCEPT_VINTR;
    }
}

/*
 * Whether the interrupt evaluation can be skipped at this entry: the last one
 * found nothing to deliver, no guest timer is due, and the exit was one whose
 * handler never touches an interrupt controller (it said so, exit.c: CPUID,
 * MOV DR, RDMSR, port I/O where no interrupt-raising device sits).
 * Whatever
 * another pCPU makes pending comes with a host interrupt (kick or exit IPI),
 * held off while we are here and taken as an INTR exit right after VMRUN,
 * which evaluates again; so does any other exit.
 */
static bool irqs_unchanged(const struct vcpu *v, bool timer_due)
{
    return v->arch.irqs_idle && !timer_due && v->arch.exit_left_irqs;
}

/* Whether now_ns() at this RDTSC value has reached the next guest timer: one
 * compare with the TSC value that reaches it, converted once per deadline. */
static bool timer_due_at(struct vcpu *v, uint64_t tsc, uint64_t next_timer)
{
    if (__builtin_expect(next_timer != v->arch.next_timer_ns, 0)) {
        v->arch.next_timer_ns = next_timer;
        v->arch.next_timer_tsc = tsc_reaching_ns(next_timer);
    }
    return tsc >= v->arch.next_timer_tsc;
}

/* VMRUN refuses a long-mode CS with both L and D set. Hardware raises #GP
 * at the far transfer that loads one, but QEMU TCG loads it and runs the
 * code as 64-bit (D is ignored when L=1); do as it does, so that no guest
 * can make VMRUN fail this way. The selector's descriptor is unchanged. */
static void vmcb_cs_ignore_d_in_64bit(struct vmcb_save *s)
{
    if ((s->cs.attrib & 0x600) == 0x600 && (s->efer & EFER_LMA))   /* L and D: rare, first */
        s->cs.attrib &= ~0x400;
}

/* The vCPU's x87/SSE/AVX state and TSC_AUX stay in the CPU from load to
 * put: the hypervisor itself never touches them, so exits need not switch
 * them (an emulated write goes to the CPU at once: the writer is loaded). */
void svm_vcpu_load(struct vcpu *v)
{
    v->arch.irqs_idle = false;            /* evaluated afresh after a time off the pCPU */
    xstate_enter_guest(v);
    hvm_msr_load_guest(v);
}
void svm_vcpu_put(struct vcpu *v) { xstate_leave_guest(v); }

/* One VM entry, exit and its handling. */
static inline __attribute__((always_inline)) enum vcpu_run_result
svm_run_once(struct vcpu *v, struct pcpu *p)
{
    struct vmcb *vmcb = v->arch.vmcb;
    uint64_t tsc, next_timer;
    bool timer_due;

    if (v->arch.init_pending || v->arch.sipi_latched) {
        if (sched_vcpu_take_init_sipi(v))
            return RUN_RESCHEDULE;      /* INIT: it waits for a SIPI */
    }
    /* With V_INTR_MASKING the guest reads CR8 from V_TPR: the APIC's TPR. */
    vmcb->control.int_ctl = (vmcb->control.int_ctl & ~SVM_V_TPR_MASK) |
                            vlapic_state_cr8(&v->arch.vlapic);
    tsc = rdtsc();                        /* now_ns() is tsc_to_ns(tsc) */
    next_timer = hvm_next_timer_of(&v->domain->arch, &v->arch);
    timer_due = timer_due_at(v, tsc, next_timer);
    if (!irqs_unchanged(v, timer_due)) {
        inject_pending_interrupt(v, tsc_to_ns(tsc), next_timer);
        if (timer_due)                    /* polled: the next one is later */
            next_timer = hvm_next_timer_ns(v);
    }
    lapic_timer_fire_by(p->id, next_timer);   /* a guest timer due mid-slice exits on time */
    dbg_before_vmentry(&v->dbg);      /* may change the NPT: flush after it */
    vmcb_cs_ignore_d_in_64bit(&vmcb->save);
    /* A flush requested from now on finds in_guest set and makes us exit. */
    __atomic_store_n(&v->arch.in_guest, true, __ATOMIC_SEQ_CST);
    bool flush = __atomic_exchange_n(&v->arch.flush_tlb, false, __ATOMIC_SEQ_CST);
    /* The VMCB keeps the ASID from the entry that took it (a reset, which clears
     * the VMCB, asks for a flush), and TLB_CONTROL is cleared after each exit.
     * v->pcpu changes only with the ASID's pCPU. */
    if (flush || !svm_asid_valid_on(&v->arch.asid, p->id)) {
        vmcb->control.tlb_control = svm_asid_assign(&v->arch.asid, p->id);
        vmcb->control.asid = v->arch.asid.asid;
        v->pcpu = p->id;
    }

    vmcb->save.rax = v->arch.gpr[GPR_RAX];
    vmcb->save.rsp = v->arch.gpr[GPR_RSP];
    __asm__ volatile("clgi; sti" ::: "memory");
    svm_vmrun(v->arch.gpr, v->arch.vmcb_pa, p->host_vmcb_pa);
    /* GIF=0, IF=1: STGI lets a pending host interrupt (the tick) in now. */
    __asm__ volatile("stgi; cli" ::: "memory");
    __atomic_store_n(&v->arch.in_guest, false, __ATOMIC_SEQ_CST);
    v->arch.gpr[GPR_RAX] = vmcb->save.rax;
    v->arch.gpr[GPR_RSP] = vmcb->save.rsp;
    vmcb->control.tlb_control = 0;
    v->arch.exit_left_irqs = false;       /* until its handler says otherwise */

    dbg_after_vmexit_run(&v->dbg, svm_run_kept_dr7(vmcb));
    /* Rare: an exit during event delivery, or while an injected INT n is delivered. */
    if (v->arch.soft_delivery_len || (vmcb->control.exitintinfo & SVM_EVTINJ_VALID))
        svm_reinject_interrupted_event(v);
    return svm_handle_exit(v);
}

/* Consecutive entries stay here, with the scheduler's own check between them
 * (sched_vcpu_keeps_running), so the call frame around them is paid once per run
 * of the vCPU, not once per exit. */
enum vcpu_run_result svm_vcpu_run(struct vcpu *v)
{
    struct pcpu *p = this_pcpu();
    enum vcpu_run_result r;

    do
        r = svm_run_once(v, p);
    while (r == RUN_CONTINUE && sched_vcpu_keeps_running(p, v));
    return r;
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
    if (r->mode == DBGV_VCPU_MODE_LINUX64) {      /* the layout of bzimage_load() */
        const struct vcpu_entry64 e = {
            .cr3 = BZ_PT_GPA, .gdt_base = BZ_GDT_GPA, .gdt_limit = 4 * 8 - 1,
            .cs = BZ_BOOT_CS, .ds = BZ_BOOT_DS,
        };
        svm_vcpu_set_entry64(v, &e);
    }
    if (r->mask & DBGV_REG_RIP)
        s->rip = r->rip;
    if (r->mask & DBGV_REG_RFLAGS)
        s->rflags = (r->rflags & 0x3f7fd7ull) | 0x2;   /* reserved bits as the CPU keeps them */
    for (unsigned i = 0; i < ARRAY_SIZE(map); i++)
        if (r->mask & map[i].bit)
            v->arch.gpr[map[i].gpr] = *src[i];
}
