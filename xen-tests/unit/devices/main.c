/* CUnit runner for the device-model unit tests. */
#include "tests.h"

int main(void)
{
    static void (*const reg[])(void) = { register_vpit_tests, register_vpic_tests, register_vioapic_tests,
                                         register_vuart_tests };

    return unit_main(reg, sizeof(reg) / sizeof(reg[0]));
}
