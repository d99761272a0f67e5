/*
 * Virtual 8259A pair (hypervisor/arch/x86/hvm/vpic.c) driven by sequences
 * of guest port accesses, ISA line changes and INTA cycles.
 * Input: records of (op, value) bytes.
 * Invariants, after every step:
 *  - the INT callback fires only on a change, and int_pending() equals the
 *    last level it reported;
 *  - INT is never high unless the master has an unmasked request: a PIC
 *    whose inputs are all masked raises no interrupt;
 *  - the cascade input (master IR2) requests only while the slave has an
 *    unmasked request of its own;
 *  - INTA returns a vector of the master's or the slave's vector base,
 *    a poll read 0 or 0x80 | IR.
 */
#include <asm/vpic.h>
#include "fuzz.h"

static const uint16_t ports[] = {
    VPIC_MASTER_CMD, VPIC_MASTER_DATA, VPIC_SLAVE_CMD, VPIC_SLAVE_DATA,
    VPIC_ELCR_MASTER, VPIC_ELCR_SLAVE,
};

static bool reported;
static unsigned calls;

static void int_changed(void *opaque, bool level)
{
    FUZZ_CHECK(level != reported, "INT callback with an unchanged level %d", level);
    reported = level;
    calls++;
}

static void check(const struct vpic *p)
{
    const struct vpic_chip *m = &p->chip[0], *s = &p->chip[1];

    FUZZ_CHECK(vpic_int_pending(p) == reported, "INT %d but last reported %d",
               vpic_int_pending(p), reported);
    FUZZ_CHECK(!vpic_int_pending(p) || (m->irr & ~m->imr),
               "INT high with master IRR %#x all masked by IMR %#x", m->irr, m->imr);
    FUZZ_CHECK(!(m->irr & (1u << VPIC_CASCADE_IRQ)) || (s->irr & ~s->imr),
               "cascade requests with slave IRR %#x masked by %#x", s->irr, s->imr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size };
    struct vpic pic;

    reported = false;
    calls = 0;
    vpic_init(&pic, int_changed, NULL);
    check(&pic);
    while ( fuzz_more(&in) )
    {
        uint8_t op = fuzz_u8(&in), val = fuzz_u8(&in), r;

        switch ( op % 4 )
        {
        case 0:                                     /* OUT */
            FUZZ_CHECK(vpic_io_write(&pic, ports[(op >> 2) % 6], val), "port refused");
            break;
        case 1: {                                   /* IN */
            bool polled = pic.chip[(op >> 2) % 6 == 2].poll && ((op >> 2) % 6 == 0 ||
                                                               (op >> 2) % 6 == 2);
            FUZZ_CHECK(vpic_io_read(&pic, ports[(op >> 2) % 6], &r), "port refused");
            if ( polled )
                FUZZ_CHECK(r == 0 || (r & ~0x87) == 0, "poll byte %#x", r);
            break;
        }
        case 2:                                     /* an ISA line */
            vpic_set_irq(&pic, (op >> 2) & 15, val & 1);
            break;
        case 3: {                                   /* the CPU takes the interrupt */
            uint8_t mbase = pic.chip[0].vector_base, sbase = pic.chip[1].vector_base;

            if ( !vpic_int_pending(&pic) && !(val & 1) )
                break;
            r = vpic_ack(&pic);
            FUZZ_CHECK((r & 0xf8) == (mbase & 0xf8) || (r & 0xf8) == (sbase & 0xf8),
                       "vector %#x outside bases %#x/%#x", r, mbase, sbase);
            break;
        }
        }
        check(&pic);
    }
    (void)vpic_io_write(&pic, 0x22, 0);
    return 0;
}
