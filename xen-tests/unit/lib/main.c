/* CUnit runner for the hypervisor's library unit tests (basic interface). */
#include "tests.h"

int main(void)
{
    static void (*const reg[])(void) = {
        register_string_tests, register_printf_tests, register_decode_tests,
        register_palloc_tests, register_asid_tests, register_tsc_time_tests, register_pvclock_tests,
    };

    return unit_main(reg, sizeof(reg) / sizeof(reg[0]));
}
