/*
 * Missed-tick accounting for a periodic interrupt source (as Xen's vpt.c and
 * KVM's i8254 reinjection): the owner reports how many periods elapsed, asks
 * whether to raise a tick now, and says when the guest acknowledged the tick
 * it raised (EOI at the PIC or the local APIC). Ticks that came due while the
 * vCPU could not take them (descheduled, interrupts off, handler still
 * running) wait in a backlog and are raised one per acknowledgement, so the
 * guest counts as many ticks as time passed. Self-contained: it knows
 * nothing of the timer or the interrupt controllers.
 */
#ifndef ASM_TICK_REINJECT_H
#define ASM_TICK_REINJECT_H

#include <stdbool.h>
#include <stdint.h>
#include <public/control.h>

/* The policies are enum dbgv_timer_mode (public/control.h: Xen's xl.cfg
 * timer_mode, its numbers and names in common/policy_names.c), used as they
 * come from the toolstack or a boot module: DBGV_TIMER_MODE_DEFAULT behaves
 * as no_delay_for_missed_ticks. */

/* At most this many owed ticks are kept (a domain paused for minutes must
 * not come back to a storm): 0.5 s at Linux's HZ=1000, 2 s at HZ=250. */
#define TICK_REINJECT_MAX_BACKLOG   500u

struct tick_reinject {
    uint8_t  mode;          /* enum dbgv_timer_mode */
    bool     in_flight;     /* raised and not yet acknowledged */
    uint32_t backlog;       /* due and not yet raised */
    uint64_t raised;        /* statistics: ticks raised, ticks dropped */
    uint64_t dropped;
};

/* A mode out of range is the default. */
void tick_reinject_init(struct tick_reinject *t, enum dbgv_timer_mode mode);
/* n more periods elapsed. */
void tick_reinject_due(struct tick_reinject *t, unsigned n);
/* Whether to raise a tick now (one is owed and none is in flight); if so it
 * is counted as in flight. */
bool tick_reinject_take(struct tick_reinject *t);
/* The guest acknowledged the tick in flight. */
void tick_reinject_ack(struct tick_reinject *t);
/* Forget what is owed and in flight: the line is masked or the timer was
 * reprogrammed (ticks of a period the guest no longer wants). */
void tick_reinject_drop(struct tick_reinject *t);

#endif
