/* The entry path's timer compare (asm/tsc_time.h): a deadline in ns converted to the
 * fewest TSC ticks that reach it must give, for every TSC value, the same answer as
 * converting the TSC to ns and comparing: ns(T - 1) < D <= ns(T). Checked against a
 * 128-bit reference for calibrations from 1 MHz to 10 GHz and deadlines at the edges. */
#include <stdlib.h>
#include <asm/tsc_time.h>
#include "tests.h"

static const uint64_t khzs[] = { 1000000, 2695000, 3579545, 999999, 1000001, 2000000,
                                 1, 7, 10000000, 2894561 };

static uint64_t reference_ceil(uint64_t ns, uint64_t khz)
{
    unsigned __int128 t = ((unsigned __int128)ns * khz + 999999u) / 1000000u;

    return t > UINT64_MAX ? UINT64_MAX : (uint64_t)t;
}

static uint64_t random64(void)
{
    return ((uint64_t)rand() << 62) ^ ((uint64_t)rand() << 31) ^ (uint64_t)rand();
}

/* T against the reference, then ns(T - 1) < D <= ns(T) where tsc_ticks_to_ns does not
 * overflow (T / khz below 9.2e12 ms: centuries). */
static void check_deadline(uint64_t ns, uint64_t khz)
{
    uint64_t t = tsc_ticks_reaching_ns(ns, khz);

    CU_ASSERT_FATAL(t == reference_ceil(ns, khz));        /* the first mismatch ends the test */
    if (t == UINT64_MAX || t / khz > UINT64_MAX / 1000000u / 2)
        return;
    CU_ASSERT_FATAL(tsc_ticks_to_ns(t, khz) >= ns);             /* reached at T */
    if (t > 0)
        CU_ASSERT_FATAL(tsc_ticks_to_ns(t - 1, khz) < ns);       /* not one tick before */
}

static void test_deadline_edges(void)
{
    for (unsigned k = 0; k < sizeof(khzs) / sizeof(khzs[0]); k++) {
        uint64_t khz = khzs[k];

        for (uint64_t ns = 0; ns < 3000; ns++)
            check_deadline(ns, khz);
        for (uint64_t base = 1000000; base < 10000000000ull; base *= 10)
            for (uint64_t d = base - 3; d <= base + 3; d++)
                check_deadline(d, khz);
        check_deadline(UINT64_MAX, khz);                    /* never */
    }
}

static void test_deadline_random(void)
{
    srand(11);
    for (unsigned i = 0; i < 200000; i++) {
        uint64_t khz = 1 + (uint64_t)rand() % 10000000;
        uint64_t ns = random64() >> (rand() % 64);

        check_deadline(ns, khz);
    }
}

/* Every TSC value around a deadline answers as now_ns() >= deadline would. */
static void test_tsc_compare_matches_ns_compare(void)
{
    srand(12);
    for (unsigned i = 0; i < 2000; i++) {
        uint64_t khz = 1 + (uint64_t)rand() % 10000000;
        uint64_t ns = random64() >> 20;
        uint64_t t = tsc_ticks_reaching_ns(ns, khz);

        for (uint64_t tsc = t > 50 ? t - 50 : 0; tsc < t + 50; tsc++)
            CU_ASSERT_FATAL((tsc >= t) == (tsc_ticks_to_ns(tsc, khz) >= ns));
    }
}

void register_tsc_time_tests(void)
{
    static const struct unit_test tests[] = {
        { "deadline to TSC: edges, 1 kHz to 10 GHz", test_deadline_edges },
        { "deadline to TSC: random against 128-bit", test_deadline_random },
        { "TSC compare equals the ns compare around deadlines", test_tsc_compare_matches_ns_compare },
    };
    add_suite("TSC deadlines", tests, sizeof(tests) / sizeof(tests[0]));
}
