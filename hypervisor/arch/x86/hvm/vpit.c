/*
 * Virtual 8254 programmable interval timer (see asm/vpit.h). Behaviour from
 * the Intel 8254 data sheet: six counting modes, gate rules, counter latch,
 * read-back, LSB/MSB access, BCD. A channel's counter and OUT are computed
 * from the ticks it has counted: `frozen` ticks before `base`, plus the ticks
 * since `base` while the gate lets it count.
 */
#include <asm/vpit.h>
#include <dbgvisor/lib.h>

#define NS_PER_S        1000000000ull
#define REFRESH_NS      15085ull        /* port 0x61 bit 4 toggles at this period */
#define NEVER_TICK      UINT64_MAX

#define CW_SC(v)        (((v) >> 6) & 3)
#define CW_RW(v)        (((v) >> 4) & 3)
#define CW_MODE(v)      (((v) >> 1) & 7)
#define CW_BCD(v)       ((v) & 1)
#define SC_READBACK     3
#define RB_NO_COUNT     (1u << 5)
#define RB_NO_STATUS    (1u << 4)
#define RW_LATCH        0
#define RW_LSB          1
#define RW_MSB          2
#define RW_WORD         3

#define PORTB_GATE2     (1u << 0)
#define PORTB_WRITABLE  0x0fu
#define PORTB_REFRESH   (1u << 4)
#define PORTB_OUT2      (1u << 5)

/* Exact floor(ns * HZ / 1e9) without 128-bit arithmetic. */
static uint64_t ns_to_ticks(uint64_t ns)
{
    return ns / NS_PER_S * VPIT_HZ + ns % NS_PER_S * VPIT_HZ / NS_PER_S;
}

/* The first ns at which ns_to_ticks() reaches t. */
static uint64_t ticks_to_ns(uint64_t t)
{
    return t / VPIT_HZ * NS_PER_S + (t % VPIT_HZ * NS_PER_S + VPIT_HZ - 1) / VPIT_HZ;
}

static uint64_t now_ticks(struct vpit *p)
{
    return ns_to_ticks(p->clock(p->opaque));
}

/* Modes where a low gate stops counting (1 and 5 only use its rising edge). */
static bool gate_stops_count(const struct vpit_channel *c)
{
    return c->mode != 1 && c->mode != 5;
}

static bool gate_triggered(const struct vpit_channel *c)
{
    return c->mode == 1 || c->mode == 5;
}

static bool counting(const struct vpit_channel *c)
{
    if (!c->armed)
        return false;
    if (gate_triggered(c))
        return c->triggered;
    return c->gate;
}

static uint64_t counted(const struct vpit_channel *c, uint64_t now)
{
    if (!c->armed || (gate_triggered(c) && !c->triggered))
        return 0;
    return counting(c) ? c->frozen + (now - c->base) : c->frozen;
}

static uint32_t modulus(const struct vpit_channel *c)
{
    return c->bcd ? 10000 : 65536;
}

/* OUT rising edges from the start of the current segment up to d counted ticks. */
static uint64_t edges_in_segment(const struct vpit_channel *c, uint64_t d)
{
    uint64_t n = c->count;

    if (!c->armed || (gate_triggered(c) && !c->triggered))
        return 0;
    switch (c->mode) {
    case 0: case 1: return d >= n;
    case 2: case 3: return d / n;
    default:        return d >= n + 1;     /* 4, 5: one-clock low strobe at n */
    }
}

/* The counted tick of the next OUT rising edge after d, or NEVER_TICK. */
static uint64_t next_edge(const struct vpit_channel *c, uint64_t d)
{
    uint64_t n = c->count;

    switch (c->mode) {
    case 0: case 1: return d < n ? n : NEVER_TICK;
    case 2: case 3: return (d / n + 1) * n;
    default:        return d < n + 1 ? n + 1 : NEVER_TICK;
    }
}

static bool out_level(const struct vpit_channel *c, uint64_t now)
{
    uint64_t d = counted(c, now), n = c->count;

    if (!c->armed)
        return c->mode != 0;            /* mode 0: OUT low from the control word on */
    if (gate_triggered(c) && !c->triggered)
        return true;
    if ((c->mode == 2 || c->mode == 3) && !c->gate)
        return true;                    /* a low gate forces OUT high */
    switch (c->mode) {
    case 0: case 1: return d >= n;
    case 2:         return d % n != n - 1;
    case 3:         return d % n < (n + 1) / 2;
    default:        return d != n;
    }
}

static uint32_t counter_value(const struct vpit_channel *c, uint64_t now)
{
    uint64_t d = counted(c, now), n = c->count, m = modulus(c);

    if (!c->armed || (gate_triggered(c) && !c->triggered))
        return (uint32_t)(n % m);
    switch (c->mode) {
    case 2:  return (uint32_t)((n - d % n) % m);
    case 3:  return (uint32_t)((n - 2 * d % n) % m);
    default: return (uint32_t)((n + m - d % m) % m);
    }
}

static uint16_t to_bcd(uint32_t v)
{
    return (uint16_t)(v % 10 | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 | (v / 1000 % 10) << 12);
}

static uint32_t from_bcd(uint16_t v)
{
    return (v & 0xf) + (v >> 4 & 0xf) * 10 + (v >> 8 & 0xf) * 100 + (v >> 12 & 0xf) * 1000;
}

/* Close the current segment: keep its edges, start counting from zero at now. */
static void restart(struct vpit_channel *c, uint64_t now)
{
    c->edges_base += edges_in_segment(c, counted(c, now));
    c->frozen = 0;
    c->base = now;
}

/* Modes 2 and 3 take a rewritten count at the end of the current period. */
static void sync(struct vpit_channel *c, uint64_t now)
{
    uint64_t d;

    if (!c->pending || (d = counted(c, now)) < c->pending_at)
        return;
    c->edges_base += c->pending_at / c->count;
    c->frozen = d - c->pending_at;
    c->base = now;
    c->count = c->pending_count;
    c->pending = false;
    c->null_count = false;
}

static void load_count(struct vpit_channel *c, uint16_t raw, uint64_t now)
{
    uint32_t n = c->bcd ? from_bcd(raw) : raw;

    if (n == 0)
        n = modulus(c);
    if ((c->mode == 2 || c->mode == 3) && counting(c)) {
        uint64_t d = counted(c, now);

        c->pending = true;
        c->pending_count = n;
        c->pending_at = (d / c->count + 1) * c->count;
        c->null_count = true;
        return;
    }
    restart(c, now);
    c->count = n;
    c->armed = true;
    c->triggered = false;
    /* Modes 1 and 5 load the count on their gate trigger. */
    c->null_count = gate_triggered(c);
}

static void write_counter(struct vpit_channel *c, uint8_t val, uint64_t now)
{
    switch (c->rw) {
    case RW_LSB:
        load_count(c, val, now);
        break;
    case RW_MSB:
        load_count(c, (uint16_t)(val << 8), now);
        break;
    default:
        if (!c->write_lsb_done) {
            c->write_lsb = val;
            c->write_lsb_done = true;
            if (c->mode == 0) {         /* writing the first byte stops mode 0 */
                restart(c, now);
                c->armed = false;
            }
        } else {
            c->write_lsb_done = false;
            load_count(c, (uint16_t)(c->write_lsb | val << 8), now);
        }
    }
}

static uint8_t status_byte(const struct vpit_channel *c, uint64_t now)
{
    return (uint8_t)(out_level(c, now) << 7 | c->null_count << 6 | c->rw << 4 |
                     c->mode << 1 | c->bcd);
}

static void latch_count(struct vpit_channel *c, uint64_t now)
{
    uint32_t v;

    if (c->latched)
        return;                         /* the first latch holds until read */
    v = counter_value(c, now);
    c->latch = c->bcd ? to_bcd(v) : (uint16_t)v;
    c->latched = true;
    c->read_lsb_done = false;
}

static uint8_t read_counter(struct vpit_channel *c, uint64_t now)
{
    uint16_t v;
    uint8_t byte;

    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    if (c->latched) {
        v = c->latch;
    } else {
        uint32_t live = counter_value(c, now);

        v = c->bcd ? to_bcd(live) : (uint16_t)live;
    }
    switch (c->rw) {
    case RW_LSB:
        byte = (uint8_t)v;
        c->latched = false;
        break;
    case RW_MSB:
        byte = (uint8_t)(v >> 8);
        c->latched = false;
        break;
    default:
        byte = c->read_lsb_done ? (uint8_t)(v >> 8) : (uint8_t)v;
        if (c->read_lsb_done)
            c->latched = false;
        c->read_lsb_done = !c->read_lsb_done;
    }
    return byte;
}

static void control_word(struct vpit *p, uint8_t val, uint64_t now)
{
    if (CW_SC(val) == SC_READBACK) {
        for (unsigned i = 0; i < 3; i++) {
            struct vpit_channel *c = &p->ch[i];

            if (!(val & (2u << i)))
                continue;
            sync(c, now);
            if (!(val & RB_NO_STATUS) && !c->status_latched) {
                c->status = status_byte(c, now);
                c->status_latched = true;
            }
            if (!(val & RB_NO_COUNT))
                latch_count(c, now);
        }
        return;
    }

    struct vpit_channel *c = &p->ch[CW_SC(val)];

    sync(c, now);
    if (CW_RW(val) == RW_LATCH) {
        latch_count(c, now);
        return;
    }
    if (c == &p->ch[0])
        p->irq0_reprogrammed = true;
    restart(c, now);
    c->rw = CW_RW(val);
    c->mode = CW_MODE(val) > 5 ? CW_MODE(val) - 4 : CW_MODE(val);
    c->bcd = CW_BCD(val);
    c->armed = false;
    c->triggered = false;
    c->pending = false;
    c->null_count = true;
    c->write_lsb_done = false;
    c->read_lsb_done = false;
    c->latched = false;
    c->status_latched = false;
}

static void set_gate(struct vpit_channel *c, bool level, uint64_t now)
{
    if (level == c->gate)
        return;
    sync(c, now);
    if (!level) {
        if (gate_stops_count(c))
            c->frozen = counted(c, now);
        c->gate = false;
        return;
    }
    if (c->armed) {
        if (c->mode == 2 || c->mode == 3) {
            restart(c, now);            /* a rising gate reloads the count */
        } else if (gate_triggered(c)) {
            restart(c, now);            /* and triggers modes 1 and 5 */
            c->triggered = true;
            c->null_count = false;
        } else {
            c->base = now;              /* modes 0 and 4 resume where they stopped */
        }
    }
    c->gate = true;
}

void vpit_init(struct vpit *p, vpit_clock_fn clock, void *opaque)
{
    memset(p, 0, sizeof(*p));
    p->clock = clock;
    p->opaque = opaque;
    for (unsigned i = 0; i < 3; i++) {
        p->ch[i].rw = RW_WORD;
        p->ch[i].count = 65536;
        p->ch[i].gate = i != 2;         /* channels 0 and 1 are gated high */
    }
}

bool vpit_io_read(struct vpit *p, uint16_t port, uint8_t *val)
{
    uint64_t ns, now;

    if (port >= VPIT_PORT_BASE && port < VPIT_PORT_CTRL) {
        struct vpit_channel *c = &p->ch[port - VPIT_PORT_BASE];

        now = now_ticks(p);
        sync(c, now);
        *val = read_counter(c, now);
        return true;
    }
    if (port == VPIT_PORT_CTRL) {
        *val = 0xff;                    /* the control register cannot be read */
        return true;
    }
    if (port == VPIT_PORT_B) {
        ns = p->clock(p->opaque);
        now = ns_to_ticks(ns);
        sync(&p->ch[2], now);
        *val = (uint8_t)((p->port_b & PORTB_WRITABLE) |
                         ((ns / REFRESH_NS) & 1 ? PORTB_REFRESH : 0) |
                         (out_level(&p->ch[2], now) ? PORTB_OUT2 : 0));
        return true;
    }
    return false;
}

bool vpit_io_write(struct vpit *p, uint16_t port, uint8_t val)
{
    uint64_t now;

    if (port >= VPIT_PORT_BASE && port < VPIT_PORT_CTRL) {
        struct vpit_channel *c = &p->ch[port - VPIT_PORT_BASE];

        now = now_ticks(p);
        sync(c, now);
        write_counter(c, val, now);
        if (c == &p->ch[0])
            p->irq0_reprogrammed = true;
        return true;
    }
    if (port == VPIT_PORT_CTRL) {
        control_word(p, val, now_ticks(p));
        return true;
    }
    if (port == VPIT_PORT_B) {
        p->port_b = val & PORTB_WRITABLE;
        set_gate(&p->ch[2], val & PORTB_GATE2, now_ticks(p));
        return true;
    }
    return false;
}

unsigned vpit_irq0_edges(struct vpit *p)
{
    struct vpit_channel *c = &p->ch[0];
    uint64_t now = now_ticks(p), total;
    unsigned n;

    sync(c, now);
    total = c->edges_base + edges_in_segment(c, counted(c, now));
    n = (unsigned)MIN(total - c->edges_reported, (uint64_t)UINT32_MAX);
    c->edges_reported = total;
    return n;
}

uint64_t vpit_irq0_next(struct vpit *p)
{
    struct vpit_channel *c = &p->ch[0];
    uint64_t now = now_ticks(p), d, dn;

    sync(c, now);
    if (!counting(c))
        return VPIT_NEVER;
    d = counted(c, now);
    dn = next_edge(c, d);
    if (dn == NEVER_TICK)
        return VPIT_NEVER;
    return ticks_to_ns(c->base + (dn - c->frozen));
}

bool vpit_irq0_take_reprogrammed(struct vpit *p)
{
    bool r = p->irq0_reprogrammed;

    p->irq0_reprogrammed = false;
    return r;
}

bool vpit_out(struct vpit *p, unsigned channel)
{
    uint64_t now = now_ticks(p);

    if (channel > 2)
        return false;
    sync(&p->ch[channel], now);
    return out_level(&p->ch[channel], now);
}
