/* Host local APIC: the scheduler tick, IPIs and AP start-up. */
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
#define APIC_LVT_PERIODIC (1u << 17)

/* QEMU's APIC timer counts at 1 GHz before the divider. */
#define TICK_NS      4000000ull   /* shorter ticks starve guests under -icount shift=0 */
#define TIMER_DIVIDE 16

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
    lapic_write(APIC_LVT_TMR, APIC_LVT_PERIODIC | VECTOR_TIMER);
    lapic_write(APIC_TMR_ICR, (uint32_t)(TICK_NS / TIMER_DIVIDE));
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
