/*
 * Virtual 82093AA I/O APIC (see asm/vioapic.h). Registers through the
 * IOREGSEL/IOWIN window: 0x00 ID (bits 27:24), 0x01 version (0x11, maximum
 * redirection entry 23 in bits 23:16), 0x02 arbitration ID (reads as the
 * ID), 0x10 + 2n / 0x11 + 2n the low and high dwords of entry n. Delivery
 * status is always 0: a message is handed to the local APICs at once.
 */
#include <asm/vioapic.h>

#define REG_ID       0x00
#define REG_VERSION  0x01
#define REG_ARB      0x02
#define REG_RTE_BASE 0x10

/* Bits software may write in an entry: all but delivery status, remote IRR
 * and the reserved bits 55:17. */
#define RTE_WRITABLE (0xff000000000000ffull | (7ull << 8) | VIOAPIC_RTE_LOGICAL | \
                      VIOAPIC_RTE_POLARITY | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_MASKED)

void vioapic_init(struct vioapic *a, vioapic_deliver_fn deliver, void *opaque)
{
    *a = (struct vioapic){ .deliver = deliver, .opaque = opaque };
    for (unsigned i = 0; i < VIOAPIC_PINS; i++)
        a->rte[i] = VIOAPIC_RTE_MASKED;           /* reset: every entry masked */
}

static bool is_level(uint64_t rte) { return rte & VIOAPIC_RTE_LEVEL; }

/* Vectors 0-15 are illegal in a fixed or lowest-priority message (the
 * 82093AA's vector range is 0x10-0xFE): every local APIC refuses it with a
 * Receive Illegal Vector error, so no APIC accepts it. */
static bool refused_by_every_apic(const struct vioapic_msg *m)
{
    return (m->delivery_mode == VIOAPIC_DM_FIXED || m->delivery_mode == VIOAPIC_DM_LOWEST) &&
           m->vector < 16;
}

/* Send the pin's message; a level-triggered one that a local APIC accepted
 * sets remote IRR until the EOI of its vector (82093AA). A refused one
 * leaves it clear: no EOI can name a vector below 16, and the pin would
 * stay blocked for good. */
static void deliver(struct vioapic *a, unsigned pin)
{
    uint64_t rte = a->rte[pin];
    struct vioapic_msg msg = {
        .vector = (uint8_t)rte,
        .delivery_mode = (rte >> 8) & 7,
        .dest = (uint8_t)(rte >> 56),
        .logical = rte & VIOAPIC_RTE_LOGICAL,
        .level = is_level(rte),
    };

    if (a->deliver(a->opaque, &msg) && msg.level && !refused_by_every_apic(&msg))
        a->rte[pin] |= VIOAPIC_RTE_REMOTE_IRR;
}

/* A level-triggered pin that is asserted, unmasked and not waiting for an
 * EOI delivers (again). */
static void service_level(struct vioapic *a, unsigned pin)
{
    uint64_t rte = a->rte[pin];

    if (is_level(rte) && (a->asserted & (1u << pin)) &&
        !(rte & (VIOAPIC_RTE_MASKED | VIOAPIC_RTE_REMOTE_IRR)))
        deliver(a, pin);
}

void vioapic_set_irq(struct vioapic *a, unsigned pin, bool level)
{
    if (pin >= VIOAPIC_PINS)
        return;

    uint32_t bit = 1u << pin;
    bool was = a->asserted & bit;

    a->asserted = level ? a->asserted | bit : a->asserted & ~bit;
    if (is_level(a->rte[pin]))
        service_level(a, pin);
    else if (level && !was && !(a->rte[pin] & VIOAPIC_RTE_MASKED))
        deliver(a, pin);                          /* an edge while masked is lost */
}

void vioapic_eoi(struct vioapic *a, uint8_t vector)
{
    for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
        if ((uint8_t)a->rte[pin] != vector || !(a->rte[pin] & VIOAPIC_RTE_REMOTE_IRR))
            continue;
        a->rte[pin] &= ~VIOAPIC_RTE_REMOTE_IRR;
        service_level(a, pin);
    }
}

static uint32_t read_register(const struct vioapic *a, uint8_t reg)
{
    switch (reg) {
    case REG_ID:
    case REG_ARB:
        return (uint32_t)(a->id & 0xf) << 24;
    case REG_VERSION:
        return ((VIOAPIC_PINS - 1) << 16) | VIOAPIC_VERSION;
    }
    if (reg >= REG_RTE_BASE && reg < REG_RTE_BASE + 2 * VIOAPIC_PINS) {
        uint64_t rte = a->rte[(reg - REG_RTE_BASE) / 2];
        return (reg & 1) ? (uint32_t)(rte >> 32) : (uint32_t)rte;
    }
    return 0;                                     /* no register there */
}

static void write_register(struct vioapic *a, uint8_t reg, uint32_t val)
{
    if (reg == REG_ID) {
        a->id = (val >> 24) & 0xf;
        return;
    }
    if (reg < REG_RTE_BASE || reg >= REG_RTE_BASE + 2 * VIOAPIC_PINS)
        return;                                   /* version, arbitration: read-only */

    unsigned pin = (reg - REG_RTE_BASE) / 2;
    uint64_t rte = a->rte[pin];
    uint64_t upd = (reg & 1) ? ((uint64_t)val << 32) | (uint32_t)rte
                             : (rte & 0xffffffff00000000ull) | val;

    rte = (rte & ~RTE_WRITABLE) | (upd & RTE_WRITABLE);
    if (!is_level(rte))
        rte &= ~VIOAPIC_RTE_REMOTE_IRR;           /* only level entries wait for an EOI */
    a->rte[pin] = rte;
    service_level(a, pin);                        /* unmasked while asserted */
}

uint32_t vioapic_mmio_read(struct vioapic *a, uint32_t offset)
{
    switch (offset) {
    case VIOAPIC_REGSEL: return a->regsel;
    case VIOAPIC_WINDOW: return read_register(a, a->regsel);
    default:             return 0;
    }
}

void vioapic_mmio_write(struct vioapic *a, uint32_t offset, uint32_t val)
{
    if (offset == VIOAPIC_REGSEL)
        a->regsel = (uint8_t)val;
    else if (offset == VIOAPIC_WINDOW)
        write_register(a, a->regsel, val);
}
