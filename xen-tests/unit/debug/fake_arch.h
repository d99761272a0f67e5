/* Fake arch layer for the debug core: one pCPU's slot registers, a VMCB per vCPU, and a
 * log of every mechanism call so tests can assert what the core did (and did not do). */
#ifndef FAKE_ARCH_H
#define FAKE_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "dbgvisor/debug.h"

enum fake_op {
    OP_LOAD_SLOTS, OP_LOAD_SLOT, OP_SAVE_SLOTS, OP_SET_STATUS, OP_GET_STATUS, OP_SET_CONTROL,
    OP_GET_CONTROL, OP_INTERCEPTS, OP_INJECT_DB, OP_INJECT_GP, OP_INJECT_UD,
    OP_GET_TF, OP_SET_TF, OP_NEXT_INSN, OP_COUNT
};

#define FAKE_MAX_VCPUS 4

struct fake_vmcb {
    uint64_t dr6, dr7;
    bool intercepts;             /* false: only DR4-7 writes exit */
    bool tf;
    bool next_insn_loads_tf;
    uint64_t injected_dr6;       /* payload of the last #DB */
};

struct fake_cpu {
    uint64_t slot[DBG_NR_SLOTS];  /* the pCPU's DR0-3 */
    unsigned slot_loads[DBG_NR_SLOTS]; /* dbg_arch_load_slot() calls per slot */
    struct fake_vmcb vmcb[FAKE_MAX_VCPUS];
    unsigned count[OP_COUNT];
    enum fake_op last_op[64];
    unsigned nlog;
};

extern struct fake_cpu fake;

void fake_reset(void);
/* Forget the call counts (keep the hardware contents). */
void fake_clear_counts(void);
unsigned fake_calls(enum fake_op op);
struct fake_vmcb *fake_vmcb(const struct dbg_vcpu *d);

#endif
