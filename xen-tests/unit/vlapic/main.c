/* CUnit runner for the local APIC unit tests. */
#include "tests.h"

int main(void)
{
    static void (*const reg[])(void) = {
        register_x2apic_tests, register_error_tests, register_lowest_priority_tests,
    };

    return unit_main(reg, sizeof(reg) / sizeof(reg[0]));
}
