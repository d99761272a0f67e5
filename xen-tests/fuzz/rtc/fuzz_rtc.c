/*
 * MC146818 RTC and CMOS RAM (hypervisor/arch/x86/hvm/rtc.c) driven by
 * sequences of guest port accesses (0x70 index, 0x71 data) and time steps
 * after which the owner polls, as hvm/platform.c does at vrtc_next_event().
 * Input: the start second (u32, u8), then records of an op byte and a value
 * byte (+ 4 bytes of nanoseconds for a time step).
 *
 * Invariants, after every step:
 *  - the IRQ8 callback fires only on a change and agrees with the model;
 *    register C's IRQF equals the line;
 *  - IRQ8 is never high without a flag (PF, AF, UF) whose enable bit
 *    (PIE, AIE, UIE) is set in register B: a disabled source never raises
 *    the line; reading C clears it and lowers the line;
 *  - vrtc_next_event() is never in the past; at a poll the line rises only
 *    once the announced time is reached, and does rise then for the update
 *    and periodic interrupts;
 *  - reads are consistent with writes: CMOS bytes and alarms read as
 *    written, A (but UIP) and B (SET clears UIE) as written, D is VRT, the
 *    index port reads 0xFF; a time register written while the clock stands
 *    reads back as written (when the value is a valid one);
 *  - a stopped clock does not move; a running one advances by the whole
 *    seconds elapsed (or one more, at the boundary).
 */
#include <asm/vrtc.h>
#include "fuzz.h"

#define NS_PER_S 1000000000ull
#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d
#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_BINARY 0x04
#define B_24H 0x02
#define C_IRQF 0x80

static uint64_t now;
static bool reported;

static uint64_t clock_now(void *opaque) { return now; }

static void irq_changed(void *opaque, bool level)
{
    FUZZ_CHECK(level != reported, "IRQ8 callback with an unchanged level %d", level);
    reported = level;
}

/* What the guest wrote, as it must read back. */
static struct {
    bool known[128];
    uint8_t val[128];
} shadow;

static bool clock_stands(const struct vrtc *r)
{
    return (r->ram[REG_B] & B_SET) || ((r->ram[REG_A] >> 4) & 7) > 2;
}

static bool is_time_reg(uint8_t reg)
{
    return reg == 0x00 || reg == 0x02 || reg == 0x04 || (reg >= 0x06 && reg <= 0x09) ||
           reg == VRTC_CENTURY;
}

static bool bcd_ok(uint8_t v) { return (v & 0x0f) <= 9 && (v >> 4) <= 9; }

static int value_of(const struct vrtc *r, uint8_t v)
{
    return r->ram[REG_B] & B_BINARY ? v : (v >> 4) * 10 + (v & 0x0f);
}

/* A time register value that reads back unchanged: a valid encoding, in
 * range for its register whatever the rest of the date. */
static bool canonical_time(const struct vrtc *r, uint8_t reg, uint8_t v)
{
    bool binary = r->ram[REG_B] & B_BINARY;
    uint8_t low = v;
    int n;

    if ( reg == 0x04 && !(r->ram[REG_B] & B_24H) )
        low = v & 0x7f;                             /* 12-hour: bit 7 is PM */
    if ( !binary && !bcd_ok(low) )
        return false;
    n = value_of(r, low);
    switch ( reg )
    {
    case 0x00: case 0x02: return n < 60;
    case 0x04: return r->ram[REG_B] & B_24H ? n < 24 : n >= 1 && n <= 12;
    case 0x06: return n >= 1 && n <= 7;
    case 0x07: return n >= 1 && n <= 28;
    default:   return false;
    }
}

static void check(const struct vrtc *r)
{
    uint8_t enabled = r->ram[REG_B] & (B_PIE | B_AIE | B_UIE);

    FUZZ_CHECK(r->irq_level == reported, "line %d, last reported %d", r->irq_level, reported);
    FUZZ_CHECK(!!(r->flags & C_IRQF) == r->irq_level, "IRQF %#x with the line %d", r->flags,
               r->irq_level);
    FUZZ_CHECK(!r->irq_level || (r->flags & enabled),
               "IRQ8 high with flags %#x, none enabled in B %#x", r->flags, r->ram[REG_B]);
    FUZZ_CHECK(!(r->flags & 0x0f), "register C low bits %#x", r->flags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size };
    struct vrtc rtc;
    uint64_t next;
    int tw_reg = -1;                    /* a time register just written, standing */
    uint8_t tw_val = 0;

    now = 1000;
    reported = false;
    memset(&shadow, 0, sizeof(shadow));
    /* Start anywhere from 1970 to ~2106, or before 1970. */
    vrtc_init(&rtc, (int64_t)(int32_t)fuzz_u32(&in) * (fuzz_u8(&in) & 1 ? 1 : 2), clock_now,
              irq_changed, NULL);
    shadow.known[REG_A] = shadow.known[REG_B] = true;
    shadow.val[REG_A] = 0x26;
    shadow.val[REG_B] = B_24H;
    next = vrtc_next_event(&rtc);

    while ( fuzz_more(&in) )
    {
        uint8_t op = fuzz_u8(&in), val = fuzz_u8(&in), r;
        int just_written = -1;

        switch ( op & 3 )
        {
        case 0:                                     /* OUT 0x70: index, NMI mask */
            FUZZ_CHECK(vrtc_io_write(&rtc, VRTC_PORT_INDEX, val), "0x70 refused");
            FUZZ_CHECK(rtc.index == (val & 0x7f), "index %#x after writing %#x", rtc.index, val);
            break;
        case 1: {                                   /* OUT 0x71 */
            uint8_t reg = rtc.index;

            if ( is_time_reg(reg) )
            {
                if ( clock_stands(&rtc) && canonical_time(&rtc, reg, val) )
                {
                    just_written = reg;
                    tw_val = val;
                }
            }
            else if ( reg == REG_B )
                shadow.val[reg] = val & B_SET ? val & ~B_UIE : val;
            else if ( reg != REG_C && reg != REG_D )
            {
                shadow.known[reg] = true;
                shadow.val[reg] = val;
            }
            FUZZ_CHECK(vrtc_io_write(&rtc, VRTC_PORT_DATA, val), "0x71 refused");
            break;
        }
        case 2:                                     /* IN 0x71 (or 0x70) */
            if ( op & 4 )
            {
                FUZZ_CHECK(vrtc_io_read(&rtc, VRTC_PORT_INDEX, &r), "0x70 refused");
                FUZZ_CHECK(r == 0xff, "index port read %#x", r);
                break;
            }
            FUZZ_CHECK(vrtc_io_read(&rtc, VRTC_PORT_DATA, &r), "0x71 refused");
            if ( rtc.index == tw_reg )
                FUZZ_CHECK(r == tw_val, "time register %#x written %#x reads %#x (clock standing)",
                           tw_reg, tw_val, r);
            else if ( rtc.index == REG_A )
                FUZZ_CHECK((r & 0x7f) == (shadow.val[REG_A] & 0x7f), "A written %#x reads %#x",
                           shadow.val[REG_A], r);
            else if ( rtc.index == REG_B )
                FUZZ_CHECK(r == shadow.val[REG_B], "B written %#x reads %#x", shadow.val[REG_B], r);
            else if ( rtc.index == REG_C )
            {
                FUZZ_CHECK(!(r & C_IRQF) || (r & rtc.ram[REG_B] & (B_PIE | B_AIE | B_UIE)),
                           "C %#x: IRQF without an enabled flag (B %#x)", r, rtc.ram[REG_B]);
                FUZZ_CHECK(!rtc.irq_level && !rtc.flags, "reading C left flags %#x line %d",
                           rtc.flags, rtc.irq_level);
            }
            else if ( rtc.index == REG_D )
                FUZZ_CHECK(r == 0x80, "D reads %#x", r);
            else if ( !is_time_reg(rtc.index) )     /* alarms and CMOS RAM */
                FUZZ_CHECK(r == (shadow.known[rtc.index] ? shadow.val[rtc.index] : 0),
                           "CMOS %#x written %#x reads %#x", rtc.index, shadow.val[rtc.index], r);
            if ( rtc.index == tw_reg )
                just_written = tw_reg;              /* stays readable while nothing else happens */
            break;
        case 3: {                                   /* time passes; the owner polls */
            /* Up to 4.3 s; 18 min when the value's high nibble is 0xF, 39 h
             * (more than a day of updates) when it is 0xEF: the model's alarm
             * check costs a step per second crossed, so long steps are kept
             * rare for speed. */
            uint64_t step = (uint64_t)fuzz_u32(&in) << (val == 0xef ? 15 : (val >> 4) == 0xf ? 8 : 0);
            int64_t before = vrtc_unix_seconds(&rtc), after;
            bool stands = clock_stands(&rtc), was = rtc.irq_level;
            uint8_t b = rtc.ram[REG_B];
            bool sure = ((b & B_UIE) && !stands) ||
                        ((b & B_PIE) && (rtc.ram[REG_A] & 0x0f) && !((b & B_AIE) && !stands));

            now += step;
            vrtc_poll(&rtc);
            after = vrtc_unix_seconds(&rtc);
            if ( stands )
                FUZZ_CHECK(after == before, "a standing clock moved from %lld to %lld",
                           (long long)before, (long long)after);
            else
                FUZZ_CHECK(after - before == (int64_t)(step / NS_PER_S) ||
                           after - before == (int64_t)(step / NS_PER_S) + 1,
                           "clock moved %lld s in %llu ns", (long long)(after - before),
                           (unsigned long long)step);
            if ( !was && rtc.irq_level )
                FUZZ_CHECK(next != VRTC_NEVER && now >= next,
                           "IRQ8 rose at %llu before the announced %llu",
                           (unsigned long long)now, (unsigned long long)next);
            if ( !was && next != VRTC_NEVER && now >= next && sure )
                FUZZ_CHECK(rtc.irq_level, "no IRQ8 at %llu though announced for %llu (B %#x)",
                           (unsigned long long)now, (unsigned long long)next, b);
            if ( tw_reg >= 0 && stands )
                just_written = tw_reg;              /* a standing clock keeps what was written */
            break;
        }
        }
        tw_reg = just_written;
        check(&rtc);
        next = vrtc_next_event(&rtc);
        check(&rtc);
        FUZZ_CHECK(next == VRTC_NEVER || next >= now, "next event %llu in the past (now %llu)",
                   (unsigned long long)next, (unsigned long long)now);
    }
    return 0;
}
