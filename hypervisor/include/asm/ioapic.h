/* The I/O APIC: routes a legacy ISA interrupt to a vector on one pCPU. */
#ifndef ASM_IOAPIC_H
#define ASM_IOAPIC_H

#include <stdint.h>

/* Edge-triggered, active high, unmasked: ISA IRQ `irq` -> vector on apic_id. */
void ioapic_route_isa_irq(unsigned irq, uint8_t vector, uint32_t apic_id);

#endif
