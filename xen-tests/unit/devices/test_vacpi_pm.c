/*
 * ACPI PM1a blocks and PM timer (hypervisor/arch/x86/hvm/vacpi_pm.c): S5
 * through PM1a_CNT as ACPICA writes it, other sleep types, write-1-to-clear
 * status, the timer's rate and TMR_STS.
 */
#include <asm/acpi_tables.h>
#include <asm/vacpi_pm.h>
#include "tests.h"

#define NS 1000000000ull

static uint64_t fake_ns;
static struct vacpi_pm pm;
static int slept = -1;
static bool sci;

static uint64_t fake_clock(void *opaque) { (void)opaque; return fake_ns; }
static void on_sleep(void *opaque, unsigned typ) { (void)opaque; slept = (int)typ; }
static void on_sci(void *opaque, bool level) { (void)opaque; sci = level; }

DEVICE_SIZED_PORT_HELPERS(vacpi_pm, &pm)

static void reset(void)
{
    fake_ns = 3 * NS;
    slept = -1;
    sci = false;
    vacpi_pm_init(&pm, ACPI_PM_BASE, fake_clock, on_sleep, on_sci, NULL);
}

static void test_s5_poweroff(void)
{
    reset();
    CU_ASSERT_EQUAL(rd(ACPI_PM1A_CNT, 2) & 1, 1);         /* SCI_EN: ACPI mode */
    wr(ACPI_PM1A_CNT, 2, (ACPI_SLP_TYP_S5 << 10) | 1);    /* ACPICA: type first ... */
    CU_ASSERT_EQUAL(slept, -1);
    CU_ASSERT_EQUAL(rd(ACPI_PM1A_CNT, 2), (ACPI_SLP_TYP_S5 << 10) | 1);
    wr(ACPI_PM1A_CNT, 2, (ACPI_SLP_TYP_S5 << 10) | (1u << 13) | 1);   /* ... then SLP_EN */
    CU_ASSERT_EQUAL(slept, ACPI_SLP_TYP_S5);
    CU_ASSERT_EQUAL(rd(ACPI_PM1A_CNT, 2) & (1u << 13), 0);          /* write-only */
    reset();
    wr(ACPI_PM1A_CNT + 1, 1, (1u << 5) | (3u << 2));      /* byte write: SLP_EN, type 3 */
    CU_ASSERT_EQUAL(slept, 3);
}

static void test_timer_and_tmr_sts(void)
{
    uint32_t t0, t1;

    reset();
    t0 = rd(ACPI_PM_TMR, 4);
    fake_ns += NS;
    t1 = rd(ACPI_PM_TMR, 4);
    CU_ASSERT_EQUAL((t1 - t0) & 0xffffff, VACPI_PM_TIMER_HZ);
    CU_ASSERT_EQUAL(t1 >> 24, 0);                         /* 24 bits */
    CU_ASSERT_EQUAL(rd(ACPI_PM1A_EVT, 2) & 1, 0);
    fake_ns += 3 * NS;                                    /* 2^23 ticks is 2.34 s */
    CU_ASSERT_EQUAL(rd(ACPI_PM1A_EVT, 2) & 1, 1);
    wr(ACPI_PM1A_EVT + 2, 2, 1);                          /* TMR_EN */
    rd(ACPI_PM1A_EVT, 2);
    CU_ASSERT_TRUE(sci);
    wr(ACPI_PM1A_EVT, 2, 1);                              /* write 1 to clear */
    CU_ASSERT_EQUAL(rd(ACPI_PM1A_EVT, 2) & 1, 0);
    CU_ASSERT_FALSE(sci);
    CU_ASSERT_EQUAL(rd(ACPI_PM1A_EVT + 2, 2), 1);
}

/* The overflow interrupt without accesses: the owner polls at next_event. */
static void test_timer_overflow_event(void)
{
    /* At 3 s the timer is at 10738635 ticks: bit 23 next toggles at 2^24
     * ticks (4.6869688745 s, rounded up to the ns), then at 3 * 2^23. */
    const uint64_t first = 4686968875ull, second = 7030453312ull;

    reset();
    CU_ASSERT_EQUAL(vacpi_pm_next_event(&pm), VACPI_PM_NEVER);   /* TMR_EN clear */
    wr(ACPI_PM1A_EVT + 2, 2, 1);                                 /* TMR_EN */
    CU_ASSERT_EQUAL(vacpi_pm_next_event(&pm), first);
    fake_ns = first - 1;
    vacpi_pm_poll(&pm);
    CU_ASSERT_FALSE(sci);                                        /* not yet */
    fake_ns = first;
    vacpi_pm_poll(&pm);
    CU_ASSERT_TRUE(sci);                                         /* the SCI rises without an access */
    CU_ASSERT_EQUAL(rd(ACPI_PM_TMR, 4), 0);                      /* 2^24 wraps the 24 bits */
    CU_ASSERT_EQUAL(vacpi_pm_next_event(&pm), VACPI_PM_NEVER);   /* up until TMR_STS is cleared */
    wr(ACPI_PM1A_EVT, 2, 1);
    CU_ASSERT_FALSE(sci);
    CU_ASSERT_EQUAL(vacpi_pm_next_event(&pm), second);
}

static void test_ports_outside(void)
{
    uint32_t v;

    reset();
    CU_ASSERT_FALSE(vacpi_pm_io_read(&pm, ACPI_PM_BASE + 6, 2, &v));
    CU_ASSERT_FALSE(vacpi_pm_io_read(&pm, ACPI_PM_BASE + 12, 1, &v));
    CU_ASSERT_FALSE(vacpi_pm_io_read(&pm, ACPI_PM_BASE - 1, 1, &v));
}

void register_vacpi_pm_tests(void)
{
    static const struct unit_test tests[] = {
        { "SLP_EN with SLP_TYP enters the sleep state (S5)", test_s5_poweroff },
        { "PM timer rate, TMR_STS, SCI, write-1-to-clear", test_timer_and_tmr_sts },
        { "PM timer overflow raises the SCI at next_event, without accesses", test_timer_overflow_event },
        { "ports beside the blocks are not the device's", test_ports_outside },
    };

    add_suite("vacpi_pm", tests, sizeof(tests) / sizeof(tests[0]));
}
