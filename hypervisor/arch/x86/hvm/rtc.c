/*
 * MC146818 RTC (see asm/vrtc.h). Behaviour from the Motorola MC146818A data
 * sheet: registers A-D, BCD or binary and 12 or 24 hour per register B,
 * SET stopping updates (and clearing UIE), the divider chain (A's DV bits)
 * whose release starts the first update 500 ms later, UIP in the 244 us
 * before each update, the alarm with "don't care" bytes (0xC0-0xFF), the
 * periodic rate of A's RS bits, register C cleared by its read. The year
 * counts in the year register and the century byte (0x32), as QEMU's model
 * does.
 *
 * The clock is a second count: second `secs` began at `secs_ns` while it
 * runs. Second boundaries keep the divider's phase: `secs_ns` is always a
 * boundary, the divider's phase is `secs_ns` modulo a second.
 */
#include <asm/vrtc.h>
#include <dbgvisor/lib.h>

#define NS_PER_S        1000000000ll
#define UIP_NS          244000ll        /* UIP is set this long before an update */
#define DIVIDER_HZ      32768ll
#define SECS_PER_DAY    86400ll

#define REG_SEC         0x00
#define REG_SEC_ALARM   0x01
#define REG_MIN         0x02
#define REG_MIN_ALARM   0x03
#define REG_HOUR        0x04
#define REG_HOUR_ALARM  0x05
#define REG_WDAY        0x06
#define REG_MDAY        0x07
#define REG_MONTH       0x08
#define REG_YEAR        0x09
#define REG_A           0x0a
#define REG_B           0x0b
#define REG_C           0x0c
#define REG_D           0x0d

#define A_UIP           0x80
#define A_DV(a)         (((a) >> 4) & 7)
#define A_DV_NORMAL_MAX 2               /* 000-010 run (QEMU's rule); 11x hold the divider */
#define A_RS(a)         ((a) & 0x0f)
#define B_SET           0x80
#define B_PIE           0x40
#define B_AIE           0x20
#define B_UIE           0x10
#define B_DM_BINARY     0x04
#define B_24H           0x02
#define C_IRQF          0x80
#define C_PF            0x40
#define C_AF            0x20
#define C_UF            0x10
#define D_VRT           0x80
#define HOUR_PM         0x80
#define ALARM_DONT_CARE 0xc0

struct rtc_time {
    int sec, min, hour, wday, mday, month, year;    /* wday 0 = Sunday; year full */
};

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, struct rtc_time *t)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;

    t->mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    t->month = (int)(mp < 10 ? mp + 3 : mp - 9);
    t->year = (int)(yoe + era * 400 + (t->month <= 2));
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static void breakdown(int64_t secs, struct rtc_time *t)
{
    int64_t days = floor_div(secs, SECS_PER_DAY), rem = secs - days * SECS_PER_DAY;

    civil_from_days(days, t);
    t->hour = (int)(rem / 3600);
    t->min = (int)(rem / 60 % 60);
    t->sec = (int)(rem % 60);
    t->wday = (int)(((days % 7) + 11) % 7);        /* 1970-01-01 was a Thursday */
}

static int64_t compose(const struct rtc_time *t)
{
    int month = t->month < 1 ? 1 : t->month > 12 ? 12 : t->month;

    return days_from_civil(t->year, month, t->mday) * SECS_PER_DAY +
           t->hour * 3600ll + t->min * 60ll + t->sec;
}

static int64_t now(struct vrtc *r)
{
    return (int64_t)r->clock(r->opaque);
}

static bool divider_runs(const struct vrtc *r)
{
    return A_DV(r->ram[REG_A]) <= A_DV_NORMAL_MAX;
}

static bool updating(const struct vrtc *r)
{
    return divider_runs(r) && !(r->ram[REG_B] & B_SET);
}

/* The current second, and the ns elapsed in it. */
static int64_t current_secs(const struct vrtc *r, int64_t t, int64_t *into)
{
    int64_t whole;

    if (!updating(r)) {
        *into = 0;
        return r->secs;
    }
    whole = floor_div(t - (int64_t)r->secs_ns, NS_PER_S);
    *into = t - (int64_t)r->secs_ns - whole * NS_PER_S;
    return r->secs + whole;
}

/* Restart the count at value, at the divider's last second boundary. */
static void set_secs(struct vrtc *r, int64_t t, int64_t value)
{
    int64_t into;

    current_secs(r, t, &into);
    r->secs = value;
    r->secs_ns = (uint64_t)(t - into);
}

static bool binary(const struct vrtc *r) { return r->ram[REG_B] & B_DM_BINARY; }

static uint8_t to_reg(const struct vrtc *r, int v)
{
    return binary(r) ? (uint8_t)v : (uint8_t)(((v / 10) << 4) | (v % 10));
}

static int decode(uint8_t b, uint8_t v)
{
    return b & B_DM_BINARY ? v : (v >> 4) * 10 + (v & 0x0f);
}

static int decode_hour(uint8_t b, uint8_t v)
{
    if (b & B_24H)
        return decode(b, v);
    return decode(b, v & (uint8_t)~HOUR_PM) % 12 + (v & HOUR_PM ? 12 : 0);
}

static int from_reg(const struct vrtc *r, uint8_t v)
{
    return decode(r->ram[REG_B], v);
}

static uint8_t hour_to_reg(const struct vrtc *r, int hour)
{
    if (r->ram[REG_B] & B_24H)
        return to_reg(r, hour);
    return (uint8_t)(to_reg(r, hour % 12 ? hour % 12 : 12) | (hour >= 12 ? HOUR_PM : 0));
}

static int hour_from_reg(const struct vrtc *r, uint8_t v)
{
    return decode_hour(r->ram[REG_B], v);
}

int64_t vrtc_regs_to_unix(const uint8_t regs[VRTC_CENTURY + 1])
{
    uint8_t b = regs[REG_B];
    struct rtc_time tm = {
        .sec = decode(b, regs[REG_SEC]), .min = decode(b, regs[REG_MIN]),
        .hour = decode_hour(b, regs[REG_HOUR]), .mday = decode(b, regs[REG_MDAY]),
        .month = decode(b, regs[REG_MONTH]),
        .year = decode(b, regs[VRTC_CENTURY]) * 100 + decode(b, regs[REG_YEAR]),
    };

    return compose(&tm);
}

/* The register image of a time-of-day or date register at second secs. */
static uint8_t time_reg(const struct vrtc *r, int64_t secs, uint8_t reg)
{
    struct rtc_time tm;

    breakdown(secs, &tm);
    switch (reg) {
    case REG_SEC:     return to_reg(r, tm.sec);
    case REG_MIN:     return to_reg(r, tm.min);
    case REG_HOUR:    return hour_to_reg(r, tm.hour);
    case REG_WDAY:    return to_reg(r, (tm.wday + r->wday_adjust + 7) % 7 + 1);
    case REG_MDAY:    return to_reg(r, tm.mday);
    case REG_MONTH:   return to_reg(r, tm.month);
    case REG_YEAR:    return to_reg(r, tm.year % 100);
    default:          return to_reg(r, tm.year / 100);     /* VRTC_CENTURY */
    }
}

static bool is_time_reg(uint8_t reg)
{
    return reg == REG_SEC || reg == REG_MIN || reg == REG_HOUR || reg == VRTC_CENTURY ||
           (reg >= REG_WDAY && reg <= REG_YEAR);
}

static void write_time_reg(struct vrtc *r, int64_t t, uint8_t reg, uint8_t val)
{
    int64_t into, secs = current_secs(r, t, &into);
    struct rtc_time tm;

    breakdown(secs, &tm);
    switch (reg) {
    case REG_SEC:    tm.sec = from_reg(r, val); break;
    case REG_MIN:    tm.min = from_reg(r, val); break;
    case REG_HOUR:   tm.hour = hour_from_reg(r, val); break;
    case REG_WDAY:
        r->wday_adjust = (int8_t)(((from_reg(r, val) - 1 - tm.wday) % 7 + 7) % 7);
        return;
    case REG_MDAY:   tm.mday = from_reg(r, val); break;
    case REG_MONTH:  tm.month = from_reg(r, val); break;
    case REG_YEAR:   tm.year = tm.year / 100 * 100 + from_reg(r, val); break;
    default:         tm.year = from_reg(r, val) * 100 + tm.year % 100; break;
    }
    set_secs(r, t, compose(&tm));
}

/* The value (0 to limit - 1) whose register image is the alarm byte a: -1 for
 * "don't care", -2 if no value has that image (the alarm never matches, as
 * the time registers hold only valid images). */
static int alarm_value(const struct vrtc *r, uint8_t a, int limit, bool hour)
{
    if (a >= ALARM_DONT_CARE)
        return -1;
    for (int v = 0; v < limit; v++)
        if ((hour ? hour_to_reg(r, v) : to_reg(r, v)) == a)
            return v;
    return -2;
}

/* Whether a second in [first, last] matches the alarm (hour, minute and second,
 * each a value or don't care). Found field by field from the first candidate
 * on, in time order, not second by second: a guest that leaves the clock for
 * a day costs a few dozen steps here, not 86,400 date conversions. */
static bool alarm_in(const struct vrtc *r, int64_t first, int64_t last)
{
    int hour = alarm_value(r, r->ram[REG_HOUR_ALARM], 24, true);
    int min = alarm_value(r, r->ram[REG_MIN_ALARM], 60, false);
    int sec = alarm_value(r, r->ram[REG_SEC_ALARM], 60, false);

    if (hour == -2 || min == -2 || sec == -2)
        return false;
    for (int64_t day = floor_div(first, SECS_PER_DAY) * SECS_PER_DAY; day <= last;
         day += SECS_PER_DAY)
        for (int h = hour < 0 ? 0 : hour; h < (hour < 0 ? 24 : hour + 1); h++) {
            int64_t at_h = day + h * 3600ll;

            if (at_h + 3599 < first)
                continue;
            for (int m = min < 0 ? 0 : min; m < (min < 0 ? 60 : min + 1); m++) {
                int64_t at_m = at_h + m * 60ll;
                int64_t at = sec < 0 ? MAX(at_m, first) : at_m + sec;

                if (at_m > last)
                    return false;           /* every later candidate is later still */
                if (at_m + 59 >= first && at >= first)
                    return at <= last;
            }
        }
    return false;
}

/* Divider ticks (32.768 kHz) from the second boundary at secs_ns to t. */
static int64_t divider_ticks(const struct vrtc *r, int64_t t)
{
    int64_t d = t - (int64_t)r->secs_ns, whole = floor_div(d, NS_PER_S);

    return whole * DIVIDER_HZ + (d - whole * NS_PER_S) * DIVIDER_HZ / NS_PER_S;
}

static int64_t periodic_ticks(const struct vrtc *r)
{
    unsigned rs = A_RS(r->ram[REG_A]);

    if (rs == 0)
        return 0;
    return rs <= 2 ? 64ll << rs : 1ll << (rs - 1);  /* RS 1, 2 as 3..: 256 Hz, 128 Hz */
}

/* Set the flags of the events in (flags_ns, t]. */
static void update_flags(struct vrtc *r, int64_t t)
{
    int64_t from = (int64_t)r->flags_ns, period = periodic_ticks(r);

    if (t <= from)
        return;
    r->flags_ns = (uint64_t)t;
    if (!divider_runs(r))
        return;
    if (period && floor_div(divider_ticks(r, t), period) > floor_div(divider_ticks(r, from), period))
        r->flags |= C_PF;
    if (updating(r)) {
        int64_t into, last = current_secs(r, t, &into), first = current_secs(r, from, &into) + 1;

        if (last >= first) {
            r->flags |= C_UF;
            if (!(r->flags & C_AF) && alarm_in(r, first, last))
                r->flags |= C_AF;
        }
    }
}

static void update_irq(struct vrtc *r)
{
    uint8_t enabled = r->ram[REG_B] & (B_PIE | B_AIE | B_UIE);    /* same bits as PF, AF, UF */
    bool level = (r->flags & enabled & (C_PF | C_AF | C_UF)) != 0;

    r->flags = (uint8_t)((r->flags & ~C_IRQF) | (level ? C_IRQF : 0));
    if (level != r->irq_level) {
        r->irq_level = level;
        if (r->irq)
            r->irq(r->opaque, level);
    }
}

void vrtc_poll(struct vrtc *r)
{
    update_flags(r, now(r));
    update_irq(r);
}

void vrtc_init(struct vrtc *r, int64_t unix_seconds, vrtc_clock_fn clock, vrtc_irq_fn irq,
               void *opaque)
{
    memset(r, 0, sizeof(*r));
    r->clock = clock;
    r->irq = irq;
    r->opaque = opaque;
    r->ram[REG_A] = 0x26;               /* 32.768 kHz divider, 1024 Hz periodic rate */
    r->ram[REG_B] = B_24H;
    r->ram[REG_D] = D_VRT;
    r->secs = unix_seconds;
    r->secs_ns = r->flags_ns = (uint64_t)now(r);
}

void vrtc_set_cmos(struct vrtc *r, uint8_t index, uint8_t val)
{
    if (index > REG_D && index < sizeof(r->ram) && index != VRTC_CENTURY)
        r->ram[index] = val;
}

int64_t vrtc_unix_seconds(struct vrtc *r)
{
    int64_t into;

    return current_secs(r, now(r), &into);
}

uint64_t vrtc_next_event(struct vrtc *r)
{
    int64_t t = now(r), into, next = INT64_MAX, period = periodic_ticks(r);
    uint8_t b = r->ram[REG_B];

    vrtc_poll(r);
    if (r->irq_level || !divider_runs(r))
        return VRTC_NEVER;                  /* the line stays up until C is read */
    if ((b & (B_UIE | B_AIE)) && updating(r)) {  /* the alarm is checked at each update */
        current_secs(r, t, &into);
        next = t - into + NS_PER_S;
    }
    if ((b & B_PIE) && period) {
        int64_t k = floor_div(divider_ticks(r, t), period) + 1, ticks = k * period;
        int64_t whole = floor_div(ticks, DIVIDER_HZ);
        int64_t at = (int64_t)r->secs_ns + whole * NS_PER_S +
                     ((ticks - whole * DIVIDER_HZ) * NS_PER_S + DIVIDER_HZ - 1) / DIVIDER_HZ;

        next = MIN(next, at);
    }
    return next == INT64_MAX ? VRTC_NEVER : (uint64_t)next;
}

static uint8_t read_reg(struct vrtc *r, uint8_t reg)
{
    int64_t t = now(r), into, secs;

    if (is_time_reg(reg)) {
        secs = current_secs(r, t, &into);
        return time_reg(r, secs, reg);
    }
    switch (reg) {
    case REG_A:
        current_secs(r, t, &into);
        return (uint8_t)((r->ram[REG_A] & ~A_UIP) |
                         (updating(r) && into >= NS_PER_S - UIP_NS ? A_UIP : 0));
    case REG_C: {
        uint8_t c;

        update_flags(r, t);
        update_irq(r);
        c = r->flags;
        r->flags = 0;
        update_irq(r);
        return c;
    }
    default:
        return r->ram[reg];
    }
}

static void write_b(struct vrtc *r, int64_t t, uint8_t val)
{
    bool was_set = r->ram[REG_B] & B_SET;
    int64_t into;

    update_flags(r, t);
    if (val & B_SET) {
        val &= (uint8_t)~B_UIE;             /* SET clears UIE */
        if (!was_set)
            r->secs = current_secs(r, t, &into);
    }
    r->ram[REG_B] = val;
    if (was_set && !(val & B_SET))
        set_secs(r, t, r->secs);            /* counts again from the divider's phase */
    update_irq(r);
}

static void write_a(struct vrtc *r, int64_t t, uint8_t val)
{
    bool ran = divider_runs(r), frozen = !updating(r);
    int64_t into, secs = current_secs(r, t, &into);

    update_flags(r, t);
    r->ram[REG_A] = val & (uint8_t)~A_UIP;
    if (ran && !divider_runs(r)) {
        r->secs = secs;                     /* the divider is held: time stops */
    } else if (!ran && divider_runs(r)) {
        /* Released: the first update comes 500 ms later. */
        r->secs_ns = (uint64_t)(t - NS_PER_S / 2);
        if (!frozen)
            r->secs = secs;
    }
    update_irq(r);
}

static void write_reg(struct vrtc *r, uint8_t reg, uint8_t val)
{
    int64_t t = now(r);

    if (is_time_reg(reg)) {
        write_time_reg(r, t, reg, val);
        return;
    }
    switch (reg) {
    case REG_A:
        write_a(r, t, val);
        break;
    case REG_B:
        write_b(r, t, val);
        break;
    case REG_C:
    case REG_D:
        break;                              /* read-only */
    default:
        r->ram[reg] = val;
        break;
    }
}

bool vrtc_io_read(struct vrtc *r, uint16_t port, uint8_t *val)
{
    if (port == VRTC_PORT_INDEX)
        *val = 0xff;                        /* the index register is write-only */
    else if (port == VRTC_PORT_DATA)
        *val = read_reg(r, r->index);
    else
        return false;
    return true;
}

bool vrtc_io_write(struct vrtc *r, uint16_t port, uint8_t val)
{
    if (port == VRTC_PORT_INDEX) {
        r->index = val & 0x7f;
        r->nmi_masked = val & 0x80;
    } else if (port == VRTC_PORT_DATA) {
        write_reg(r, r->index, val);
    } else {
        return false;
    }
    return true;
}
