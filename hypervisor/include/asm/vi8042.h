/*
 * The 8042 keyboard controller of one domain (ports 0x60 data, 0x64
 * status/command), with no keyboard or mouse behind it: there for its
 * controller commands (command byte, self tests, output port) and its reset
 * line (pulse 0xFE, or output port bit 0 cleared through 0xD1), as OSes use
 * it to reboot. Self-contained: the owner passes port accesses in and is
 * told of a reset through a callback and of IRQ1/IRQ12 levels through
 * another.
 */
#ifndef ASM_VI8042_H
#define ASM_VI8042_H

#include <stdbool.h>
#include <stdint.h>

#define VI8042_DATA     0x60
#define VI8042_CMD      0x64            /* status on reads */

typedef void (*vi8042_reset_fn)(void *opaque);
typedef void (*vi8042_irq_fn)(void *opaque, unsigned irq, bool level);  /* irq 1 or 12 */

struct vi8042 {
    uint8_t status;
    uint8_t cmd_byte;               /* "mode": interrupt enables, disables, translation */
    uint8_t out_port;
    uint8_t out;                    /* output buffer */
    uint8_t pending_cmd;            /* command awaiting its data byte, 0 if none */
    bool irq1, irq12;
    vi8042_reset_fn reset;
    vi8042_irq_fn irq;
    void *opaque;
};

void vi8042_init(struct vi8042 *k, vi8042_reset_fn reset, vi8042_irq_fn irq, void *opaque);
/* Byte accesses; false if the port is not the controller's. */
bool vi8042_io_read(struct vi8042 *k, uint16_t port, uint8_t *val);
bool vi8042_io_write(struct vi8042 *k, uint16_t port, uint8_t val);

#endif
