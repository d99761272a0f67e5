/* Helpers that drive the debug core the way the SVM run loop does. */
#include "dbgvisor/debug_arch.h"
#include "tests.h"

void vcpu_start(struct dbg_vcpu *d, uint32_t id, enum dbgv_debug_policy p, uint32_t quiet)
{
    dbg_init(d, id, p, quiet, false);
    dbg_on_schedule(d);
}

void run_once(struct dbg_vcpu *d)
{
    dbg_before_vmentry(d);
    dbg_after_vmexit(d);
}

enum dbg_access_result mov_to_dr(struct dbg_vcpu *d, unsigned reg, uint64_t v)
{
    struct dbg_access a = { .reg = (uint8_t)reg, .write = true, .long_mode = true, .value = v };
    return dbg_on_mov_dr(d, &a);
}

uint64_t mov_from_dr(struct dbg_vcpu *d, unsigned reg)
{
    struct dbg_access a = { .reg = (uint8_t)reg, .long_mode = true };
    CU_ASSERT_EQUAL(dbg_on_mov_dr(d, &a), DBG_ACCESS_DONE);
    return a.value;
}

void switch_vcpu(struct dbg_vcpu *from, struct dbg_vcpu *to)
{
    if (from)
        dbg_on_deschedule(from);
    if (to)
        dbg_on_schedule(to);
}

static uint64_t *hw_reg(struct dbg_vcpu *d, unsigned reg)
{
    if (reg < DBG_NR_SLOTS)
        return &fake.slot[reg];
    return reg == 6 ? &fake_vmcb(d)->dr6 : &fake_vmcb(d)->dr7;
}

enum dbg_access_result guest_mov_dr(struct dbg_vcpu *d, struct dbg_access *a)
{
    struct fake_vmcb *vm = fake_vmcb(d);
    enum dbg_access_result r;
    unsigned reg = 0;
    uint64_t v;

    dbg_before_vmentry(d);
    /* Untrapped, writes of DR4-DR7 still exit (dbg_arch_set_intercepts). */
    if (vm->intercepts || (a->write && a->reg >= 4 && a->reg <= 7)) {
        dbg_after_vmexit(d);
        return dbg_on_mov_dr(d, a);
    }
    /* What the CPU does (QEMU's semantics): GD sets BD on top of DR6 and clears GD. */
    r = dbg_arch_check_access(a, vm->dr7, &reg);
    if (r == DBG_ACCESS_DB) {
        vm->dr6 |= DR6_BD;
        vm->dr7 &= ~DR7_GD;
        dbg_after_vmexit(d);
        dbg_on_db_exit(d, vm->dr6);
        return r;
    }
    if (r == DBG_ACCESS_DONE && a->write) {
        if (!dbg_arch_write_value(reg, a->value, a->long_mode, d->rtm, &v))
            r = DBG_ACCESS_GP;
        else
            *hw_reg(d, reg) = v;
    } else if (r == DBG_ACCESS_DONE) {
        a->value = dbg_arch_read_value(*hw_reg(d, reg), a->long_mode);
    }
    dbg_after_vmexit(d);
    return r;
}

uint64_t g_read(struct dbg_vcpu *d, unsigned reg)
{
    struct dbg_access a = { .reg = (uint8_t)reg, .long_mode = true };

    CU_ASSERT_EQUAL(guest_mov_dr(d, &a), DBG_ACCESS_DONE);
    return a.value;
}

void g_write(struct dbg_vcpu *d, unsigned reg, uint64_t v)
{
    struct dbg_access a = { .reg = (uint8_t)reg, .write = true, .long_mode = true, .value = v };

    CU_ASSERT_EQUAL(guest_mov_dr(d, &a), DBG_ACCESS_DONE);
}
