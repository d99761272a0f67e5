/*
 * The domain's 16550A (hypervisor/arch/x86/hvm/uart.c: self-contained,
 * transmit and IRQ through callbacks, bytes received from the host) driven
 * by sequences of register reads/writes and received bytes.
 * Invariants, after every step:
 *  - the IRQ callback fires only on a change and agrees with vuart_irq_line();
 *  - the line is never high while IER enables nothing, with OUT2 clear or in
 *    loopback; a high line means IIR (read now) names a source;
 *  - LSR always says the transmitter is empty; DR set exactly while bytes
 *    wait; received bytes are never more than the room offered;
 *  - transmitted bytes leave only outside loopback with DLAB clear, one per
 *    THR write;
 *  - the divisor latch holds what DLAB writes put there.
 */
#include <asm/vuart.h>
#include "fuzz.h"

static bool reported;
static unsigned tx_bytes;

static void irq_changed(void *opaque, bool level)
{
    FUZZ_CHECK(level != reported, "IRQ callback with an unchanged level %d", level);
    reported = level;
}

static void tx(void *opaque, uint8_t byte) { tx_bytes++; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size };
    struct vuart u;
    uint16_t divisor;

    reported = false;
    tx_bytes = 0;
    vuart_init(&u, tx, irq_changed, NULL);
    divisor = u.divisor;

    while ( fuzz_more(&in) )
    {
        uint8_t op = fuzz_u8(&in), val = fuzz_u8(&in);
        unsigned reg = op & 7;

        if ( (op & 0xc0) == 0xc0 )                    /* bytes from the host */
        {
            const uint8_t *p;
            unsigned room = vuart_rx_room(&u), n = (unsigned)fuzz_bytes(&in, val & 31, &p);
            unsigned took = vuart_receive(&u, p, n);

            FUZZ_CHECK(took <= n && took <= room, "took %u of %u bytes, room %u", took, n, room);
        }
        else if ( op & 0x80 )                         /* IN */
        {
            bool line = vuart_irq_line(&u);
            uint8_t r = vuart_io_read(&u, reg);

            if ( reg == 0 && (u.lcr & 0x80) )
                FUZZ_CHECK(r == (divisor & 0xff), "DLL %#x, wrote %#x", r, divisor & 0xff);
            if ( reg == 1 && (u.lcr & 0x80) )
                FUZZ_CHECK(r == divisor >> 8, "DLM %#x, wrote %#x", r, divisor >> 8);
            if ( reg == 2 && line )
                FUZZ_CHECK(!(r & 1), "IRQ line high but IIR %#x names no source", r);
            if ( reg == 5 )
                FUZZ_CHECK((r & 0x60) == 0x60, "LSR %#x: transmitter not empty", r);
        }
        else                                          /* OUT */
        {
            unsigned before = tx_bytes;
            bool sends = reg == 0 && !(u.lcr & 0x80) && !(u.mcr & 0x10);

            if ( reg == 0 && (u.lcr & 0x80) )
                divisor = (uint16_t)((divisor & 0xff00) | val);
            if ( reg == 1 && (u.lcr & 0x80) )
                divisor = (uint16_t)((divisor & 0x00ff) | val << 8);
            vuart_io_write(&u, reg, val);
            FUZZ_CHECK(tx_bytes - before == (sends ? 1u : 0u),
                       "%u bytes sent for a write of register %u", tx_bytes - before, reg);
        }
        FUZZ_CHECK(vuart_irq_line(&u) == reported, "line %d, last reported %d",
                   vuart_irq_line(&u), reported);
        FUZZ_CHECK(!reported || ((u.ier & 0x0f) && (u.mcr & 0x18) == 0x08),
                   "IRQ high with IER %#x MCR %#x", u.ier, u.mcr);
    }
    return 0;
}
