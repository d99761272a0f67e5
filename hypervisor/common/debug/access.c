/*
 * Emulation of a trapped debug-register access against the guest's architectural view.
 * Every policy goes through here, so the guest-visible semantics cannot differ.
 */
#include "dbgvisor/lib.h"
#include "internal.h"

static uint64_t *view_reg(struct dbg_vcpu *d, unsigned reg)
{
    if (reg < DBG_NR_REGS)
        return &d->dr[reg];
    return reg == DBG_REG_STATUS ? &d->status : &d->control;
}

/* Faults are injected here so that the general-detect #DB merges into the view. */
static enum dbg_access_result fault(struct dbg_vcpu *d, enum dbg_access_result r)
{
    static const struct dbg_cause gd = { .general_detect = true };

    if (r == DBG_ACCESS_GP)
        dbg_arch_inject_gp(d);
    else if (r == DBG_ACCESS_UD)
        dbg_arch_inject_ud(d);
    else
        dbg_deliver_db(d, &gd);
    return r;
}

/* What follows a write that changed register reg of the view: the layout if reg arms
 * slots, the one hardware slot if it is a slot, else the whole next entry. */
static void view_changed(struct dbg_vcpu *d, unsigned reg)
{
    if (DBG_REG_ARMS(reg))
        dbg_layout_update(d);
    else if (reg < DBG_NR_SLOTS)
        dbg_slot_written(d, reg);
    else
        dbg_mark_redo(d, DBG_REDO_ALL);
}

/* The register as the guest last set it: the slots are read back first if they ran
 * untrapped (status/control writes still exit, see dbg_arch_set_intercepts, and the view of
 * those two is current). */
static inline __attribute__((always_inline)) uint64_t *current_reg(struct dbg_vcpu *d,
                                                                   unsigned reg)
{
    if (reg < DBG_NR_REGS && d->dirty)
        dbg_sync_slots(d);
    return view_reg(d, reg);
}

static inline __attribute__((always_inline)) void store(struct dbg_vcpu *d, unsigned reg,
                                                        uint64_t *slot, uint64_t v)
{
    d->live = true;
    if (v != *slot) {             /* the same value again changes nothing programmed */
        *slot = v;
        view_changed(d, reg);
    }
}

static inline __attribute__((always_inline)) void accessed(struct dbg_vcpu *d, unsigned reg)
{
    if (reg == DBG_REG_CONTROL)
        d->last_dr7_seen = d->control;
    dbg_lazy_on_access(d);
}

enum dbg_access_result dbg_on_mov_dr(struct dbg_vcpu *d, struct dbg_access *a)
{
    enum dbg_access_result r;
    unsigned reg = 0;
    uint64_t *slot;

    d->counters.dr_access_exits++;
    r = dbg_arch_check_access(a, d->control, &reg);
    if (r != DBG_ACCESS_DONE)
        return fault(d, r);
    slot = current_reg(d, reg);
    if (a->write) {
        uint64_t v;
        if (!dbg_arch_write_value(d, reg, a->value, a->long_mode, &v))
            return fault(d, DBG_ACCESS_GP);
        store(d, reg, slot, v);
    } else {
        a->value = dbg_arch_read_value(*slot, a->long_mode);
    }
    accessed(d, reg);
    return DBG_ACCESS_DONE;
}

uint64_t dbg_read_plain(struct dbg_vcpu *d, unsigned reg)
{
    uint64_t v;

    d->counters.dr_access_exits++;
    v = *current_reg(d, reg);
    accessed(d, reg);
    return v;
}

void dbg_write_plain(struct dbg_vcpu *d, unsigned reg, uint64_t value)
{
    d->counters.dr_access_exits++;
    store(d, reg, current_reg(d, reg), value);
    accessed(d, reg);
}
