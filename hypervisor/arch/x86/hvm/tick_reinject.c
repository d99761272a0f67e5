/*
 * Missed-tick accounting (see asm/tick_reinject.h). The policies are Xen's
 * timer modes; the one-in-flight rule and the reset on mask or reprogram
 * are KVM's PIT reinjection.
 */
#include <asm/tick_reinject.h>
#include <dbgvisor/lib.h>

void tick_reinject_init(struct tick_reinject *t, enum dbgv_timer_mode mode)
{
    memset(t, 0, sizeof(*t));
    t->mode = mode < DBGV_TIMER_MODE_COUNT ? mode : DBGV_TIMER_MODE_DEFAULT;
}

static void keep_at_most(struct tick_reinject *t, uint64_t owed, uint32_t cap)
{
    if (owed > cap) {
        t->dropped += owed - cap;
        owed = cap;
    }
    t->backlog = (uint32_t)owed;
}

void tick_reinject_due(struct tick_reinject *t, unsigned n)
{
    if (!n)
        return;
    switch (t->mode) {
    case DBGV_TIMER_MODE_NO_MISSED_TICKS_PENDING:
        if (t->in_flight) {             /* the guest has not taken the last one */
            t->dropped += n;
            return;
        }
        keep_at_most(t, (uint64_t)t->backlog + n, 1);
        break;
    case DBGV_TIMER_MODE_ONE_MISSED_TICK_PENDING:
        keep_at_most(t, (uint64_t)t->backlog + n, 1);
        break;
    default:                            /* no_delay_for_missed_ticks, the default */
        keep_at_most(t, (uint64_t)t->backlog + n, TICK_REINJECT_MAX_BACKLOG);
    }
}

bool tick_reinject_take(struct tick_reinject *t)
{
    if (t->in_flight || !t->backlog)
        return false;
    t->backlog--;
    t->in_flight = true;
    t->raised++;
    return true;
}

void tick_reinject_ack(struct tick_reinject *t)
{
    t->in_flight = false;
}

void tick_reinject_drop(struct tick_reinject *t)
{
    t->dropped += t->backlog;
    t->backlog = 0;
    t->in_flight = false;
}
