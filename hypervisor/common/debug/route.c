/*
 * Routing of debug events between the host debugger and the guest (seeds 002, 004) and
 * delivery of the guest's #DB with the DR6 it would see on bare hardware (seed 000).
 */
#include "dbgvisor/lib.h"
#include "internal.h"

void dbg_deliver_db(struct dbg_vcpu *d, const struct dbg_cause *c)
{
    if (c)
        d->status = dbg_arch_merge_status(d->status, c, d->rtm);
    d->control = dbg_arch_control_on_db(d->control);
    d->last_dr6_seen = d->status;
    dbg_mark_redo(d, DBG_REDO_ALL);       /* control (GD) and status changed */
    d->counters.db_reflected++;
    dbg_arch_inject_db(d, d->status);
}

/* Whether these causes raise a #DB: a match of an unarmed slot alone does not. */
static bool raises_db(const struct dbg_cause *c, bool armed_hit)
{
    return armed_hit || c->step || c->general_detect || c->task_switch || c->rtm;
}

/* Host single-step: the host's TF rides on the guest's RFLAGS for one instruction and
 * is taken off again at the exit, so the guest keeps its own TF. */
void dbg_step_before_entry(struct dbg_vcpu *d)
{
    d->step_armed = d->host_step;
    if (!d->host_step)
        return;
    d->guest_tf = dbg_arch_get_tf(d);
    d->step_keeps_tf = dbg_arch_next_insn_loads_tf(d);
    dbg_arch_set_tf(d, true);
}

void dbg_step_after_exit(struct dbg_vcpu *d)
{
    d->tf_after = dbg_arch_get_tf(d);
    dbg_arch_set_tf(d, d->guest_tf);
}

struct dbg_route dbg_on_db_exit(struct dbg_vcpu *d, uint64_t hw_dr6)
{
    const struct dbg_layout *l = &d->layout;
    struct dbg_route r = { 0 };
    struct dbg_cause hw, guest = { 0 };
    bool guest_armed_hit = false;
    unsigned h;

    d->counters.db_exits++;
    dbg_mark_redo(d, DBG_REDO_ALL);       /* hw_status: the next entry resets it */
    if (d->ran_untrapped) {
        /* The guest owned all of the hardware and the CPU merged DR6 itself. */
        d->status = d->hw_status = hw_dr6;
        dbg_deliver_db(d, NULL);
        r.to_guest = true;
        r.guest_dr6 = d->status;
        return r;
    }

    d->hw_status = hw_dr6;
    hw = dbg_arch_decode_status(hw_dr6);
    for (h = 0; h < DBG_NR_SLOTS; h++) {
        if (!(hw.hits & (1u << h)))
            continue;
        if (l->owner[h] == DBGV_OWNER_HOST) {
            r.host_bps |= 1u << l->index[h];
            continue;
        }
        /* A loaded free slot holds the guest's own value: report the match as hardware
         * would. Unloaded, it holds someone else's: that match must not leak. */
        if (l->owner[h] == DBGV_OWNER_FREE && !d->hw_slots_valid)
            continue;
        guest.hits |= 1u << l->index[h];
        guest_armed_hit |= l->owner[h] == DBGV_OWNER_GUEST;
    }
    if (hw.step) {
        if (d->step_armed) {
            r.host_step = true;
            guest.step = d->guest_tf;
            if (d->step_keeps_tf)
                dbg_arch_set_tf(d, d->tf_after);
        } else {
            guest.step = true;
        }
    }
    guest.general_detect = hw.general_detect;
    guest.task_switch = hw.task_switch;
    guest.rtm = hw.rtm;

    r.to_host = r.host_step || r.host_bps;
    if (raises_db(&guest, guest_armed_hit)) {
        dbg_deliver_db(d, &guest);
        r.to_guest = true;
    } else if (!r.to_host && !raises_db(&hw, hw.hits != 0)) {
        /* Nothing recorded (ICEBP): the guest's #DB, DR6 untouched. */
        dbg_deliver_db(d, NULL);
        r.to_guest = true;
    }
    if (r.to_host)
        d->counters.db_host_events++;
    r.guest_dr6 = d->status;
    return r;
}

void dbg_on_icebp(struct dbg_vcpu *d)
{
    d->counters.db_exits++;
    dbg_deliver_db(d, NULL);
}

struct dbg_route dbg_on_emulated_insn(struct dbg_vcpu *d)
{
    struct dbg_route r = { 0 };

    if (d->step_armed) {
        r.to_host = r.host_step = true;
        d->counters.db_host_events++;
    }
    /* after_vmexit put the guest's own TF back: it decides the guest's trap. */
    if (dbg_arch_get_tf(d)) {
        struct dbg_cause c = { .step = true };
        dbg_deliver_db(d, &c);
        r.to_guest = true;
    }
    r.guest_dr6 = d->status;
    return r;
}

void dbg_host_single_step(struct dbg_vcpu *d, bool on, bool irqs)
{
    d->host_step = on;
    d->host_step_irqs = irqs;
    dbg_layout_update(d);
}

bool dbg_host_blocks_irqs(const struct dbg_vcpu *d)
{
    return d->host_step && !d->host_step_irqs;
}
