/* Suite registration and the fake platform of the emulator unit tests. */
#ifndef UNIT_EMULATE_TESTS_H
#define UNIT_EMULATE_TESTS_H

#include <stdint.h>
#include "unit.h"

struct vcpu;

void register_alu_tests(void);
void register_walk_tests(void);
void register_decode_mem_tests(void);
void register_seg_tests(void);
void register_x87_tests(void);
void register_vec_alu_tests(void);

/* fakes.c: one vCPU of one domain whose RAM is fake_ram[] (gpa 0 up);
 * beyond it the bus reads all-ones and drops writes. */
#define FAKE_RAM_BYTES (8u << 20)
extern uint8_t fake_ram[FAKE_RAM_BYTES];
extern struct vcpu fake_vcpu;
/* A device window at FAKE_MMIO_BASE that keeps what is written (any size). */
#define FAKE_MMIO_BASE 0xfec00000ull
#define FAKE_MMIO_BYTES 64u
extern uint8_t fake_mmio[FAKE_MMIO_BYTES];
/* The last exception svm_inject_exception was asked for (-1: none). */
extern int injected_vector;
extern uint32_t injected_error;
/* Resets the vCPU (CPL 0, paging off) and clears RAM and the injection. */
void fake_reset(void);
/* The last pointers xstate_x87_set_pointers was given, and how often. */
#include <asm/xstate.h>
extern struct x87_env fake_x87_pointers;
extern unsigned fake_x87_pointer_sets;

#endif
