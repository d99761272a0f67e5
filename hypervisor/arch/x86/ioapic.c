/* Minimal I/O APIC driver: one redirection entry per routed ISA interrupt.
 * QEMU's PC wires ISA IRQ n to GSI n except the timer, which we never use. */
#include <asm/ioapic.h>

#define IOAPIC_BASE   0xFEC00000ull
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN    0x10
#define IOAPIC_REDTBL 0x10

static void ioapic_write(uint32_t reg, uint32_t val)
{
    *(volatile uint32_t *)(IOAPIC_BASE + IOAPIC_REGSEL) = reg;
    *(volatile uint32_t *)(IOAPIC_BASE + IOAPIC_WIN) = val;
}

void ioapic_route_isa_irq(unsigned irq, uint8_t vector, uint32_t apic_id)
{
    ioapic_write(IOAPIC_REDTBL + 2 * irq + 1, apic_id << 24);
    ioapic_write(IOAPIC_REDTBL + 2 * irq, vector);   /* fixed, physical, edge, high, unmasked */
}
