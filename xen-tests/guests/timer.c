/* timer: the one-shot LVT timer really interrupts a HLT, once per arming,
 * and the current count has reached 0 when it fires. */
#include "guest.h"

static volatile unsigned long fired_vector, fired_tmcct;

static void handler(struct trap_frame *f)
{
    fired_vector = f->vector;
    fired_tmcct = apic_read(APIC_TMCCT);
    timer_ticks++;
    apic_eoi();
}

int main(void)
{
    static const uint32_t counts[] = { 1000, 50000, 200000, 1000000, 3000000 };

    trap_set_handler(TIMER_VECTOR, handler);
    for (unsigned i = 0; i < ARRAY_SIZE(counts); i++) {
        unsigned long before = timer_ticks;
        fired_vector = 0;
        fired_tmcct = ~0UL;
        sleep_ticks(counts[i]);
        report(timer_ticks == before + 1 && fired_vector == TIMER_VECTOR,
               "count %u: one interrupt on vector %#lx", counts[i], fired_vector);
        report(fired_tmcct == 0, "count %u: current count 0 when fired", counts[i]);
    }
    /* A one-shot timer must not fire again: nothing arrives on a short wait. */
    unsigned long before = timer_ticks;
    sti();
    for (volatile int i = 0; i < 100000; i++)
        ;
    cli();
    report(timer_ticks == before, "one-shot does not re-fire");
    return report_summary();
}
