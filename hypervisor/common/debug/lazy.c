/*
 * The lazy-switch state machine (docs/debug-registers.md). A vCPU is TRAPPING (every
 * debug-register access exits and is emulated on the core's view) or PASSTHROUGH (the
 * guest's values are in the hardware and its accesses do not exit). Each policy is a row
 * of rules saying when to leave each state; everything else is shared.
 */
#include "dbgvisor/lib.h"
#include "internal.h"

struct policy_rules {
    bool untrap_on_access;      /* a trapped access drops the intercepts (all lazy ones) */
    bool retrap_on_exit;        /* lazy-exit, seed 001: sync and re-trap at the next exit */
    bool retrap_on_deschedule;  /* lazy-sched (Xen): sync and re-trap on switch-out */
    bool untrap_on_armed_schedule; /* lazy-sched (Xen): switch-in with armed DR7 untraps */
    bool retrap_when_quiet;     /* adaptive, seed 003's tunable: re-trap after N quiet outs */
};

static const struct policy_rules rules[DBGV_POLICY_COUNT] = {
    [DBGV_POLICY_TRAP]       = { 0 },
    [DBGV_POLICY_LAZY_EXIT]  = { .untrap_on_access = true, .retrap_on_exit = true },
    [DBGV_POLICY_LAZY_SCHED] = { .untrap_on_access = true, .retrap_on_deschedule = true,
                                 .untrap_on_armed_schedule = true },
    [DBGV_POLICY_ADAPTIVE]   = { .untrap_on_access = true, .retrap_when_quiet = true },
};

static void set_state(struct dbg_vcpu *d, enum dbgv_lazy_state s)
{
    if (d->lazy_state == s)
        return;
    d->lazy_state = (uint8_t)s;
    d->counters.policy_switches++;
    d->quiet_count = 0;
    dbg_layout_update(d);
}

/* Hardware file -> view. Only a dirty vCPU pays for this. */
void dbg_sync_slots(struct dbg_vcpu *d)
{
    uint64_t v[DBG_NR_REGS];
    unsigned n;

    if (!d->dirty)
        return;
    dbg_arch_save_slots(d, v);
    d->counters.dr_saves++;
    for (n = 0; n < DBG_NR_REGS; n++) {
        if (v[n] != d->hw_slot[n])
            d->live = true;
        d->dr[n] = d->hw_slot[n] = v[n];
    }
    d->dirty = false;
    dbg_mark_redo(d, DBG_REDO_ALL);       /* the next entry decides who owns them */
}

/* VMCB status/control -> view after an untrapped run (no debug-register cost). */
static void pull_control(struct dbg_vcpu *d)
{
    uint64_t s = dbg_arch_get_status(d);
    uint64_t c = dbg_arch_get_control(d);

    if (s != d->hw_status || c != d->hw_control)
        d->live = true;
    if (c != d->hw_control)
        d->last_dr7_seen = c;   /* only a guest write changes it untrapped */
    d->status = d->hw_status = s;
    d->control = d->hw_control = c;
}

static void leave_passthrough(struct dbg_vcpu *d)
{
    dbg_sync_slots(d);
    set_state(d, DBGV_LAZY_TRAPPING);
}

static void enter_passthrough(struct dbg_vcpu *d)
{
    set_state(d, DBGV_LAZY_PASSTHROUGH);
    d->live = true;
}

void dbg_lazy_on_access(struct dbg_vcpu *d)
{
    if (d->lazy_state == DBGV_LAZY_TRAPPING && rules[d->policy].untrap_on_access &&
        !dbg_host_active(d))
        enter_passthrough(d);
}

/* The register file (four words on x86): compared inline rather than through memcmp
 * (every entry of an armed vCPU). */
static bool same_slots(const uint64_t a[DBG_NR_REGS], const uint64_t b[DBG_NR_REGS])
{
    uint64_t diff = 0;

    for (unsigned n = 0; n < DBG_NR_REGS; n++)
        diff |= a[n] ^ b[n];
    return diff == 0;
}

/* Where slots have their own control registers (arm64), what the hardware holds can
 * arm a slot under this control register although the view does not: the one loaded
 * last (a slot the guest has since disarmed), or anyone's after a switch. */
static bool hw_file_may_arm(const struct dbg_vcpu *d, uint64_t hw_control)
{
    if (!DBG_ARCH_SLOT_CONTROLS)
        return false;
    return !d->hw_slots_valid || dbg_arch_armed_slots(hw_control, d->hw_slot);
}

/* Where slots have their own controls (arm64), the host's breakpoints are armed by
 * the file and its step needs the file's OS lock clear: the file goes in whenever the
 * host debugs the vCPU. On x86 hw_control (DR7) already arms the host's slots. */
static bool host_needs_file(const struct dbg_vcpu *d)
{
    return DBG_ARCH_SLOT_CONTROLS && dbg_host_active(d);
}

/* Slots are loaded only when something will use them: the guest untrapped, or an armed
 * breakpoint (guest's or host's), the host debugging (host_needs_file), or one to disarm.
 * A clean vCPU never pays. Without host debugging the layout is the identity and the
 * hardware file is the view's. */
static void program_slots(struct dbg_vcpu *d, bool untrapped, uint64_t hw_control,
                          uint32_t armed)
{
    uint64_t composed[DBG_NR_REGS];
    const uint64_t *want = d->dr;

    d->slots_use = DBG_SLOTS_OTHER;
    if (d->dirty)
        return;             /* still loaded and owned by the guest since the last load */
    if (!untrapped && !armed && !host_needs_file(d) && !hw_file_may_arm(d, hw_control)) {
        d->slots_use = DBG_SLOTS_UNUSED;
        return;
    }
    if (dbg_host_active(d)) {
        dbg_layout_values(d, composed);
        want = composed;
    }
    if (!d->hw_slots_valid || !same_slots(want, d->hw_slot)) {
        dbg_arch_load_slots(d, want);
        d->counters.dr_loads++;
        for (unsigned n = 0; n < DBG_NR_REGS; n++)
            d->hw_slot[n] = want[n];
        d->hw_slots_valid = true;
    }
    d->dirty = untrapped;
    if (!untrapped && !dbg_host_active(d) && !DBG_ARCH_SLOT_CONTROLS)
        d->slots_use = DBG_SLOTS_VIEW;
}

/* The view's slot n changed (a guest write, vCPU context). Where the hardware file
 * mirrors the view (VIEW: trapped, no host debugging; the last entry ran here and the
 * file is still this vCPU's), the slot follows at once, and the entry has nothing to do;
 * anywhere else the entry decides. */
void dbg_slot_written(struct dbg_vcpu *d, unsigned n)
{
    if (d->slots_use == DBG_SLOTS_VIEW) {
        dbg_arch_load_slot(d, n, d->dr[n]);
        d->hw_slot[n] = d->dr[n];
        d->counters.dr_loads++;
    } else {
        dbg_mark_redo(d, DBG_REDO_SLOT_VALUE);
    }
}

static void program_control(struct dbg_vcpu *d, uint64_t status, uint64_t control,
                            bool intercept)
{
    if (!d->hw_ctl_valid || status != d->hw_status)
        dbg_arch_set_status(d, d->hw_status = status);
    if (!d->hw_ctl_valid || control != d->hw_control)
        dbg_arch_set_control(d, d->hw_control = control);
    if (!d->hw_ctl_valid || intercept != d->hw_intercepts)
        dbg_arch_set_intercepts(d, d->hw_intercepts = intercept);
    d->hw_ctl_valid = true;
}

/* The hardware control of a trapped vCPU: composed again only when the guest's
 * control or the layout (host breakpoints included) changed since the last entry. */
static uint64_t composed_control(struct dbg_vcpu *d)
{
    if (!d->composed_valid || d->composed_from != d->control ||
        d->composed_gen != d->layout_gen) {
        d->composed = dbg_arch_compose_control(d->control, &d->layout, d->host_bp,
                                               d->host_step);
        d->composed_from = d->control;
        d->composed_gen = d->layout_gen;
        d->composed_valid = true;
    }
    return d->composed;
}

/* Whether this entry left a clean vCPU: trapped, no step, nothing armed or loaded. Where
 * slots have their own controls (arm64) the file itself can arm one: never clean there. */
static void note_clean_entry(struct dbg_vcpu *d, bool untrapped)
{
    d->clean_entry = !DBG_ARCH_SLOT_CONTROLS && !untrapped && !d->step_armed && !d->dirty &&
                     !d->entry_armed;
}

/* Whether the next entry can be skipped until a writer marks something (dbg_vcpu.redo):
 * not while the host steps (each entry arms its step again), nor where slots have their
 * own controls and the control registers are the pCPU's (arm64). */
static bool entry_repeats(const struct dbg_vcpu *d)
{
    return d->host_step || DBG_ARCH_SLOT_CONTROLS || DBG_ARCH_CONTROL_PER_PCPU;
}

/* The whole entry. Out of line: the frequent single-slot reload needs none of its frame. */
static __attribute__((noinline)) void program_entry(struct dbg_vcpu *d)
{
    bool untrapped;
    uint64_t status, control;

    if (d->policy_req != d->policy) {
        if (d->lazy_state == DBGV_LAZY_PASSTHROUGH)
            leave_passthrough(d);
        d->policy = d->policy_req;
        d->quiet_count = 0;
    }
    /* The host's values must never be visible to, or clobbered by, an untrapped guest. */
    if (d->lazy_state == DBGV_LAZY_PASSTHROUGH && dbg_host_active(d))
        leave_passthrough(d);
    /* The layout is current: whatever changes its inputs (guest control, host
     * breakpoints and step, the lazy state) recomputes it at once. */

    untrapped = dbg_guest_owns_all(d);
    if (untrapped) {
        status = d->status;
        control = d->control;
    } else {
        status = dbg_arch_status_reset(d->rtm);   /* so a #DB exit shows only its cause */
        control = composed_control(d);
    }
    d->entry_armed = dbg_arch_armed_slots(control, d->dr);
    program_slots(d, untrapped, control, d->entry_armed);
    program_control(d, status, control, !untrapped);
    dbg_step_before_entry(d);
    d->ran_untrapped = untrapped;
    note_clean_entry(d, untrapped);
    /* Last: what the steps above changed is in what they programmed. */
    d->redo = entry_repeats(d) ? DBG_REDO_ALL : 0;
}

void dbg_entry_program(struct dbg_vcpu *d)
{
    /* Only slot values changed: nothing to do unless slots may be armed under another
     * layout (OTHER); a slot mirroring the view was loaded at the write, and one nothing
     * armed needs is loaded by the entry that arms it. */
    if (!(d->redo & DBG_REDO_ALL) && d->slots_use != DBG_SLOTS_OTHER &&
        d->policy_req == d->policy) {
        d->redo = 0;
        return;
    }
    program_entry(d);
}

/* Trapped, the guest's control register lives here, but the CPU can still
 * change the one it ran with (a hardware task switch clears local enables):
 * the guest's view follows, and the next entry writes what it composes. */
static void follow_hardware_control(struct dbg_vcpu *d)
{
    uint64_t now;

    if (!d->hw_ctl_valid || !d->entry_armed)
        return;                 /* nothing armed: nothing the CPU could have cleared */
    now = dbg_arch_get_control(d);
    if (now == d->hw_control)
        return;
    d->control = dbg_arch_control_after_run(d->control, d->hw_control, now);
    d->hw_control = now;
    d->entry_armed = dbg_arch_armed_slots(now, d->dr);
    dbg_layout_update(d);       /* the guest's armed slots may have changed */
}

void dbg_exit_sync(struct dbg_vcpu *d, bool control_kept)
{
    if (d->step_armed)
        dbg_step_after_exit(d);
    if (!d->ran_untrapped) {
        if (!control_kept)
            follow_hardware_control(d);
        return;
    }
    pull_control(d);
    if (rules[d->policy].retrap_on_exit && d->lazy_state == DBGV_LAZY_PASSTHROUGH)
        leave_passthrough(d);
}

/* Adaptive: a period is quiet if the guest changed nothing and arms nothing. */
static void adaptive_switch_out(struct dbg_vcpu *d)
{
    if (d->live || dbg_arch_armed_slots(d->control, d->dr)) {
        d->quiet_count = 0;
        return;
    }
    if (++d->quiet_count >= d->quiet_switches)
        set_state(d, DBGV_LAZY_TRAPPING);
}

void dbg_on_deschedule(struct dbg_vcpu *d)
{
    if (d->lazy_state == DBGV_LAZY_PASSTHROUGH) {
        dbg_sync_slots(d);
        if (rules[d->policy].retrap_on_deschedule)
            set_state(d, DBGV_LAZY_TRAPPING);
        else if (rules[d->policy].retrap_when_quiet)
            adaptive_switch_out(d);
    }
    d->hw_slots_valid = false;  /* another vCPU may use this pCPU's slots */
    dbg_mark_redo(d, DBG_REDO_ALL);
}

void dbg_forget_hw_control(struct dbg_vcpu *d)
{
    d->hw_ctl_valid = false;
    dbg_mark_redo(d, DBG_REDO_ALL);
}

void dbg_on_schedule(struct dbg_vcpu *d)
{
    d->hw_slots_valid = false;  /* this pCPU's slots hold someone else's values */
    dbg_mark_redo(d, DBG_REDO_ALL);
    if (DBG_ARCH_CONTROL_PER_PCPU)
        d->hw_ctl_valid = false;    /* ... and so may its control registers */
    d->live = false;
    if (d->lazy_state == DBGV_LAZY_TRAPPING && rules[d->policy].untrap_on_armed_schedule &&
        dbg_arch_armed_slots(d->control, d->dr) && !dbg_host_active(d))
        set_state(d, DBGV_LAZY_PASSTHROUGH);
}
