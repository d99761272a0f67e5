/*
 * Virtual 8254 (hypervisor/arch/x86/hvm/vpit.c) driven by sequences of guest
 * port accesses (0x40-0x43, 0x61) and time steps. Input: records of
 * (op, value) bytes; a time step takes 4 more bytes.
 * Invariants:
 *  - vpit_irq0_next() is VPIT_NEVER or not in the past;
 *  - with channel 0 left alone, IRQ0 edges come exactly when announced:
 *    none before the time irq0_next() gave, at least one once it is reached,
 *    none at all while it says VPIT_NEVER.
 */
#include <asm/vpit.h>
#include "fuzz.h"

static const uint16_t ports[] = { 0x40, 0x41, 0x42, 0x43, VPIT_PORT_B };
static uint64_t now;

static uint64_t clock_now(void *opaque) { return now; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size };
    struct vpit pit;
    uint64_t next;

    now = 1000;
    vpit_init(&pit, clock_now, NULL);
    vpit_irq0_edges(&pit);
    next = vpit_irq0_next(&pit);

    while ( fuzz_more(&in) )
    {
        uint8_t op = fuzz_u8(&in), val = fuzz_u8(&in), r;
        uint16_t port = ports[(op >> 2) % 5];

        switch ( op % 3 )
        {
        case 0:                                     /* OUT */
            FUZZ_CHECK(vpit_io_write(&pit, port, val), "port %#x refused", port);
            if ( port == 0x40 || port == 0x43 )
            {
                vpit_irq0_edges(&pit);              /* the schedule starts anew */
                next = vpit_irq0_next(&pit);
            }
            break;
        case 1:                                     /* IN */
            FUZZ_CHECK(port == 0x43 || vpit_io_read(&pit, port, &r), "port %#x refused", port);
            break;
        case 2: {                                   /* time passes */
            uint64_t step = (uint64_t)fuzz_u32(&in) << (val & 15);
            unsigned edges;

            now += step;
            edges = vpit_irq0_edges(&pit);
            if ( next != VPIT_NEVER && now < next )
                FUZZ_CHECK(edges == 0, "%u IRQ0 edges at %llu before the announced %llu",
                           edges, (unsigned long long)now, (unsigned long long)next);
            if ( next != VPIT_NEVER && now >= next )
                FUZZ_CHECK(edges >= 1, "no IRQ0 edge at %llu though announced for %llu",
                           (unsigned long long)now, (unsigned long long)next);
            if ( next == VPIT_NEVER )
                FUZZ_CHECK(edges == 0, "%u IRQ0 edges though none was announced", edges);
            next = vpit_irq0_next(&pit);
            break;
        }
        }
        FUZZ_CHECK(next == VPIT_NEVER || next >= now,
                   "next IRQ0 edge %llu in the past (now %llu)", (unsigned long long)next,
                   (unsigned long long)now);
    }
    return 0;
}
