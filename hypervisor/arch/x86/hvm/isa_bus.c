/* Byte lanes of a wide port access to byte-wide ISA devices (asm/isa_bus.h). */
#include <asm/isa_bus.h>

bool isa_bus_read(isa_byte_read_fn read_byte, void *bus, uint16_t port, unsigned size, uint32_t *val)
{
    bool claimed = false;

    *val = 0;
    for (unsigned i = 0; i < size; i++) {
        uint8_t byte = 0xff;

        claimed |= read_byte(bus, (uint16_t)(port + i), &byte);
        *val |= (uint32_t)byte << (8 * i);
    }
    return claimed;
}

bool isa_bus_write(isa_byte_write_fn write_byte, void *bus, uint16_t port, unsigned size, uint32_t val)
{
    bool claimed = false;

    for (unsigned i = 0; i < size; i++)
        claimed |= write_byte(bus, (uint16_t)(port + i), (uint8_t)(val >> (8 * i)));
    return claimed;
}
