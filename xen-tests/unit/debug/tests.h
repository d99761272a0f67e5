/* Shared declarations of the debug-core unit tests. */
#ifndef DEBUG_TESTS_H
#define DEBUG_TESTS_H

#include <CUnit/CUnit.h>

#include "dbgvisor/debug.h"
#include "fake_arch.h"
#include "ref_model.h"

/* Each test file registers its suite. */
int register_semantics_tests(void);
int register_access_tests(void);
int register_policy_tests(void);
int register_routing_tests(void);
int register_reset_tests(void);
int register_reference_tests(void);
int register_entry_tests(void);

/* Every VM entry a test makes (dbg_before_vmentry) is checked against the same entry done
 * in full on a copy: the vCPU's state, the fake pCPU's slots and the VMCB must come out the
 * same. An entry skipped or cut short because a writer forgot to mark what it changed
 * (dbg_vcpu.redo), or a slot reload that loads the wrong slot, fails the test it is in. */
void checked_before_vmentry(struct dbg_vcpu *d);
#define dbg_before_vmentry(d) checked_before_vmentry(d)

/* A vCPU on the fake pCPU: reset, scheduled, policy set. */
void vcpu_start(struct dbg_vcpu *d, uint32_t id, enum dbgv_debug_policy p, uint32_t quiet);
/* One VMRUN with nothing debug-related happening in the guest. */
void run_once(struct dbg_vcpu *d);
/* A trapped MOV DR in 64-bit mode at CPL 0. */
enum dbg_access_result mov_to_dr(struct dbg_vcpu *d, unsigned reg, uint64_t v);
uint64_t mov_from_dr(struct dbg_vcpu *d, unsigned reg);
/* The guest executes a MOV DR: exits to the core if intercepted, else the fake CPU does it
 * (including a general-detect #DB, which exits as a #DB intercept). One entry, one exit. */
enum dbg_access_result guest_mov_dr(struct dbg_vcpu *d, struct dbg_access *a);
/* guest_mov_dr of one register in 64-bit mode at CPL 0, asserting it completes. */
uint64_t g_read(struct dbg_vcpu *d, unsigned reg);
void g_write(struct dbg_vcpu *d, unsigned reg, uint64_t v);
/* The core's name for a reference-model outcome (ref_model.h). */
enum dbg_access_result ref_as_core(enum ref_outcome r);
/* Switch the pCPU from a to b (either may be NULL). */
void switch_vcpu(struct dbg_vcpu *from, struct dbg_vcpu *to);

#define DR6_BASE 0xffff0ff0ULL
#define DR6_BS   (1ULL << 14)
#define DR6_BD   (1ULL << 13)
#define DR7_GD   (1ULL << 13)

#endif
