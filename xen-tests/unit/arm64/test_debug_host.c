/*
 * Host debugging on arm64 (hypervisor/arch/arm64/debug_host.c with the debug
 * core's slot ownership, common/debug/slots.c): host breakpoints and
 * watchpoints composed into the AArch64 pair file beside the guest's own
 * (a breakpoint only in a breakpoint pair, a watchpoint only in a watchpoint
 * pair, only pairs the CPU has), the control each gets, the guest's pairs
 * moved with their controls, what matches an exception, when the guest's own
 * debug state would have generated it, and the ESR it gets.
 */
#include <stdint.h>
#include <string.h>
#include <dbgvisor/debug.h>
#include <dbgvisor/debug_arch.h>
#include <asm/debug_host.h>
#include "internal.h"     /* common/debug: dbg_layout_update, dbg_layout_values */
#include "tests.h"

#define PSR_EL1H  0x5ULL
#define PSR_EL0T  0x0ULL
#define PSR_D     (1ULL << 9)

static struct dbg_vcpu d;

/* A trapped vCPU of QEMU max (6 breakpoint pairs, 4 watchpoint pairs), nothing armed. */
static void fresh(void)
{
    arm64_dbg_nr_bp = 6;
    arm64_dbg_nr_wp = 4;
    memset(&d, 0, sizeof(d));
    d.lazy_state = DBGV_LAZY_TRAPPING;
    dbg_layout_update(&d);
}

static void guest_arms_bp(unsigned n, uint64_t addr, uint64_t ctl)
{
    d.dr[DBG_ARM64_BVR(n)] = addr;
    d.dr[DBG_ARM64_BCR(n)] = ctl;
    d.control |= DBGV_ARM64_MDSCR_MDE;
    dbg_layout_update(&d);
}

static void test_host_bp_in_free_breakpoint_pair(void)
{
    struct dbg_bp bp = { .addr = 0x40081000, .type = DBG_BP_EXEC, .len = 4 };
    uint64_t hw[DBG_NR_REGS];
    int slot;

    fresh();
    guest_arms_bp(0, 0x40080000, 0x1e7);
    d.dr[DBG_ARM64_OSLSR] = DBGV_ARM64_OSLSR_OSLK;        /* out of reset */
    CU_ASSERT_FATAL(dbg_host_set_bp(&d, 0, &bp));
    slot = d.layout.host_hw[0];
    CU_ASSERT_EQUAL(slot, 1);                  /* the first free breakpoint pair */
    CU_ASSERT_EQUAL(d.layout.guest_hw[0], 0);  /* the guest's stays put */
    dbg_layout_values(&d, hw);
    CU_ASSERT_EQUAL(hw[1], 0x40081000);
    CU_ASSERT_EQUAL(hw[DBG_ARM64_BCR(1)], 0x1e7);    /* E, PMC EL1+EL0, BAS 1111 */
    CU_ASSERT_EQUAL(hw[0], 0x40080000);
    CU_ASSERT_EQUAL(hw[DBG_ARM64_BCR(0)], 0x1e7);
    CU_ASSERT_EQUAL(hw[DBG_ARM64_OSLSR] & DBGV_ARM64_OSLSR_OSLK, 0);  /* the host's need it clear */
    CU_ASSERT_EQUAL(dbg_arch_compose_control(d.control, &d.layout, d.host_bp, false),
                    DBGV_ARM64_MDSCR_MDE | MDSCR_HOST_ROUTE);
}

static void test_host_watchpoint_in_watchpoint_pair(void)
{
    struct dbg_bp wp = { .addr = 0x40100006, .type = DBG_BP_WRITE, .len = 2 };
    struct dbg_bp rw = { .addr = 0x40100010, .type = DBG_BP_RW, .len = 8 };
    uint64_t hw[DBG_NR_REGS];

    fresh();
    CU_ASSERT_FATAL(dbg_host_set_bp(&d, 0, &wp));
    CU_ASSERT_FATAL(dbg_host_set_bp(&d, 1, &rw));
    CU_ASSERT_EQUAL(d.layout.host_hw[0], DBG_ARM64_WVR(0));
    CU_ASSERT_EQUAL(d.layout.host_hw[1], DBG_ARM64_WVR(1));
    dbg_layout_values(&d, hw);
    CU_ASSERT_EQUAL(hw[DBG_ARM64_WVR(0)], 0x40100000);            /* doubleword aligned */
    /* E, PAC EL1+EL0, LSC store, BAS bytes 6-7 */
    CU_ASSERT_EQUAL(hw[DBG_ARM64_WCR(0)], 1 | 3 << 1 | 2 << 3 | 0xc0 << 5);
    CU_ASSERT_EQUAL(hw[DBG_ARM64_WCR(1)], 1 | 3 << 1 | 3 << 3 | 0xff << 5);
    CU_ASSERT(dbg_arch_bp_valid(&wp));
}

static void test_invalid_host_bps(void)
{
    struct dbg_bp odd = { .addr = 0x40000002, .type = DBG_BP_EXEC, .len = 4 };
    struct dbg_bp cross = { .addr = 0x40000006, .type = DBG_BP_WRITE, .len = 4 };
    struct dbg_bp io = { .addr = 0x40000000, .type = DBG_BP_IO, .len = 1 };

    fresh();
    CU_ASSERT(!dbg_host_set_bp(&d, 0, &odd));
    CU_ASSERT(!dbg_host_set_bp(&d, 0, &cross));
    CU_ASSERT(!dbg_host_set_bp(&d, 0, &io));
    CU_ASSERT_EQUAL(d.host_enabled, 0);
}

/* The guest arms the pair a host breakpoint sits in: it gets another breakpoint
 * pair, its control moved with it; never a watchpoint pair or one the CPU lacks. */
static void test_guest_pair_moves_with_its_control(void)
{
    struct dbg_bp bp = { .addr = 0x40081000, .type = DBG_BP_EXEC, .len = 4 };
    uint64_t hw[DBG_NR_REGS];
    unsigned n;

    fresh();
    CU_ASSERT_FATAL(dbg_host_set_bp(&d, 0, &bp));
    CU_ASSERT_EQUAL(d.layout.host_hw[0], 0);
    guest_arms_bp(0, 0x40080000, 0x1e3);      /* EL1 only */
    CU_ASSERT_EQUAL(d.layout.host_hw[0], 0);  /* the host keeps its pair */
    CU_ASSERT_EQUAL(d.layout.guest_hw[0], 1);
    dbg_layout_values(&d, hw);
    CU_ASSERT_EQUAL(hw[1], 0x40080000);
    CU_ASSERT_EQUAL(hw[DBG_ARM64_BCR(1)], 0x1e3);
    /* All six breakpoint pairs the guest's: the host's is left without one. */
    for (n = 1; n < 6; n++)
        guest_arms_bp(n, 0x40080000 + 4 * n, 0x1e7);
    CU_ASSERT_EQUAL(d.layout.host_hw[0], DBG_NO_SLOT);
    for (n = 0; n < DBG_NR_SLOTS; n++)
        CU_ASSERT(d.layout.owner[n] != DBGV_OWNER_HOST);
}

/* Host's MDE must not arm the guest's pairs its own MDE leaves off. */
static void test_free_pairs_disarmed(void)
{
    struct dbg_bp bp = { .addr = 0x40081000, .type = DBG_BP_EXEC, .len = 4 };
    uint64_t hw[DBG_NR_REGS];

    fresh();
    d.dr[DBG_ARM64_BCR(3)] = 0x1e7;           /* E set, MDE clear: not armed */
    d.dr[DBG_ARM64_WCR(2)] = 0x1ff;
    CU_ASSERT_FATAL(dbg_host_set_bp(&d, 0, &bp));
    dbg_layout_values(&d, hw);
    CU_ASSERT_EQUAL(hw[DBG_ARM64_BCR(3)], 0x1e6);
    CU_ASSERT_EQUAL(hw[DBG_ARM64_WCR(2)], 0x1fe);
    CU_ASSERT_EQUAL(dbg_arch_armed_slots(DBGV_ARM64_MDSCR_MDE, hw), 1u << d.layout.host_hw[0]);
    /* Without the host the file is the guest's own. */
    dbg_host_clear_bp(&d, 0);
    dbg_layout_values(&d, hw);
    CU_ASSERT_EQUAL(hw[DBG_ARM64_BCR(3)], 0x1e7);
}

static void test_host_step_composes_ss(void)
{
    fresh();
    d.host_step = true;
    CU_ASSERT_EQUAL(dbg_arch_compose_control(DBGV_ARM64_MDSCR_KDE, &d.layout, d.host_bp, true),
                    DBGV_ARM64_MDSCR_KDE | DBGV_ARM64_MDSCR_SS | MDSCR_HOST_ROUTE);
    d.host_step = false;
    CU_ASSERT_EQUAL(dbg_arch_compose_control(DBGV_ARM64_MDSCR_KDE | DBGV_ARM64_MDSCR_MDE, &d.layout, d.host_bp, false),
                    DBGV_ARM64_MDSCR_KDE | DBGV_ARM64_MDSCR_MDE);
}

static void test_matching(void)
{
    uint64_t hw[DBG_NR_REGS] = { 0 };

    arm64_dbg_nr_bp = 6;
    arm64_dbg_nr_wp = 4;
    hw[0] = 0x40080000;
    hw[DBG_ARM64_BCR(0)] = 0x1e7;             /* EL1 and EL0 */
    hw[2] = 0x40080000;
    hw[DBG_ARM64_BCR(2)] = 0x1e5;             /* EL0 only (PMC 10) */
    hw[DBG_ARM64_WVR(1)] = 0x40100000;
    hw[DBG_ARM64_WCR(1)] = 1 | 3 << 1 | 2 << 3 | 0xc0 << 5;    /* store, bytes 6-7 */
    CU_ASSERT_EQUAL(arm64_dbg_matching_slots(hw, DBGV_ARM64_MDSCR_MDE, false, false, 0x40080000, PSR_EL1H),
                    1u << 0);
    CU_ASSERT_EQUAL(arm64_dbg_matching_slots(hw, DBGV_ARM64_MDSCR_MDE, false, false, 0x40080000, PSR_EL0T),
                    1u << 0 | 1u << 2);
    CU_ASSERT_EQUAL(arm64_dbg_matching_slots(hw, 0, false, false, 0x40080000, PSR_EL1H), 0);
    CU_ASSERT_EQUAL(arm64_dbg_matching_slots(hw, DBGV_ARM64_MDSCR_MDE, true, true, 0x40100007, PSR_EL1H),
                    1u << DBG_ARM64_WVR(1));
    CU_ASSERT_EQUAL(arm64_dbg_matching_slots(hw, DBGV_ARM64_MDSCR_MDE, true, false, 0x40100007, PSR_EL1H), 0);
    CU_ASSERT_EQUAL(arm64_dbg_matching_slots(hw, DBGV_ARM64_MDSCR_MDE, true, true, 0x40100005, PSR_EL1H), 0);
}

/* D2.3: the OS lock holds everything off; from EL0 to EL1 always; from EL1 to
 * EL1 with KDE and PSTATE.D clear. */
static void test_guest_enabled(void)
{
    CU_ASSERT(!arm64_dbg_guest_enabled(DBGV_ARM64_MDSCR_KDE, DBGV_ARM64_OSLSR_OSLK, PSR_EL0T));
    CU_ASSERT(arm64_dbg_guest_enabled(0, 0, PSR_EL0T));
    CU_ASSERT(arm64_dbg_guest_enabled(DBGV_ARM64_MDSCR_KDE, 0, PSR_EL1H));
    CU_ASSERT(!arm64_dbg_guest_enabled(DBGV_ARM64_MDSCR_KDE, 0, PSR_EL1H | PSR_D));
    CU_ASSERT(!arm64_dbg_guest_enabled(0, 0, PSR_EL1H));
}

static void test_guest_esr(void)
{
    /* breakpoint from EL1: EC 0x31 (the ESR dr-basic-arm64 checks), from EL0 0x30 */
    CU_ASSERT_EQUAL(arm64_dbg_guest_esr(0xc2000022, PSR_EL1H), 0xc6000022);
    CU_ASSERT_EQUAL(arm64_dbg_guest_esr(0xc2000022, PSR_EL0T), 0xc2000022);
    CU_ASSERT_EQUAL(arm64_dbg_guest_esr(0xd2000062, PSR_EL1H), 0xd6000062);   /* watchpoint */
    CU_ASSERT_EQUAL(arm64_dbg_guest_esr(0xca000022, PSR_EL1H), 0xce000022);   /* step */
    CU_ASSERT_EQUAL(arm64_dbg_guest_esr(0xf2000005, PSR_EL1H), 0xf2000005);   /* BRK #5 */
}

void register_debug_host_tests(void)
{
    static const struct unit_test tests[] = {
        { "host breakpoint in a free breakpoint pair", test_host_bp_in_free_breakpoint_pair },
        { "host watchpoints in watchpoint pairs", test_host_watchpoint_in_watchpoint_pair },
        { "unencodable host breakpoints refused", test_invalid_host_bps },
        { "guest pair moves with its control", test_guest_pair_moves_with_its_control },
        { "pairs the guest does not arm are disarmed", test_free_pairs_disarmed },
        { "host single-step composes MDSCR.SS", test_host_step_composes_ss },
        { "which pairs match an exception", test_matching },
        { "guest's own debug state enables its exceptions", test_guest_enabled },
        { "guest ESR from the hardware's", test_guest_esr },
    };

    add_suite("debug_host", tests, sizeof(tests) / sizeof(tests[0]));
}
