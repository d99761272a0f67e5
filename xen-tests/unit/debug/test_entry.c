/* Issue 11: what a VM entry may skip (dbg_vcpu.redo). Every entry of every test is also
 * checked against a full one by the harness (checked_before_vmentry); these tests put each
 * writer of the state an entry programs from, and the single-slot reload, in front of it. */
#include <string.h>

#include "tests.h"

static struct dbg_vcpu v;

#define ALL_ARMED 0x4ffULL              /* L0-3, G0-3: four exec breakpoints */

static unsigned slot_loads(void)
{
    return fake.slot_loads[0] + fake.slot_loads[1] + fake.slot_loads[2] + fake.slot_loads[3];
}

/* A trapped vCPU with all four slots armed and loaded; its next entry has nothing to do. */
static void start_armed(enum dbgv_debug_policy p)
{
    fake_reset();
    vcpu_start(&v, 0, p, 2);
    for (unsigned n = 0; n < 4; n++)
        CU_ASSERT_EQUAL(mov_to_dr(&v, n, 0x1000 * (n + 1)), DBG_ACCESS_DONE);
    CU_ASSERT_EQUAL(mov_to_dr(&v, 7, ALL_ARMED), DBG_ACCESS_DONE);
    run_once(&v);
    CU_ASSERT_EQUAL(v.redo, 0);
    CU_ASSERT_EQUAL(v.slots_use, DBG_SLOTS_VIEW);
    fake_clear_counts();
    memset(fake.slot_loads, 0, sizeof(fake.slot_loads));
}

/* The guest writes one slot of an armed, trapped vCPU: the hardware slot follows at the
 * write, that slot and no other, and nothing else (no DR6/DR7/intercept write); the next
 * entry has nothing left to do. */
static void test_written_slot_loaded_alone(void)
{
    for (unsigned n = 0; n < 4; n++) {
        start_armed(DBGV_POLICY_TRAP);
        CU_ASSERT_EQUAL(mov_to_dr(&v, n, 0x7000 + n), DBG_ACCESS_DONE);
        CU_ASSERT_EQUAL(v.redo, 0);
        CU_ASSERT_FALSE(dbg_entry_pending(&v));
        CU_ASSERT_EQUAL(fake_calls(OP_LOAD_SLOT), 1);
        CU_ASSERT_EQUAL(fake.slot_loads[n], 1);
        CU_ASSERT_EQUAL(fake.slot[n], 0x7000 + n);
        for (unsigned k = 0; k < 4; k++)
            if (k != n)
                CU_ASSERT_EQUAL(fake.slot[k], 0x1000 * (k + 1));
        CU_ASSERT_EQUAL(fake_calls(OP_LOAD_SLOTS) + fake_calls(OP_SET_STATUS) +
                        fake_calls(OP_SET_CONTROL) + fake_calls(OP_INTERCEPTS), 0);
        CU_ASSERT_EQUAL(v.counters.dr_loads, 2);   /* one for the arming, one for this */
        dbg_before_vmentry(&v);
        CU_ASSERT_EQUAL(fake_calls(OP_LOAD_SLOT), 1);
        CU_ASSERT_EQUAL(fake_calls(OP_LOAD_SLOTS), 0);
        dbg_after_vmexit(&v);
        CU_ASSERT_EQUAL(g_read(&v, n), 0x7000 + n);
    }
}

/* Two slots written between entries: each loaded at its write (each counted); the same
 * value written again loads nothing; a read changes nothing. */
static void test_written_slots_only_when_changed(void)
{
    start_armed(DBGV_POLICY_TRAP);
    CU_ASSERT_EQUAL(mov_to_dr(&v, 1, 0x8001), DBG_ACCESS_DONE);
    CU_ASSERT_EQUAL(mov_to_dr(&v, 3, 0x8003), DBG_ACCESS_DONE);
    run_once(&v);
    CU_ASSERT_EQUAL(fake.slot_loads[1], 1);
    CU_ASSERT_EQUAL(fake.slot_loads[3], 1);
    CU_ASSERT_EQUAL(slot_loads(), 2);
    CU_ASSERT_EQUAL(v.counters.dr_loads, 3);

    CU_ASSERT_EQUAL(mov_to_dr(&v, 1, 0x8001), DBG_ACCESS_DONE);   /* same value */
    CU_ASSERT_EQUAL(mov_from_dr(&v, 2), 0x3000);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 6), DR6_BASE);
    CU_ASSERT_EQUAL(v.redo, 0);
    run_once(&v);
    CU_ASSERT_EQUAL(slot_loads(), 2);
    CU_ASSERT_EQUAL(v.counters.dr_loads, 3);
}

/* A slot write that the single-slot reload must not take on alone: after a switch the
 * pCPU's slots are someone else's (all four reloaded); with a host breakpoint the layout
 * is composed (the whole file, the free slot included); unarmed, nothing is loaded. */
static void test_written_slot_needs_more(void)
{
    struct dbg_bp bp = { .addr = 0x5000, .type = DBG_BP_EXEC, .len = 1 };

    start_armed(DBGV_POLICY_TRAP);
    switch_vcpu(&v, &v);
    memset(fake.slot, 0xee, sizeof(fake.slot));   /* another vCPU ran here */
    CU_ASSERT_EQUAL(mov_to_dr(&v, 2, 0x9002), DBG_ACCESS_DONE);
    run_once(&v);
    CU_ASSERT_EQUAL(fake_calls(OP_LOAD_SLOTS), 1);
    CU_ASSERT_EQUAL(fake.slot[0], 0x1000);
    CU_ASSERT_EQUAL(fake.slot[2], 0x9002);

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_TRAP, 2);
    CU_ASSERT_EQUAL(mov_to_dr(&v, 7, 0x401), DBG_ACCESS_DONE);   /* guest slot 0 */
    CU_ASSERT(dbg_host_set_bp(&v, 0, &bp));                     /* host in slot 1 */
    run_once(&v);
    CU_ASSERT_EQUAL(v.redo, 0);
    CU_ASSERT_EQUAL(v.slots_use, DBG_SLOTS_OTHER);
    CU_ASSERT_EQUAL(fake.slot[1], 0x5000);
    fake_clear_counts();
    CU_ASSERT_EQUAL(mov_to_dr(&v, 2, 0x2222), DBG_ACCESS_DONE);   /* a free slot */
    run_once(&v);
    CU_ASSERT_EQUAL(fake_calls(OP_LOAD_SLOTS), 1);
    CU_ASSERT_EQUAL(fake.slot[2], 0x2222);
    CU_ASSERT_EQUAL(fake.slot[1], 0x5000);

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_TRAP, 2);
    run_once(&v);
    CU_ASSERT_EQUAL(v.slots_use, DBG_SLOTS_UNUSED);
    CU_ASSERT_EQUAL(mov_to_dr(&v, 0, 0x3333), DBG_ACCESS_DONE);
    run_once(&v);
    CU_ASSERT_EQUAL(fake_calls(OP_LOAD_SLOTS) + fake_calls(OP_LOAD_SLOT), 0);
    CU_ASSERT_EQUAL(mov_to_dr(&v, 7, 0x401), DBG_ACCESS_DONE);   /* arming loads it */
    run_once(&v);
    CU_ASSERT_EQUAL(fake.slot[0], 0x3333);
}

/* Each writer of what an entry programs from, applied to a vCPU whose next entry would
 * otherwise be skipped. The harness compares that entry with a full one; the writer must
 * also have marked it (or, a policy request, be compared: dbg_entry_pending), unless the
 * hardware followed at the write (a slot mirroring the view). Forgetting dbg_mark_redo()
 * in any of them, or the load at the write, fails here. */
struct writer {
    const char *name;
    bool armed;                 /* start from start_armed(), else a clean trapped vCPU */
    enum dbgv_debug_policy policy;
    void (*write)(void);
    bool at_once;               /* the hardware follows at the write: no entry work */
};

static void w_dr0(void) { mov_to_dr(&v, 0, 0xabc0); }
static void w_dr6(void) { mov_to_dr(&v, 6, 0xffff4ff1); }
static void w_dr7_arm(void) { mov_to_dr(&v, 7, 0x402); }
static void w_dr7_disarm(void) { mov_to_dr(&v, 7, 0x400); }
static void w_dr7_gd(void) { mov_to_dr(&v, 7, ALL_ARMED | DR7_GD); }
static void w_policy(void) { dbg_set_policy(&v, DBGV_POLICY_LAZY_SCHED, 2); }
static void w_db_exit_step(void) { dbg_on_db_exit(&v, DR6_BASE | DR6_BS); }
static void w_db_exit_host(void)
{
    struct dbg_bp bp = { .addr = 0x5000, .type = DBG_BP_EXEC, .len = 1 };

    dbg_host_set_bp(&v, 0, &bp);
    run_once(&v);
    CU_ASSERT_EQUAL(v.redo, 0);
    dbg_on_db_exit(&v, DR6_BASE | 1);       /* the host's slot 0 alone: nothing delivered */
}
static void w_icebp(void) { dbg_on_icebp(&v); }
static void w_emulated_tf(void)
{
    fake_vmcb(&v)->tf = true;
    dbg_on_emulated_insn(&v);
}
static void w_host_bp(void)
{
    struct dbg_bp bp = { .addr = 0x5000, .type = DBG_BP_WRITE, .len = 4 };
    dbg_host_set_bp(&v, 3, &bp);
}
static void w_host_step(void) { dbg_host_single_step(&v, true, false); }
static void w_forget(void) { dbg_forget_hw_control(&v); fake_vmcb(&v)->dr7 = 0; }
static void w_switch(void)
{
    switch_vcpu(&v, NULL);
    memset(fake.slot, 0xee, sizeof(fake.slot));
    switch_vcpu(NULL, &v);
}
static void w_reset(void)
{
    dbg_vcpu_reset(&v);
    memset(fake_vmcb(&v), 0, sizeof(*fake_vmcb(&v)));   /* the arch reset the VMCB */
}
static void w_task_switch(void)
{
    dbg_before_vmentry(&v);
    fake_vmcb(&v)->dr7 &= ~0x55ull;
    dbg_after_vmexit(&v);
}
static void w_untrapped_dr7(void)
{
    g_write(&v, 0, 0x1000);                 /* lazy: untraps */
    run_once(&v);
    g_write(&v, 7, 0x403);                  /* exits untrapped */
}
static void w_untrapped_dr6(void)
{
    g_write(&v, 0, 0x1000);
    run_once(&v);
    g_write(&v, 6, 0xffff0ff1);
}

static const struct writer writers[] = {
    { "DR0 write", true, DBGV_POLICY_TRAP, w_dr0, .at_once = true },
    { "DR0 write, clean", false, DBGV_POLICY_TRAP, w_dr0 },
    { "DR6 write", true, DBGV_POLICY_TRAP, w_dr6 },
    { "DR7 arms", false, DBGV_POLICY_TRAP, w_dr7_arm },
    { "DR7 disarms", true, DBGV_POLICY_TRAP, w_dr7_disarm },
    { "DR7.GD", true, DBGV_POLICY_TRAP, w_dr7_gd },
    { "policy request", false, DBGV_POLICY_TRAP, w_policy },
    { "policy request, armed", true, DBGV_POLICY_TRAP, w_policy },
    { "#DB exit", false, DBGV_POLICY_TRAP, w_db_exit_step },
    { "#DB exit, armed", true, DBGV_POLICY_TRAP, w_db_exit_step },
    { "#DB exit for the host alone", false, DBGV_POLICY_TRAP, w_db_exit_host },
    { "ICEBP", false, DBGV_POLICY_TRAP, w_icebp },
    { "emulated step", true, DBGV_POLICY_TRAP, w_emulated_tf },
    { "host breakpoint", false, DBGV_POLICY_TRAP, w_host_bp },
    { "host breakpoint, armed", true, DBGV_POLICY_TRAP, w_host_bp },
    { "host step", true, DBGV_POLICY_TRAP, w_host_step },
    { "forgotten control", true, DBGV_POLICY_TRAP, w_forget },
    { "switch", true, DBGV_POLICY_TRAP, w_switch },
    { "reset", true, DBGV_POLICY_TRAP, w_reset },
    { "task switch", true, DBGV_POLICY_TRAP, w_task_switch },
    { "untrapped DR7", false, DBGV_POLICY_LAZY_SCHED, w_untrapped_dr7 },
    { "untrapped DR6", false, DBGV_POLICY_ADAPTIVE, w_untrapped_dr6 },
    { "untrapped, lazy-exit", false, DBGV_POLICY_LAZY_EXIT, w_untrapped_dr7 },
};

static void test_every_writer_is_seen(void)
{
    for (unsigned i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
        const struct writer *w = &writers[i];
        unsigned failed = CU_get_number_of_failures();

        if (w->armed) {
            start_armed(w->policy);
        } else {
            fake_reset();
            vcpu_start(&v, 0, w->policy, 2);
            run_once(&v);
            CU_ASSERT_EQUAL(v.redo, 0);
        }
        w->write();
        CU_ASSERT(dbg_entry_pending(&v) != w->at_once);
        run_once(&v);
        run_once(&v);
        if (CU_get_number_of_failures() != failed)
            printf("\n    writer: %s\n", w->name);
    }
}

/* The entries of a clean or armed trapped vCPU and of an untrapped one skip all work while
 * nothing changes; a host step redoes every entry (each arms the step again). */
static void test_what_repeats(void)
{
    start_armed(DBGV_POLICY_TRAP);
    for (unsigned i = 0; i < 5; i++) {
        run_once(&v);
        CU_ASSERT_EQUAL(v.redo, 0);
    }
    CU_ASSERT_EQUAL(fake_calls(OP_GET_CONTROL), 5);   /* only the exit's task-switch check */

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_LAZY_SCHED, 2);
    run_once(&v);
    g_write(&v, 0, 0x1000);
    run_once(&v);
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_PASSTHROUGH);
    CU_ASSERT_EQUAL(v.redo, 0);

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_TRAP, 2);
    dbg_host_single_step(&v, true, false);
    run_once(&v);
    CU_ASSERT_EQUAL(v.redo, DBG_REDO_ALL);
    fake_clear_counts();
    run_once(&v);
    CU_ASSERT_EQUAL(fake_calls(OP_NEXT_INSN), 1);
}

int register_entry_tests(void)
{
    CU_pSuite s = CU_add_suite("what an entry skips", NULL, NULL);

    if (!s)
        return -1;
    if (!CU_add_test(s, "armed: a written slot is loaded at the write, alone",
                     test_written_slot_loaded_alone) ||
        !CU_add_test(s, "armed: only changed slots are loaded",
                     test_written_slots_only_when_changed) ||
        !CU_add_test(s, "slot writes that need a switch's, a composed or no load",
                     test_written_slot_needs_more) ||
        !CU_add_test(s, "every writer is seen by the next entry", test_every_writer_is_seen) ||
        !CU_add_test(s, "what repeats: nothing, unless the host steps", test_what_repeats))
        return -1;
    return 0;
}
