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
#include <dbgvisor/lib.h>
#include "svm_internal.h"
#include "svm_debug.h"

#define DR_INTERCEPT_ALL 0x00ff00ffu     /* reads and writes of DR0-DR7 */
/* Untrapped, writes of DR4-DR7 still exit: QEMU's TCG would keep reserved
 * DR6/DR7 bits as written, so the core applies the architectural masks. */
#define DR_INTERCEPT_PASSTHROUGH 0x00f00000u

static struct vcpu *dbg_to_vcpu(struct dbg_vcpu *d)
{
    return (struct vcpu *)((char *)d - __builtin_offsetof(struct vcpu, dbg));
}

static struct vmcb *dbg_vmcb(struct dbg_vcpu *d) { return dbg_to_vcpu(d)->arch.vmcb; }

void dbg_arch_load_slots(struct dbg_vcpu *d, const uint64_t val[DBG_NR_SLOTS])
{
    __asm__ volatile("mov %0, %%db0" :: "r"(val[0]));
    __asm__ volatile("mov %0, %%db1" :: "r"(val[1]));
    __asm__ volatile("mov %0, %%db2" :: "r"(val[2]));
    __asm__ volatile("mov %0, %%db3" :: "r"(val[3]));
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
void dbg_arch_set_control(struct dbg_vcpu *d, uint64_t v) { dbg_vmcb(d)->save.dr7 = v; }
uint64_t dbg_arch_get_control(struct dbg_vcpu *d) { return dbg_vmcb(d)->save.dr7; }

void dbg_arch_set_intercepts(struct dbg_vcpu *d, bool on)
{
    dbg_vmcb(d)->control.intercept_dr = on ? DR_INTERCEPT_ALL : DR_INTERCEPT_PASSTHROUGH;
}

void dbg_arch_inject_db(struct dbg_vcpu *d, uint64_t dr6)
{
    svm_inject_exception(dbg_to_vcpu(d), X86_EXC_DB, false, 0);
}

void dbg_arch_inject_gp(struct dbg_vcpu *d) { svm_inject_gp(dbg_to_vcpu(d)); }
void dbg_arch_inject_ud(struct dbg_vcpu *d) { svm_inject_ud(dbg_to_vcpu(d)); }

bool dbg_arch_get_tf(struct dbg_vcpu *d) { return dbg_vmcb(d)->save.rflags & X86_EFLAGS_TF; }

void dbg_arch_set_tf(struct dbg_vcpu *d, bool tf)
{
    struct vmcb *vmcb = dbg_vmcb(d);
    if (tf)
        vmcb->save.rflags |= X86_EFLAGS_TF;
    else
        vmcb->save.rflags &= ~(uint64_t)X86_EFLAGS_TF;
}

bool dbg_arch_next_insn_loads_tf(struct dbg_vcpu *d)
{
    uint8_t b[15];
    unsigned n = guest_fetch_insn(dbg_to_vcpu(d), b, sizeof(b)), i = 0;

    /* Skip operand-size and REX prefixes: POPF (9D) and IRET (CF) load RFLAGS. */
    while (i < n && (b[i] == 0x66 || (b[i] & 0xf0) == 0x40))
        i++;
    return i < n && (b[i] == 0x9d || b[i] == 0xcf);
}

/* A host debug event: tell the toolstack and stop the domain until it continues. */
static enum vcpu_run_result report_to_host(struct vcpu *v, const struct dbg_route *r)
{
    struct dbgv_ctl_event ev = {
        .domid = v->domain->id, .vcpu = v->id,
        .type = r->host_step && !r->host_bps ? DBGV_EV_STEP_DONE : DBGV_EV_BREAKPOINT,
        .addr = v->arch.vmcb->save.rip, .data = r->host_bps,
    };
    events_post(&ev);
    domain_pause_from_vcpu(v->domain);
    return RUN_RESCHEDULE;
}

static uint64_t *gpr(struct vcpu *v, unsigned n) { return &v->arch.gpr[n & 15]; }

enum vcpu_run_result svm_debug_handle_dr_access(struct vcpu *v, uint64_t exitcode)
{
    struct vmcb *vmcb = v->arch.vmcb;
    uint8_t bytes[15];
    struct x86_insn insn;
    int mode = guest_cpu_mode(v);
    unsigned n = guest_fetch_insn(v, bytes, sizeof(bytes));

    /* TCG gives no decode assist: find the GPR operand ourselves. */
    if (x86_decode(bytes, n, (enum x86_mode)mode, &insn) < 0 ||
        (insn.kind != X86_INSN_MOV_FROM_DR && insn.kind != X86_INSN_MOV_TO_DR)) {
        domain_crash(v->domain, "debug-register exit %#llx at rip %#llx is not a MOV DR",
                     (unsigned long long)exitcode, (unsigned long long)vmcb->save.rip);
        return RUN_RESCHEDULE;
    }
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
        .value = *gpr(v, insn.gpr),
    };
    if (!a.long_mode)
        a.value = (uint32_t)a.value;
    if (dbg_on_mov_dr(&v->dbg, &a) != DBG_ACCESS_DONE)
        return RUN_CONTINUE;
    if (!a.write)
        *gpr(v, insn.gpr) = a.long_mode ? a.value : (uint32_t)a.value;
    svm_skip_instruction(v, insn.len);
    return RUN_CONTINUE;
}

enum vcpu_run_result svm_debug_handle_db(struct vcpu *v)
{
    struct dbg_route r = dbg_on_db_exit(&v->dbg, v->arch.vmcb->save.dr6);

    if (r.to_host)
        return report_to_host(v, &r);
    return RUN_CONTINUE;
}

/* INT3: RIP points at the 0xCC; the guest's handler must see RIP after it. */
enum vcpu_run_result svm_debug_handle_bp(struct vcpu *v, unsigned unused)
{
    v->arch.vmcb->save.rip += 1;
    svm_inject_exception(v, X86_EXC_BP, false, 0);
    return RUN_CONTINUE;
}

/*
 * Software-interrupt intercept. QEMU's TCG reports INT3 this way instead of
 * as a #BP exception (DESIGN.md §1); INT n and INTO are re-injected as the
 * guest asked, after stepping over them.
 */
enum vcpu_run_result svm_debug_handle_swint(struct vcpu *v)
{
    struct vmcb *vmcb = v->arch.vmcb;
    uint8_t b[2] = { 0, 0 };

    if (guest_fetch_insn(v, b, 2) < 1) {
        domain_crash(v->domain, "cannot fetch the software interrupt at rip %#llx",
                     (unsigned long long)vmcb->save.rip);
        return RUN_RESCHEDULE;
    }
    if (b[0] == 0xcc)
        return svm_debug_handle_bp(v, 0);
    if (b[0] == 0xcd) {
        vmcb->save.rip += 2;
        vmcb->control.eventinj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_SOFT | b[1];
        return RUN_CONTINUE;
    }
    if (b[0] == 0xce) {
        vmcb->save.rip += 1;
        if (vmcb->save.rflags & (1u << 11))
            svm_inject_exception(v, 4, false, 0);
        return RUN_CONTINUE;
    }
    domain_crash(v->domain, "unexpected software interrupt opcode %#x", b[0]);
    return RUN_RESCHEDULE;
}

/* ICEBP (0xF1) is trap-like: the guest's #DB handler sees RIP after it. */
enum vcpu_run_result svm_debug_handle_icebp(struct vcpu *v)
{
    v->arch.vmcb->save.rip += 1;
    dbg_on_icebp(&v->dbg);
    return RUN_CONTINUE;
}

void svm_debug_emulated_step(struct vcpu *v)
{
    struct dbg_route r = dbg_on_emulated_insn(&v->dbg);

    if (r.to_host)
        report_to_host(v, &r);
}

bool svm_debug_handle_npf(struct vcpu *v, uint64_t gpa, uint64_t error)
{
    return false;   /* NPT-emulated watchpoints: not yet (issue 5) */
}
