/* Debug core internals shared by the files of common/debug. */
#ifndef COMMON_DEBUG_INTERNAL_H
#define COMMON_DEBUG_INTERNAL_H

#include "dbgvisor/debug.h"
#include "dbgvisor/debug_arch.h"

/* What the next entry must redo (dbg_vcpu.redo): called by every writer of the state an
 * entry programs from, DBG_REDO_ALL unless only a slot's value changed. dbg_layout_update()
 * marks it for all whose change moves the layout (lazy state, guest control, host
 * breakpoints and step, reset). */
static inline void dbg_mark_redo(struct dbg_vcpu *d, uint64_t what)
{
    d->redo |= what;
}

/* slots.c: ownership (these two are asked on every VM entry and exit) */
static inline bool dbg_host_active(const struct dbg_vcpu *d)
{
    return d->host_step || d->host_enabled != 0;
}
/* Guest owns all its slots untrapped (pass-through and no host debugging). */
static inline bool dbg_guest_owns_all(const struct dbg_vcpu *d)
{
    return d->lazy_state == DBGV_LAZY_PASSTHROUGH && !dbg_host_active(d);
}
void dbg_layout_update(struct dbg_vcpu *d);
/* Values the hardware file must hold for the current layout. */
void dbg_layout_values(const struct dbg_vcpu *d, uint64_t out[DBG_NR_REGS]);

/* lazy.c: state machine */
void dbg_sync_slots(struct dbg_vcpu *d);
void dbg_lazy_on_access(struct dbg_vcpu *d);
/* A write changed the view's slot n (n < DBG_NR_SLOTS): load it or mark the entry. */
void dbg_slot_written(struct dbg_vcpu *d, unsigned n);

/* route.c: #DB delivery and host single-step */
/* Queue a #DB for the guest; c == NULL leaves the status as it is (hardware merged it). */
void dbg_deliver_db(struct dbg_vcpu *d, const struct dbg_cause *c);
void dbg_step_before_entry(struct dbg_vcpu *d);
/* After an entry that armed the host's step (step_armed): the guest's own TF back. */
void dbg_step_after_exit(struct dbg_vcpu *d);

#endif
