/*
 * A domain's PL011 (ARM DDI 0183): what a polling driver needs. Transmit is
 * immediate, so the flag register always says "transmit FIFO empty, receive
 * FIFO empty, not busy"; control registers read back what was written; the
 * identification registers give the PL011's values so probes recognise it.
 */
#include <dbgvisor/domain.h>
#include <asm/vpl011.h>

#define DR      0x000
#define FR      0x018
#define IBRD    0x024
#define FBRD    0x028
#define LCR_H   0x02c
#define CR      0x030
#define IMSC    0x038
#define RIS     0x03c
#define MIS     0x040
#define ICR     0x044
#define PERIPHID0 0xfe0
#define FR_RXFE (1U << 4)
#define FR_TXFE (1U << 7)

/* PeriphID0-3 then PCellID0-3 (0xfe0-0xffc). */
static const uint8_t id_regs[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static uint32_t *reg_of(struct vpl011 *u, uint64_t offset)
{
    switch (offset) {
    case CR:    return &u->cr;
    case LCR_H: return &u->lcr_h;
    case IBRD:  return &u->ibrd;
    case FBRD:  return &u->fbrd;
    case IMSC:  return &u->imsc;
    default:    return NULL;
    }
}

bool vpl011_read(struct domain *d, uint64_t offset, unsigned size, uint64_t *val)
{
    struct vpl011 *u = &d->arch.uart;
    uint32_t *r = reg_of(u, offset);

    if (r)
        *val = *r;
    else if (offset == FR)
        *val = FR_TXFE | FR_RXFE;
    else if (offset >= PERIPHID0 && !(offset & 3))
        *val = id_regs[(offset - PERIPHID0) / 4];
    else
        *val = 0;   /* DR with nothing received, RIS/MIS, reserved: zero */
    return size <= 4;
}

bool vpl011_write(struct domain *d, uint64_t offset, unsigned size, uint64_t val)
{
    struct vpl011 *u = &d->arch.uart;
    uint32_t *r = reg_of(u, offset);

    if (size > 4)
        return false;
    if (offset == DR)
        domain_console_putc(d, (char)(val & 0xff));
    else if (r)
        *r = (uint32_t)val;
    return true;     /* ICR and read-only registers: ignored */
}
