/* x86 debug-register semantics (arch/x86/debugreg.c) against the architectural result. */
#include "dbgvisor/debug_arch.h"
#include "tests.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Writes: what the register holds afterwards, or a #GP. */
static const struct write_case {
    const char *what;
    unsigned reg;
    uint64_t value;
    bool long_mode, rtm, ok;
    uint64_t expect;
} write_cases[] = {
    { "DR0 64-bit value",        0, 0xffff800000001000ULL, true,  false, true, 0xffff800000001000ULL },
    { "DR3 32-bit truncates",    3, 0xffff800000001000ULL, false, false, true, 0x1000 },
    { "DR6 0: reserved read 1",  6, 0,                     true,  false, true, 0xffff0ff0 },
    { "DR6 0 with RTM offered",  6, 0,                     true,  true,  true, 0xfffe0ff0 },
    { "DR6 all ones: bit 12 0",  6, 0xffffffff,            true,  false, true, 0xffffefff },
    { "DR6 B1|BS kept",          6, 0x4002,                true,  false, true, 0xffff4ff2 },
    { "DR6 upper bits #GP",      6, 1ULL << 32,            true,  false, false, 0 },
    { "DR6 upper bits 32-bit",   6, (1ULL << 32) | 0x1,    false, false, true, 0xffff0ff1 },
    { "DR7 0: bit 10 reads 1",   7, 0,                     true,  false, true, 0x400 },
    { "DR7 all ones",            7, 0xffffffff,            true,  false, true, 0xffff27ff },
    { "DR7 all ones, RTM",       7, 0xffffffff,            true,  true,  true, 0xffff2fff },
    { "DR7 GD|L0",               7, 0x2001,                true,  false, true, 0x2401 },
    { "DR7 upper bits #GP",      7, 0x100000401ULL,        true,  false, false, 0 },
    { "DR7 upper bits 32-bit",   7, 0x100000401ULL,        false, false, true, 0x401 },
};

static void test_write_table(void)
{
    unsigned i;

    for (i = 0; i < ARRAY_LEN(write_cases); i++) {
        const struct write_case *c = &write_cases[i];
        uint64_t out = 0;
        struct dbg_vcpu d = { .rtm = c->rtm };
        bool ok = dbg_arch_write_value(&d, c->reg, c->value, c->long_mode, &out);

        CU_ASSERT_EQUAL(ok, c->ok);
        if (ok && c->ok && out != c->expect)
            fprintf(stderr, "\n  %s: got %#llx want %#llx", c->what,
                    (unsigned long long)out, (unsigned long long)c->expect);
        if (c->ok)
            CU_ASSERT_EQUAL(out, c->expect);
    }
}

static void test_read_width(void)
{
    CU_ASSERT_EQUAL(dbg_arch_read_value(0x123456789ULL, false), 0x23456789ULL);
    CU_ASSERT_EQUAL(dbg_arch_read_value(0x123456789ULL, true), 0x123456789ULL);
}

/* Fault order: CPL, then register decode (DR8+, DR4/5 with CR4.DE), then general detect. */
static const struct access_case {
    const char *what;
    unsigned reg, cpl;
    bool de, gd;
    enum dbg_access_result expect;
    unsigned expect_reg;
} access_cases[] = {
    { "DR0",                  0, 0, false, false, DBG_ACCESS_DONE, 0 },
    { "DR4 aliases DR6",      4, 0, false, false, DBG_ACCESS_DONE, 6 },
    { "DR5 aliases DR7",      5, 0, false, false, DBG_ACCESS_DONE, 7 },
    { "DR4 with CR4.DE #UD",  4, 0, true,  false, DBG_ACCESS_UD, 0 },
    { "DR5 with CR4.DE #UD",  5, 0, true,  false, DBG_ACCESS_UD, 0 },
    { "DR6 with CR4.DE",      6, 0, true,  false, DBG_ACCESS_DONE, 6 },
    { "DR8 #UD",              8, 0, false, false, DBG_ACCESS_UD, 0 },
    { "CPL 3 #GP",            0, 3, false, false, DBG_ACCESS_GP, 0 },
    { "CPL 3 beats #UD",      4, 3, true,  false, DBG_ACCESS_GP, 0 },
    { "CPL 3 beats GD",       7, 3, false, true,  DBG_ACCESS_GP, 0 },
    { "GD #DB",               0, 0, false, true,  DBG_ACCESS_DB, 0 },
    { "GD on DR7 itself",     7, 0, false, true,  DBG_ACCESS_DB, 0 },
    { "#UD beats GD",         5, 0, true,  true,  DBG_ACCESS_UD, 0 },
};

static void test_access_table(void)
{
    unsigned i;

    for (i = 0; i < ARRAY_LEN(access_cases); i++) {
        const struct access_case *c = &access_cases[i];
        struct dbg_access a = { .reg = (uint8_t)c->reg, .cpl = (uint8_t)c->cpl,
                                .cr4_de = c->de, .long_mode = true };
        unsigned reg = 99;
        enum dbg_access_result r = dbg_arch_check_access(&a, c->gd ? 0x2400 : 0x400, &reg);

        if (r != c->expect)
            fprintf(stderr, "\n  %s: got %d want %d", c->what, r, c->expect);
        CU_ASSERT_EQUAL(r, c->expect);
        if (r == DBG_ACCESS_DONE)
            CU_ASSERT_EQUAL(reg, c->expect_reg);
    }
}

/* Seed 000: B0-B3 replaced per hit, BS/BT/BD carried over, RTM only if offered. */
static const struct merge_case {
    const char *what;
    uint64_t before;
    struct dbg_cause cause;
    bool rtm;
    uint64_t expect;
} merge_cases[] = {
    { "hit B1 on reset DR6",   0xffff0ff0, { .hits = 2 },                    false, 0xffff0ff2 },
    { "hit replaces B bits",   0xffff4ff1, { .hits = 4 },                    false, 0xffff4ff4 },
    { "step keeps BD",         0xffff2ff0, { .step = true },                 false, 0xffff6ff0 },
    { "step clears old B",     0xffff0ff3, { .step = true },                 false, 0xffff4ff0 },
    { "step + hit together",   0xffff0ff0, { .hits = 1, .step = true },      false, 0xffff4ff1 },
    { "GD keeps B bits",       0xffff0ff2, { .general_detect = true },       false, 0xffff2ff2 },
    { "task switch",           0xffff0ff0, { .task_switch = true },          false, 0xffff8ff0 },
    { "RTM offered: bit 16 0", 0xffff0ff0, { .hits = 1, .rtm = true },       true,  0xfffe0ff1 },
    { "RTM not offered",       0xffff0ff0, { .hits = 1, .rtm = true },       false, 0xffff0ff1 },
    { "RTM bit back to 1",     0xfffe0ff1, { .hits = 2 },                    true,  0xffff0ff2 },
    { "BS BT BD all sticky",   0xffffeff0, { .hits = 8 },                    false, 0xffffeff8 },
};

static void test_merge_table(void)
{
    unsigned i;

    for (i = 0; i < ARRAY_LEN(merge_cases); i++) {
        const struct merge_case *c = &merge_cases[i];
        uint64_t got = dbg_arch_merge_status(c->before, &c->cause, c->rtm);

        if (got != c->expect)
            fprintf(stderr, "\n  %s: got %#llx want %#llx", c->what,
                    (unsigned long long)got, (unsigned long long)c->expect);
        CU_ASSERT_EQUAL(got, c->expect);
    }
}

static void test_decode(void)
{
    struct dbg_cause c = dbg_arch_decode_status(0xffff0ff0);

    CU_ASSERT(!c.hits && !c.step && !c.general_detect && !c.task_switch && !c.rtm);
    c = dbg_arch_decode_status(0xffff4ff5);
    CU_ASSERT_EQUAL(c.hits, 5);
    CU_ASSERT(c.step && !c.rtm);
    c = dbg_arch_decode_status(0xfffeaff0);
    CU_ASSERT(c.rtm && c.task_switch && c.general_detect && !c.step);
    /* Decoding then merging into a reset DR6 reproduces the hardware value. */
    c = dbg_arch_decode_status(0xffff4ff2);
    CU_ASSERT_EQUAL(dbg_arch_merge_status(0xffff0ff0, &c, false), 0xffff4ff2);
}

static void test_armed_and_reset(void)
{
    CU_ASSERT_EQUAL(dbg_arch_armed_slots(0x400, NULL), 0);
    CU_ASSERT_EQUAL(dbg_arch_armed_slots(0x401 | 0x20, NULL), 0x5);   /* L0, G2 */
    CU_ASSERT_EQUAL(dbg_arch_armed_slots(0xffff0700, NULL), 0);       /* LE/GE and R/W only */
    CU_ASSERT_EQUAL(dbg_arch_status_reset(false), 0xffff0ff0);
    CU_ASSERT_EQUAL(dbg_arch_status_reset(true), 0xffff0ff0);
    CU_ASSERT_EQUAL(dbg_arch_control_reset(), 0x400);
    CU_ASSERT_EQUAL(dbg_arch_control_on_db(0x2403), 0x403);
}

static void test_compose(void)
{
    struct dbg_layout l = { .owner = { DBGV_OWNER_GUEST, DBGV_OWNER_FREE, DBGV_OWNER_GUEST,
                                       DBGV_OWNER_HOST },
                            .index = { 1, 1, 0, 0 } };
    struct dbg_bp host[DBG_MAX_HOST_BP] = { { .addr = 0x1000, .type = DBG_BP_WRITE,
                                              .len = 4, .enabled = true } };
    /* guest: slot 0 exec (L0), slot 1 write len 2 (G1), GD, LE */
    uint64_t guest = 0x400 | 0x1 | 0x8 | 0x2000 | 0x100 | (0x5ULL << 20);
    uint64_t hw = dbg_arch_compose_control(guest, &l, host, false);

    /* hw0 <- guest 1 (G, write len 2), hw2 <- guest 0 (L, exec), hw3 <- host (G, write len 4) */
    CU_ASSERT_EQUAL(hw, 0x400 | 0x100 | 0x2 | 0x10 | 0x80 | (0x5ULL << 16) | (0xdULL << 28));
    CU_ASSERT_EQUAL(hw & DR7_GD, 0);
}

static void test_bp_valid(void)
{
    struct dbg_bp ok1 = { .addr = 0x1001, .type = DBG_BP_EXEC, .len = 1 };
    struct dbg_bp ok8 = { .addr = 0x1008, .type = DBG_BP_RW, .len = 8 };
    struct dbg_bp exec2 = { .addr = 0x1000, .type = DBG_BP_EXEC, .len = 2 };
    struct dbg_bp misaligned = { .addr = 0x1002, .type = DBG_BP_WRITE, .len = 4 };
    struct dbg_bp len3 = { .addr = 0x1000, .type = DBG_BP_WRITE, .len = 3 };
    struct dbg_bp type5 = { .addr = 0x1000, .type = 5, .len = 1 };

    CU_ASSERT(dbg_arch_bp_valid(&ok1));
    CU_ASSERT(dbg_arch_bp_valid(&ok8));
    CU_ASSERT(!dbg_arch_bp_valid(&exec2));
    CU_ASSERT(!dbg_arch_bp_valid(&misaligned));
    CU_ASSERT(!dbg_arch_bp_valid(&len3));
    CU_ASSERT(!dbg_arch_bp_valid(&type5));
}

int register_semantics_tests(void)
{
    CU_pSuite s = CU_add_suite("x86 DR semantics", NULL, NULL);

    if (!s)
        return -1;
    if (!CU_add_test(s, "DR writes: masks, reserved bits, 32-bit, #GP", test_write_table) ||
        !CU_add_test(s, "DR reads: 32-bit guests see 32 bits", test_read_width) ||
        !CU_add_test(s, "access faults: CPL, DR4/5, DR8+, GD, order", test_access_table) ||
        !CU_add_test(s, "DR6 merge (seed 000)", test_merge_table) ||
        !CU_add_test(s, "DR6 decode", test_decode) ||
        !CU_add_test(s, "DR7 armed slots and reset values", test_armed_and_reset) ||
        !CU_add_test(s, "DR7 composition for remapped and host slots", test_compose) ||
        !CU_add_test(s, "host breakpoint validation", test_bp_valid))
        return -1;
    return 0;
}
