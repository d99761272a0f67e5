/* Mechanism half of debug_arch.h, faked; the semantic half is the real arch/x86/debugreg.c. */
#include <string.h>

#include "dbgvisor/debug_arch.h"
#include "fake_arch.h"

struct fake_cpu fake;

void fake_reset(void)
{
    memset(&fake, 0, sizeof(fake));
}

void fake_clear_counts(void)
{
    memset(fake.count, 0, sizeof(fake.count));
    fake.nlog = 0;
}

unsigned fake_calls(enum fake_op op)
{
    return fake.count[op];
}

struct fake_vmcb *fake_vmcb(const struct dbg_vcpu *d)
{
    return &fake.vmcb[d->vcpu_id % FAKE_MAX_VCPUS];
}

static void record(enum fake_op op)
{
    fake.count[op]++;
    if (fake.nlog < sizeof(fake.last_op) / sizeof(fake.last_op[0]))
        fake.last_op[fake.nlog++] = op;
}

void dbg_arch_load_slots(struct dbg_vcpu *d, const uint64_t val[DBG_NR_SLOTS])
{
    record(OP_LOAD_SLOTS);
    memcpy(fake.slot, val, sizeof(fake.slot));
}

void dbg_arch_load_slot(struct dbg_vcpu *d, unsigned slot, uint64_t val)
{
    record(OP_LOAD_SLOT);
    fake.slot_loads[slot]++;
    fake.slot[slot] = val;
}

void dbg_arch_save_slots(struct dbg_vcpu *d, uint64_t val[DBG_NR_SLOTS])
{
    record(OP_SAVE_SLOTS);
    memcpy(val, fake.slot, sizeof(fake.slot));
}

void dbg_arch_set_status(struct dbg_vcpu *d, uint64_t v)
{
    record(OP_SET_STATUS);
    fake_vmcb(d)->dr6 = v;
}

uint64_t dbg_arch_get_status(struct dbg_vcpu *d)
{
    record(OP_GET_STATUS);
    return fake_vmcb(d)->dr6;
}

void dbg_arch_set_control(struct dbg_vcpu *d, uint64_t v)
{
    record(OP_SET_CONTROL);
    fake_vmcb(d)->dr7 = v;
}

uint64_t dbg_arch_get_control(struct dbg_vcpu *d)
{
    record(OP_GET_CONTROL);
    return fake_vmcb(d)->dr7;
}

void dbg_arch_set_intercepts(struct dbg_vcpu *d, bool on)
{
    record(OP_INTERCEPTS);
    fake_vmcb(d)->intercepts = on;
}

void dbg_arch_inject_db(struct dbg_vcpu *d, uint64_t dr6)
{
    record(OP_INJECT_DB);
    fake_vmcb(d)->injected_dr6 = dr6;
}

void dbg_arch_inject_gp(struct dbg_vcpu *d)
{
    record(OP_INJECT_GP);
}

void dbg_arch_inject_ud(struct dbg_vcpu *d)
{
    record(OP_INJECT_UD);
}

bool dbg_arch_get_tf(struct dbg_vcpu *d)
{
    record(OP_GET_TF);
    return fake_vmcb(d)->tf;
}

void dbg_arch_set_tf(struct dbg_vcpu *d, bool tf)
{
    record(OP_SET_TF);
    fake_vmcb(d)->tf = tf;
}

bool dbg_arch_next_insn_loads_tf(struct dbg_vcpu *d)
{
    record(OP_NEXT_INSN);
    return fake_vmcb(d)->next_insn_loads_tf;
}
