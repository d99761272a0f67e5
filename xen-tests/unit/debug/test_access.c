/* Trapped MOV DR through the core: the guest-visible result and the faults it injects,
 * identical under every policy. */
#include <string.h>

#include "tests.h"
#include "asm/dr_fast_path.h"

static struct dbg_vcpu v;

static enum dbg_access_result access(struct dbg_vcpu *d, unsigned reg, bool write,
                                     uint64_t *value, unsigned cpl, bool de, bool lm)
{
    struct dbg_access a = { .reg = (uint8_t)reg, .write = write, .cpl = (uint8_t)cpl,
                            .cr4_de = de, .long_mode = lm, .value = value ? *value : 0 };
    enum dbg_access_result r = dbg_on_mov_dr(d, &a);

    if (value && !write)
        *value = a.value;
    return r;
}

static void test_reset_values(void)
{
    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_TRAP, 8);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 0), 0);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 3), 0);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 6), DR6_BASE);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 7), 0x400);
}

static void test_dr4_dr5(void)
{
    uint64_t val = 0;

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_TRAP, 8);
    CU_ASSERT_EQUAL(mov_to_dr(&v, 5, 0x1), DBG_ACCESS_DONE);        /* DR5 -> DR7 */
    CU_ASSERT_EQUAL(mov_from_dr(&v, 7), 0x401);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 4), DR6_BASE);                  /* DR4 -> DR6 */
    CU_ASSERT_EQUAL(access(&v, 4, false, &val, 0, true, true), DBG_ACCESS_UD);
    CU_ASSERT_EQUAL(fake_calls(OP_INJECT_UD), 1);
    val = 0;
    CU_ASSERT_EQUAL(access(&v, 5, true, &val, 0, true, true), DBG_ACCESS_UD);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 7), 0x401);                     /* write not done */
    CU_ASSERT_EQUAL(access(&v, 9, false, &val, 0, false, true), DBG_ACCESS_UD);
    CU_ASSERT_EQUAL(fake_calls(OP_INJECT_UD), 3);
}

static void test_cpl_and_reserved(void)
{
    uint64_t val = 0x1234;

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_TRAP, 8);
    CU_ASSERT_EQUAL(access(&v, 0, true, &val, 3, false, true), DBG_ACCESS_GP);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 0), 0);
    val = 1ULL << 40;
    CU_ASSERT_EQUAL(access(&v, 7, true, &val, 0, false, true), DBG_ACCESS_GP);
    CU_ASSERT_EQUAL(access(&v, 6, true, &val, 0, false, true), DBG_ACCESS_GP);
    CU_ASSERT_EQUAL(fake_calls(OP_INJECT_GP), 3);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 7), 0x400);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 6), DR6_BASE);
}

static void test_32bit_guest(void)
{
    uint64_t val = 0xdeadbeef00401000ULL;

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_TRAP, 8);
    CU_ASSERT_EQUAL(access(&v, 1, true, &val, 0, false, false), DBG_ACCESS_DONE);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 1), 0x00401000);
    CU_ASSERT_EQUAL(mov_to_dr(&v, 2, 0xffffffff80001000ULL), DBG_ACCESS_DONE);
    val = 0;
    CU_ASSERT_EQUAL(access(&v, 2, false, &val, 0, false, false), DBG_ACCESS_DONE);
    CU_ASSERT_EQUAL(val, 0x80001000);
    val = (1ULL << 32) | 0x2;                       /* upper half unnameable: no #GP */
    CU_ASSERT_EQUAL(access(&v, 7, true, &val, 0, false, false), DBG_ACCESS_DONE);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 7), 0x402);
}

/* GD: the access faults with DR6.BD, GD is cleared so the handler can use the DRs. */
static void test_general_detect(void)
{
    uint64_t val = 0x5000;

    fake_reset();
    vcpu_start(&v, 0, DBGV_POLICY_TRAP, 8);
    CU_ASSERT_EQUAL(mov_to_dr(&v, 6, 0x1), DBG_ACCESS_DONE);       /* B0 left over */
    CU_ASSERT_EQUAL(mov_to_dr(&v, 7, 0x2000), DBG_ACCESS_DONE);
    CU_ASSERT_EQUAL(access(&v, 0, true, &val, 0, false, true), DBG_ACCESS_DB);
    CU_ASSERT_EQUAL(fake_calls(OP_INJECT_DB), 1);
    CU_ASSERT_EQUAL(fake_vmcb(&v)->injected_dr6, DR6_BASE | DR6_BD | 0x1);
    CU_ASSERT_EQUAL(mov_from_dr(&v, 0), 0);                         /* not written */
    CU_ASSERT_EQUAL(mov_from_dr(&v, 7), 0x400);                     /* GD cleared */
    CU_ASSERT_EQUAL(mov_from_dr(&v, 6), DR6_BASE | DR6_BD | 0x1);
    CU_ASSERT_EQUAL(v.counters.db_reflected, 1);
    /* The hardware never runs with GD: the core emulates it while trapping. */
    CU_ASSERT_EQUAL(mov_to_dr(&v, 7, 0x2000), DBG_ACCESS_DONE);
    dbg_before_vmentry(&v);
    CU_ASSERT_EQUAL(fake_vmcb(&v)->dr7 & DR7_GD, 0);
}

/* One script of accesses, with world switches in between, run by the guest model: the
 * core only sees the accesses that the policy traps. */
struct script_result {
    uint64_t reads[8];
    enum dbg_access_result faults[3];
    uint64_t db_dr6;
    uint64_t view[4];
};

static void run_script(enum dbgv_debug_policy p, struct script_result *out)
{
    struct dbg_vcpu d;
    struct dbg_access ud = { .reg = 4, .cr4_de = true, .long_mode = true };
    struct dbg_access gp = { .reg = 0, .cpl = 3, .long_mode = true };
    struct dbg_access gd = { .reg = 1, .long_mode = true };
    unsigned n = 0;

    fake_reset();
    vcpu_start(&d, 0, p, 1);
    g_write(&d, 0, 0x1000);
    g_write(&d, 7, 0x1 | (0x1ULL << 16));
    switch_vcpu(&d, &d);
    out->reads[n++] = g_read(&d, 0);
    out->reads[n++] = g_read(&d, 5);
    g_write(&d, 6, 0x4001);
    switch_vcpu(&d, &d);
    out->reads[n++] = g_read(&d, 4);
    out->faults[0] = guest_mov_dr(&d, &ud);
    out->faults[1] = guest_mov_dr(&d, &gp);
    g_write(&d, 7, 0x2401);
    switch_vcpu(&d, &d);
    out->faults[2] = guest_mov_dr(&d, &gd);
    out->db_dr6 = fake_vmcb(&d)->injected_dr6;
    out->reads[n++] = g_read(&d, 7);
    out->reads[n++] = g_read(&d, 6);
    g_write(&d, 3, 0x3000);
    switch_vcpu(&d, &d);
    switch_vcpu(&d, &d);
    out->reads[n++] = g_read(&d, 3);
    /* Once the vCPU is descheduled the core's view is the whole truth. */
    dbg_on_deschedule(&d);
    memcpy(out->view, d.dr, sizeof(out->view));
}

static void test_same_under_every_policy(void)
{
    struct script_result ref, got;
    unsigned p;

    memset(&ref, 0, sizeof(ref));
    run_script(DBGV_POLICY_TRAP, &ref);
    CU_ASSERT_EQUAL(ref.reads[0], 0x1000);
    CU_ASSERT_EQUAL(ref.reads[1], 0x10401);
    CU_ASSERT_EQUAL(ref.reads[2], 0xffff4ff1);
    CU_ASSERT_EQUAL(ref.faults[0], DBG_ACCESS_UD);
    CU_ASSERT_EQUAL(ref.faults[1], DBG_ACCESS_GP);
    CU_ASSERT_EQUAL(ref.faults[2], DBG_ACCESS_DB);
    CU_ASSERT_EQUAL(ref.db_dr6, 0xffff6ff1);       /* BD on top of the DR6 written */
    CU_ASSERT_EQUAL(ref.reads[3], 0x401);
    CU_ASSERT_EQUAL(ref.reads[4], 0xffff6ff1);
    CU_ASSERT_EQUAL(ref.reads[5], 0x3000);
    CU_ASSERT_EQUAL(ref.view[0], 0x1000);
    CU_ASSERT_EQUAL(ref.view[3], 0x3000);
    for (p = DBGV_POLICY_LAZY_EXIT; p < DBGV_POLICY_COUNT; p++) {
        memset(&got, 0, sizeof(got));
        run_script((enum dbgv_debug_policy)p, &got);
        CU_ASSERT_EQUAL(memcmp(&ref, &got, sizeof(ref)), 0);
    }
}

/* The exit handler's fast path (dr_mov_fast) against the full path: whenever it claims an
 * access, dbg_on_mov_dr must complete the same access with no fault, the same result and
 * the same core state, for every CPL, register, direction, GD, CR4.DE, mode and value. */
static void test_fast_path_matches_full(void)
{
    static const uint64_t values[] = { 0x1234, 0xffffffff00000001ull, 0xffff0ff0, 0x2401 };
    static struct dbg_vcpu full, fast;
    unsigned claimed = 0;

    for (unsigned combo = 0; combo < 4 * 16 * 2 * 2 * 2 * 2 * 4; combo++) {
        unsigned c = combo, cpl = c % 4, dr = (c /= 4) % 16;
        bool write = (c /= 16) % 2, gd = (c /= 2) % 2, de = (c /= 2) % 2, lm = (c /= 2) % 2;
        uint64_t value = values[(c / 2) % 4], gpr = value;

        fake_reset();
        vcpu_start(&full, 0, DBGV_POLICY_TRAP, 8);
        vcpu_start(&fast, 0, DBGV_POLICY_TRAP, 8);
        CU_ASSERT_EQUAL(mov_to_dr(&full, 1, 0x5000), DBG_ACCESS_DONE);
        CU_ASSERT_EQUAL(mov_to_dr(&fast, 1, 0x5000), DBG_ACCESS_DONE);
        if (gd)
            full.control = fast.control = full.control | DR7_GD;
        if (!dr_mov_fast(&fast, cpl, dr, write, lm, &gpr))
            continue;
        claimed++;
        struct dbg_access a = { .reg = (uint8_t)dr, .write = write, .cpl = (uint8_t)cpl,
                                .cr4_de = de, .long_mode = lm, .value = lm ? value : (uint32_t)value };
        CU_ASSERT_EQUAL_FATAL(dbg_on_mov_dr(&full, &a), DBG_ACCESS_DONE);
        if (!write)
            CU_ASSERT_EQUAL(gpr, lm ? a.value : (uint32_t)a.value);
        CU_ASSERT_EQUAL(memcmp(&full, &fast, sizeof(full)), 0);
    }
    /* Reads of DR0-3, DR6, DR7; writes of DR0-3, and of DR6/DR7 but a 64-bit reserved half. */
    CU_ASSERT_EQUAL(claimed, 6 * 2 * 2 * 4 + 4 * 2 * 2 * 4 + 2 * 2 * (4 + 3));
}

int register_access_tests(void)
{
    CU_pSuite s = CU_add_suite("MOV DR emulation", NULL, NULL);

    if (!s)
        return -1;
    if (!CU_add_test(s, "reset values", test_reset_values) ||
        !CU_add_test(s, "DR4/DR5 alias or #UD, DR8+ #UD", test_dr4_dr5) ||
        !CU_add_test(s, "#GP at CPL>0 and on reserved upper bits", test_cpl_and_reserved) ||
        !CU_add_test(s, "32-bit guest sees 32-bit values", test_32bit_guest) ||
        !CU_add_test(s, "general detect #DB with BD, GD cleared", test_general_detect) ||
        !CU_add_test(s, "same results under every policy", test_same_under_every_policy) ||
        !CU_add_test(s, "the exit's fast path agrees with the full path", test_fast_path_matches_full))
        return -1;
    return 0;
}
