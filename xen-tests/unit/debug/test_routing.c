/* #DB routing between the host debugger and the guest (seeds 002, 004), slot remapping,
 * more breakpoints than slots, and hidden host single-step. */
#include "tests.h"

static struct dbg_vcpu v;

static struct dbg_bp exec_at(uint64_t addr)
{
    struct dbg_bp bp = { .addr = addr, .type = DBG_BP_EXEC, .len = 1 };
    return bp;
}

/* A trapped vCPU with guest slot 0 armed at `addr` (exec). */
static void start_with_guest_bp(uint64_t addr)
{
    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_TRAP, 8);
    mov_to_dr(&v, 0, addr);
    mov_to_dr(&v, 7, 0x401);
}

/* One run that ends in a #DB intercept with the given hardware DR6. */
static struct dbg_route db_exit(uint64_t hw_dr6)
{
    dbg_before_vmentry(&v);
    fake_vmcb(&v)->dr6 = hw_dr6;
    dbg_after_vmexit(&v);
    return dbg_on_db_exit(&v, hw_dr6);
}

static void test_guest_hit(void)
{
    struct dbg_route r;

    start_with_guest_bp(0x1000);
    r = db_exit(0xffff0ff1);
    CU_ASSERT(r.to_guest && !r.to_host);
    CU_ASSERT_EQUAL(r.guest_dr6, 0xffff0ff1);
    CU_ASSERT_EQUAL(fake_vmcb(&v)->injected_dr6, 0xffff0ff1);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 6), 0xffff0ff1);
    /* BS left by an earlier step survives a hit; B bits are replaced */
    mov_to_dr(&v, 6, 0x4002);
    r = db_exit(0xffff0ff1);
    CU_ASSERT_EQUAL(r.guest_dr6, 0xffff4ff1);
    /* the next run starts from a clean DR6 again so the next exit shows only its cause */
    dbg_before_vmentry(&v);
    CU_ASSERT_EQUAL(fake_vmcb(&v)->dr6, DR6_BASE);
    dbg_after_vmexit(&v);
    CU_ASSERT_EQUAL(v.counters.db_exits, 2);
    CU_ASSERT_EQUAL(v.counters.db_reflected, 2);
    CU_ASSERT_EQUAL(v.counters.db_host_events, 0);
    CU_ASSERT_EQUAL(v.last_dr6_seen, 0xffff4ff1);
}

/* Both a host and a guest breakpoint on the same instruction: each gets its own. */
static void test_host_and_guest_same_insn(void)
{
    struct dbg_bp bp = exec_at(0x1000);
    struct dbg_route r;

    start_with_guest_bp(0x1000);
    CU_ASSERT(dbg_host_set_bp(&v, 2, &bp));
    dbg_before_vmentry(&v);
    CU_ASSERT_EQUAL(fake.slot[0], 0x1000);
    CU_ASSERT_EQUAL(fake.slot[1], 0x1000);
    CU_ASSERT_EQUAL(fake_vmcb(&v)->dr7, 0x400 | 0x1 | 0x8);   /* L0 guest, G1 host */
    dbg_after_vmexit(&v);
    r = db_exit(0xffff0ff3);
    CU_ASSERT(r.to_host && r.to_guest);
    CU_ASSERT_EQUAL(r.host_bps, 1u << 2);
    CU_ASSERT(!r.host_step);
    CU_ASSERT_EQUAL(r.guest_dr6, 0xffff0ff1);                 /* exactly bare hardware's */
    CU_ASSERT_EQUAL(v.counters.db_host_events, 1);
    CU_ASSERT_EQUAL(v.counters.db_reflected, 1);
}

static void test_host_only_hit(void)
{
    struct dbg_bp bp = exec_at(0x2000);
    struct dbg_route r;

    start_with_guest_bp(0x1000);
    mov_to_dr(&v, 6, 0x2);                                    /* guest's own leftovers */
    dbg_host_set_bp(&v, 0, &bp);
    r = db_exit(0xffff0ff2);                                  /* hardware slot 1 = host */
    CU_ASSERT(r.to_host && !r.to_guest);
    CU_ASSERT_EQUAL(r.host_bps, 1);
    CU_ASSERT_EQUAL(fake_calls(OP_INJECT_DB), 0);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 6), 0xffff0ff2);
    /* the guest's view never shows the host's breakpoint */
    CU_ASSERT_EQUAL(mov_from_dr(&v, 1), 0);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 7), 0x401);
}

/* The host holds hardware slot 0; the guest arms its slot 0: remapped to a free slot. */
static void test_remap(void)
{
    struct dbg_bp bp = exec_at(0x5000);
    const struct dbg_layout *l;
    struct dbg_route r;

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_TRAP, 8);
    dbg_host_set_bp(&v, 0, &bp);
    l = dbg_get_layout(&v);
    CU_ASSERT_EQUAL(l->host_hw[0], 0);
    mov_to_dr(&v, 0, 0x7000);
    mov_to_dr(&v, 7, 0x401 | (0x1ULL << 16));                 /* L0, write, len 1 */
    CU_ASSERT_EQUAL(l->host_hw[0], 0);                        /* host not moved */
    CU_ASSERT_EQUAL(l->guest_hw[0], 1);
    dbg_before_vmentry(&v);
    CU_ASSERT_EQUAL(fake.slot[0], 0x5000);
    CU_ASSERT_EQUAL(fake.slot[1], 0x7000);
    CU_ASSERT_EQUAL(fake_vmcb(&v)->dr7, 0x400 | 0x2 | 0x4 | (0x1ULL << 20));
    dbg_after_vmexit(&v);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 7), 0x10401);             /* architectural view kept */
    CU_ASSERT_EQUAL(mov_from_dr(&v, 0), 0x7000);
    r = db_exit(0xffff0ff2);                                  /* hardware 1 -> guest B0 */
    CU_ASSERT(r.to_guest && !r.to_host);
    CU_ASSERT_EQUAL(r.guest_dr6, 0xffff0ff1);
    r = db_exit(0xffff0ff1);
    CU_ASSERT(r.to_host && !r.to_guest);
    /* the guest arms all four: the host is pushed out to NPT emulation */
    mov_to_dr(&v, 7, 0x455);
    CU_ASSERT_EQUAL(l->host_unplaced, 1);
    CU_ASSERT_EQUAL(l->guest_unplaced, 0);
    CU_ASSERT_EQUAL(l->guest_hw[0], 1);                       /* still where it was */
    CU_ASSERT_EQUAL(l->owner[0] + l->owner[1] + l->owner[2] + l->owner[3],
                    4 * DBGV_OWNER_GUEST);
}

static void test_more_than_four(void)
{
    struct dbg_bp bp[3] = { exec_at(0x100), exec_at(0x200), exec_at(0x300) };
    const struct dbg_layout *l = dbg_get_layout(&v);
    unsigned i;

    start_with_guest_bp(0x1000);
    mov_to_dr(&v, 7, 0x405);                                  /* guest slots 0 and 1 */
    for (i = 0; i < 3; i++)
        CU_ASSERT(dbg_host_set_bp(&v, i, &bp[i]));
    CU_ASSERT_EQUAL(l->host_hw[0], 2);
    CU_ASSERT_EQUAL(l->host_hw[1], 3);
    CU_ASSERT_EQUAL(l->host_unplaced, 1u << 2);
    dbg_host_clear_bp(&v, 0);
    CU_ASSERT_EQUAL(l->host_unplaced, 0);
    CU_ASSERT_EQUAL(l->host_hw[2], 2);
    CU_ASSERT(!dbg_host_set_bp(&v, DBG_MAX_HOST_BP, &bp[0]));
}

/* Host step, guest not stepping: one host event, the guest sees no BS and keeps TF=0. */
static void test_host_step_hidden(void)
{
    struct dbg_route r;

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_ADAPTIVE, 8);
    dbg_host_single_step(&v, true, false);
    CU_ASSERT(dbg_host_blocks_irqs(&v));
    dbg_before_vmentry(&v);
    CU_ASSERT(fake_vmcb(&v)->tf);
    fake_vmcb(&v)->dr6 = 0xffff4ff0;
    dbg_after_vmexit(&v);
    CU_ASSERT(!fake_vmcb(&v)->tf);
    r = dbg_on_db_exit(&v, 0xffff4ff0);
    CU_ASSERT(r.to_host && r.host_step && !r.to_guest);
    CU_ASSERT_EQUAL(fake_calls(OP_INJECT_DB), 0);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 6), DR6_BASE);
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_TRAPPING);        /* host owns: stay trapped */
    dbg_host_single_step(&v, false, false);
    CU_ASSERT(!dbg_host_blocks_irqs(&v));
    dbg_before_vmentry(&v);
    CU_ASSERT(!fake_vmcb(&v)->tf);
}

/* Seed 004: both step: the host's event first, then the guest's #DB with BS. */
static void test_both_step(void)
{
    struct dbg_route r;

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_TRAP, 8);
    fake_vmcb(&v)->tf = true;
    dbg_host_single_step(&v, true, true);
    CU_ASSERT(!dbg_host_blocks_irqs(&v));
    r = db_exit(0xffff4ff0);
    CU_ASSERT(r.to_host && r.host_step && r.to_guest);
    CU_ASSERT_EQUAL(r.guest_dr6, 0xffff4ff0);
    CU_ASSERT(fake_vmcb(&v)->tf);                             /* guest's own TF kept */
}

/* The guest loads TF itself during a host step (POPF): it keeps the value it loaded. */
static void test_guest_loads_tf_during_host_step(void)
{
    struct dbg_route r;

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_TRAP, 8);
    dbg_host_single_step(&v, true, false);
    fake_vmcb(&v)->next_insn_loads_tf = true;
    /* POPF sets TF: no guest #DB yet (TF was clear before it), TF=1 afterwards */
    dbg_before_vmentry(&v);
    fake_vmcb(&v)->tf = true;
    dbg_after_vmexit(&v);
    r = dbg_on_db_exit(&v, 0xffff4ff0);
    CU_ASSERT(r.to_host && !r.to_guest);
    CU_ASSERT(fake_vmcb(&v)->tf);
    /* POPF clears TF: TF was set before it, so the guest gets its trap; TF=0 afterwards */
    dbg_before_vmentry(&v);
    fake_vmcb(&v)->tf = false;
    dbg_after_vmexit(&v);
    r = dbg_on_db_exit(&v, 0xffff4ff0);
    CU_ASSERT(r.to_host && r.to_guest);
    CU_ASSERT(!fake_vmcb(&v)->tf);
    /* an ordinary instruction: the host's TF never leaks into the guest's */
    fake_vmcb(&v)->next_insn_loads_tf = false;
    r = db_exit(0xffff4ff0);
    CU_ASSERT(r.to_host && !r.to_guest);
    CU_ASSERT(!fake_vmcb(&v)->tf);
}

/* A guest watchpoint and the host's step on the same instruction. */
static void test_host_step_and_guest_watchpoint(void)
{
    struct dbg_route r;

    start_with_guest_bp(0x8000);
    mov_to_dr(&v, 7, 0x401 | (0x1ULL << 16));
    dbg_host_single_step(&v, true, false);
    r = db_exit(0xffff4ff1);
    CU_ASSERT(r.to_host && r.host_step && r.to_guest);
    CU_ASSERT_EQUAL(r.guest_dr6, 0xffff0ff1);                 /* B0, no host BS */
}

/* Collateral matches: reported for the guest's own loaded values, never for stale ones. */
static void test_collateral_matches(void)
{
    struct dbg_route r;

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_TRAP, 8);
    fake_vmcb(&v)->tf = true;
    r = db_exit(0xffff4ff4);                                  /* slot 2: someone else's */
    CU_ASSERT(r.to_guest);
    CU_ASSERT_EQUAL(r.guest_dr6, 0xffff4ff0);
    start_with_guest_bp(0x1000);
    mov_to_dr(&v, 2, 0x2000);                                 /* unarmed, but loaded */
    fake_vmcb(&v)->tf = true;
    r = db_exit(0xffff4ff4);
    CU_ASSERT_EQUAL(r.guest_dr6, 0xffff4ff4);
    r = db_exit(0xffff0ff4);                                  /* no #DB for it alone */
    CU_ASSERT(!r.to_guest && !r.to_host);
}

static void test_icebp(void)
{
    struct dbg_route r;

    start_with_guest_bp(0x1000);
    mov_to_dr(&v, 6, 0x4002);
    r = db_exit(DR6_BASE);                                    /* nothing recorded */
    CU_ASSERT(r.to_guest && !r.to_host);
    CU_ASSERT_EQUAL(r.guest_dr6, 0xffff4ff2);
    dbg_on_icebp(&v);
    CU_ASSERT_EQUAL(fake_calls(OP_INJECT_DB), 2);
    CU_ASSERT_EQUAL(fake_vmcb(&v)->injected_dr6, 0xffff4ff2);
}

/* Untrapped: the CPU merged DR6 itself; the core passes it on and clears GD. */
static void test_untrapped_db(void)
{
    struct dbg_access a = { .reg = 0, .write = true, .long_mode = true, .value = 0x1000 };
    struct dbg_route r;

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_ADAPTIVE, 8);
    run_once(&v);
    guest_mov_dr(&v, &a);
    CU_ASSERT_EQUAL(v.lazy_state, DBGV_LAZY_PASSTHROUGH);
    dbg_before_vmentry(&v);
    fake_vmcb(&v)->dr7 = 0x2401;                              /* guest arms with GD */
    fake_vmcb(&v)->dr6 = 0xffff4ff1;                          /* old BS + this hit */
    dbg_after_vmexit(&v);
    r = dbg_on_db_exit(&v, 0xffff4ff1);
    CU_ASSERT(r.to_guest && !r.to_host);
    CU_ASSERT_EQUAL(r.guest_dr6, 0xffff4ff1);
    dbg_before_vmentry(&v);
    CU_ASSERT_EQUAL(fake_vmcb(&v)->dr7, 0x401);
    CU_ASSERT_EQUAL(fake_vmcb(&v)->dr6, 0xffff4ff1);
    CU_ASSERT(!fake_vmcb(&v)->intercepts);
}

/* An instruction the hypervisor emulated still single-steps. */
static void test_emulated_insn_step(void)
{
    struct dbg_route r;

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_TRAP, 8);
    run_once(&v);
    r = dbg_on_emulated_insn(&v);
    CU_ASSERT(!r.to_guest && !r.to_host);
    fake_vmcb(&v)->tf = true;
    run_once(&v);
    r = dbg_on_emulated_insn(&v);
    CU_ASSERT(r.to_guest && !r.to_host);
    CU_ASSERT_EQUAL(r.guest_dr6, 0xffff4ff0);
    dbg_host_single_step(&v, true, false);
    run_once(&v);
    r = dbg_on_emulated_insn(&v);
    CU_ASSERT(r.to_guest && r.to_host && r.host_step);
    fake_vmcb(&v)->tf = false;
    run_once(&v);
    r = dbg_on_emulated_insn(&v);
    CU_ASSERT(!r.to_guest && r.to_host);
}

int register_routing_tests(void)
{
    CU_pSuite s = CU_add_suite("host/guest routing", NULL, NULL);

    if (!s)
        return -1;
    if (!CU_add_test(s, "guest breakpoint reflected with merged DR6", test_guest_hit) ||
        !CU_add_test(s, "host and guest bp on one instruction", test_host_and_guest_same_insn) ||
        !CU_add_test(s, "host-only hit stays hidden", test_host_only_hit) ||
        !CU_add_test(s, "guest slot remapped around a host bp", test_remap) ||
        !CU_add_test(s, "more than four: host bps left for NPT", test_more_than_four) ||
        !CU_add_test(s, "host single-step hidden from the guest", test_host_step_hidden) ||
        !CU_add_test(s, "host and guest both step (seed 004)", test_both_step) ||
        !CU_add_test(s, "guest loads TF during a host step",
                     test_guest_loads_tf_during_host_step) ||
        !CU_add_test(s, "host step with a guest watchpoint",
                     test_host_step_and_guest_watchpoint) ||
        !CU_add_test(s, "collateral matches, no stale leak", test_collateral_matches) ||
        !CU_add_test(s, "ICEBP: DR6 untouched", test_icebp) ||
        !CU_add_test(s, "untrapped #DB passed on, GD cleared", test_untrapped_db) ||
        !CU_add_test(s, "emulated instruction single-steps", test_emulated_insn_step))
        return -1;
    return 0;
}
