/*
 * Virtual 8254 PIT (ports 0x40-0x43) and the PIT bits of port 0x61 (channel 2
 * gate, OUT2 status) of one domain. Self-contained: the owner passes port
 * accesses in, supplies the time (ns), and polls channel 0 for IRQ0 edges.
 * The counters are functions of time, so nothing runs between accesses.
 *
 * Not wired into hvm/io.c yet (issue 10): the wiring routes 0x40-0x43 and 0x61
 * here, raises ISA IRQ0 (through the vPIC/vIOAPIC) for every edge
 * vpit_irq0_edges() reports, and arms a host timer at vpit_irq0_next().
 */
#ifndef ASM_VPIT_H
#define ASM_VPIT_H

#include <stdbool.h>
#include <stdint.h>

#define VPIT_HZ          1193182u   /* the PC's 14.31818 MHz / 12 */
#define VPIT_PORT_BASE   0x40
#define VPIT_PORT_CTRL   0x43
#define VPIT_PORT_B      0x61       /* NMI status/control (port B) */
#define VPIT_NEVER       UINT64_MAX

typedef uint64_t (*vpit_clock_fn)(void *opaque);   /* now, in ns */

struct vpit_channel {
    uint8_t  mode;          /* 0-5 */
    uint8_t  rw;            /* 1 LSB, 2 MSB, 3 LSB then MSB */
    bool     bcd;
    bool     gate;
    bool     armed;         /* a count is loaded and counting (or awaiting its trigger) */
    bool     triggered;     /* modes 1 and 5: the gate has risen since arming */
    bool     null_count;    /* a written count is not yet in the counting element */
    bool     write_lsb_done;
    bool     read_lsb_done;
    uint8_t  write_lsb;
    uint32_t count;         /* initial count, 1..65536 (binary) or 1..10000 (BCD) */
    uint64_t base;          /* tick at which counting (re)started */
    uint64_t frozen;        /* ticks counted before `base` (or while the gate is low) */
    bool     pending;       /* modes 2/3: new count takes effect at the period end */
    uint32_t pending_count;
    bool     latched;       /* counter latch / read-back COUNT */
    uint16_t latch;
    bool     status_latched;
    uint8_t  status;
    uint64_t pending_at;    /* counted ticks at which the pending count applies */
    uint64_t edges_base;    /* OUT rising edges of the segments before the current one */
    uint64_t edges_reported;
};

struct vpit {
    struct vpit_channel ch[3];
    uint8_t port_b;         /* bits 0-3 as written to 0x61 */
    bool irq0_reprogrammed; /* channel 0 got a control word or count since asked */
    vpit_clock_fn clock;
    void *opaque;
};

void vpit_init(struct vpit *p, vpit_clock_fn clock, void *opaque);
/* Port accesses (byte wide); false if the port is not the PIT's. */
bool vpit_io_read(struct vpit *p, uint16_t port, uint8_t *val);
bool vpit_io_write(struct vpit *p, uint16_t port, uint8_t val);
/* Rising edges of OUT0 (IRQ0) since the previous call, up to now. */
unsigned vpit_irq0_edges(struct vpit *p);
/* When OUT0 next rises (ns), or VPIT_NEVER. */
uint64_t vpit_irq0_next(struct vpit *p);
/* Whether channel 0 was given a control word or a count since the last
 * call (its period changed: ticks owed for the old one are void). */
bool vpit_irq0_take_reprogrammed(struct vpit *p);
/* Level of OUT of channel 0-2 now. */
bool vpit_out(struct vpit *p, unsigned channel);

#endif
