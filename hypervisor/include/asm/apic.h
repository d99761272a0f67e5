/* The host local APIC (xAPIC mode, identity-mapped at 0xFEE00000). */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <stdint.h>

#define LAPIC_BASE 0xFEE00000ull

void lapic_init(void);                 /* enable, spurious vector, periodic tick */
void lapic_eoi(void);
uint32_t lapic_id(void);
void lapic_send_init(uint32_t apic_id);
void lapic_send_sipi(uint32_t apic_id, uint32_t vector_page);
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
unsigned this_cpu_id(void);            /* index into pcpus[], from the APIC ID */

#endif
