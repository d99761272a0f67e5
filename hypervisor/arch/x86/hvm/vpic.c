/*
 * Virtual 8259A PIC pair (see asm/vpic.h). Behaviour from the Intel 8259A
 * data sheet and the PC/AT wiring: ICW1-4 initialisation, OCW1 masks, OCW2
 * EOI and rotation commands, OCW3 register select, poll and special mask
 * mode, auto-EOI, special fully nested mode, and the PIIX edge/level control
 * registers (ICW1's LTIM is ignored there too: the ELCR decides).
 */
#include <asm/vpic.h>
#include <dbgvisor/lib.h>

#define ICW1            0x10
#define ICW1_IC4        0x01
#define ICW1_SNGL       0x02
#define OCW3            0x08
#define OCW3_POLL       0x04
#define OCW3_RR         0x02
#define OCW3_RIS        0x01
#define OCW3_ESMM       0x40
#define OCW3_SMM        0x20
#define ICW4_AEOI       0x02
#define ICW4_SFNM       0x10
#define POLL_INT        0x80

/* OCW2 commands (bits 7:5: R, SL, EOI). */
enum { OCW2_CLEAR_ROTATE_AEOI = 0, OCW2_EOI = 1, OCW2_NOP = 2, OCW2_SPECIFIC_EOI = 3,
       OCW2_SET_ROTATE_AEOI = 4, OCW2_ROTATE_EOI = 5, OCW2_SET_PRIORITY = 6,
       OCW2_ROTATE_SPECIFIC_EOI = 7 };

/* IRQ 0, 1, 2 (master) and 8, 13 (slave) are always edge triggered. */
static const uint8_t elcr_writable[2] = { 0xf8, 0xde };

/* Priority rank of IR ir: 0 highest; lowest_prio has rank 7. */
static unsigned rank(const struct vpic_chip *c, unsigned ir)
{
    return (ir - c->lowest_prio - 1) & 7;
}

/* The highest-priority IR whose bit is set in mask, or -1. */
static int highest(const struct vpic_chip *c, uint8_t mask)
{
    for (unsigned r = 0; r < 8; r++) {
        unsigned ir = (c->lowest_prio + 1 + r) & 7;

        if (mask & (1u << ir))
            return (int)ir;
    }
    return -1;
}

/* The IR this chip asks the CPU (or the master) for, or -1. */
static int chip_request(const struct vpic_chip *c, bool master)
{
    uint8_t in_service = c->isr;
    int irq = highest(c, c->irr & ~c->imr), cur;

    if (irq < 0)
        return -1;
    if (c->special_mask)                /* masked levels no longer inhibit */
        in_service &= ~c->imr;
    if (master && c->special_fully_nested)
        in_service &= ~(1u << VPIC_CASCADE_IRQ);   /* slave may nest on itself */
    cur = highest(c, in_service);
    if (cur >= 0 && rank(c, cur) <= rank(c, (unsigned)irq))
        return -1;
    return irq;
}

static void chip_set_line(struct vpic_chip *c, unsigned ir, bool level, bool level_mode)
{
    uint8_t mask = (uint8_t)(1u << ir);

    if (level_mode) {
        if (level)
            c->irr |= mask;
        else
            c->irr &= ~mask;
    } else if (level && !(c->line & mask)) {
        c->irr |= mask;                 /* rising edge; cleared by INTA, not by the fall */
    }
    if (level)
        c->line |= mask;
    else
        c->line &= ~mask;
}

static void chip_intack(struct vpic_chip *c, unsigned irq)
{
    uint8_t mask = (uint8_t)(1u << irq);

    if (!(c->elcr & mask))
        c->irr &= ~mask;                /* a level request stays while its line is high */
    if (!c->auto_eoi)
        c->isr |= mask;
    else
        c->serviced |= mask;
    if (c->auto_eoi && c->rotate_on_aeoi)
        c->lowest_prio = (uint8_t)irq;
}

static void end_of_service(struct vpic_chip *c, unsigned irq)
{
    uint8_t mask = (uint8_t)(1u << irq);

    if (c->isr & mask)
        c->serviced |= mask;
    c->isr &= ~mask;
}

/* Recompute the cascade (evaluated as a level, so a slave that stays asserted
 * is not lost) and the master's INT output. */
static void update(struct vpic *p)
{
    bool slave_int = chip_request(&p->chip[1], false) >= 0;
    bool out;

    chip_set_line(&p->chip[0], VPIC_CASCADE_IRQ, slave_int && !p->chip[0].single, true);
    out = chip_request(&p->chip[0], true) >= 0;
    if (out != p->int_out) {
        p->int_out = out;
        if (p->int_changed)
            p->int_changed(p->opaque, out);
    }
}

static void chip_reset(struct vpic_chip *c)
{
    uint8_t line = c->line, elcr = c->elcr;
    /* Requests the reset wipes are over, as if serviced (KVM does the same
     * for its acknowledgement notifiers). */
    uint8_t ended = (uint8_t)(c->serviced | c->isr | (c->irr & ~elcr));

    memset(c, 0, sizeof(*c));
    c->serviced = ended;
    c->line = line;
    c->elcr = elcr;
    c->irr = line & elcr;               /* edges must come again; levels stand */
    c->lowest_prio = 7;
}

static void write_command(struct vpic_chip *c, uint8_t val)
{
    int irq;

    if (val & ICW1) {
        chip_reset(c);
        c->icw4_needed = val & ICW1_IC4;
        c->single = val & ICW1_SNGL;
        c->init_step = 2;
        return;
    }
    if (val & OCW3) {
        if (val & OCW3_POLL)
            c->poll = true;
        if (val & OCW3_RR)
            c->read_isr = val & OCW3_RIS;
        if (val & OCW3_ESMM)
            c->special_mask = val & OCW3_SMM;
        return;
    }
    switch (val >> 5) {
    case OCW2_CLEAR_ROTATE_AEOI:
        c->rotate_on_aeoi = false;
        break;
    case OCW2_SET_ROTATE_AEOI:
        c->rotate_on_aeoi = true;
        break;
    case OCW2_EOI:
    case OCW2_ROTATE_EOI:
        irq = highest(c, c->isr);
        if (irq >= 0) {
            end_of_service(c, (unsigned)irq);
            if (val >> 5 == OCW2_ROTATE_EOI)
                c->lowest_prio = (uint8_t)irq;
        }
        break;
    case OCW2_SPECIFIC_EOI:
        end_of_service(c, val & 7);
        break;
    case OCW2_ROTATE_SPECIFIC_EOI:
        end_of_service(c, val & 7);
        c->lowest_prio = val & 7;
        break;
    case OCW2_SET_PRIORITY:
        c->lowest_prio = val & 7;
        break;
    default:                            /* OCW2_NOP */
        break;
    }
}

static void write_data(struct vpic_chip *c, uint8_t val)
{
    switch (c->init_step) {
    case 2:
        c->vector_base = val & 0xf8;
        c->init_step = c->single ? (c->icw4_needed ? 4 : 0) : 3;
        break;
    case 3:                             /* ICW3: the PC's cascade on IR2 is fixed */
        c->init_step = c->icw4_needed ? 4 : 0;
        break;
    case 4:
        c->auto_eoi = val & ICW4_AEOI;
        c->special_fully_nested = val & ICW4_SFNM;
        c->init_step = 0;
        break;
    default:
        c->imr = val;                   /* OCW1 */
    }
}

/* A poll command read: acknowledges like INTA, returns the poll word. */
static uint8_t poll_read(struct vpic *p, unsigned chip)
{
    struct vpic_chip *c = &p->chip[chip];
    int irq = chip_request(c, chip == 0);

    c->poll = false;
    if (irq < 0)
        return 0;
    chip_intack(c, (unsigned)irq);
    return (uint8_t)(POLL_INT | irq);
}

void vpic_init(struct vpic *p, vpic_int_fn int_changed, void *opaque)
{
    memset(p, 0, sizeof(*p));
    p->int_changed = int_changed;
    p->opaque = opaque;
    for (unsigned i = 0; i < 2; i++) {
        p->chip[i].lowest_prio = 7;
        p->chip[i].imr = 0xff;          /* no firmware ran: everything masked */
    }
}

void vpic_set_irq(struct vpic *p, unsigned irq, bool level)
{
    struct vpic_chip *c;

    if (irq > 15 || irq == VPIC_CASCADE_IRQ)
        return;                         /* IR2 of the master is the cascade */
    c = &p->chip[irq >> 3];
    chip_set_line(c, irq & 7, level, c->elcr & (1u << (irq & 7)));
    update(p);
}

bool vpic_io_read(struct vpic *p, uint16_t port, uint8_t *val)
{
    unsigned chip;

    switch (port) {
    case VPIC_MASTER_CMD: case VPIC_SLAVE_CMD:
        chip = port == VPIC_SLAVE_CMD;
        if (p->chip[chip].poll) {
            *val = poll_read(p, chip);
            update(p);
        } else {
            *val = p->chip[chip].read_isr ? p->chip[chip].isr : p->chip[chip].irr;
        }
        return true;
    case VPIC_MASTER_DATA: case VPIC_SLAVE_DATA:
        *val = p->chip[port == VPIC_SLAVE_DATA].imr;
        return true;
    case VPIC_ELCR_MASTER: case VPIC_ELCR_SLAVE:
        *val = p->chip[port == VPIC_ELCR_SLAVE].elcr;
        return true;
    }
    return false;
}

bool vpic_io_write(struct vpic *p, uint16_t port, uint8_t val)
{
    struct vpic_chip *c;

    switch (port) {
    case VPIC_MASTER_CMD: case VPIC_SLAVE_CMD:
        write_command(&p->chip[port == VPIC_SLAVE_CMD], val);
        break;
    case VPIC_MASTER_DATA: case VPIC_SLAVE_DATA:
        write_data(&p->chip[port == VPIC_SLAVE_DATA], val);
        break;
    case VPIC_ELCR_MASTER: case VPIC_ELCR_SLAVE:
        c = &p->chip[port == VPIC_ELCR_SLAVE];
        c->elcr = val & elcr_writable[port == VPIC_ELCR_SLAVE];
        /* Lines that became level triggered request exactly while high. */
        c->irr = (c->irr & ~c->elcr) | (c->line & c->elcr);
        break;
    default:
        return false;
    }
    update(p);
    return true;
}

bool vpic_irq_masked(const struct vpic *p, unsigned irq)
{
    return irq > 15 || (p->chip[irq >> 3].imr & (1u << (irq & 7)));
}

bool vpic_int_pending(const struct vpic *p)
{
    return p->int_out;
}

uint8_t vpic_ack(struct vpic *p)
{
    struct vpic_chip *m = &p->chip[0], *s = &p->chip[1];
    int irq = chip_request(m, true), sirq;
    uint8_t vector;

    if (irq < 0) {
        vector = m->vector_base | 7;    /* spurious: ISR untouched */
    } else if (irq == VPIC_CASCADE_IRQ && !m->single) {
        sirq = chip_request(s, false);
        chip_intack(m, VPIC_CASCADE_IRQ);
        if (sirq < 0) {
            vector = s->vector_base | 7;
        } else {
            chip_intack(s, (unsigned)sirq);
            vector = (uint8_t)(s->vector_base | sirq);
        }
    } else {
        chip_intack(m, (unsigned)irq);
        vector = (uint8_t)(m->vector_base | irq);
    }
    update(p);
    return vector;
}

uint16_t vpic_take_serviced(struct vpic *p)
{
    uint16_t s = (uint16_t)(p->chip[0].serviced | p->chip[1].serviced << 8);

    p->chip[0].serviced = p->chip[1].serviced = 0;
    return s;
}
