/* CUnit runner for the device-model unit tests. */
#include "tests.h"

int main(void)
{
    static void (*const reg[])(void) = {
        register_tick_reinject_tests, register_vpit_tests, register_vpic_tests, register_vioapic_tests, register_irq_router_tests, register_vuart_tests,
        register_vrtc_tests, register_vi8042_tests, register_vacpi_pm_tests, register_vpci_host_tests,
        register_acpi_tables_tests, register_isa_bus_tests,
    };

    return unit_main(reg, sizeof(reg) / sizeof(reg[0]));
}
