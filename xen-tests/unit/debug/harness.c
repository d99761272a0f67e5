/* Helpers that drive the debug core the way the SVM run loop does. */
#include <stdio.h>
#include <string.h>

#include "ref_model.h"
#include "tests.h"

/* Offset of the first byte where a and b differ, or -1. */
static long first_difference(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return (long)i;
    return -1;
}

void checked_before_vmentry(struct dbg_vcpu *d)
{
    struct dbg_vcpu full = *d;
    struct fake_cpu before = fake, after_full;
    uint64_t redo = d->redo;
    long at;

    /* The same entry done in full, on a copy of the vCPU and of the hardware. */
    full.redo = DBG_REDO_ALL;
    dbg_entry_program(&full);
    after_full = fake;
    fake = before;

    (dbg_before_vmentry)(d);   /* the real one, as the test asked */
    at = first_difference(&full, d, sizeof(full));
    if (at >= 0)
        printf("\n    entry (redo %#llx) differs from a full one at dbg_vcpu offset %ld\n",
               (unsigned long long)redo, at);
    CU_ASSERT_EQUAL(at, -1);
    CU_ASSERT_EQUAL(memcmp(after_full.slot, fake.slot, sizeof(fake.slot)), 0);
    CU_ASSERT_EQUAL(memcmp(&after_full.vmcb[d->vcpu_id % FAKE_MAX_VCPUS], fake_vmcb(d),
                           sizeof(*fake_vmcb(d))), 0);
}

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

enum dbg_access_result ref_as_core(enum ref_outcome r)
{
    static const enum dbg_access_result as_core[] = {
        [REF_DONE] = DBG_ACCESS_DONE, [REF_GP] = DBG_ACCESS_GP,
        [REF_UD] = DBG_ACCESS_UD, [REF_DB] = DBG_ACCESS_DB,
    };
    return as_core[r];
}

enum dbg_access_result guest_mov_dr(struct dbg_vcpu *d, struct dbg_access *a)
{
    struct fake_vmcb *vm = fake_vmcb(d);
    enum ref_outcome r;

    dbg_before_vmentry(d);
    /* Untrapped, writes of DR4-DR7 still exit (dbg_arch_set_intercepts). */
    if (vm->intercepts || (a->write && a->reg >= 4 && a->reg <= 7)) {
        dbg_after_vmexit(d);
        return dbg_on_mov_dr(d, a);
    }
    /* Untrapped: the fake CPU executes it with the reference model, on the hardware. */
    struct ref_cpu cpu = { .dr6 = vm->dr6, .dr7 = vm->dr7, .cpl = a->cpl, .cr4_de = a->cr4_de,
                           .long_mode = a->long_mode, .rtm = d->rtm };
    memcpy(cpu.dr, fake.slot, sizeof(cpu.dr));
    r = ref_mov_dr(&cpu, a->reg, a->write, &a->value);
    memcpy(fake.slot, cpu.dr, sizeof(cpu.dr));
    vm->dr6 = cpu.dr6;
    vm->dr7 = cpu.dr7;
    dbg_after_vmexit(d);
    if (r == REF_DB)
        dbg_on_db_exit(d, vm->dr6);   /* a #DB intercept with the CPU's DR6 */
    return ref_as_core(r);
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
