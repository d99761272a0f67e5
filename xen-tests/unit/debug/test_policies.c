/* Every state transition of every lazy-switch policy, with the mechanism calls each one
 * costs (loads/saves of the slot registers, intercept changes). */
#include <string.h>

#include "tests.h"

static struct dbg_vcpu v, w;

static void reswitch(struct dbg_vcpu *d)
{
    switch_vcpu(d, d);
    run_once(d);
}

static void test_trap(void)
{
    unsigned i;

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_TRAP, 8);
    for (i = 0; i < 10; i++)
        run_once(&v);
    for (i = 0; i < 3; i++)
        reswitch(&v);
    CU_ASSERT_EQUAL(fake_calls(OP_LOAD_SLOTS) + fake_calls(OP_SAVE_SLOTS), 0);
    CU_ASSERT_EQUAL(fake_calls(OP_INTERCEPTS), 1);
    CU_ASSERT(fake_vmcb(&v)->intercepts);

    g_write(&v, 0, 0x1000);                       /* unarmed: nothing to load */
    CU_ASSERT_EQUAL(fake_calls(OP_LOAD_SLOTS), 0);
    g_write(&v, 7, 0x401);
    run_once(&v);
    CU_ASSERT_EQUAL(fake_calls(OP_LOAD_SLOTS), 1);
    CU_ASSERT_EQUAL(fake.slot[0], 0x1000);
    CU_ASSERT_EQUAL(fake_vmcb(&v)->dr7, 0x401);
    for (i = 0; i < 5; i++)
        run_once(&v);
    CU_ASSERT_EQUAL(fake_calls(OP_LOAD_SLOTS), 1);
    reswitch(&v);                                 /* armed: restored on switch-in */
    CU_ASSERT_EQUAL(fake_calls(OP_LOAD_SLOTS), 2);
    g_write(&v, 0, 0x2000);                       /* armed: that slot alone is reloaded */
    run_once(&v);
    CU_ASSERT_EQUAL(fake.slot[0], 0x2000);
    CU_ASSERT_EQUAL(fake_calls(OP_LOAD_SLOT), 1);
    CU_ASSERT_EQUAL(fake.slot_loads[0], 1);
    CU_ASSERT_EQUAL(g_read(&v, 0), 0x2000);
    CU_ASSERT_EQUAL(fake_calls(OP_SAVE_SLOTS), 0);
    CU_ASSERT_EQUAL(fake_calls(OP_INTERCEPTS), 1);
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_TRAPPING);
    CU_ASSERT_EQUAL(v.counters.dr_access_exits, 4);
    CU_ASSERT_EQUAL(v.counters.policy_switches, 0);
    CU_ASSERT_EQUAL(v.counters.dr_loads, fake_calls(OP_LOAD_SLOTS) + fake_calls(OP_LOAD_SLOT));
}

/* Seed 001: the first access drops the intercepts until the next exit, which syncs. */
static void test_lazy_exit(void)
{
    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_LAZY_EXIT, 8);
    run_once(&v);
    CU_ASSERT_EQUAL(mov_to_dr(&v, 0, 0x1000), DBG_ACCESS_DONE);
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_PASSTHROUGH);
    dbg_before_vmentry(&v);
    CU_ASSERT(!fake_vmcb(&v)->intercepts);
    CU_ASSERT_EQUAL(fake_calls(OP_LOAD_SLOTS), 1);
    CU_ASSERT_EQUAL(fake.slot[0], 0x1000);
    CU_ASSERT(v.dirty);
    /* the guest works on the hardware: no exits */
    fake.slot[1] = 0x2000;
    fake_vmcb(&v)->dr7 = 0x404;
    dbg_after_vmexit(&v);
    CU_ASSERT_EQUAL(fake_calls(OP_SAVE_SLOTS), 1);
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_TRAPPING);
    CU_ASSERT(!v.dirty);
    CU_ASSERT_EQUAL(v.dr[1], 0x2000);
    CU_ASSERT_EQUAL(v.control, 0x404);
    dbg_before_vmentry(&v);
    CU_ASSERT(fake_vmcb(&v)->intercepts);
    CU_ASSERT_EQUAL(fake_calls(OP_LOAD_SLOTS), 1);   /* hardware still holds the values */
    dbg_after_vmexit(&v);
    CU_ASSERT_EQUAL(fake_calls(OP_SAVE_SLOTS), 1);
    CU_ASSERT_EQUAL(v.counters.policy_switches, 2);
    /* one exit per dirty period: trapped access, untrapped access, trapped again */
    CU_ASSERT_EQUAL(g_read(&v, 1), 0x2000);
    CU_ASSERT_EQUAL(g_read(&v, 1), 0x2000);
    CU_ASSERT_EQUAL(g_read(&v, 1), 0x2000);
    CU_ASSERT_EQUAL(v.counters.dr_access_exits, 3);
    CU_ASSERT_EQUAL(v.counters.dr_saves, 2);
}

/* Xen: untrapped until descheduled; eager restore on switch-in only when DR7 arms. */
static void test_lazy_sched(void)
{
    unsigned i;

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_LAZY_SCHED, 8);
    run_once(&v);
    g_write(&v, 0, 0x1000);                       /* trapped: exits, untraps */
    g_write(&v, 7, 0x401);                        /* DR7 writes always exit */
    g_write(&v, 1, 0x2000);                       /* untrapped */
    for (i = 0; i < 3; i++)
        run_once(&v);
    CU_ASSERT_EQUAL(v.counters.dr_access_exits, 2);
    CU_ASSERT_EQUAL(fake_calls(OP_SAVE_SLOTS), 0);
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_PASSTHROUGH);

    dbg_on_deschedule(&v);
    CU_ASSERT_EQUAL(fake_calls(OP_SAVE_SLOTS), 1);
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_TRAPPING);
    CU_ASSERT_EQUAL(v.dr[1], 0x2000);
    CU_ASSERT_EQUAL(v.control, 0x401);
    memset(fake.slot, 0xee, sizeof(fake.slot));   /* someone else ran */

    dbg_on_schedule(&v);                          /* armed: untrapped and restored */
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_PASSTHROUGH);
    run_once(&v);
    CU_ASSERT_EQUAL(fake_calls(OP_LOAD_SLOTS), 2);
    CU_ASSERT_EQUAL(fake.slot[0], 0x1000);
    CU_ASSERT(!fake_vmcb(&v)->intercepts);

    g_write(&v, 7, 0x400);                        /* disarm, untrapped */
    dbg_on_deschedule(&v);
    dbg_on_schedule(&v);                          /* not armed: stays trapped, no restore */
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_TRAPPING);
    for (i = 0; i < 3; i++)
        run_once(&v);
    CU_ASSERT_EQUAL(fake_calls(OP_LOAD_SLOTS), 2);
    CU_ASSERT_EQUAL(fake_calls(OP_SAVE_SLOTS), 2);
    CU_ASSERT(fake_vmcb(&v)->intercepts);
    CU_ASSERT_EQUAL(v.counters.policy_switches, 4);
}

static void test_adaptive_clean_never_switches(void)
{
    unsigned i;

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_ADAPTIVE, 2);
    for (i = 0; i < 20; i++) {
        run_once(&v);
        reswitch(&v);
    }
    CU_ASSERT_EQUAL(fake_calls(OP_LOAD_SLOTS), 0);
    CU_ASSERT_EQUAL(fake_calls(OP_SAVE_SLOTS), 0);
    CU_ASSERT_EQUAL(fake_calls(OP_GET_STATUS) + fake_calls(OP_GET_CONTROL), 0);
    CU_ASSERT_EQUAL(v.counters.policy_switches, 0);
}

/* Issue 11: a clean vCPU (DR7 idle, no host breakpoints) pays nothing for the debug
 * subsystem on a world switch under any policy: once its first entry has programmed the
 * VMCB, exits, entries and switches make no mechanism call at all (no slot load or save,
 * no DR6/DR7 read or write, no intercept change). */
static void test_clean_vcpu_pays_nothing(void)
{
    for (unsigned p = 0; p < DBGV_POLICY_COUNT; p++) {
        unsigned total = 0;

        fake_reset();
        vcpu_start(&v, 0, (enum dbgv_debug_policy)p, 2);
        run_once(&v);
        fake_clear_counts();
        for (unsigned i = 0; i < 20; i++) {
            run_once(&v);
            reswitch(&v);
        }
        for (unsigned op = 0; op < OP_COUNT; op++)
            total += fake_calls((enum fake_op)op);
        CU_ASSERT_EQUAL(total, 0);
        CU_ASSERT_EQUAL(v.counters.dr_loads + v.counters.dr_saves, 0);
        CU_ASSERT_EQUAL(v.counters.policy_switches, 0);
    }
}

/* Issue 11: a clean entry lets the next one skip everything while its inputs hold, so
 * each input a writer can change without a layout recomputation must still be seen: a
 * policy requested from the toolstack, and the DR6 a trapped #DB exit left in the
 * hardware (the next entry resets it so the following #DB shows only its own cause). */
static void test_clean_entry_sees_every_change(void)
{
    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_TRAP, 2);
    run_once(&v);
    run_once(&v);
    CU_ASSERT_TRUE(dbg_set_policy(&v, DBGV_POLICY_LAZY_SCHED, 2));
    run_once(&v);
    CU_ASSERT_EQUAL(v.policy, DBGV_POLICY_LAZY_SCHED);
    g_write(&v, 0, 0x1000);                      /* the new policy's rule: untrapped */
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_PASSTHROUGH);

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_TRAP, 2);
    run_once(&v);
    run_once(&v);
    fake_vmcb(&v)->dr6 = 0xffff4ff0ULL;          /* single step: the CPU sets BS */
    dbg_on_db_exit(&v, 0xffff4ff0ULL);
    fake_clear_counts();
    run_once(&v);
    CU_ASSERT_EQUAL(fake_calls(OP_SET_STATUS), 1);
    CU_ASSERT_EQUAL(fake_vmcb(&v)->dr6, 0xffff0ff0ULL);
}

/* Ours: untrapped while live, re-trapped after `quiet_switches` quiet switch-outs. */
static void test_adaptive(void)
{
    unsigned i;

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_ADAPTIVE, 2);
    run_once(&v);
    g_write(&v, 0, 0x1000);                       /* exits once, untraps */
    g_write(&v, 1, 0x2000);                       /* free */
    CU_ASSERT_EQUAL(v.counters.dr_access_exits, 1);
    for (i = 0; i < 4; i++) {                     /* live: the guest keeps changing them */
        reswitch(&v);
        CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_PASSTHROUGH);
        g_write(&v, 2, 0x3000 + i);
    }
    CU_ASSERT_EQUAL(v.counters.dr_access_exits, 1);
    CU_ASSERT_EQUAL(fake_calls(OP_SAVE_SLOTS), 4);
    CU_ASSERT_EQUAL(fake_calls(OP_LOAD_SLOTS), 5);
    CU_ASSERT_EQUAL(fake.slot[1], 0x2000);        /* restored on every switch-in */

    dbg_on_deschedule(&v);                        /* live period: stays untrapped */
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_PASSTHROUGH);
    dbg_on_schedule(&v);
    run_once(&v);
    dbg_on_deschedule(&v);                        /* quiet 1 */
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_PASSTHROUGH);
    dbg_on_schedule(&v);
    run_once(&v);
    dbg_on_deschedule(&v);                        /* quiet 2: re-trap */
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_TRAPPING);
    CU_ASSERT_EQUAL(v.dr[2], 0x3003);
    dbg_on_schedule(&v);
    fake_clear_counts();
    for (i = 0; i < 10; i++)
        reswitch(&v);                             /* clean again: free switches */
    CU_ASSERT_EQUAL(fake_calls(OP_LOAD_SLOTS) + fake_calls(OP_SAVE_SLOTS), 0);
    CU_ASSERT(fake_vmcb(&v)->intercepts);
    CU_ASSERT_EQUAL(g_read(&v, 2), 0x3003);
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_PASSTHROUGH);
}

static void test_adaptive_armed_is_live(void)
{
    unsigned i;

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_ADAPTIVE, 1);
    run_once(&v);
    g_write(&v, 7, 0x401);
    for (i = 0; i < 5; i++)
        reswitch(&v);
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_PASSTHROUGH);
    CU_ASSERT_EQUAL(v.counters.dr_access_exits, 1);
    g_write(&v, 7, 0x400);
    reswitch(&v);                                 /* the disarming period was live */
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_PASSTHROUGH);
    dbg_on_deschedule(&v);                        /* quiet 1 of 1 */
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_TRAPPING);
}

static void test_quiet_switches_tunable(void)
{
    unsigned i;

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_ADAPTIVE, 8);
    CU_ASSERT(dbg_set_policy(&v, DBGV_POLICY_ADAPTIVE, 5));
    run_once(&v);
    g_write(&v, 0, 0x1000);
    reswitch(&v);                                 /* the live period */
    for (i = 0; i < 4; i++) {
        reswitch(&v);
        CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_PASSTHROUGH);
    }
    reswitch(&v);
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_TRAPPING);
    CU_ASSERT_EQUAL(v.quiet_switches, 5);
}

/* Untrapped, DR6/DR7 writes still exit so their reserved bits apply (QEMU TCG does not
 * apply them); that costs no save of the slots and stays untrapped. */
static void test_untrapped_control_writes(void)
{
    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_ADAPTIVE, 8);
    run_once(&v);
    g_write(&v, 0, 0x1000);
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_PASSTHROUGH);
    run_once(&v);                                 /* loads the slots, untrapped */
    fake_clear_counts();
    g_write(&v, 7, 0xffffdfff);
    g_write(&v, 4, 0xffffffff);                   /* DR4 aliases DR6 */
    CU_ASSERT_EQUAL(fake_calls(OP_SAVE_SLOTS) + fake_calls(OP_LOAD_SLOTS), 0);
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_PASSTHROUGH);
    CU_ASSERT_EQUAL(g_read(&v, 7), 0xffff07ff);   /* read untrapped from the VMCB */
    CU_ASSERT_EQUAL(g_read(&v, 6), 0xffffefff);
    CU_ASSERT_EQUAL(v.counters.dr_access_exits, 3);
    CU_ASSERT(!fake_vmcb(&v)->intercepts);
}

static void test_policy_change_at_run_time(void)
{
    struct dbgv_vcpu_debug_state s;

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_LAZY_SCHED, 8);
    run_once(&v);
    g_write(&v, 0, 0x1000);
    dbg_before_vmentry(&v);
    fake.slot[0] = 0x1111;                        /* untrapped guest write */
    dbg_after_vmexit(&v);
    CU_ASSERT(v.dirty);
    CU_ASSERT(!dbg_set_policy(&v, (enum dbgv_debug_policy)7, 1));
    CU_ASSERT(dbg_set_policy(&v, DBGV_POLICY_TRAP, 1));
    dbg_snapshot(&v, &s);
    CU_ASSERT_EQUAL(s.policy, DBGV_POLICY_TRAP);
    dbg_before_vmentry(&v);                       /* applied on the vCPU's own pCPU */
    CU_ASSERT_EQUAL(v.policy, DBGV_POLICY_TRAP);
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_TRAPPING);
    CU_ASSERT(fake_vmcb(&v)->intercepts);
    CU_ASSERT_EQUAL(v.dr[0], 0x1111);
    dbg_after_vmexit(&v);
    CU_ASSERT_EQUAL(g_read(&v, 0), 0x1111);
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_TRAPPING);
}

static void test_host_forces_trapping(void)
{
    struct dbg_bp bp = { .addr = 0x5000, .type = DBG_BP_EXEC, .len = 1 };

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_ADAPTIVE, 8);
    run_once(&v);
    g_write(&v, 0, 0x1000);
    g_write(&v, 1, 0x2000);
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_PASSTHROUGH);
    CU_ASSERT(dbg_host_set_bp(&v, 0, &bp));
    dbg_before_vmentry(&v);
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_TRAPPING);
    CU_ASSERT(fake_vmcb(&v)->intercepts);
    CU_ASSERT_EQUAL(v.dr[1], 0x2000);             /* synced before the host moved in */
    CU_ASSERT_EQUAL(fake.slot[0], 0x5000);        /* host bp in the free hardware slot */
    dbg_after_vmexit(&v);
    g_write(&v, 2, 0x3000);                       /* accesses no longer untrap */
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_TRAPPING);
    CU_ASSERT_EQUAL(g_read(&v, 0), 0x1000);       /* the guest's view, not the host's */
    dbg_host_clear_bp(&v, 0);
    g_write(&v, 3, 0x4000);
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_PASSTHROUGH);
    run_once(&v);
    CU_ASSERT_EQUAL(fake.slot[0], 0x1000);
    CU_ASSERT_EQUAL(fake.slot[3], 0x4000);
}

/* Two vCPUs on one pCPU: each sees only its own values, under the lazy policies. */
static void test_two_vcpus_one_pcpu(void)
{
    unsigned p;

    for (p = DBGV_POLICY_TRAP; p < DBGV_POLICY_COUNT; p++) {
        fake_reset();
        dbg_init(&v, 0, (enum dbgv_debug_policy)p, 1, false);
        dbg_init(&w, 1, (enum dbgv_debug_policy)p, 1, false);
        switch_vcpu(NULL, &v);
        g_write(&v, 0, 0xa0);
        g_write(&v, 1, 0xa1);
        g_write(&v, 7, 0x405);
        switch_vcpu(&v, &w);
        CU_ASSERT_EQUAL(g_read(&w, 0), 0);
        g_write(&w, 0, 0xb0);
        g_write(&w, 1, 0xb1);
        run_once(&w);
        if (!fake_vmcb(&w)->intercepts)
            CU_ASSERT_EQUAL(fake.slot[0], 0xb0);
        switch_vcpu(&w, &v);
        CU_ASSERT_EQUAL(g_read(&v, 1), 0xa1);
        CU_ASSERT_EQUAL(g_read(&v, 0), 0xa0);
        run_once(&v);
        CU_ASSERT_EQUAL(fake.slot[0], 0xa0);      /* armed: its values are in hardware */
        switch_vcpu(&v, &w);
        CU_ASSERT_EQUAL(g_read(&w, 1), 0xb1);
        CU_ASSERT_EQUAL(g_read(&w, 7), 0x400);
        switch_vcpu(&w, &v);
        CU_ASSERT_EQUAL(g_read(&v, 7), 0x405);
    }
}

/* A hardware task switch during a trapped run clears DR7.L0-L3 in the CPU;
 * the guest's view follows (and the next entry writes DR7 again), while G
 * bits and a run without a switch leave it alone. */
static void test_task_switch_clears_local_enables(void)
{
    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_TRAP, 2);
    CU_ASSERT_EQUAL(mov_to_dr(&v, 7, 0x40d), DBG_ACCESS_DONE);     /* L0 L1 G1 */
    run_once(&v);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 7), 0x40d);                   /* no switch: kept */

    dbg_before_vmentry(&v);
    fake_vmcb(&v)->dr7 &= ~0x55ull;                                /* the CPU's task switch */
    dbg_after_vmexit(&v);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 7), 0x408);                   /* L0/L1 gone, G1 kept */
    fake_clear_counts();
    run_once(&v);
    CU_ASSERT_EQUAL(fake_vmcb(&v)->dr7 & 0xff, 0x08);             /* hardware agrees */
}

/* The exit skips that check only for a run the arch vouches for (x86: one
 * that ended in long mode, where no hardware task switch exists): a run it
 * does not vouch for (legacy mode) still has its task switch followed, and a
 * vouched-for run does not even read the control register back. */
static void test_task_switch_check_only_outside_long_mode(void)
{
    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_TRAP, 2);
    CU_ASSERT_EQUAL(mov_to_dr(&v, 7, 0x40d), DBG_ACCESS_DONE);     /* L0 L1 G1 */
    run_once(&v);

    dbg_before_vmentry(&v);
    fake_vmcb(&v)->dr7 &= ~0x55ull;                                /* a task switch, legacy mode */
    dbg_after_vmexit_run(&v, false);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 7), 0x408);                   /* followed */

    CU_ASSERT_EQUAL(mov_to_dr(&v, 7, 0x40d), DBG_ACCESS_DONE);
    run_once(&v);
    dbg_before_vmentry(&v);
    fake_clear_counts();
    dbg_after_vmexit_run(&v, true);                               /* a long-mode run */
    CU_ASSERT_EQUAL(fake_calls(OP_GET_CONTROL), 0);               /* the check skipped */
    CU_ASSERT_EQUAL(mov_from_dr(&v, 7), 0x40d);
}

static void test_snapshot(void)
{
    struct dbgv_vcpu_debug_state s;
    struct dbg_bp bp = { .addr = 0x5000, .type = DBG_BP_EXEC, .len = 1 };

    fake_reset();
    vcpu_start(&v, 3, DBGV_POLICY_ADAPTIVE, 6);
    run_once(&v);
    g_write(&v, 0, 0x1000);
    g_write(&v, 7, 0x401);
    dbg_snapshot(&v, &s);
    CU_ASSERT_EQUAL(s.vcpu_id, 3);
    CU_ASSERT_EQUAL(s.policy, DBGV_POLICY_ADAPTIVE);
    CU_ASSERT_EQUAL(s.quiet_switches, 6);
    CU_ASSERT_EQUAL(s.lazy_state, DBGV_LAZY_PASSTHROUGH);
    CU_ASSERT_EQUAL(s.dirty, 1);                  /* hardware is the truth until switch-out */
    CU_ASSERT_EQUAL(s.guest_dr[0], 0x1000);
    CU_ASSERT_EQUAL(s.guest_dr7, 0x401);
    CU_ASSERT_EQUAL(s.slot_owner[3], DBGV_OWNER_GUEST);
    CU_ASSERT_EQUAL(s.step_owner, DBGV_OWNER_FREE);
    CU_ASSERT_EQUAL(s.counters.dr_access_exits, 2);
    CU_ASSERT_EQUAL(s.counters.policy_switches, 1);
    dbg_on_deschedule(&v);
    dbg_snapshot(&v, &s);
    CU_ASSERT_EQUAL(s.dirty, 0);
    CU_ASSERT_EQUAL(s.counters.dr_saves, 1);
    dbg_on_schedule(&v);
    dbg_host_set_bp(&v, 0, &bp);
    dbg_host_single_step(&v, true, false);
    run_once(&v);
    dbg_snapshot(&v, &s);
    CU_ASSERT_EQUAL(s.lazy_state, DBGV_LAZY_TRAPPING);
    CU_ASSERT_EQUAL(s.slot_owner[0], DBGV_OWNER_GUEST);
    CU_ASSERT_EQUAL(s.slot_owner[1], DBGV_OWNER_HOST);
    CU_ASSERT_EQUAL(s.slot_owner[2], DBGV_OWNER_FREE);
    CU_ASSERT_EQUAL(s.step_owner, DBGV_OWNER_HOST);
    CU_ASSERT_EQUAL(s.last_dr7_seen, 0x401);
}

int register_policy_tests(void)
{
    CU_pSuite s = CU_add_suite("lazy-switch policies", NULL, NULL);

    if (!s)
        return -1;
    if (!CU_add_test(s, "trap: every access exits, no saves", test_trap) ||
        !CU_add_test(s, "lazy-exit: one exit per dirty period (seed 001)", test_lazy_exit) ||
        !CU_add_test(s, "lazy-sched: untrapped until descheduled (Xen)", test_lazy_sched) ||
        !CU_add_test(s, "adaptive: clean vCPU never saved or restored",
                     test_adaptive_clean_never_switches) ||
        !CU_add_test(s, "adaptive: live stays untrapped, quiet re-traps", test_adaptive) ||
        !CU_add_test(s, "adaptive: armed DR7 counts as live", test_adaptive_armed_is_live) ||
        !CU_add_test(s, "adaptive: quiet switches tunable (seed 003)",
                     test_quiet_switches_tunable) ||
        !CU_add_test(s, "untrapped: DR6/DR7 writes exit, masked",
                     test_untrapped_control_writes) ||
        !CU_add_test(s, "policy change at run time", test_policy_change_at_run_time) ||
        !CU_add_test(s, "host debugging forces trapping", test_host_forces_trapping) ||
        !CU_add_test(s, "two vCPUs on one pCPU keep their values", test_two_vcpus_one_pcpu) ||
        !CU_add_test(s, "trapped: a task switch clears the local enables",
                     test_task_switch_clears_local_enables) ||
        !CU_add_test(s, "trapped: the task-switch check skipped only for a long-mode run",
                     test_task_switch_check_only_outside_long_mode) ||
        !CU_add_test(s, "snapshot", test_snapshot) ||
        !CU_add_test(s, "clean vCPU: no mechanism call on exits and switches, every policy",
                     test_clean_vcpu_pays_nothing) ||
        !CU_add_test(s, "clean entry: a policy request and a #DB's DR6 are seen",
                     test_clean_entry_sees_every_change))
        return -1;
    return 0;
}
