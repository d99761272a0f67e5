/* Suite registration shared by the device-model unit test files. */
#ifndef UNIT_DEVICES_TESTS_H
#define UNIT_DEVICES_TESTS_H

#include <stdint.h>
#include "unit.h"

/* out8()/in8() on a device model whose DEV_io_read/DEV_io_write take OBJ,
 * asserting that each port is the device's own. */
#define DEVICE_PORT_HELPERS(DEV, OBJ)                               \
    static void out8(uint16_t port, uint8_t v)                      \
    {                                                               \
        CU_ASSERT(DEV##_io_write(OBJ, port, v));                    \
    }                                                               \
    static uint8_t in8(uint16_t port)                               \
    {                                                               \
        uint8_t v = 0;                                              \
                                                                    \
        CU_ASSERT(DEV##_io_read(OBJ, port, &v));                    \
        return v;                                                   \
    }

/* rd()/wr() of 1, 2 or 4 bytes on a device model whose DEV_io_read/
 * DEV_io_write take OBJ, a size and a 32-bit value, asserting that each
 * port is the device's own. */
#define DEVICE_SIZED_PORT_HELPERS(DEV, OBJ)                         \
    static uint32_t rd(uint16_t port, unsigned size)                \
    {                                                               \
        uint32_t v = 0;                                             \
                                                                    \
        CU_ASSERT(DEV##_io_read(OBJ, port, size, &v));              \
        return v;                                                   \
    }                                                               \
    static void wr(uint16_t port, unsigned size, uint32_t v)        \
    {                                                               \
        CU_ASSERT(DEV##_io_write(OBJ, port, size, v));              \
    }

void register_tick_reinject_tests(void);
void register_vpit_tests(void);
void register_isa_bus_tests(void);
void register_vpic_tests(void);
void register_vioapic_tests(void);
void register_irq_router_tests(void);
void register_vuart_tests(void);
void register_vrtc_tests(void);
void register_vi8042_tests(void);
void register_vacpi_pm_tests(void);
void register_vpci_host_tests(void);
void register_acpi_tables_tests(void);

#endif
