/*
 * Virtual I/O APIC of one domain: an 82093AA (version 0x11, 24 pins) at
 * 0xFEC00000, reached through IOREGSEL (offset 0x00) and IOWIN (0x10).
 * Self-contained like vpic.c: the owner passes register accesses and pin
 * levels in, and is asked to deliver each interrupt message the redirection
 * table produces (to local APICs: hvm/irq.c); level-triggered entries wait
 * for the EOI broadcast of their vector (remote IRR).
 *
 * Pin levels are logical (asserted or not): the polarity bit is stored and
 * read back but not applied, as the router feeds asserted levels.
 */
#ifndef ASM_VIOAPIC_H
#define ASM_VIOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define VIOAPIC_BASE     0xFEC00000ull
#define VIOAPIC_SIZE     0x1000
#define VIOAPIC_PINS     24
#define VIOAPIC_VERSION  0x11
#define VIOAPIC_REGSEL   0x00
#define VIOAPIC_WINDOW   0x10

/* Redirection table entry fields (82093AA datasheet 3.2.4). */
#define VIOAPIC_DM_FIXED     0
#define VIOAPIC_DM_LOWEST    1
#define VIOAPIC_DM_SMI       2
#define VIOAPIC_DM_NMI       4
#define VIOAPIC_DM_INIT      5
#define VIOAPIC_DM_EXTINT    7
#define VIOAPIC_RTE_LOGICAL     (1ull << 11)
#define VIOAPIC_RTE_DELIVS      (1ull << 12)
#define VIOAPIC_RTE_POLARITY    (1ull << 13)
#define VIOAPIC_RTE_REMOTE_IRR  (1ull << 14)
#define VIOAPIC_RTE_LEVEL       (1ull << 15)
#define VIOAPIC_RTE_MASKED      (1ull << 16)

/* One interrupt message, as the I/O APIC puts it on the APIC bus. */
struct vioapic_msg {
    uint8_t vector;
    uint8_t delivery_mode;      /* VIOAPIC_DM_* */
    uint8_t dest;               /* APIC ID, or logical MDA */
    bool logical;
    bool level;                 /* level-triggered: the target must EOI-broadcast */
};

/* Deliver a message; returns whether at least one local APIC took it. */
typedef bool (*vioapic_deliver_fn)(void *opaque, const struct vioapic_msg *msg);

struct vioapic {
    uint8_t regsel;
    uint8_t id;
    uint32_t asserted;          /* pin levels, bit per pin */
    uint64_t rte[VIOAPIC_PINS];
    vioapic_deliver_fn deliver;
    void *opaque;
};

void vioapic_init(struct vioapic *a, vioapic_deliver_fn deliver, void *opaque);
/* 32-bit register accesses at an offset in the 4 KiB window (other sizes:
 * the owner narrows or widens them as the bus would). */
uint32_t vioapic_mmio_read(struct vioapic *a, uint32_t offset);
void vioapic_mmio_write(struct vioapic *a, uint32_t offset, uint32_t val);
/* Level of input pin 0-23: an edge-triggered entry delivers on the rising
 * edge, a level-triggered one while asserted and its remote IRR is clear. */
void vioapic_set_irq(struct vioapic *a, unsigned pin, bool level);
/* A local APIC broadcast the EOI of a level-triggered vector: remote IRR of
 * every entry with that vector clears, and a still-asserted pin redelivers. */
void vioapic_eoi(struct vioapic *a, uint8_t vector);

#endif
