/* dbg_vcpu_reset: an INIT (or a new entry state from the toolstack) resets the vCPU's
 * VMCB; the core must forget what it believed the hardware held and trap again, under
 * every policy, whether the vCPU is reset where it runs or while descheduled. */
#include <string.h>

#include "tests.h"

static struct dbg_vcpu v, w;

/* What the arch layer's reset does to the VMCB: reset DR6/DR7, no DR intercepts. */
static void arch_reset_vmcb(struct dbg_vcpu *d)
{
    struct fake_vmcb *vm = fake_vmcb(d);

    memset(vm, 0, sizeof(*vm));
    vm->dr6 = DR6_BASE;
    vm->dr7 = 0x400;
}

/* Leave d with its own values everywhere: slots armed, DR6 with B0, for the policy's
 * lazy state to be whatever those accesses led to. */
static void dirty_everything(struct dbg_vcpu *d)
{
    run_once(d);
    g_write(d, 0, 0xa0);
    g_write(d, 1, 0xa1);
    g_write(d, 2, 0xa2);
    g_write(d, 3, 0xa3);
    g_write(d, 6, DR6_BASE | 1);
    g_write(d, 7, 0x4ff);
    run_once(d);
}

static void check_reset_view(struct dbg_vcpu *d)
{
    dbg_before_vmentry(d);
    CU_ASSERT(fake_vmcb(d)->intercepts);          /* trapping again, whatever the policy */
    CU_ASSERT_EQUAL(fake_vmcb(d)->dr6, DR6_BASE);
    CU_ASSERT_EQUAL(fake_vmcb(d)->dr7, 0x400);
    CU_ASSERT_EQUAL(d->lazy_state, DBGV_LAZY_TRAPPING);
    dbg_after_vmexit(d);
    for (unsigned n = 0; n < 4; n++)
        CU_ASSERT_EQUAL(g_read(d, n), 0);
    CU_ASSERT_EQUAL(g_read(d, 6), DR6_BASE);
    CU_ASSERT_EQUAL(g_read(d, 7), 0x400);
}

/* Reset between an exit and the next entry, on the pCPU it runs on. */
static void test_reset_in_place(void)
{
    for (unsigned p = DBGV_POLICY_TRAP; p < DBGV_POLICY_COUNT; p++) {
        fake_reset();
        vcpu_start(&v, 0, (enum dbgv_debug_policy)p, 8);
        dirty_everything(&v);
        uint64_t exits = v.counters.dr_access_exits;
        arch_reset_vmcb(&v);
        dbg_vcpu_reset(&v);
        check_reset_view(&v);
        CU_ASSERT(v.counters.dr_access_exits > exits);   /* counters are kept */
        CU_ASSERT_EQUAL(v.policy, p);
    }
}

/* Reset from another pCPU while descheduled; another vCPU ran in between. */
static void test_reset_descheduled(void)
{
    for (unsigned p = DBGV_POLICY_TRAP; p < DBGV_POLICY_COUNT; p++) {
        fake_reset();
        vcpu_start(&v, 0, (enum dbgv_debug_policy)p, 8);
        dbg_init(&w, 1, (enum dbgv_debug_policy)p, 8, false);
        dirty_everything(&v);
        switch_vcpu(&v, &w);
        dirty_everything(&w);
        arch_reset_vmcb(&v);
        dbg_vcpu_reset(&v);
        switch_vcpu(&w, &v);
        check_reset_view(&v);
        /* After the reset, its own breakpoints work again and reach the hardware. */
        g_write(&v, 0, 0xc0);
        g_write(&v, 7, 0x401);
        run_once(&v);
        CU_ASSERT_EQUAL(fake.slot[0], 0xc0);
        CU_ASSERT_EQUAL(fake_vmcb(&v)->dr7, 0x401);
        switch_vcpu(&v, &w);
        CU_ASSERT_EQUAL(g_read(&w, 0), 0xa0);     /* the other vCPU is untouched */
        CU_ASSERT_EQUAL(g_read(&w, 7), 0x4ff);
    }
}

/* A policy change requested before the reset is in force right after it; host
 * breakpoints survive (they are the debugger's, not the guest's). */
static void test_reset_keeps_policy_request_and_host(void)
{
    struct dbg_bp bp = { .addr = 0x5000, .type = DBG_BP_EXEC, .len = 1 };

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_LAZY_EXIT, 8);
    dirty_everything(&v);
    CU_ASSERT(dbg_set_policy(&v, DBGV_POLICY_TRAP, 8));
    CU_ASSERT(dbg_host_set_bp(&v, 1, &bp));
    arch_reset_vmcb(&v);
    dbg_vcpu_reset(&v);
    CU_ASSERT_EQUAL(v.policy, DBGV_POLICY_TRAP);
    dbg_before_vmentry(&v);
    CU_ASSERT(fake_vmcb(&v)->intercepts);
    CU_ASSERT_EQUAL(dbg_get_layout(&v)->owner[0], DBGV_OWNER_HOST);
    CU_ASSERT_EQUAL(fake.slot[0], 0x5000);
    dbg_after_vmexit(&v);
    CU_ASSERT_EQUAL(g_read(&v, 0), 0);            /* the guest never sees the host's value */
}

/* The toolstack's snapshot: version 1's x86 fields as before, and the same state again
 * as the arch's tagged register file (public/debug.h, version 2). */
static void test_snapshot_arch_file(void)
{
    struct dbgv_vcpu_debug_state s;
    unsigned n;

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_TRAP, 8);
    dirty_everything(&v);
    dbg_snapshot(&v, &s);
    CU_ASSERT_EQUAL(s.arch, DBGV_ARCH_X86);
    CU_ASSERT_EQUAL(s.nr_slots, 4);
    CU_ASSERT_EQUAL(s.nr_regs, 4);
    CU_ASSERT_EQUAL(s.slots_present, 0xf);
    for (n = 0; n < 4; n++) {
        CU_ASSERT_EQUAL(s.guest_dr[n], 0xa0 + n);
        CU_ASSERT_EQUAL(s.regs[n], 0xa0 + n);
        CU_ASSERT_EQUAL(s.owner[n], s.slot_owner[n]);
        CU_ASSERT_EQUAL(s.owner[n], DBGV_OWNER_GUEST);
    }
    CU_ASSERT_EQUAL(s.guest_dr7, 0x4ff);
    CU_ASSERT_EQUAL(s.control, 0x4ff);
    CU_ASSERT_EQUAL(s.guest_dr6, DR6_BASE | 1);
    CU_ASSERT_EQUAL(s.status, DR6_BASE | 1);
}

int register_reset_tests(void)
{
    CU_pSuite s = CU_add_suite("vCPU reset (INIT)", NULL, NULL);

    if (!s)
        return -1;
    if (!CU_add_test(s, "reset in place: trapping again with reset values", test_reset_in_place) ||
        !CU_add_test(s, "reset while descheduled", test_reset_descheduled) ||
        !CU_add_test(s, "reset applies the requested policy, keeps host bps",
                     test_reset_keeps_policy_request_and_host) ||
        !CU_add_test(s, "snapshot: x86 fields and the tagged register file",
                     test_snapshot_arch_file))
        return -1;
    return 0;
}
