/*
 * The domain's 16550A (hypervisor/arch/x86/hvm/uart.c) driven by sequences
 * of register reads and writes, as a guest's boot code issues them.
 * Invariants:
 *  - IIR reports THRE only while IER enables it, and reading IIR
 *    acknowledges it (the next read reports no interrupt unless THR is
 *    written again or THRE re-enabled);
 *  - LSR always says the transmitter is empty; bytes reach the console only
 *    outside loopback and with DLAB clear;
 *  - the divisor latch is what DLAB writes put there; IER keeps only its
 *    four defined bits.
 */
#include <asm/hvm_devices.h>
#include "hvm_fakes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size };
    struct vcpu *v = &fake_vcpu[0];
    struct vuart *u;
    uint16_t divisor = 0x0c;

    fake_domain_init();
    u = &fake_dom.arch.uart;
    vuart_reset(u);

    while ( fuzz_more(&in) )
    {
        uint8_t op = fuzz_u8(&in), val = fuzz_u8(&in);
        unsigned reg = op & 7;

        if ( op & 0x80 )
        {
            uint8_t r = vuart_read(v, reg);

            switch ( reg )
            {
            case 0:
                if ( u->lcr & 0x80 )
                    FUZZ_CHECK(r == (divisor & 0xff), "DLL %#x, wrote %#x", r, divisor & 0xff);
                break;
            case 1:
                if ( u->lcr & 0x80 )
                    FUZZ_CHECK(r == divisor >> 8, "DLM %#x, wrote %#x", r, divisor >> 8);
                else
                    FUZZ_CHECK(!(r & 0xf0), "IER %#x", r);
                break;
            case 2:
                if ( (r & 0x0f) == 0x02 )
                {
                    FUZZ_CHECK(u->ier & 0x02, "THRE reported with IER %#x", u->ier);
                    FUZZ_CHECK((vuart_read(v, 2) & 0x0f) == 0x01, "THRE not acknowledged by IIR read");
                }
                else
                    FUZZ_CHECK((r & 0x0f) == 0x01, "IIR %#x", r);
                break;
            case 5:
                FUZZ_CHECK((r & 0x60) == 0x60, "LSR %#x: transmitter not empty", r);
                break;
            }
        }
        else
        {
            unsigned before = fake_console_bytes;
            bool to_console = reg == 0 && !(u->lcr & 0x80) && !(u->mcr & 0x10);

            if ( reg == 0 && (u->lcr & 0x80) )
                divisor = (uint16_t)((divisor & 0xff00) | val);
            if ( reg == 1 && (u->lcr & 0x80) )
                divisor = (uint16_t)((divisor & 0x00ff) | val << 8);
            vuart_write(v, reg, val);
            FUZZ_CHECK(fake_console_bytes - before == (to_console ? 1u : 0u),
                       "%u console bytes for a write of register %u", fake_console_bytes - before, reg);
        }
    }
    return 0;
}
