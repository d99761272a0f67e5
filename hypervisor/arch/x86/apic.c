/*
 * Host local APIC: the scheduler tick, IPIs and AP start-up. The timer runs
 * one-shot: it fires at the next scheduler tick (every TICK_NS) or earlier
 * when a guest timer is due before that (lapic_timer_fire_by), so a virtual
 * timer in the middle of a slice exits the guest on time, as KVM's hrtimer
 * does.
 */
#include <asm/apic.h>
#include <asm/traps.h>
#include <asm/x86.h>
#include <dbgvisor/percpu.h>
#include <dbgvisor/time.h>

#define APIC_ID      0x020
#define APIC_EOI     0x0B0
#define APIC_SPIV    0x0F0
#define APIC_ICR_LO  0x300
#define APIC_ICR_HI  0x310
#define APIC_LVT_TMR 0x320
#define APIC_TMR_ICR 0x380
#define APIC_TMR_DCR 0x3E0
#define APIC_ICR_BUSY (1u << 12)

/* QEMU's APIC timer counts at 1 GHz before the divider. */
#define TICK_NS      4000000ull   /* shorter ticks starve guests under -icount shift=0 */
#define TIMER_DIVIDE 16

static uint64_t next_tick_ns[MAX_PCPUS];   /* when each pCPU's scheduler tick is due */
uint64_t lapic_timer_armed_ns[MAX_PCPUS];  /* when its timer fires */

static inline uint32_t lapic_read(uint32_t reg) { return *(volatile uint32_t *)(LAPIC_BASE + reg); }
static inline void lapic_write(uint32_t reg, uint32_t v) { *(volatile uint32_t *)(LAPIC_BASE + reg) = v; }

uint32_t lapic_id(void) { return lapic_read(APIC_ID) >> 24; }
void lapic_eoi(void) { lapic_write(APIC_EOI, 0); }

/* The pCPU's own struct pcpu is at GS:0 (set by pcpu_set_current; VMLOAD
 * restores the host's GS base after each exit): no APIC MMIO read on the
 * exit path. */
struct pcpu *this_pcpu(void)
{
    struct pcpu *p;
    __asm__("movq %%gs:0, %0" : "=r"(p));
    return p;
}

unsigned this_cpu_id(void) { return this_pcpu()->id; }

void pcpu_set_current(struct pcpu *p)
{
    p->self = p;
    wrmsr(MSR_GS_BASE, (uint64_t)p);
}

void lapic_init(void)
{
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 11));
    lapic_write(APIC_SPIV, 0x100 | VECTOR_SPURIOUS);
    lapic_write(APIC_TMR_DCR, 0x3);            /* divide by 16 */
    lapic_write(APIC_LVT_TMR, VECTOR_TIMER);   /* one-shot, re-armed at each tick */
    next_tick_ns[this_cpu_id()] = now_ns();
    lapic_timer_tick_due();
}

/* Interrupts are off (hypervisor context or the tick's handler). */
void lapic_timer_fire_at(unsigned cpu, uint64_t at)
{
    uint64_t now = now_ns();
    uint64_t counts = at > now ? (at - now + TIMER_DIVIDE - 1) / TIMER_DIVIDE : 1;

    lapic_timer_armed_ns[cpu] = at;
    lapic_write(APIC_TMR_ICR, (uint32_t)(counts > UINT32_MAX ? UINT32_MAX : counts));
}

bool lapic_timer_tick_due(void)
{
    unsigned cpu = this_cpu_id();
    uint64_t now = now_ns();

    if (next_tick_ns[cpu] > now + TICK_NS)
        next_tick_ns[cpu] = now;                 /* the clock was calibrated since */
    bool due = now >= next_tick_ns[cpu];

    if (due) {
        next_tick_ns[cpu] += TICK_NS;
        if (next_tick_ns[cpu] <= now)
            next_tick_ns[cpu] = now + TICK_NS;   /* ticks missed: no burst */
    }
    lapic_timer_fire_at(cpu, next_tick_ns[cpu]);
    return due;
}

static void lapic_icr(uint32_t apic_id, uint32_t lo)
{
    lapic_write(APIC_ICR_HI, apic_id << 24);
    lapic_write(APIC_ICR_LO, lo);
    while (lapic_read(APIC_ICR_LO) & APIC_ICR_BUSY)
        cpu_relax();
}

void lapic_send_init(uint32_t apic_id) { lapic_icr(apic_id, 0x4500); }
void lapic_send_sipi(uint32_t apic_id, uint32_t page) { lapic_icr(apic_id, 0x4600 | page); }
void lapic_send_ipi(uint32_t apic_id, uint8_t vector) { lapic_icr(apic_id, 0x4000 | vector); }
