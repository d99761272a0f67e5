/* Suite registration of the local APIC unit tests, and their shared fakes (fakes.c). */
#ifndef UNIT_VLAPIC_TESTS_H
#define UNIT_VLAPIC_TESTS_H

#include <stdbool.h>
#include <stdint.h>
#include <dbgvisor/domain.h>
#include "unit.h"

#define NR 3
extern struct domain dom;
extern struct vcpu vcpus[NR];
extern uint64_t fake_now;
extern unsigned inits[NR], sipis[NR], eois;
extern uint8_t last_eoi_vector;

void setup(void);                /* NR vCPUs (APIC IDs 0, 1, 0x23), all at reset */
int rd(struct vcpu *v, uint32_t msr, uint64_t *val);   /* x2APIC RDMSR/WRMSR: 0 or -1 (#GP) */
int wr(struct vcpu *v, uint32_t msr, uint64_t val);
uint64_t rdv(struct vcpu *v, uint32_t msr);            /* a read that must not #GP */
bool irr(struct vcpu *v, unsigned vec);
void clear_irr(void);

void register_x2apic_tests(void);
void register_error_tests(void);
void register_lowest_priority_tests(void);

#endif
