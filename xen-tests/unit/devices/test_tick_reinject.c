/*
 * Missed-tick accounting (hypervisor/arch/x86/hvm/tick_reinject.c): what each
 * of Xen's timer modes owes the guest after ticks it could not take, one
 * tick in flight until acknowledged, the backlog cap, and the drop.
 */
#include <asm/tick_reinject.h>
#include <string.h>
#include "tests.h"

static struct tick_reinject t;

/* Raise and acknowledge until nothing is owed: how many ticks the guest got. */
static unsigned drain(void)
{
    unsigned n = 0;

    while (tick_reinject_take(&t)) {
        n++;
        tick_reinject_ack(&t);
    }
    return n;
}

static void test_on_time_ticks(void)
{
    for (int m = 0; m < DBGV_TIMER_MODE_COUNT; m++) {
        tick_reinject_init(&t, (enum dbgv_timer_mode)m);
        CU_ASSERT(!tick_reinject_take(&t));           /* nothing due */
        for (unsigned i = 0; i < 10; i++) {
            tick_reinject_due(&t, 1);
            CU_ASSERT(tick_reinject_take(&t));
            CU_ASSERT(!tick_reinject_take(&t));       /* one in flight at a time */
            tick_reinject_ack(&t);
        }
        CU_ASSERT_EQUAL(t.raised, 10);
        CU_ASSERT_EQUAL(t.dropped, 0);
    }
}

static void test_no_delay_reinjects_every_missed_tick(void)
{
    tick_reinject_init(&t, DBGV_TIMER_MODE_NO_DELAY_FOR_MISSED_TICKS);
    tick_reinject_due(&t, 7);                         /* seven periods while descheduled */
    CU_ASSERT(tick_reinject_take(&t));
    tick_reinject_due(&t, 3);                         /* three more before the guest acks */
    CU_ASSERT(!tick_reinject_take(&t));
    tick_reinject_ack(&t);
    CU_ASSERT_EQUAL(drain(), 9);
    CU_ASSERT_EQUAL(t.raised, 10);
    CU_ASSERT_EQUAL(t.dropped, 0);
}

static void test_backlog_cap(void)
{
    tick_reinject_init(&t, DBGV_TIMER_MODE_NO_DELAY_FOR_MISSED_TICKS);
    tick_reinject_due(&t, TICK_REINJECT_MAX_BACKLOG + 100);
    CU_ASSERT_EQUAL(drain(), TICK_REINJECT_MAX_BACKLOG);
    CU_ASSERT_EQUAL(t.dropped, 100);
    tick_reinject_due(&t, UINT32_MAX);                /* no overflow */
    tick_reinject_due(&t, UINT32_MAX);
    CU_ASSERT_EQUAL(t.backlog, TICK_REINJECT_MAX_BACKLOG);
}

static void test_one_missed_tick_pending(void)
{
    tick_reinject_init(&t, DBGV_TIMER_MODE_ONE_MISSED_TICK_PENDING);
    tick_reinject_due(&t, 7);
    CU_ASSERT_EQUAL(drain(), 1);                      /* seven merge into one late tick */
    CU_ASSERT_EQUAL(t.dropped, 6);
    tick_reinject_due(&t, 1);
    CU_ASSERT(tick_reinject_take(&t));
    tick_reinject_due(&t, 4);                         /* while in flight: one waits */
    tick_reinject_ack(&t);
    CU_ASSERT_EQUAL(drain(), 1);
}

static void test_no_missed_ticks_pending(void)
{
    tick_reinject_init(&t, DBGV_TIMER_MODE_NO_MISSED_TICKS_PENDING);
    tick_reinject_due(&t, 1);
    CU_ASSERT(tick_reinject_take(&t));
    tick_reinject_due(&t, 4);                         /* while in flight: dropped */
    tick_reinject_ack(&t);
    CU_ASSERT(!tick_reinject_take(&t));
    CU_ASSERT_EQUAL(t.dropped, 4);
    tick_reinject_due(&t, 3);                         /* acked: the next due tick only */
    CU_ASSERT_EQUAL(drain(), 1);
}

static void test_drop(void)
{
    tick_reinject_init(&t, DBGV_TIMER_MODE_NO_DELAY_FOR_MISSED_TICKS);
    tick_reinject_due(&t, 5);
    CU_ASSERT(tick_reinject_take(&t));
    tick_reinject_drop(&t);                           /* masked or reprogrammed */
    CU_ASSERT_EQUAL(t.backlog, 0);
    CU_ASSERT(!t.in_flight);                          /* no ack awaited any more */
    CU_ASSERT_EQUAL(t.dropped, 4);
    CU_ASSERT(!tick_reinject_take(&t));
    tick_reinject_due(&t, 1);
    CU_ASSERT(tick_reinject_take(&t));
}

/* The names are the public ones (common/policy_names.c, tested through
 * libdebugctl in unit/control); here: 0 and a mode out of range behave as
 * no_delay_for_missed_ticks. */
static void test_default_mode(void)
{
    static const enum dbgv_timer_mode defaults[] = { DBGV_TIMER_MODE_DEFAULT, DBGV_TIMER_MODE_COUNT };

    for (unsigned i = 0; i < 2; i++) {
        tick_reinject_init(&t, defaults[i]);
        tick_reinject_due(&t, 3);
        CU_ASSERT_EQUAL(drain(), 3);                  /* every missed tick */
    }
    tick_reinject_init(&t, DBGV_TIMER_MODE_COUNT);
    CU_ASSERT_EQUAL(t.mode, DBGV_TIMER_MODE_DEFAULT);
}

void register_tick_reinject_tests(void)
{
    CU_pSuite s = CU_add_suite("tick reinjection", NULL, NULL);
    CU_add_test(s, "on-time ticks, one in flight", test_on_time_ticks);
    CU_add_test(s, "no_delay_for_missed_ticks owes every missed tick", test_no_delay_reinjects_every_missed_tick);
    CU_add_test(s, "the backlog is capped", test_backlog_cap);
    CU_add_test(s, "one_missed_tick_pending merges", test_one_missed_tick_pending);
    CU_add_test(s, "no_missed_ticks_pending drops", test_no_missed_ticks_pending);
    CU_add_test(s, "drop forgets owed and in-flight ticks", test_drop);
    CU_add_test(s, "the default mode", test_default_mode);
}
