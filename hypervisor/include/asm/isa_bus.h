#ifndef ASM_ISA_BUS_H
#define ASM_ISA_BUS_H
/*
 * The ISA bus decodes byte ports: a 16- or 32-bit access to byte-wide
 * devices is one byte access per port, each decoded on its own (the PIC,
 * PIT, RTC, 8042 and 16550s all sit there). A byte nobody decodes reads
 * 0xFF and its write goes nowhere. The access belongs to these devices if
 * any of its bytes does; otherwise the caller offers it to wider devices.
 */
#include <stdbool.h>
#include <stdint.h>

typedef bool (*isa_byte_read_fn)(void *bus, uint16_t port, uint8_t *byte);
typedef bool (*isa_byte_write_fn)(void *bus, uint16_t port, uint8_t byte);

bool isa_bus_read(isa_byte_read_fn read_byte, void *bus, uint16_t port, unsigned size, uint32_t *val);
bool isa_bus_write(isa_byte_write_fn write_byte, void *bus, uint16_t port, unsigned size, uint32_t val);

#endif
