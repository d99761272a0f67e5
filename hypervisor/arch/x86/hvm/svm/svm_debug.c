/*
 * Debug-register mechanisms for the debug core (dbgvisor/debug_arch.h part 1)
 * and the debug-related exits. Policy lives in common/debug; this file only
 * moves values between the core, the VMCB and the hardware registers.
 */
#include <asm/decode.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <dbgvisor/debug_arch.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/events.h>
#include <dbgvisor/guest_debug.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/spinlock.h>
#include <asm/npt.h>
#include "svm_internal.h"
#include "svm_debug.h"
#include "dr_decode.h"
#include <asm/svm_dr_probe.h>

#define DR_INTERCEPT_ALL 0x00ff00ffu     /* reads and writes of DR0-DR7 */
/* Untrapped, writes of DR4-DR7 still exit where the platform keeps reserved
 * DR6/DR7 bits as written (QEMU's TCG; the boot probe, dr_probe.c), so the
 * core applies the architectural masks. */
#define DR_INTERCEPT_PASSTHROUGH 0x00f00000u

static struct vcpu *dbg_to_vcpu(struct dbg_vcpu *d)
{
    return (struct vcpu *)((char *)d - __builtin_offsetof(struct vcpu, dbg));
}

static struct vmcb *dbg_vmcb(struct dbg_vcpu *d) { return dbg_to_vcpu(d)->arch.vmcb; }

/*
 * What the arch layer remembers for a host debugger, per vCPU (indexed by
 * domain slot and vCPU id; reset on attach and detach).
 */
struct gdbg_vcpu {
    uint32_t domid;           /* whose state this is: slots are reused */
    bool     arming;          /* the core is about to put the host's TF on */
    bool     rf_set;          /* we set RF to resume past a host exec breakpoint */
    bool     refire_valid;    /* ... or, with an event queued, swallow its refire */
    uint64_t refire_rip;
    bool     pushf;           /* the host-stepped instruction is PUSHF */
    bool     syscall;         /* ... is SYSCALL (saves RFLAGS in R11) */
    /* NPT emulation of host breakpoints without a hardware slot */
    uint32_t unplaced;        /* host bp ids emulated with NPT */
    uint32_t gpa_valid;       /* ... whose address translated */
    uint64_t gpa[DBG_MAX_HOST_BP];
    bool     npt_step;        /* stepping over an access to a protected page */
    uint64_t open_gpa[4];     /* ... the pages opened for it, kept open until */
    unsigned n_open;          /* ... the step is done */
    bool     saved_step, saved_irqs; /* the debugger's own step state meanwhile */
    uint32_t npt_hits;        /* watchpoints the stepped access hit */
    uint64_t npt_hit_addr;
    bool     exec_skip;       /* resume over a reported NPT exec breakpoint */
    uint64_t exec_skip_rip;
    uint32_t soft_intercepts; /* ... and the fault intercepts added for it */
    bool     event_step;      /* a host step through an event delivery ... */
    uint64_t event_rip;       /* ... ends at this handler's first fetch */
    uint64_t event_gpa;
};
static struct gdbg_vcpu gdbg_state[MAX_DOMAINS][MAX_VCPUS];

/* A vCPU's first use of its slot (vCPUs start zeroed): the slot is reset
 * if it last served another domain. Out of line: gs_of runs on every exit. */
static __attribute__((noinline, cold)) struct gdbg_vcpu *gs_attach(struct vcpu *v)
{
    struct gdbg_vcpu *g = &gdbg_state[v->domain - domains][v->id % MAX_VCPUS];

    if (g->domid != v->domain->id) {      /* a new domain in this slot */
        memset(g, 0, sizeof(*g));
        g->domid = v->domain->id;
    }
    v->arch.svm_debug = g;
    return g;
}

static inline struct gdbg_vcpu *gs_of(struct vcpu *v)
{
    struct gdbg_vcpu *g = v->arch.svm_debug;

    return __builtin_expect(g != NULL, 1) ? g : gs_attach(v);
}

void dbg_arch_load_slots(struct dbg_vcpu *d, const uint64_t val[DBG_NR_SLOTS])
{
    __asm__ volatile("mov %0, %%db0" :: "r"(val[0]));
    __asm__ volatile("mov %0, %%db1" :: "r"(val[1]));
    __asm__ volatile("mov %0, %%db2" :: "r"(val[2]));
    __asm__ volatile("mov %0, %%db3" :: "r"(val[3]));
}

void dbg_arch_load_slot(struct dbg_vcpu *d, unsigned slot, uint64_t val)
{
    switch (slot) {
    case 0: __asm__ volatile("mov %0, %%db0" :: "r"(val)); break;
    case 1: __asm__ volatile("mov %0, %%db1" :: "r"(val)); break;
    case 2: __asm__ volatile("mov %0, %%db2" :: "r"(val)); break;
    case 3: __asm__ volatile("mov %0, %%db3" :: "r"(val)); break;
    }
}

void dbg_arch_save_slots(struct dbg_vcpu *d, uint64_t val[DBG_NR_SLOTS])
{
    __asm__ volatile("mov %%db0, %0" : "=r"(val[0]));
    __asm__ volatile("mov %%db1, %0" : "=r"(val[1]));
    __asm__ volatile("mov %%db2, %0" : "=r"(val[2]));
    __asm__ volatile("mov %%db3, %0" : "=r"(val[3]));
}

void dbg_arch_set_status(struct dbg_vcpu *d, uint64_t v) { dbg_vmcb(d)->save.dr6 = v; }
uint64_t dbg_arch_get_status(struct dbg_vcpu *d) { return dbg_vmcb(d)->save.dr6; }
static void follow_layout(struct vcpu *v);

void dbg_arch_set_control(struct dbg_vcpu *d, uint64_t v)
{
    dbg_vmcb(d)->save.dr7 = v;
    follow_layout(dbg_to_vcpu(d));
}
uint64_t dbg_arch_get_control(struct dbg_vcpu *d) { return dbg_vmcb(d)->save.dr7; }

void dbg_arch_set_intercepts(struct dbg_vcpu *d, bool on)
{
    dbg_vmcb(d)->control.intercept_dr = on ? DR_INTERCEPT_ALL
                                      : svm_dr_writes_exit() ? DR_INTERCEPT_PASSTHROUGH : 0;
}

void dbg_arch_inject_db(struct dbg_vcpu *d, uint64_t dr6)
{
    svm_inject_exception(dbg_to_vcpu(d), X86_EXC_DB, false, 0);
}

void dbg_arch_inject_gp(struct dbg_vcpu *d) { svm_inject_gp(dbg_to_vcpu(d)); }
void dbg_arch_inject_ud(struct dbg_vcpu *d) { svm_inject_ud(dbg_to_vcpu(d)); }

bool dbg_arch_get_tf(struct dbg_vcpu *d) { return dbg_vmcb(d)->save.rflags & X86_EFLAGS_TF; }

static void event_step_arm(struct vcpu *v);
static bool syscall_step(struct vcpu *v);

/* Faults a host-stepped instruction can raise natively: intercepted while
 * the host's TF is on, so their frames never carry it (re-injected, the step
 * then ends at the handler through event_step_arm). */
#define STEP_FAULTS ((1u << 0) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 10) | \
                     (1u << 11) | (1u << 12) | (1u << 13) | (1u << 14) | (1u << 16) | \
                     (1u << 19))
#define BASE_EXCEPTIONS ((1u << X86_EXC_DB) | (1u << X86_EXC_BP) | (1u << X86_EXC_AC))

void dbg_arch_set_tf(struct dbg_vcpu *d, bool tf)
{
    struct vmcb *vmcb = dbg_vmcb(d);
    struct gdbg_vcpu *gs = gs_of(dbg_to_vcpu(d));

    if (gs->arming) {
        gs->arming = false;
        /* An event is being injected: its frame would carry the host's TF
         * and its handler would run without it. Decline the step for this
         * entry; the core arms it again at the next one. */
        if (tf && (vmcb->control.eventinj & SVM_EVTINJ_VALID)) {
            d->step_armed = false;
            gs->pushf = false;
            gs->syscall = false;
            event_step_arm(dbg_to_vcpu(d));
            return;
        }
        /* SYSCALL would save the host's TF in R11, and with TF in SFMASK the
         * CPU raises no step trap after it. Unless the guest's own TF goes
         * through (then the hardware's result is already right), perform
         * it here and stop at the entry point's first fetch. */
        if (tf && gs->syscall) {
            gs->syscall = false;
            if (!(d->guest_tf && !(vmcb->save.sfmask & X86_EFLAGS_TF)) &&
                syscall_step(dbg_to_vcpu(d))) {
                d->step_armed = false;
                return;
            }
        }
    }
    if (tf && d->host_step && d->step_armed)
        vmcb->control.intercept_exceptions |= STEP_FAULTS;
    if (tf)
        vmcb->save.rflags |= X86_EFLAGS_TF;
    else
        vmcb->save.rflags &= ~(uint64_t)X86_EFLAGS_TF;
}

bool dbg_arch_next_insn_loads_tf(struct dbg_vcpu *d)
{
    uint8_t b[15];
    unsigned n = guest_fetch_insn(dbg_to_vcpu(d), b, sizeof(b)), i = 0;

    struct gdbg_vcpu *gs = gs_of(dbg_to_vcpu(d));

    /* Called by the core right before it arms the host's TF. */
    gs->arming = true;
    /* Skip operand-size and REX prefixes: POPF (9D) and IRET (CF) load RFLAGS;
     * PUSHF (9C) stores it, and the image must not show the host's TF. */
    while (i < n && (b[i] == 0x66 || (b[i] & 0xf0) == 0x40))
        i++;
    gs->pushf = i < n && b[i] == 0x9c;
    gs->syscall = i + 1 < n && b[i] == 0x0f && b[i + 1] == 0x05;
    /* SYSRET (0F 07) loads RFLAGS from R11, as POPF from the stack. */
    return i < n && (b[i] == 0x9d || b[i] == 0xcf ||
                     (b[i] == 0x0f && i + 1 < n && b[i + 1] == 0x07));
}

static uint64_t stack_linear(struct vcpu *v)
{
    struct vmcb_save *s = &v->arch.vmcb->save;
    uint64_t sp = v->arch.gpr[GPR_RSP];

    if (guest_cpu_mode(v) == X86_MODE_LONG64)
        return sp;
    return (s->ss.base + ((s->ss.attrib & 0x400) ? (uint32_t)sp : (uint16_t)sp)) & 0xffffffffull;
}

/* The host stepped a PUSHF: the image on the stack has the host's TF in it;
 * put the guest's own TF there instead. */
static void hide_pushf_tf(struct vcpu *v)
{
    struct gdbg_vcpu *gs = gs_of(v);
    uint64_t gpa;
    uint16_t low;

    if (!gs->pushf)
        return;
    gs->pushf = false;
    if (guest_virt_to_phys(v, stack_linear(v), &gpa) != GW_OK ||
        domain_read_gpa(v->domain, gpa, &low, sizeof(low)))
        return;
    low = (uint16_t)((low & ~X86_EFLAGS_TF) | (v->dbg.guest_tf ? X86_EFLAGS_TF : 0));
    domain_write_gpa(v->domain, gpa, &low, sizeof(low));
}

/* Data watchpoints among the host breakpoints in mask. */
static uint32_t host_watch_mask(struct vcpu *v, uint32_t mask)
{
    uint32_t w = 0;

    for (unsigned id = 0; id < DBG_MAX_HOST_BP; id++)
        if ((mask & (1u << id)) && v->dbg.host_bp[id].type != DBG_BP_EXEC)
            w |= 1u << id;
    return w;
}

/*
 * A host debug event: tell the toolstack and stop the domain until it
 * continues. code = ids of the host breakpoints that hit, dr6 = the cause
 * in DR6 form (B0-B3 for ids 0-3, BS for a step), data = the watched
 * address for a watchpoint.
 */
static void apply_protection(struct domain *d);

static enum vcpu_run_result report_rf(struct vcpu *v, bool step, uint32_t bps, uint64_t data,
                                      bool guest_exec_hit)
{
    struct gdbg_vcpu *gs = gs_of(v);
    struct vmcb *vmcb = v->arch.vmcb;
    uint32_t watch = host_watch_mask(v, bps);
    struct dbgv_ctl_event ev = {
        .domid = v->domain->id, .vcpu = v->id,
        .type = watch ? DBGV_EV_WATCHPOINT : bps ? DBGV_EV_BREAKPOINT : DBGV_EV_STEP_DONE,
        .code = (int32_t)bps, .addr = vmcb->save.rip,
        .dr6 = 0xffff0ff0ull | (bps & 0xf) | (step ? (1ull << 14) : 0),
        .data = data,
    };

    gs->rf_set = false;
    vmcb->control.intercept_exceptions &= ~STEP_FAULTS | BASE_EXCEPTIONS;
    if (gs->event_step) {
        gs->event_step = false;
        apply_protection(v->domain);
    }
    if (watch && !data)
        ev.data = v->dbg.host_bp[__builtin_ctz(watch)].addr;
    /* An execution breakpoint is fault-like: resume with RF or it fires
     * again. With an event queued for the guest, RF would show in its
     * frame: swallow the one refire instead. */
    if ((bps & ~watch & ~gs->unplaced) && !guest_exec_hit) {
        if (vmcb->control.eventinj & SVM_EVTINJ_VALID) {
            gs->refire_valid = true;
            gs->refire_rip = vmcb->save.rip;
        } else if (!(vmcb->save.rflags & X86_EFLAGS_RF)) {
            vmcb->save.rflags |= X86_EFLAGS_RF;
            gs->rf_set = true;
        }
    }
    events_post(&ev);
    domain_pause_from_vcpu(v->domain);
    return RUN_RESCHEDULE;
}

static enum vcpu_run_result report(struct vcpu *v, bool step, uint32_t bps, uint64_t data)
{
    return report_rf(v, step, bps, data, false);
}

static enum vcpu_run_result report_to_host(struct vcpu *v, const struct dbg_route *r)
{
    bool guest_exec_hit = false;

    /* The guest's own execution breakpoint hit too: its handler resumes
     * with RF (as on hardware), which covers the host's breakpoint. */
    if (r->to_guest)
        for (unsigned n = 0; n < DBG_NR_SLOTS; n++)
            if ((r->guest_dr6 & (1u << n)) && ((v->dbg.control >> (16 + 4 * n)) & 3) == 0)
                guest_exec_hit = true;
    return report_rf(v, r->host_step, r->host_bps, 0, guest_exec_hit);
}

enum vcpu_run_result svm_debug_dr_access(struct vcpu *v, uint64_t exitcode)
{
    struct vmcb *vmcb = v->arch.vmcb;
    int mode = guest_cpu_mode_of(&vmcb->save);
    struct x86_insn insn;
    uint32_t made;
    unsigned n;

    /* The exit says a MOV DR ran; other bytes there now mean another vCPU
     * rewrote them, and the guest runs what is there instead (DR8-15: only
     * the direction can be compared). */
    if (svm_decode_dr_insn(v, mode, &insn, &n) < 0 || !(made = svm_mov_dr_exitcode(&insn)) ||
        (insn.dr < 8 ? made != exitcode
                     : (made >= SVM_EXIT_WRITE_DR0) != (exitcode >= SVM_EXIT_WRITE_DR0)))
        return guest_insn_changed(v, n, "debug-register exit");
    if (insn.lock) {
        svm_inject_ud(v);
        return RUN_CONTINUE;
    }
    struct dbg_access a = {
        .reg = insn.dr,
        .write = insn.kind == X86_INSN_MOV_TO_DR,
        .cpl = vmcb->save.cpl,
        .cr4_de = vmcb->save.cr4 & X86_CR4_DE,
        .long_mode = mode == X86_MODE_LONG64,
        .value = *svm_gpr(v, insn.gpr),
    };
    if (!a.long_mode)
        a.value = (uint32_t)a.value;
    if (dbg_on_mov_dr(&v->dbg, &a) != DBG_ACCESS_DONE)
        return RUN_CONTINUE;
    if (!a.write)
        *svm_gpr(v, insn.gpr) = a.long_mode ? a.value : (uint32_t)a.value;
    svm_skip_instruction(v, insn.len);
    return RUN_CONTINUE;
}

static enum vcpu_run_result npt_step_done(struct vcpu *v, const struct dbg_route *r);

static uint64_t dr7_len(uint64_t ctl, unsigned n)
{
    static const uint8_t len[4] = { 1, 2, 8, 4 };
    return len[(ctl >> (18 + 4 * n)) & 3];
}

/*
 * QEMU's TCG stops at the first data breakpoint an access matches and sets
 * only its B bit; hardware sets the B bit of every slot that matched. When
 * the guest and the host watch the same variable in two slots, one of them
 * would lose the hit. Complete DR6 where it is certain and a host slot is
 * involved: a data slot k that
 * did not report, whose range contains the range of a slot h that did, and
 * whose type matches whatever access h matched (k read/write, or both
 * write), matched the same access.
 */
static uint64_t complete_dr6(struct vcpu *v, uint64_t dr6)
{
    uint64_t ctl = v->dbg.hw_control, a[DBG_NR_SLOTS];
    const struct dbg_layout *l = dbg_get_layout(&v->dbg);

    if (v->dbg.ran_untrapped || !(dr6 & 0xf))
        return dr6;
    dbg_arch_save_slots(&v->dbg, a);
    for (unsigned h = 0; h < DBG_NR_SLOTS; h++) {
        unsigned rw_h = (ctl >> (16 + 4 * h)) & 3;
        uint64_t lo_h, hi_h;
        if (!(dr6 & (1u << h)) || rw_h == 0 || rw_h == 2)
            continue;
        lo_h = a[h] & ~(dr7_len(ctl, h) - 1);
        hi_h = lo_h + dr7_len(ctl, h);
        for (unsigned k = 0; k < DBG_NR_SLOTS; k++) {
            unsigned rw_k = (ctl >> (16 + 4 * k)) & 3;
            uint64_t lo_k = a[k] & ~(dr7_len(ctl, k) - 1), hi_k = lo_k + dr7_len(ctl, k);
            if (k == h || (dr6 & (1u << k)) || !(ctl & (3ull << (2 * k))) ||
                rw_k == 0 || rw_k == 2 || (rw_k == 1 && rw_h != 1))
                continue;
            /* Between two guest slots, keep what the guest would see running
             * untrapped on this CPU: the core's policies must all agree. */
            if (l->owner[h] != DBGV_OWNER_HOST && l->owner[k] != DBGV_OWNER_HOST)
                continue;
            if (lo_k <= lo_h && hi_h <= hi_k)
                dr6 |= 1u << k;
        }
    }
    return dr6;
}

enum vcpu_run_result svm_debug_handle_db(struct vcpu *v)
{
    struct gdbg_vcpu *gs = gs_of(v);
    struct vmcb *vmcb = v->arch.vmcb;
    struct dbg_route r = dbg_on_db_exit(&v->dbg, complete_dr6(v, vmcb->save.dr6));

    if (r.host_step)
        hide_pushf_tf(v);
    if (gs->npt_step && r.host_step)
        return npt_step_done(v, &r);
    /* The guest's handler (for another cause) returned to a host execution
     * breakpoint already reported: step past it silently, as RF would have.
     * Only the first #DB after the report can be that refire. */
    if (gs->refire_valid) {
        gs->refire_valid = false;
        if (r.to_host && !r.to_guest && !r.host_step && vmcb->save.rip == gs->refire_rip &&
            !host_watch_mask(v, r.host_bps)) {
            vmcb->save.rflags |= X86_EFLAGS_RF;
            return RUN_CONTINUE;
        }
    }
    if (r.to_host)
        return report_to_host(v, &r);
    return RUN_CONTINUE;
}

/* A fault intercepted while the host stepped (STEP_FAULTS): deliver it as
 * the CPU would have; the host's step then ends at the handler. */
enum vcpu_run_result svm_debug_handle_exception(struct vcpu *v, unsigned vector)
{
    struct vmcb *vmcb = v->arch.vmcb;
    bool has_error = vector == 10 || vector == 11 || vector == 12 || vector == 13 ||
                     vector == 14 || vector == 17;

    if (vector >= 32 || !(STEP_FAULTS & (1u << vector))) {
        domain_crash(v->domain, "unexpected exception intercept %u", vector);
        return RUN_RESCHEDULE;
    }
    if (vector == X86_EXC_PF)
        vmcb->save.cr2 = vmcb->control.exitinfo2;
    svm_inject_exception(v, (uint8_t)vector, has_error, (uint32_t)vmcb->control.exitinfo1);
    return RUN_CONTINUE;
}

/*
 * INT3, INT n, INTO and ICEBP exit with RIP at the instruction's first byte,
 * legacy prefixes included. The return address the guest's handler sees is
 * the end of the whole instruction, so it is decoded (up to the 15-byte
 * limit: a longer one is #GP(0), as the CPU's fetch would give); the caller
 * advances RIP as its completion would (svm_advance_rip: wrap outside 64-bit
 * code, shadow ended, RF cleared) and injects the event. Returns false if
 * the domain was crashed or a #GP was injected instead.
 */
static bool complete_soft_event(struct vcpu *v, struct x86_insn *insn)
{
    uint8_t b[X86_MAX_INSN_LEN];
    unsigned n = guest_fetch_insn(v, b, sizeof(b));
    int rc = x86_decode(b, n, (enum x86_mode)guest_cpu_mode(v), insn);

    if (rc == X86_DECODE_TOO_LONG) {
        svm_inject_gp(v);
        return false;
    }
    /* The intercept comes before the instruction runs: if another vCPU
     * has rewritten it since, the guest re-executes what is there now. */
    if (rc < 0 || (insn->kind != X86_INSN_INT3 && insn->kind != X86_INSN_INT_N &&
                   insn->kind != X86_INSN_INTO && insn->kind != X86_INSN_ICEBP)) {
        guest_insn_changed(v, n, "software-interrupt exit");
        return false;
    }
    return true;
}

/*
 * The checks the CPU makes on the IDT gate before it delivers a software
 * interrupt (Intel SDM vol. 2 "INT n", AMD APM vol. 2 8.9): outside the IDT
 * limit, not an interrupt/trap/task gate, or DPL < CPL is #GP(vector*8+2);
 * not present is #NP(vector*8+2). They fault with RIP at the instruction,
 * which an injected software interrupt (RIP already past it, no NextRIP)
 * could not give, so they are raised here. 0: the gate is good (or the
 * vCPU is in real mode, where the IVT has no such checks).
 */
static int soft_int_gate_fault(struct vcpu *v, unsigned vector, uint32_t *error)
{
    struct vmcb_save *s = &v->arch.vmcb->save;
    bool long_mode = s->efer & EFER_LMA;
    unsigned size = long_mode ? 16 : 8, type, dpl;
    uint64_t gate = 0;

    if (!(s->cr0 & X86_CR0_PE))
        return 0;
    *error = vector * 8 + 2;
    if (vector * size + size - 1 > s->idtr.limit)
        return X86_EXC_GP;
    if (guest_read_linear(v, s->idtr.base + vector * size, &gate, 8, GR_SYSTEM) != 8)
        return 0;                          /* the CPU's own delivery will fault */
    type = (unsigned)(gate >> 40) & 0xf;
    dpl = (unsigned)(gate >> 45) & 3;
    if (long_mode ? (type != 0xe && type != 0xf)
                  : (type != 0x5 && type != 0x6 && type != 0x7 && type != 0xe && type != 0xf))
        return X86_EXC_GP;
    if (s->cpl > dpl)
        return X86_EXC_GP;
    if (!(gate & (1ull << 47)))
        return X86_EXC_NP;
    return 0;
}

/* Faults the delivery of a software interrupt can raise past the gate
 * checks (the handler's code segment, the stack). */
#define SOFT_DELIVERY_FAULTS ((1u << X86_EXC_TS) | (1u << X86_EXC_NP) | (1u << X86_EXC_SS) | \
                              (1u << X86_EXC_GP) | (1u << X86_EXC_PF))

/*
 * Inject INT n after its gate checks; a failed check faults at the
 * instruction. A fault later in the delivery would be raised with the
 * injected RIP, past the instruction: those faults are intercepted until
 * the delivery completes (svm_debug_soft_delivery_exit), as KVM does
 * without NextRIP.
 */
static void inject_soft_interrupt_checked(struct vcpu *v, uint8_t vector, unsigned len)
{
    struct vmcb_control *c = &v->arch.vmcb->control;
    struct gdbg_vcpu *gs = gs_of(v);
    uint32_t error = 0;
    int fault = soft_int_gate_fault(v, vector, &error);

    if (fault) {
        svm_inject_exception(v, (uint8_t)fault, true, error);
        return;
    }
    svm_advance_rip(v, len);
    svm_inject_soft_interrupt(v, vector);
    v->arch.soft_delivery_len = (uint8_t)len;
    gs->soft_intercepts |= SOFT_DELIVERY_FAULTS & ~c->intercept_exceptions;
    c->intercept_exceptions |= SOFT_DELIVERY_FAULTS;
}

void svm_debug_soft_delivery_exit(struct vcpu *v)
{
    struct vmcb *vmcb = v->arch.vmcb;
    if (__builtin_expect(!v->arch.soft_delivery_len, 1))
        return;                              /* every exit but one after an INT n */
    struct gdbg_vcpu *gs = gs_of(v);
    uint64_t info = vmcb->control.exitintinfo, code = vmcb->control.exitcode;
    bool soft = (info & SVM_EVTINJ_VALID) && (info & (7ull << 8)) == SVM_EVTINJ_TYPE_SOFT;
    if (soft && code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32) {
        /* The delivery faulted: the fault's RIP is the instruction. */
        vmcb->save.rip -= v->arch.soft_delivery_len;
        if (!(vmcb->save.cs.attrib & 0x200))
            vmcb->save.rip &= 0xffffffffull;
        vmcb->control.exitintinfo = 0;       /* the INT is re-executed, not re-injected */
    } else if (soft) {
        return;                              /* interrupted (#NPF...): injected again */
    }
    v->arch.soft_delivery_len = 0;
    vmcb->control.intercept_exceptions &= ~gs->soft_intercepts;
    gs->soft_intercepts = 0;
}

/*
 * INT3, INT n and INTO: QEMU's TCG reports them as software-interrupt exits
 * (INT3 too, instead of a #BP exception, DESIGN.md §1). They are injected as
 * software interrupts, so the gate's DPL is checked against CPL as for the
 * instruction (#GP(vector*8+2) from ring 3 through a DPL-0 gate).
 */
enum vcpu_run_result svm_debug_handle_swint(struct vcpu *v)
{
    struct x86_insn insn;

    if (!complete_soft_event(v, &insn))
        return domain_is_ended(v->domain) ? RUN_RESCHEDULE : RUN_CONTINUE;
    switch (insn.kind) {
    case X86_INSN_INT3:
        inject_soft_interrupt_checked(v, X86_EXC_BP, insn.len);
        break;
    case X86_INSN_INT_N:
        inject_soft_interrupt_checked(v, (uint8_t)insn.imm, insn.len);
        break;
    case X86_INSN_INTO:
        if (v->arch.vmcb->save.rflags & X86_EFLAGS_OF)
            inject_soft_interrupt_checked(v, X86_EXC_OF, insn.len);
        else                                    /* no trap: an ordinary instruction */
            svm_skip_instruction(v, insn.len);
        break;
    default:                                    /* ICEBP has its own exit */
        svm_advance_rip(v, insn.len);
        dbg_on_icebp(&v->dbg);
        break;
    }
    return domain_is_ended(v->domain) ? RUN_RESCHEDULE : RUN_CONTINUE;
}

/* The #BP exception intercept (hardware that reports INT3 as #BP): same. */
enum vcpu_run_result svm_debug_handle_bp(struct vcpu *v)
{
    return svm_debug_handle_swint(v);
}

/* ICEBP (INT1) is trap-like: the guest's #DB handler sees RIP after it. */
enum vcpu_run_result svm_debug_handle_icebp(struct vcpu *v)
{
    struct x86_insn insn;

    if (complete_soft_event(v, &insn)) {
        svm_advance_rip(v, insn.len);
        dbg_on_icebp(&v->dbg);
    }
    return domain_is_ended(v->domain) ? RUN_RESCHEDULE : RUN_CONTINUE;
}

void svm_debug_emulated_step(struct vcpu *v)
{
    struct dbg_route r = dbg_on_emulated_insn(&v->dbg);

    if (gs_of(v)->npt_step && r.host_step)
        npt_step_done(v, &r);
    else if (r.to_host)
        report_to_host(v, &r);
}

/* ---- host breakpoints without a hardware slot: NPT emulation ----------
 *
 * A host breakpoint the core could not place (layout.host_unplaced) is
 * emulated by protecting its page in the domain's nested page table:
 * execution breakpoints take X away, write watchpoints W, read/write
 * watchpoints the whole page. A #NPF on such a page is checked against the
 * faulting vCPU's emulated breakpoints; then the page is opened, the vCPU
 * steps over the one instruction with the core's hidden host single-step
 * (so a guest that steps itself still sees exactly its own #DB), and the
 * page is closed again. A watchpoint hit is reported after the access,
 * like the hardware's trap; an execution breakpoint before the fetch. */

#define GDBG_MAX_PAGES 32
#define NPT_RWX (NPT_R | NPT_W | NPT_X)

struct prot_page {
    uint64_t gpa;
    uint8_t perm;
};
static struct {
    uint32_t domid;
    unsigned n;
    struct prot_page p[GDBG_MAX_PAGES];
} prot[MAX_DOMAINS];
static spinlock_t prot_lock = SPINLOCK_INIT;

static uint64_t linear_rip(struct vcpu *v)
{
    struct vmcb_save *s = &v->arch.vmcb->save;

    if (guest_cpu_mode(v) == X86_MODE_LONG64)
        return s->rip;
    return (s->cs.base + s->rip) & 0xffffffffull;
}

static unsigned perm_for(uint8_t type)
{
    switch (type) {
    case DBG_BP_EXEC:  return NPT_R | NPT_W;
    case DBG_BP_WRITE: return NPT_R | NPT_X;
    default:           return 0;            /* reads and writes: not present */
    }
}

/* Recompute which pages of d are protected from every vCPU's emulated
 * breakpoints; open pages no longer needed. */
static void apply_protection(struct domain *d)
{
    struct prot_page want[GDBG_MAX_PAGES];
    unsigned n = 0, slot = (unsigned)(d - domains);

    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *u = d->vcpus[i];
        struct gdbg_vcpu *g = gs_of(u);
        uint32_t mask = g->unplaced & g->gpa_valid;

        for (unsigned id = 0; id < DBG_MAX_HOST_BP; id++) {
            uint64_t page;
            unsigned k;
            if (!(mask & (1u << id)) || !u->dbg.host_bp[id].enabled)
                continue;
            page = g->gpa[id] & ~0xfffull;
            for (k = 0; k < n && want[k].gpa != page; k++)
                ;
            if (k == n) {
                if (n == GDBG_MAX_PAGES)
                    continue;
                want[n].gpa = page;
                want[n++].perm = NPT_RWX;
            }
            want[k].perm &= (uint8_t)perm_for(u->dbg.host_bp[id].type);
            if (!(want[k].perm & NPT_R))
                want[k].perm = 0;
        }
        if (g->event_step) {
            uint64_t page = g->event_gpa & ~0xfffull;
            unsigned k;
            for (k = 0; k < n && want[k].gpa != page; k++)
                ;
            if (k == n && n < GDBG_MAX_PAGES) {
                want[n].gpa = page;
                want[n++].perm = NPT_RWX;
            }
            if (k < n)
                want[k].perm &= NPT_R | NPT_W;
        }
    }
    /* Pages a vCPU is stepping over stay open until its step is done (an
     * event delivery that faults on one is stepped with more protection
     * changes before it completes), except for fetches of a handler the
     * step must stop at. */
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct gdbg_vcpu *g = gs_of(d->vcpus[i]);
        for (unsigned j = 0; g->npt_step && j < g->n_open; j++)
            for (unsigned k = 0; k < n; k++)
                if (want[k].gpa == g->open_gpa[j])
                    want[k].perm = (g->event_step && (g->event_gpa & ~0xfffull) == want[k].gpa)
                                   ? NPT_R | NPT_W : NPT_RWX;
    }
    spin_lock(&prot_lock);
    if (prot[slot].domid != d->id) {
        prot[slot].domid = d->id;
        prot[slot].n = 0;
    }
    for (unsigned i = 0; i < prot[slot].n; i++) {
        unsigned k;
        for (k = 0; k < n && want[k].gpa != prot[slot].p[i].gpa; k++)
            ;
        if (k == n)
            npt_protect(d, prot[slot].p[i].gpa, NPT_RWX);
    }
    for (unsigned k = 0; k < n; k++)
        npt_protect(d, want[k].gpa, want[k].perm);
    memcpy(prot[slot].p, want, sizeof(want[0]) * n);
    prot[slot].n = n;
    spin_unlock(&prot_lock);
    /* A page just closed must stop every vCPU of d from now on. */
    npt_flush_domain(d, true);
}

/* Permissions of a protected page of d, or -1 if the page is not ours. */
static int protected_perm(struct domain *d, uint64_t gpa)
{
    unsigned slot = (unsigned)(d - domains);
    int perm = -1;

    spin_lock(&prot_lock);
    if (prot[slot].domid == d->id)
        for (unsigned i = 0; i < prot[slot].n; i++)
            if (prot[slot].p[i].gpa == (gpa & ~0xfffull))
                perm = prot[slot].p[i].perm;
    spin_unlock(&prot_lock);
    return perm;
}

/* Translate the vCPU's emulated breakpoints to guest-physical addresses. */
static void refresh_unplaced(struct vcpu *v)
{
    struct gdbg_vcpu *gs = gs_of(v);
    uint32_t mask = dbg_get_layout(&v->dbg)->host_unplaced;

    gs->unplaced = mask;
    gs->gpa_valid = 0;
    for (unsigned id = 0; id < DBG_MAX_HOST_BP; id++) {
        if (!(mask & (1u << id)))
            continue;
        if (guest_virt_to_phys(v, v->dbg.host_bp[id].addr, &gs->gpa[id]) == GW_OK &&
            gs->gpa[id] < v->domain->mem_bytes)
            gs->gpa_valid |= 1u << id;
    }
}

/* Bytes the faulting instruction accesses at the fault address (1 if it is
 * not one of the instructions the MMIO decoder knows). */
static unsigned access_size(struct vcpu *v)
{
    uint8_t b[15];
    struct x86_mem_insn insn;
    unsigned n = guest_fetch_insn(v, b, sizeof(b));

    if (x86_decode_mem(b, n, (enum x86_mode)guest_cpu_mode(v), &insn) < 0)
        return 1;
    return insn.src_size;
}

static void npt_step_begin(struct vcpu *v, uint64_t gpa)
{
    struct gdbg_vcpu *gs = gs_of(v);

    npt_protect(v->domain, gpa & ~0xfffull, NPT_RWX);
    npt_flush_domain(v->domain, false);   /* opened: a stale entry only faults again */
    if (!gs->npt_step) {
        gs->saved_step = v->dbg.host_step;
        gs->saved_irqs = v->dbg.host_step_irqs;
        gs->npt_step = true;
        gs->n_open = 0;
    }
    if (gs->n_open < ARRAY_SIZE(gs->open_gpa))
        gs->open_gpa[gs->n_open++] = gpa & ~0xfffull;
    dbg_host_single_step(&v->dbg, true, false);
}

static enum vcpu_run_result npt_step_done(struct vcpu *v, const struct dbg_route *r)
{
    struct gdbg_vcpu *gs = gs_of(v);
    uint32_t bps = gs->npt_hits | r->host_bps;
    uint64_t data = gs->npt_hits ? gs->npt_hit_addr : 0;
    bool step = gs->saved_step;

    gs->npt_step = false;
    gs->n_open = 0;
    gs->npt_hits = 0;
    dbg_host_single_step(&v->dbg, gs->saved_step, gs->saved_irqs);
    apply_protection(v->domain);
    if (bps || step)
        return report(v, step, bps, data);
    return RUN_CONTINUE;
}

/* Emulated watchpoints of v that the data access at gpa hits. */
static uint32_t data_hits(struct vcpu *v, uint64_t gpa, bool write, uint64_t *hit_addr)
{
    struct gdbg_vcpu *gs = gs_of(v);
    uint32_t mask = gs->unplaced & gs->gpa_valid, hits = 0;
    unsigned size = 0;

    for (unsigned id = 0; id < DBG_MAX_HOST_BP; id++) {
        const struct dbg_bp *bp = &v->dbg.host_bp[id];
        if (!(mask & (1u << id)) || !bp->enabled || bp->type == DBG_BP_EXEC ||
            (!write && bp->type != DBG_BP_RW))
            continue;
        if (!size)
            size = access_size(v);
        if (gpa < gs->gpa[id] + bp->len && gs->gpa[id] < gpa + size) {
            if (!hits)
                *hit_addr = bp->addr;
            hits |= 1u << id;
        }
    }
    return hits;
}

bool svm_debug_handle_npf(struct vcpu *v, uint64_t gpa, uint64_t error)
{
    struct gdbg_vcpu *gs = gs_of(v);
    bool fetch = error & SVM_NPF_FETCH, write = error & SVM_NPF_WRITE;
    uint32_t mask = gs->unplaced & gs->gpa_valid, exec_hits = 0, hits = 0;
    uint64_t rip = linear_rip(v), hit_addr = 0;

    if (protected_perm(v->domain, gpa) < 0)
        return false;
    if (gs->event_step && !v->dbg.host_step) {
        gs->event_step = false;          /* the debugger continued meanwhile */
        apply_protection(v->domain);
        if (protected_perm(v->domain, gpa) < 0)
            return true;
    }
    if (gs->event_step && fetch && rip == gs->event_rip) {
        /* The host's step delivered an event: it ends before the handler's
         * first instruction, as a hardware step into an exception does. */
        gs->event_step = false;
        if (gs->npt_step) {
            /* Stepping over an emulated breakpoint's access that faulted:
             * no access happened; the debugger's own step (if any) ends. */
            struct dbg_route none = { 0 };
            gs->npt_hits = 0;
            npt_step_done(v, &none);
            return true;
        }
        report(v, true, 0, 0);
        return true;
    }
    if (gs->npt_step) {
        /* The instruction being stepped over touches a second protected
         * page (its fetch was the first): open that one too, and count its
         * data access. */
        if (!fetch) {
            uint64_t addr = 0;
            uint32_t more = data_hits(v, gpa, write, &addr);
            if (more && !gs->npt_hits)
                gs->npt_hit_addr = addr;
            gs->npt_hits |= more;
        }
        npt_step_begin(v, gpa);
        return true;
    }
    if (fetch) {
        for (unsigned id = 0; id < DBG_MAX_HOST_BP; id++) {
            const struct dbg_bp *bp = &v->dbg.host_bp[id];
            if ((mask & (1u << id)) && bp->enabled && bp->type == DBG_BP_EXEC &&
                rip == bp->addr)
                exec_hits |= 1u << id;
        }
    } else {
        hits = data_hits(v, gpa, write, &hit_addr);
    }
    if (exec_hits) {
        if (!(gs->exec_skip && gs->exec_skip_rip == rip)) {
            gs->exec_skip = true;
            gs->exec_skip_rip = rip;
            report(v, false, exec_hits, 0);
            return true;
        }
    }
    gs->exec_skip = false;
    gs->npt_hits = hits;
    gs->npt_hit_addr = hit_addr;
    npt_step_begin(v, gpa);
    return true;
}

/* The linear address of the handler for vector (IDT, or the IVT in real
 * mode); -1 if the gate cannot be read. */
static int idt_handler(struct vcpu *v, unsigned vector, uint64_t *out)
{
    struct vmcb_save *s = &v->arch.vmcb->save;
    uint64_t g[2] = { 0, 0 };

    if (!(s->cr0 & X86_CR0_PE)) {
        uint32_t ivt = 0;
        if (guest_read_linear(v, s->idtr.base + vector * 4u, &ivt, 4, GR_DEBUGGER) != 4)
            return -1;
        *out = ((uint64_t)(ivt >> 16) << 4) + (ivt & 0xffff);
        return 0;
    }
    if (s->efer & EFER_LMA) {
        if (vector * 16u + 15 > s->idtr.limit ||
            guest_read_linear(v, s->idtr.base + vector * 16u, g, 16, GR_DEBUGGER) != 16 ||
            !(g[0] & (1ull << 47)))
            return -1;
        *out = (g[0] & 0xffff) | ((g[0] >> 32) & 0xffff0000ull) | (g[1] << 32);
        return 0;
    }
    if (vector * 8u + 7 > s->idtr.limit ||
        guest_read_linear(v, s->idtr.base + vector * 8u, g, 8, GR_DEBUGGER) != 8 || !(g[0] & (1ull << 47)))
        return -1;
    /* Protected mode: add the base of the gate's code segment. */
    uint64_t desc = 0, base;
    uint16_t sel = (uint16_t)(g[0] >> 16);
    if (guest_read_linear(v, s->gdtr.base + (sel & ~7u), &desc, 8, GR_DEBUGGER) != 8)
        return -1;
    base = ((desc >> 16) & 0xffffff) | ((desc >> 56) << 24);
    *out = (base + ((g[0] & 0xffff) | ((g[0] >> 32) & 0xffff0000ull))) & 0xffffffffull;
    return 0;
}

/* End the host's current step at the first fetch of target (a linear
 * address), through NPT; false if target cannot be translated. */
static bool step_to(struct vcpu *v, uint64_t target)
{
    struct gdbg_vcpu *gs = gs_of(v);
    uint64_t gpa;

    if (guest_virt_to_phys(v, target, &gpa) != GW_OK || gpa >= v->domain->mem_bytes)
        return false;
    gs->event_step = true;
    gs->event_rip = target;
    gs->event_gpa = gpa;
    apply_protection(v->domain);
    return true;
}

/* The host steps while an event is being injected: the CPU would push the
 * host's TF into the event's frame, so the step goes without TF and ends,
 * through NPT, at the handler's first fetch. Without a readable gate the
 * step completes at the next entry instead. */
static void event_step_arm(struct vcpu *v)
{
    uint64_t handler;

    if (idt_handler(v, (unsigned)(v->arch.vmcb->control.eventinj & 0xff), &handler) == 0)
        step_to(v, handler);
}

/* SYSCALL from 64-bit code, as the CPU does it (AMD64 APM vol. 3), then a
 * stop at the first fetch of the entry point. false: not in 64-bit mode or
 * SYSCALL disabled (the CPU raises #UD, intercepted while stepping). */
static bool syscall_step(struct vcpu *v)
{
    struct vmcb_save *s = &v->arch.vmcb->save;
    uint16_t sel = (uint16_t)(s->star >> 32) & 0xfffc;

    if (guest_cpu_mode(v) != X86_MODE_LONG64 || !(s->efer & EFER_SCE))
        return false;
    v->arch.gpr[GPR_RCX] = s->rip + 2;
    v->arch.gpr[GPR_R11] = s->rflags & ~(uint64_t)X86_EFLAGS_RF;  /* RF was ours */
    s->rflags &= ~(s->sfmask | X86_EFLAGS_RF | X86_EFLAGS_TF);
    s->rflags |= 0x2;
    s->cs = (struct vmcb_seg){ .sel = sel, .attrib = 0x0a9b, .limit = 0xffffffff, .base = 0 };
    s->ss = (struct vmcb_seg){ .sel = (uint16_t)(sel + 8), .attrib = 0x0c93,
                               .limit = 0xffffffff, .base = 0 };
    s->cpl = 0;
    s->rip = s->lstar;
    v->arch.vmcb->control.int_state &= ~1ull;
    gs_of(v)->rf_set = false;
    step_to(v, s->lstar);
    return true;
}

/* ---- the debugger's view (dbgvisor/guest_debug.h) ---------------------- */

void arch_gdbg_reset(struct vcpu *v)
{
    struct gdbg_vcpu *g = gs_of(v);

    memset(g, 0, sizeof(*g));
    g->domid = v->domain->id;
    v->arch.vmcb->control.intercept_exceptions &= ~STEP_FAULTS | BASE_EXCEPTIONS;
}

void arch_gdbg_bps_changed(struct vcpu *v)
{
    refresh_unplaced(v);
    apply_protection(v->domain);
}

/* The core recomputes the slot layout at every entry; when the guest arms
 * more of its own slots a host breakpoint can lose its slot (or get one
 * back). That shows as a new hardware DR7: follow it here. */
static void follow_layout(struct vcpu *v)
{
    if (dbg_get_layout(&v->dbg)->host_unplaced != gs_of(v)->unplaced) {
        refresh_unplaced(v);
        apply_protection(v->domain);
    }
}

void arch_gdbg_get_regs(struct vcpu *v, struct dbgv_gdbg_regs *out)
{
    struct vmcb_save *s = &v->arch.vmcb->save;

    memset(out, 0, sizeof(*out));
    for (unsigned i = 0; i < 16; i++)
        out->gpr[i] = v->arch.gpr[i];
    out->rip = s->rip;
    out->rflags = s->rflags;
    if (gs_of(v)->rf_set)
        out->rflags &= ~(uint64_t)X86_EFLAGS_RF;    /* ours, not the guest's */
    out->cr0 = s->cr0;
    out->cr2 = s->cr2;
    out->cr3 = s->cr3;
    out->cr4 = s->cr4;
    out->efer = s->efer & ~(uint64_t)EFER_SVME;     /* hidden from the guest too */
    out->fs_base = s->fs.base;
    out->gs_base = s->gs.base;
    for (unsigned i = 0; i < 4; i++)
        out->dr[i] = v->dbg.dr[i];
    out->dr6 = v->dbg.status;
    out->dr7 = v->dbg.control;
    out->cs = s->cs.sel;
    out->ss = s->ss.sel;
    out->ds = s->ds.sel;
    out->es = s->es.sel;
    out->fs = s->fs.sel;
    out->gs = s->gs.sel;
    out->mode = (uint8_t)guest_cpu_mode(v);
}

int arch_gdbg_set_regs(struct vcpu *v, uint32_t mask, const struct dbgv_gdbg_regs *in)
{
    struct vmcb_save *s = &v->arch.vmcb->save;
    struct gdbg_vcpu *gs = gs_of(v);

    /* A RIP the CPU could not enter with would only crash the domain. */
    if (mask & DBGV_GDBG_REG_RIP) {
        if (guest_cpu_mode(v) == X86_MODE_LONG64
                ? (uint64_t)((int64_t)(in->rip << 16) >> 16) != in->rip
                : in->rip > 0xffffffffull)
            return -1;
    }

    for (unsigned i = 0; i < 16; i++)
        if (mask & (1u << i))
            v->arch.gpr[i] = in->gpr[i];
    if ((mask & DBGV_GDBG_REG_RIP) && in->rip != s->rip) {
        s->rip = in->rip;
        /* RF and the refire belonged to the old instruction. */
        if (gs->rf_set)
            s->rflags &= ~(uint64_t)X86_EFLAGS_RF;
        gs->rf_set = gs->refire_valid = gs->exec_skip = false;
    }
    if (mask & DBGV_GDBG_REG_RFLAGS) {
        uint64_t rf = s->rflags & (gs->rf_set ? X86_EFLAGS_RF : 0);
        s->rflags = (in->rflags & 0x3f7fd7ull) | 0x2 | rf;
    }
    return 0;
}

int arch_gdbg_virt_to_phys(struct vcpu *v, uint64_t gva, uint64_t *gpa)
{
    return guest_virt_to_phys(v, gva, gpa) == GW_OK ? 0 : -1;
}
