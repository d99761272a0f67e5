/* The guest clock's scale (asm/pvclock.h): for TSCs of 1 MHz to 10 GHz, mul and shift
 * are the most precise pair (mul in [2^31, 2^32)) and equal a 128-bit reference, and
 * the guest's conversion of any tick count is never ahead of now_ns()'s
 * (tsc_ticks_to_ns) and behind it by at most one part in 2^31 and two ns. */
#include <stdlib.h>
#include <asm/pvclock.h>
#include <asm/tsc_time.h>
#include "tests.h"

static const uint64_t khzs[] = { 1000, 1000000, 2694900, 3579545, 999999, 1000001,
                                 2000000, 10000000, 2894561, 1953125, 4000000 };

static void check_scale(uint64_t khz)
{
    uint32_t mul;
    int8_t shift;
    unsigned __int128 ref;

    pvclock_scale_for_khz(khz, &mul, &shift);
    CU_ASSERT_FATAL(mul >= 1u << 31);
    /* 2^(shift-1) <= 10^6 / khz < 2^shift, and mul = floor(10^6 * 2^(32-shift) / khz) */
    ref = shift >= 0 ? (unsigned __int128)khz << shift : khz;
    CU_ASSERT_FATAL((shift >= 0 ? (unsigned __int128)1000000 : (unsigned __int128)1000000 << -shift) < ref);
    ref = ((unsigned __int128)1000000 << (32 - shift)) / khz;
    CU_ASSERT_FATAL(ref == mul);
}

static void check_delta(uint64_t ticks, uint64_t khz)
{
    uint32_t mul;
    int8_t shift;
    uint64_t ns, pv;

    pvclock_scale_for_khz(khz, &mul, &shift);
    ns = tsc_ticks_to_ns(ticks, khz);
    pv = pvclock_scale_delta(ticks, mul, shift);
    CU_ASSERT_FATAL(pv <= ns);                              /* never ahead */
    CU_ASSERT_FATAL(ns - pv <= (ns >> 31) + 2);             /* and close behind */
}

static void test_scale_exact(void)
{
    for (unsigned k = 0; k < sizeof(khzs) / sizeof(khzs[0]); k++)
        check_scale(khzs[k]);
    srand(21);
    for (unsigned i = 0; i < 100000; i++)
        check_scale(1000 + (uint64_t)rand() % 10000000);
}

static void test_guest_time_follows_now_ns(void)
{
    srand(22);
    for (unsigned k = 0; k < sizeof(khzs) / sizeof(khzs[0]); k++) {
        for (uint64_t t = 0; t < 5000; t++)
            check_delta(t, khzs[k]);
        /* up to a day of ticks: the record is written once per guest boot */
        for (unsigned i = 0; i < 20000; i++)
            check_delta(((uint64_t)rand() << 31 | (uint64_t)rand()) % (khzs[k] * 86400000ull),
                        khzs[k]);
    }
}

void register_pvclock_tests(void)
{
    static const struct unit_test tests[] = {
        { "KVM clock scale: the most precise mul, equal to 128-bit", test_scale_exact },
        { "KVM clock: guest time within 2^-31 behind now_ns, never ahead", test_guest_time_follows_now_ns },
    };
    add_suite("pvclock", tests, sizeof(tests) / sizeof(tests[0]));
}
