/* The host local APIC (xAPIC mode, identity-mapped at 0xFEE00000). */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_BASE 0xFEE00000ull

void lapic_init(void);                 /* enable, spurious vector, the tick */
/* In the timer interrupt: whether the scheduler tick is due (else the timer
 * fired early for a guest deadline); re-arms the timer either way. */
bool lapic_timer_tick_due(void);
/* Make this pCPU's timer fire by this time (ns) at the latest: a guest
 * timer is due. The caller names its pCPU (an APIC read less per entry). */
static inline void lapic_timer_fire_by(unsigned cpu, uint64_t deadline_ns)
{
    extern uint64_t lapic_timer_armed_ns[];    /* apic.c: when each pCPU's timer fires */
    void lapic_timer_fire_at(unsigned cpu, uint64_t at);

    if (deadline_ns < lapic_timer_armed_ns[cpu])   /* every entry: one compare */
        lapic_timer_fire_at(cpu, deadline_ns);
}
void lapic_eoi(void);
uint32_t lapic_id(void);
void lapic_send_init(uint32_t apic_id);
void lapic_send_sipi(uint32_t apic_id, uint32_t vector_page);
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
unsigned this_cpu_id(void);            /* index into pcpus[], from the APIC ID */

#endif
