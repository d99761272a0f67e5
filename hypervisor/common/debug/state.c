/* Per-vCPU debug state: power-on and INIT reset, policy selection and the toolstack's
 * snapshot. */
#include "dbgvisor/lib.h"
#include "internal.h"

/* The architectural reset state of the guest's view, trapping, with nothing assumed about
 * the hardware: the next entry programs status, control and intercepts from scratch. */
static void reset_guest_state(struct dbg_vcpu *d)
{
    dbg_arch_regs_reset(d->dr);
    d->status = d->last_dr6_seen = dbg_arch_status_reset(d->rtm);
    d->control = d->last_dr7_seen = dbg_arch_control_reset();
    d->lazy_state = DBGV_LAZY_TRAPPING;
    d->dirty = d->ran_untrapped = d->live = false;
    d->quiet_count = 0;
    d->hw_slots_valid = d->hw_ctl_valid = false;
    dbg_mark_redo(d, DBG_REDO_ALL);
    d->step_armed = d->step_keeps_tf = d->guest_tf = d->tf_after = false;
    dbg_layout_update(d);
}

void dbg_init(struct dbg_vcpu *d, uint32_t vcpu_id, enum dbgv_debug_policy policy,
              uint32_t quiet_switches, bool rtm_offered)
{
    memset(d, 0, sizeof(*d));
    d->vcpu_id = vcpu_id;
    d->policy = d->policy_req = (uint8_t)(policy < DBGV_POLICY_COUNT ? policy
                                                                     : DBGV_POLICY_DEFAULT);
    d->quiet_switches = quiet_switches;
    d->rtm = rtm_offered;
    reset_guest_state(d);
}

void dbg_vcpu_reset(struct dbg_vcpu *d)
{
    if (d->lazy_state == DBGV_LAZY_PASSTHROUGH)
        d->counters.policy_switches++;   /* it leaves pass-through, as any re-trap counts */
    d->policy = d->policy_req;           /* a pending policy change takes effect now */
    reset_guest_state(d);
}

bool dbg_set_policy(struct dbg_vcpu *d, enum dbgv_debug_policy policy,
                    uint32_t quiet_switches)
{
    if ((unsigned)policy >= DBGV_POLICY_COUNT)
        return false;
    d->policy_req = (uint8_t)policy;
    d->quiet_switches = quiet_switches;   /* applied at the next entry (dbg_entry_pending) */
    return true;
}

_Static_assert(DBG_NR_SLOTS <= DBGV_MAX_SLOTS && DBG_NR_REGS <= DBGV_MAX_DEBUG_REGS,
               "the public debug state holds the arch's file");

void dbg_snapshot(const struct dbg_vcpu *d, struct dbgv_vcpu_debug_state *out)
{
    unsigned n;

    memset(out, 0, sizeof(*out));
    out->vcpu_id = d->vcpu_id;
    out->policy = d->policy_req;
    out->lazy_state = d->lazy_state;
    out->dirty = d->dirty;
    out->step_owner = d->host_step ? DBGV_OWNER_HOST : DBGV_OWNER_FREE; /* guest TF is its own */
    out->quiet_switches = d->quiet_switches;
    if (DBG_ARCH_TAG == DBGV_ARCH_X86) {     /* version 1's fields are x86's */
        for (n = 0; n < DBGV_NR_SLOTS; n++) {
            out->slot_owner[n] = d->layout.owner[n];
            out->guest_dr[n] = d->dr[n];
        }
        out->guest_dr6 = d->status;
        out->guest_dr7 = d->control;
    }
    out->arch = DBG_ARCH_TAG;
    out->nr_slots = DBG_NR_SLOTS;
    out->nr_regs = DBG_NR_REGS;
    out->slots_present = dbg_arch_slots_present();
    for (n = 0; n < DBG_NR_SLOTS; n++)
        out->owner[n] = d->layout.owner[n];
    for (n = 0; n < DBG_NR_REGS; n++)
        out->regs[n] = d->dr[n];
    out->control = d->control;
    out->status = d->status;
    out->last_dr6_seen = d->last_dr6_seen;
    out->last_dr7_seen = d->last_dr7_seen;
    out->counters = d->counters;
}
