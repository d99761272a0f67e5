/*
 * Virtual 82093AA I/O APIC (hypervisor/arch/x86/hvm/vioapic.c) driven by
 * sequences of guest MMIO accesses (IOREGSEL, IOWIN, any other offset),
 * pin level changes and EOI broadcasts. The local APICs take or refuse each
 * message as the input says (or always take them, by its first byte); a fixed
 * or lowest-priority vector below 16 counts as refused whatever they say.
 * Input: a mode byte, then records of an op byte and its operands.
 *
 * Invariants:
 *  - a message comes only from an entry that is unmasked, whose pin is
 *    asserted, whose fields it carries, and (level-triggered) whose remote
 *    IRR is clear; only from the pin the step concerns (the pin changed,
 *    the entry written, an entry of the EOI'd vector), never from a
 *    register read, a write elsewhere, or a masked pin;
 *  - a rising edge on an unmasked edge-triggered pin delivers exactly once,
 *    a level-triggered one exactly once unless it waits for an EOI;
 *  - remote IRR is set only on level-triggered entries, only by a delivery
 *    a local APIC took; an EOI clears it on its vector's entries (unless
 *    one redelivers at once); when every message is taken, an asserted
 *    unmasked level-triggered entry with a legal vector always waits with
 *    remote IRR set;
 *  - reads are consistent with writes: IOREGSEL reads back, an entry reads
 *    back its writable bits with delivery status 0 and the reserved bits 0,
 *    ID and arbitration read the ID written, the version is 0x170011, other
 *    registers and offsets read 0; reads change nothing; writes to other
 *    offsets or pins beyond 23 change nothing.
 */
#include <asm/vioapic.h>
#include "fuzz.h"

#define RTE_WRITABLE (0xff000000000000ffull | (7ull << 8) | VIOAPIC_RTE_LOGICAL | \
                      VIOAPIC_RTE_POLARITY | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_MASKED)
#define RTE_RESERVED (~(RTE_WRITABLE | VIOAPIC_RTE_DELIVS | VIOAPIC_RTE_REMOTE_IRR))

static struct vioapic ioa;
static bool always_take, take;
static uint32_t expect;                 /* pins that may deliver in this step */
static uint32_t delivered, taken;       /* pins that did, and were taken */

/* Local APICs refuse a fixed or lowest-priority message below vector 16
 * (Receive Illegal Vector): none can accept it, so it never waits for an
 * EOI, even when the delivery callback (here: the input) says it was taken. */
static bool apics_refuse(uint8_t vector, unsigned delivery_mode)
{
    return (delivery_mode == VIOAPIC_DM_FIXED || delivery_mode == VIOAPIC_DM_LOWEST) &&
           vector < 16;
}

static bool deliver(void *opaque, const struct vioapic_msg *m)
{
    bool took = always_take || take;
    uint32_t match = 0;

    for ( unsigned pin = 0; pin < VIOAPIC_PINS; pin++ )
    {
        uint64_t rte = ioa.rte[pin];

        if ( !(expect & (1u << pin)) || (rte & VIOAPIC_RTE_MASKED) ||
             !(ioa.asserted & (1u << pin)) || (uint8_t)rte != m->vector ||
             ((rte >> 8) & 7) != m->delivery_mode || (uint8_t)(rte >> 56) != m->dest ||
             !!(rte & VIOAPIC_RTE_LOGICAL) != m->logical ||
             !!(rte & VIOAPIC_RTE_LEVEL) != m->level ||
             (m->level && (rte & VIOAPIC_RTE_REMOTE_IRR)) || (delivered & (1u << pin)) )
            continue;
        match = 1u << pin;
        break;
    }
    FUZZ_CHECK(match, "message vector %#x mode %u dest %#x level %d from no unmasked asserted "
               "entry of the pins %#x", m->vector, m->delivery_mode, m->dest, m->level, expect);
    delivered |= match;
    if ( took && !apics_refuse(m->vector, m->delivery_mode) )
        taken |= match;
    return took;
}

static void check_entries(void)
{
    for ( unsigned pin = 0; pin < VIOAPIC_PINS; pin++ )
    {
        uint64_t rte = ioa.rte[pin];

        FUZZ_CHECK(!(rte & VIOAPIC_RTE_DELIVS), "pin %u delivery status set", pin);
        FUZZ_CHECK(!(rte & RTE_RESERVED), "pin %u reserved bits %#llx", pin,
                   (unsigned long long)(rte & RTE_RESERVED));
        FUZZ_CHECK(!(rte & VIOAPIC_RTE_REMOTE_IRR) || (rte & VIOAPIC_RTE_LEVEL),
                   "pin %u edge-triggered with remote IRR", pin);
        if ( always_take && (rte & VIOAPIC_RTE_LEVEL) && !(rte & VIOAPIC_RTE_MASKED) &&
             (ioa.asserted & (1u << pin)) && !apics_refuse((uint8_t)rte, (rte >> 8) & 7) )
            FUZZ_CHECK(rte & VIOAPIC_RTE_REMOTE_IRR,
                       "pin %u asserted, unmasked, level-triggered, not delivered", pin);
    }
}

/* What reading register reg must give, from the state (the writes land in
 * it, checked separately against what was written). */
static uint32_t expected_register(uint8_t reg)
{
    if ( reg == 0 || reg == 2 )
        return (uint32_t)(ioa.id & 0xf) << 24;
    if ( reg == 1 )
        return 0x00170011;
    if ( reg >= 0x10 && reg < 0x10 + 2 * VIOAPIC_PINS )
        return reg & 1 ? (uint32_t)(ioa.rte[(reg - 0x10) / 2] >> 32)
                       : (uint32_t)ioa.rte[(reg - 0x10) / 2];
    return 0;
}

static void window_write(uint32_t val)
{
    uint8_t reg = ioa.regsel;
    bool entry = reg >= 0x10 && reg < 0x10 + 2 * VIOAPIC_PINS;
    unsigned pin = (reg - 0x10) / 2;
    struct vioapic before = ioa;
    uint32_t got;

    expect = entry ? 1u << pin : 0;
    vioapic_mmio_write(&ioa, VIOAPIC_WINDOW, val);
    got = vioapic_mmio_read(&ioa, VIOAPIC_WINDOW);
    if ( reg == 0 )
        FUZZ_CHECK(got == (val & 0x0f000000), "ID written %#x reads %#x", val, got);
    else if ( entry && (reg & 1) )
        FUZZ_CHECK(got == (val & 0xff000000), "entry %u high written %#x reads %#x", pin, val, got);
    else if ( entry )
        FUZZ_CHECK(((got ^ val) & (uint32_t)RTE_WRITABLE) == 0,
                   "entry %u low written %#x reads %#x", pin, val, got);
    else
    {
        before.regsel = ioa.regsel;
        FUZZ_CHECK(!memcmp(&before, &ioa, sizeof(ioa)), "write %#x to read-only register %#x "
                   "changed the I/O APIC", val, reg);
    }
    if ( entry )
    {
        uint64_t rte = ioa.rte[pin], old_irr = before.rte[pin] & VIOAPIC_RTE_REMOTE_IRR;
        bool level = rte & VIOAPIC_RTE_LEVEL;
        /* A level entry left unmasked on an asserted pin delivers at once,
         * unless it still waits for an EOI. */
        bool fires = level && !(rte & VIOAPIC_RTE_MASKED) && (ioa.asserted & (1u << pin)) &&
                     !old_irr;

        FUZZ_CHECK(((rte ^ before.rte[pin]) & (reg & 1 ? 0xffffffffull : ~0xffffffffull) &
                    ~VIOAPIC_RTE_REMOTE_IRR) == 0, "entry %u: the other half changed", pin);
        FUZZ_CHECK(!!delivered == fires, "entry %u written %#x (asserted %d): %s", pin, val,
                   !!(ioa.asserted & (1u << pin)), delivered ? "delivered" : "nothing delivered");
        FUZZ_CHECK(!!(rte & VIOAPIC_RTE_REMOTE_IRR) == (level && (old_irr || taken)),
                   "entry %u remote IRR %d after a write (was %d, taken %d)", pin,
                   !!(rte & VIOAPIC_RTE_REMOTE_IRR), !!old_irr, !!taken);
    }
}

static void set_pin(unsigned pin, bool level)
{
    struct vioapic before = ioa;
    uint64_t rte = pin < VIOAPIC_PINS ? ioa.rte[pin] : 0;
    bool was = pin < VIOAPIC_PINS && (ioa.asserted & (1u << pin));

    expect = pin < VIOAPIC_PINS ? 1u << pin : 0;
    vioapic_set_irq(&ioa, pin, level);
    if ( pin >= VIOAPIC_PINS )
    {
        FUZZ_CHECK(!memcmp(&before, &ioa, sizeof(ioa)), "pin %u changed the I/O APIC", pin);
        return;
    }
    FUZZ_CHECK(!!(ioa.asserted & (1u << pin)) == level, "pin %u level %d not recorded", pin, level);
    if ( rte & VIOAPIC_RTE_MASKED )
        FUZZ_CHECK(!delivered, "masked pin %u delivered", pin);
    else if ( !(rte & VIOAPIC_RTE_LEVEL) )
        FUZZ_CHECK(!!delivered == (level && !was), "edge pin %u %d->%d: %s", pin, was, level,
                   delivered ? "delivered" : "nothing delivered");
    else
        FUZZ_CHECK(!!delivered == (level && !(rte & VIOAPIC_RTE_REMOTE_IRR)),
                   "level pin %u at %d, remote IRR %d: %s", pin, level,
                   !!(rte & VIOAPIC_RTE_REMOTE_IRR), delivered ? "delivered" : "nothing delivered");
    FUZZ_CHECK(!!(ioa.rte[pin] & VIOAPIC_RTE_REMOTE_IRR) ==
               (!!(rte & VIOAPIC_RTE_REMOTE_IRR) || (taken && (rte & VIOAPIC_RTE_LEVEL))),
               "pin %u remote IRR %d after a change of level", pin,
               !!(ioa.rte[pin] & VIOAPIC_RTE_REMOTE_IRR));
}

static void eoi(uint8_t vector)
{
    uint64_t before[VIOAPIC_PINS];

    memcpy(before, ioa.rte, sizeof(before));
    expect = 0;
    for ( unsigned pin = 0; pin < VIOAPIC_PINS; pin++ )
        if ( (uint8_t)before[pin] == vector && (before[pin] & VIOAPIC_RTE_REMOTE_IRR) )
            expect |= 1u << pin;
    vioapic_eoi(&ioa, vector);
    for ( unsigned pin = 0; pin < VIOAPIC_PINS; pin++ )
    {
        uint64_t irr = ioa.rte[pin] & VIOAPIC_RTE_REMOTE_IRR;

        FUZZ_CHECK((ioa.rte[pin] & ~VIOAPIC_RTE_REMOTE_IRR) ==
                   (before[pin] & ~VIOAPIC_RTE_REMOTE_IRR), "EOI changed entry %u", pin);
        if ( expect & (1u << pin) )
            FUZZ_CHECK(!!irr == !!(taken & (1u << pin)),
                       "EOI %#x: pin %u remote IRR %d, redelivery taken %d", vector, pin, !!irr,
                       !!(taken & (1u << pin)));
        else
            FUZZ_CHECK(irr == (before[pin] & VIOAPIC_RTE_REMOTE_IRR),
                       "EOI %#x changed remote IRR of pin %u (vector %#x)", vector, pin,
                       (uint8_t)before[pin]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size };

    always_take = fuzz_u8(&in) & 1;
    vioapic_init(&ioa, deliver, NULL);
    for ( unsigned pin = 0; pin < VIOAPIC_PINS; pin++ )
        FUZZ_CHECK(ioa.rte[pin] == VIOAPIC_RTE_MASKED, "pin %u not masked at reset", pin);

    while ( fuzz_more(&in) )
    {
        uint8_t op = fuzz_u8(&in);

        take = op & 0x80;
        expect = delivered = taken = 0;
        switch ( op & 7 )
        {
        case 0:                                     /* IOREGSEL */
            vioapic_mmio_write(&ioa, VIOAPIC_REGSEL, fuzz_u32(&in));
            break;
        case 1:                                     /* IOWIN */
            window_write(fuzz_u32(&in));
            break;
        case 2: {                                   /* a read anywhere */
            uint32_t off = (op & 8) ? fuzz_u16(&in) & 0xfff : (op & 0x10) ? VIOAPIC_WINDOW
                                                                          : VIOAPIC_REGSEL;
            struct vioapic before = ioa;
            uint32_t got = vioapic_mmio_read(&ioa, off);

            FUZZ_CHECK(!memcmp(&before, &ioa, sizeof(ioa)), "read at %#x changed state", off);
            if ( off == VIOAPIC_REGSEL )
                FUZZ_CHECK(got == ioa.regsel, "IOREGSEL %#x reads %#x", ioa.regsel, got);
            else if ( off == VIOAPIC_WINDOW )
                FUZZ_CHECK(got == expected_register(ioa.regsel), "register %#x reads %#x",
                           ioa.regsel, got);
            else
                FUZZ_CHECK(got == 0, "offset %#x reads %#x", off, got);
            break;
        }
        case 3: {                                   /* a write elsewhere in the page */
            uint32_t off = fuzz_u16(&in) & 0xfff, val = fuzz_u32(&in);
            struct vioapic before = ioa;

            if ( off == VIOAPIC_REGSEL || off == VIOAPIC_WINDOW )
                break;
            vioapic_mmio_write(&ioa, off, val);
            FUZZ_CHECK(!memcmp(&before, &ioa, sizeof(ioa)), "write at %#x changed state", off);
            break;
        }
        case 4:                                     /* a pin changes level */
        case 5: {
            uint8_t b = fuzz_u8(&in);

            set_pin(b & 31, op & 1);
            break;
        }
        case 6:                                     /* EOI broadcast */
            eoi(fuzz_u8(&in));
            break;
        case 7: {                                   /* program an entry: select + write */
            uint8_t pin = fuzz_u8(&in) % VIOAPIC_PINS;

            vioapic_mmio_write(&ioa, VIOAPIC_REGSEL, 0x10 + 2 * pin + ((op >> 3) & 1));
            window_write(fuzz_u32(&in));
            break;
        }
        }
        check_entries();
    }
    return 0;
}
