/*
 * The arm64 arch layer of the debug core (dbgvisor/debug_arch.h, both parts):
 * the guest's AArch64 self-hosted debug registers under common/debug's four
 * policies (docs/arm64.md).
 *
 * The core keeps the guest's view in its register file (asm/debug_regs.h:
 * DBGBVR/DBGWVR<n> as slots, DBGBCR/DBGWCR<n>, the OS lock, the OS double
 * lock, the claim tags, MDCCINT; MDSCR_EL1 as its control register) and
 * decides when to trap and when the file is loaded or saved. Trapping is
 * MDCR_EL2.TDA/TDOSA/TDRA (EC 0x18, vdebug_access); untrapped, the guest's
 * accesses go to the hardware and the core saves the file back while it is
 * dirty (seed 003). Without a host debugger TDE stays 0: the guest's debug
 * exceptions go straight to its EL1 vectors in every policy. While the host
 * debugs the vCPU (its breakpoints and single-step composed into the file by
 * debug_host.c), TDE routes every debug exception to EL2 and
 * vdebug_debug_exit splits it between the host and the guest.
 *
 * A trapped write stores what this CPU stores: the value is written to the
 * register, read back and the register's previous content put back, so the
 * view holds exactly what the hardware keeps (RES0 bits, BAS copies) without
 * a mask table. Which registers exist comes from ID_AA64DFR0_EL1; any other
 * access in the debug space is UNDEFINED, as on hardware.
 */
#include <dbgvisor/console.h>
#include <dbgvisor/debug_arch.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/events.h>
#include <dbgvisor/guest_debug.h>
#include <dbgvisor/lib.h>
#include <asm/arm64.h>
#include <asm/debug_host.h>
#include <asm/sysreg.h>
#include <asm/vdebug.h>



static uint64_t oslsr_locked;   /* OSLSR_EL1 out of reset: the lock set, OSLM as built */
static uint64_t claim_bits;     /* claim tags this CPU implements (DBGCLAIMSET_EL1 reads) */

static struct vcpu *dbg_to_vcpu(struct dbg_vcpu *d)
{
    return (struct vcpu *)((char *)d - __builtin_offsetof(struct vcpu, dbg));
}

/* MRS/MSR need the register in the instruction: one case per number. */
#define N16(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#define ACCESSORS(reg)                                                              \
    static uint64_t hw_read_##reg(unsigned n)                                       \
    {                                                                               \
        switch (n) {                                                                \
        N16(READ_CASE_##reg)                                                        \
        }                                                                           \
        return 0;                                                                   \
    }                                                                               \
    static void hw_write_##reg(unsigned n, uint64_t v)                              \
    {                                                                               \
        switch (n) {                                                                \
        N16(WRITE_CASE_##reg)                                                       \
        }                                                                           \
    }
#define READ_CASE_bvr(n)  case n: return read_sysreg(dbgbvr##n##_el1);
#define READ_CASE_bcr(n)  case n: return read_sysreg(dbgbcr##n##_el1);
#define READ_CASE_wvr(n)  case n: return read_sysreg(dbgwvr##n##_el1);
#define READ_CASE_wcr(n)  case n: return read_sysreg(dbgwcr##n##_el1);
#define WRITE_CASE_bvr(n) case n: write_sysreg(dbgbvr##n##_el1, v); break;
#define WRITE_CASE_bcr(n) case n: write_sysreg(dbgbcr##n##_el1, v); break;
#define WRITE_CASE_wvr(n) case n: write_sysreg(dbgwvr##n##_el1, v); break;
#define WRITE_CASE_wcr(n) case n: write_sysreg(dbgwcr##n##_el1, v); break;
ACCESSORS(bvr)
ACCESSORS(bcr)
ACCESSORS(wvr)
ACCESSORS(wcr)

void vdebug_probe(void)
{
    uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);

    arm64_dbg_nr_bp = (unsigned)((dfr0 >> 12) & 0xf) + 1;
    arm64_dbg_nr_wp = (unsigned)((dfr0 >> 20) & 0xf) + 1;
    write_sysreg(oslar_el1, 1);
    isb();
    oslsr_locked = read_sysreg(oslsr_el1);
    claim_bits = read_sysreg(dbgclaimset_el1);
}

/* --- the file in the hardware ------------------------------------------------------- */

/* One register of the file (not the OS lock, whose write is OSLAR's). */
static uint64_t hw_read(unsigned reg)
{
    if (reg < DBG_ARM64_MAX_BP)
        return hw_read_bvr(reg);
    if (reg < DBG_NR_SLOTS)
        return hw_read_wvr(reg - DBG_ARM64_MAX_BP);
    if (reg < DBG_ARM64_WCR(0))
        return hw_read_bcr(reg - DBG_ARM64_BCR(0));
    if (reg < DBG_ARM64_OSLSR)
        return hw_read_wcr(reg - DBG_ARM64_WCR(0));
    switch (reg) {
    case DBG_ARM64_OSLSR:   return read_sysreg(oslsr_el1);
    case DBG_ARM64_OSDLR:   return read_sysreg(osdlr_el1);
    case DBG_ARM64_CLAIM:   return read_sysreg(dbgclaimclr_el1);
    case DBG_ARM64_MDCCINT: return read_sysreg(mdccint_el1);
    case DBG_REG_CONTROL:   return read_sysreg(mdscr_el1);
    default:                return 0;
    }
}

static void hw_write(unsigned reg, uint64_t v)
{
    if (reg < DBG_ARM64_MAX_BP)
        hw_write_bvr(reg, v);
    else if (reg < DBG_NR_SLOTS)
        hw_write_wvr(reg - DBG_ARM64_MAX_BP, v);
    else if (reg < DBG_ARM64_WCR(0))
        hw_write_bcr(reg - DBG_ARM64_BCR(0), v);
    else if (reg < DBG_ARM64_OSLSR)
        hw_write_wcr(reg - DBG_ARM64_WCR(0), v);
    else if (reg == DBG_ARM64_OSLSR)
        write_sysreg(oslar_el1, (v & DBGV_ARM64_OSLSR_OSLK) ? 1 : 0);
    else if (reg == DBG_ARM64_OSDLR)
        write_sysreg(osdlr_el1, v);
    else if (reg == DBG_ARM64_CLAIM) {
        write_sysreg(dbgclaimclr_el1, 0xff);
        write_sysreg(dbgclaimset_el1, v);
    } else if (reg == DBG_ARM64_MDCCINT)
        write_sysreg(mdccint_el1, v);
    else if (reg == DBG_REG_CONTROL)
        write_sysreg(mdscr_el1, v);
    isb();
}

/* Registers of the file this CPU has (the pairs beyond its counts do not exist). */
static bool implemented(unsigned reg)
{
    if (reg < DBG_NR_SLOTS + DBG_NR_SLOTS) {
        unsigned slot = reg % DBG_NR_SLOTS;
        return slot < DBG_ARM64_MAX_BP ? slot < arm64_dbg_nr_bp : slot - DBG_ARM64_MAX_BP < arm64_dbg_nr_wp;
    }
    return reg < DBG_NR_REGS;
}

/* While hw_slots_valid the hardware holds hw_slot (the core's last load or save on
 * this pCPU): only what differs is written, so a trapped write to one register
 * reloads that one, not the file (each write is a system-register write and an ISB). */
static void load_reg(const struct dbg_vcpu *d, unsigned reg, const uint64_t val[DBG_NR_REGS])
{
    if (!d->hw_slots_valid || d->hw_slot[reg] != val[reg])
        hw_write(reg, val[reg]);
}

/* The values, then the controls, of the pairs this CPU has (asm/debug_regs.h's
 * order, without visiting the absent ones), then the rest, the OS lock last. */
void dbg_arch_load_slots(struct dbg_vcpu *d, const uint64_t val[DBG_NR_REGS])
{
    unsigned base, n, reg;

    for (base = 0; base <= DBG_NR_SLOTS; base += DBG_NR_SLOTS) {
        for (n = 0; n < arm64_dbg_nr_bp; n++)
            load_reg(d, base + DBG_ARM64_BVR(n), val);
        for (n = 0; n < arm64_dbg_nr_wp; n++)
            load_reg(d, base + DBG_ARM64_WVR(n), val);
    }
    for (reg = DBG_ARM64_OSLSR + 1; reg < DBG_NR_REGS; reg++)
        load_reg(d, reg, val);
    load_reg(d, DBG_ARM64_OSLSR, val);     /* last: the lock in force */
}

void dbg_arch_load_slot(struct dbg_vcpu *d, unsigned slot, uint64_t val)
{
    if (implemented(slot))
        hw_write(slot, val);
}

void dbg_arch_save_slots(struct dbg_vcpu *d, uint64_t val[DBG_NR_REGS])
{
    unsigned reg;

    for (reg = 0; reg < DBG_NR_REGS; reg++)
        val[reg] = implemented(reg) ? hw_read(reg) : 0;
}

/* No status register: the cause of a debug exception is in ESR_EL1/FAR_EL1. */
void dbg_arch_set_status(struct dbg_vcpu *d, uint64_t v) { }
uint64_t dbg_arch_get_status(struct dbg_vcpu *d) { return 0; }

/* MDSCR_EL1's save/restore bits are writable only under the OS lock: take it for the
 * write, then put the lock the file holds back (the guest's, or clear for the host).
 * A composed control with MDSCR_HOST_ROUTE routes the debug exceptions to EL2 (TDE). */
void dbg_arch_set_control(struct dbg_vcpu *d, uint64_t v)
{
    uint64_t mdcr = read_sysreg(mdcr_el2) & ~MDCR_TDE;

    write_sysreg(mdcr_el2, (v & MDSCR_HOST_ROUTE) ? mdcr | MDCR_TDE : mdcr);
    write_sysreg(oslar_el1, 1);
    isb();
    write_sysreg(mdscr_el1, v & ~MDSCR_HOST_ROUTE);
    hw_write(DBG_ARM64_OSLSR, d->hw_slots_valid ? d->hw_slot[DBG_ARM64_OSLSR]
                                                : d->dr[DBG_ARM64_OSLSR]);
}

uint64_t dbg_arch_get_control(struct dbg_vcpu *d)
{
    uint64_t route = (read_sysreg(mdcr_el2) & MDCR_TDE) ? MDSCR_HOST_ROUTE : 0;

    return read_sysreg(mdscr_el1) | route;
}

/* Trapped: every access to the file and to MDSCR_EL1 exits; untrapped: none does.
 * TDE is the control's (dbg_arch_set_control). */
void dbg_arch_set_intercepts(struct dbg_vcpu *d, bool on)
{
    uint64_t mdcr = read_sysreg(mdcr_el2) & ~(MDCR_TDA | MDCR_TDOSA | MDCR_TDRA);

    write_sysreg(mdcr_el2, on ? mdcr | MDCR_TDA | MDCR_TDOSA | MDCR_TDRA : mdcr);
    isb();
}

uint32_t dbg_arch_slots_present(void)
{
    unsigned bp = (1u << arm64_dbg_nr_bp) - 1, wp = (1u << arm64_dbg_nr_wp) - 1;

    return bp << DBG_ARM64_BVR(0) | wp << DBG_ARM64_WVR(0);
}

uint32_t dbg_arch_platform_caps(void)
{
    return 0;
}

/* The guest's own debug exception that came through EL2 (TDE, the host debugging):
 * status says which (ARM64_DBG_STATUS_STEP or its slots); the exit's ESR and FAR
 * are the hardware's, taken to the guest's EL1 as it would have been. A step is the
 * guest's only where its own MDSCR_EL1.SS and debug state generate it: the core
 * passes the step of an instruction the host stepped whenever the guest's PSTATE.SS
 * was set. */
void dbg_arch_inject_db(struct dbg_vcpu *d, uint64_t status)
{
    struct vcpu *v = dbg_to_vcpu(d);
    uint64_t spsr = v->arch.regs.spsr;

    if (status & ARM64_DBG_STATUS_STEP) {
        if (!(d->control & DBGV_ARM64_MDSCR_SS) ||
            !arm64_dbg_guest_enabled(d->control, d->dr[DBG_ARM64_OSLSR], spsr))
            return;
        v->arch.regs.spsr &= ~PSR_SS;       /* the instruction completed: the step is taken */
    }
    arm64_inject_el1(v, arm64_dbg_guest_esr(v->arch.esr, spsr), v->arch.far);
}

/* No access the core emulates faults on arm64: vdebug_access sends registers the CPU
 * lacks back to traps.c for UNDEFINED. */
void dbg_arch_inject_gp(struct dbg_vcpu *d) { }
void dbg_arch_inject_ud(struct dbg_vcpu *d) { }

/* Host single-step rides on PSTATE.SS (with MDSCR_EL1.SS and TDE from the composed
 * control): the guest's own PSTATE.SS is put back after the exit. */
bool dbg_arch_get_tf(struct dbg_vcpu *d)
{
    return (dbg_to_vcpu(d)->arch.regs.spsr & PSR_SS) != 0;
}

void dbg_arch_set_tf(struct dbg_vcpu *d, bool tf)
{
    struct guest_regs *r = &dbg_to_vcpu(d)->arch.regs;

    r->spsr = tf ? r->spsr | PSR_SS : r->spsr & ~PSR_SS;
}

bool dbg_arch_next_insn_loads_tf(struct dbg_vcpu *d)
{
    return false;
}

/* --- semantics ------------------------------------------------------------------------ */

uint64_t dbg_arch_status_reset(bool rtm)
{
    return 0;
}

uint64_t dbg_arch_control_reset(void)
{
    return 0;
}

/* Cold reset: the OS lock set, everything else zero (QEMU's values for UNKNOWN). */
void dbg_arch_regs_reset(uint64_t regs[DBG_NR_REGS])
{
    memset(regs, 0, DBG_NR_REGS * sizeof(regs[0]));
    regs[DBG_ARM64_OSLSR] = oslsr_locked;
}

/* vdebug_access has decoded the register and checked that it exists. */
enum dbg_access_result dbg_arch_check_access(const struct dbg_access *a, uint64_t control,
                                             unsigned *reg)
{
    *reg = a->reg;
    return DBG_ACCESS_DONE;
}

/* What the register keeps of v: the CPU says, by a write and a read back; the
 * hardware's own content is put back (it may not be this guest's). */
static uint64_t stored_value(unsigned reg, uint64_t v)
{
    uint64_t old = hw_read(reg), out;

    hw_write(reg, v);
    out = hw_read(reg);
    hw_write(reg, old);
    return out;
}

bool dbg_arch_write_value(const struct dbg_vcpu *d, unsigned reg, uint64_t v, bool long_mode,
                          uint64_t *out)
{
    if (reg == DBG_ARM64_OSLSR)
        *out = (oslsr_locked & ~DBGV_ARM64_OSLSR_OSLK) | (v & DBGV_ARM64_OSLSR_OSLK);
    else if (reg == DBG_ARM64_CLAIM)
        *out = v & claim_bits;
    else
        *out = stored_value(reg, v);
    return true;
}

uint64_t dbg_arch_read_value(uint64_t v, bool long_mode)
{
    return v;
}

/* Nothing but the guest's MSR changes MDSCR_EL1 (no task switches). */
uint64_t dbg_arch_control_after_run(uint64_t guest_control, uint64_t programmed, uint64_t now)
{
    return guest_control;
}

uint64_t dbg_arch_control_on_db(uint64_t control)
{
    return control;
}

/* The status word vdebug_debug_exit makes: the slots that matched, or a step. */
struct dbg_cause dbg_arch_decode_status(uint64_t status)
{
    struct dbg_cause c = { .hits = (uint32_t)status,
                           .step = (status & ARM64_DBG_STATUS_STEP) != 0 };

    return c;
}

/* Nothing accumulates (ESR_EL1 says one cause): this exception's causes alone. */
uint64_t dbg_arch_merge_status(uint64_t status, const struct dbg_cause *c, bool rtm)
{
    return c->hits | (c->step ? ARM64_DBG_STATUS_STEP : 0);
}

/* --- trapped accesses (EC 0x18) --------------------------------------------------------- */

/* Breakpoint/watchpoint pairs: op1 0, CRn 0, CRm = n, op2 4-7. */
static bool pair_register(const struct sysreg_access *a, unsigned *reg)
{
    unsigned n = a->crm;

    switch (a->op2) {
    case 4: *reg = DBG_ARM64_BVR(n); return n < arm64_dbg_nr_bp;
    case 5: *reg = DBG_ARM64_BCR(n); return n < arm64_dbg_nr_bp;
    case 6: *reg = DBG_ARM64_WVR(n); return n < arm64_dbg_nr_wp;
    case 7: *reg = DBG_ARM64_WCR(n); return n < arm64_dbg_nr_wp;
    default: return false;
    }
}

/* Reads with no state of the guest's own: the hardware's value. */
static bool read_only(struct sysreg_access *a, unsigned enc)
{
    if (a->write)
        return false;
    switch (enc) {
    case SYSREG_ENC(0, 1, 0, 0): a->value = read_sysreg(mdrar_el1); return true;
    case SYSREG_ENC(0, 7, 14, 6): a->value = read_sysreg(dbgauthstatus_el1); return true;
    case SYSREG_ENC(3, 0, 1, 0): a->value = read_sysreg(mdccsr_el0); return true;
    case SYSREG_ENC(0, 7, 8, 6): a->value = claim_bits; return true;     /* DBGCLAIMSET */
    default: return false;
    }
}

/* The other registers of the file; OSLAR and the claim writes become writes of the
 * state they change (trapped, the core's view is current: it is never dirty then). */
static bool state_register(struct vcpu *v, struct sysreg_access *a, unsigned enc,
                           unsigned *reg)
{
    const uint64_t *view = v->dbg.dr;

    switch (enc) {
    case SYSREG_ENC(0, 0, 2, 2): *reg = DBG_REG_CONTROL; return true;        /* MDSCR */
    case SYSREG_ENC(0, 0, 2, 0): *reg = DBG_ARM64_MDCCINT; return true;
    case SYSREG_ENC(0, 1, 3, 4): *reg = DBG_ARM64_OSDLR; return true;
    case SYSREG_ENC(0, 1, 1, 4): *reg = DBG_ARM64_OSLSR; return !a->write;   /* OSLSR */
    case SYSREG_ENC(0, 1, 0, 4):                                             /* OSLAR */
        *reg = DBG_ARM64_OSLSR;
        a->value = (a->value & 1) ? DBGV_ARM64_OSLSR_OSLK : 0;
        return a->write;
    case SYSREG_ENC(0, 7, 8, 6):                                             /* CLAIMSET */
        *reg = DBG_ARM64_CLAIM;
        a->value |= view[DBG_ARM64_CLAIM];
        return a->write;
    case SYSREG_ENC(0, 7, 9, 6):                                             /* CLAIMCLR */
        *reg = DBG_ARM64_CLAIM;
        if (a->write)
            a->value = view[DBG_ARM64_CLAIM] & ~a->value;
        return true;
    default:
        return false;
    }
}

bool vdebug_access(struct vcpu *v, struct sysreg_access *a)
{
    unsigned enc = SYSREG_ENC(a->op1, a->crn, a->crm, a->op2);
    unsigned reg = 0;
    struct dbg_access acc;
    bool known;

    if (a->op0 != 2)
        return false;
    if (read_only(a, enc)) {
        v->dbg.counters.dr_access_exits++;
        return true;
    }
    if (a->op1 == 0 && a->crn == 0 && a->op2 >= 4)
        known = pair_register(a, &reg);
    else
        known = state_register(v, a, enc, &reg);
    if (!known)
        return false;
    acc = (struct dbg_access){ .reg = (uint8_t)reg, .write = a->write, .value = a->value };
    dbg_on_mov_dr(&v->dbg, &acc);
    if (!a->write)
        a->value = acc.value;
    else if (reg == DBG_ARM64_OSLSR)
        dbg_forget_hw_control(&v->dbg);     /* the control write puts the lock in force */
    return true;
}

/* --- debug exceptions while the host debugs the vCPU (MDCR_EL2.TDE) ------------------- */

/* Hardware pairs the layout gives the guest. */
static uint32_t guest_slots(const struct dbg_layout *l)
{
    uint32_t mask = 0;

    for (unsigned hw = 0; hw < DBG_NR_SLOTS; hw++)
        if (l->owner[hw] == DBGV_OWNER_GUEST)
            mask |= 1u << hw;
    return mask;
}

static bool guest_enabled_here(struct vcpu *v)
{
    return arm64_dbg_guest_enabled(v->dbg.control, v->dbg.dr[DBG_ARM64_OSLSR],
                                   v->arch.regs.spsr);
}

#define TRACE_BP_ID 0

void vdebug_trace(struct vcpu *v, uint64_t addr)
{
    struct dbg_bp bp = { .addr = addr, .type = DBG_BP_EXEC, .len = 4 };

    v->arch.dbg_trace.addr = addr;
    dbg_host_set_bp(&v->dbg, TRACE_BP_ID, &bp);
}

/* The traced breakpoint hit: out with it for one hidden host step, then back in. */
static void trace_event(struct vcpu *v, const struct dbg_route *r)
{
    struct vdebug_trace *t = &v->arch.dbg_trace;

    if (r->host_bps & (1u << TRACE_BP_ID)) {
        t->hits++;
        printk("domain %u (%s) vCPU %u: host breakpoint %u at %#llx\n", v->domain->id,
               v->domain->name, v->id, (unsigned)t->hits, (unsigned long long)v->arch.regs.elr);
        dbg_host_clear_bp(&v->dbg, TRACE_BP_ID);
        dbg_host_single_step(&v->dbg, true, false);
        t->stepping = true;
    } else if (r->host_step && t->stepping) {
        t->stepping = false;
        dbg_host_single_step(&v->dbg, false, false);
        vdebug_trace(v, t->addr);
    }
}

/* Data watchpoints among the host breakpoints in mask. */
static uint32_t host_watch_mask(const struct dbg_vcpu *d, uint32_t mask)
{
    uint32_t w = 0;

    for (unsigned id = 0; id < DBG_MAX_HOST_BP; id++)
        if ((mask & (1u << id)) && d->host_bp[id].type != DBG_BP_EXEC)
            w |= 1u << id;
    return w;
}

/* The host's event: the attached debugger is told (BREAKPOINT, WATCHPOINT with the
 * address in data, STEP_DONE; docs/guest-debug.md) and the domain stops until it
 * continues; a breakpoint traced from boot is handled here. */
static void report_host(struct vcpu *v, const struct dbg_route *r)
{
    uint32_t watch = host_watch_mask(&v->dbg, r->host_bps);
    struct dbgv_ctl_event ev = {
        .domid = v->domain->id, .vcpu = v->id,
        .type = watch ? DBGV_EV_WATCHPOINT : r->host_bps ? DBGV_EV_BREAKPOINT : DBGV_EV_STEP_DONE,
        .code = (int32_t)r->host_bps, .addr = v->arch.regs.elr,
        .data = watch ? v->arch.far : 0,
    };

    if (v->arch.dbg_trace.addr && !gdbg_attached(v->domain)) {
        trace_event(v, r);
        return;
    }
    events_post(&ev);
    domain_pause_from_vcpu(v->domain);
}

/* Pairs that matched the exception at EL2, from the file in the hardware. */
static uint32_t matched_slots(struct vcpu *v, unsigned ec)
{
    uint64_t file[DBG_NR_REGS];
    bool watch = ec == EC_WATCH_LOW;

    dbg_arch_save_slots(&v->dbg, file);
    return arm64_dbg_matching_slots(file, read_sysreg(mdscr_el1), watch,
                                    (v->arch.esr & DABT_WNR_BIT) != 0,
                                    watch ? v->arch.far : v->arch.regs.elr, v->arch.regs.spsr);
}

/* One instruction runs with PSTATE.SS forced on, hidden from the guest. */
static void hidden_step_begin(struct vcpu *v)
{
    struct vdebug_skip *s = &v->arch.dbg_skip;

    s->guest_ss = (v->arch.regs.spsr & PSR_SS) != 0;
    s->from_pc = v->arch.regs.elr;
    v->arch.regs.spsr |= PSR_SS;
}

/* The guest's PSTATE.SS after an instruction it ran with its step disabled: what it
 * had (an inactive step leaves SS alone), unless the instruction was an exception
 * return into a state where its step is enabled, which takes SPSR_EL1.SS
 * (DebugExceptionReturnSS: disabled at the source, enabled at the destination).
 * An ERET is what leaves PC = ELR_EL1 and PSTATE = SPSR_EL1. */
static void hidden_step_end(struct vcpu *v)
{
    struct vdebug_skip *s = &v->arch.dbg_skip;
    uint64_t spsr = v->arch.regs.spsr, spsr_el1 = read_sysreg(spsr_el1);
    bool eret = v->arch.regs.elr == read_sysreg(elr_el1) && v->arch.regs.elr != s->from_pc + 4 &&
                ((spsr ^ spsr_el1) & (PSR_DAIF | 0xf)) == 0;
    bool ss = s->guest_ss;

    if (eret)
        ss = guest_enabled_here(v) && (spsr_el1 & PSR_SS);
    v->arch.regs.spsr = (spsr & ~PSR_SS) | (ss ? PSR_SS : 0);
}

void vdebug_debug_exit(struct vcpu *v)
{
    struct dbg_vcpu *d = &v->dbg;
    unsigned ec = ESR_EC(v->arch.esr);
    uint64_t status;
    struct dbg_route r;

    if (ec == EC_BRK64) {
        /* BRK is always the guest's (the host's breakpoints are pairs): its own
         * exception, with ELR at the BRK as the hardware gives it. */
        arm64_inject_el1(v, arm64_dbg_guest_esr(v->arch.esr, v->arch.regs.spsr), v->arch.far);
        return;
    }
    if (ec == EC_SSTEP_LOW) {
        struct vdebug_skip *s = &v->arch.dbg_skip;

        if (s->step_exit)
            return;             /* the end of a step over a pair the guest would not take */
        /* The guest's MDSCR_EL1.SS where its debug state disables the step (EL1 without
         * KDE, or PSTATE.D): the step is inactive for it, but TDE enables it, and with
         * PSTATE.SS clear it is pending. Run such instructions one at a time, hidden,
         * until the guest's own state enables its step again; then its PSTATE.SS
         * decides, as on hardware. */
        if (!d->step_armed && s->stepping) {
            s->stepping = false;
            hidden_step_end(v);
            if (!guest_enabled_here(v)) {
                s->stepping = true;
                hidden_step_begin(v);
            }
            return;
        }
        if (!d->step_armed && !guest_enabled_here(v)) {
            s->stepping = true;
            hidden_step_begin(v);
            return;
        }
        status = ARM64_DBG_STATUS_STEP;
    } else {
        uint32_t hits = matched_slots(v, ec);
        uint32_t mine = guest_slots(&d->layout);

        /* The hardware matched but the comparison did not say which: the guest's. */
        if (!hits)
            hits = mine & dbg_arch_armed_slots(read_sysreg(mdscr_el1), d->hw_slot);
        if ((hits & mine) && !guest_enabled_here(v)) {
            if (!(hits & ~mine)) {
                v->arch.dbg_skip.slots = hits & mine;
                return;
            }
            hits &= ~mine;      /* the host's: its report comes first, the skip later */
        }
        status = hits;
    }
    r = dbg_on_db_exit(d, status);
    if (r.to_host)
        report_host(v, &r);
}

void vdebug_insn_completed(struct vcpu *v)
{
    struct dbg_route r;

    v->arch.regs.spsr &= ~PSR_SS;
    if (!v->dbg.step_armed)
        return;
    r = dbg_on_emulated_insn(&v->dbg);
    if (r.to_host)
        report_host(v, &r);
}

/* The guest's pairs in skip.slots are disarmed for one instruction, stepped with
 * MDSCR_EL1.SS and PSTATE.SS (the host's step, if it steps too, is that step). */
void vdebug_before_entry(struct vcpu *v)
{
    struct vdebug_skip *s = &v->arch.dbg_skip;
    unsigned slot;

    s->armed = s->slots != 0;
    if (!s->armed)
        return;
    for (slot = 0; slot < DBG_NR_SLOTS; slot++) {
        if (s->slots & (1u << slot))
            hw_write(arm64_dbg_ctl_of(slot), hw_read(arm64_dbg_ctl_of(slot)) & ~DBGXCR_E);
    }
    s->mdscr = read_sysreg(mdscr_el1);
    write_sysreg(mdscr_el1, s->mdscr | DBGV_ARM64_MDSCR_SS);
    isb();
    if (!v->dbg.step_armed)
        hidden_step_begin(v);
}

void vdebug_after_exit(struct vcpu *v, uint64_t kind)
{
    struct vdebug_skip *s = &v->arch.dbg_skip;
    bool stepped = kind == EXIT_SYNC && ESR_EC(v->arch.esr) == EC_SSTEP_LOW;
    unsigned slot;

    s->step_exit = false;
    if (!s->armed)
        return;
    for (slot = 0; slot < DBG_NR_SLOTS; slot++) {
        if (s->slots & (1u << slot))
            hw_write(arm64_dbg_ctl_of(slot), hw_read(arm64_dbg_ctl_of(slot)) | DBGXCR_E);
    }
    write_sysreg(mdscr_el1, s->mdscr);
    isb();
    /* The host's own step (step_armed) puts the guest's PSTATE.SS back itself. */
    if (!v->dbg.step_armed)
        hidden_step_end(v);
    s->step_exit = stepped && !v->dbg.step_armed;
    if (stepped)
        s->slots = 0;           /* stepped over; anything else (an interrupt) tries again */
    s->armed = false;
}
