/*
 * The virtual MC146818 (hypervisor/arch/x86/hvm/rtc.c) on a fake clock:
 * the time as Linux's mc146818_get_time reads it (BCD and binary, 12 and
 * 24 hour, century byte), the clock advancing, SET stopping it and the
 * written time counting from its release, the divider reset, UIP only just
 * before an update, register C's flags and IRQ8, the alarm, the periodic
 * rate, CMOS RAM and the NMI-mask bit.
 */
#include <asm/vrtc.h>
#include "tests.h"

#define NS 1000000000ull
/* 2026-12-05 05:40:07 UTC, a Saturday. */
#define T0 1796449207ll

static uint64_t fake_ns;
static struct vrtc rtc;
static bool irq8;
static unsigned irq_changes;

static uint64_t fake_clock(void *opaque)
{
    (void)opaque;
    return fake_ns;
}

static void irq_changed(void *opaque, bool level)
{
    (void)opaque;
    CU_ASSERT_NOT_EQUAL(level, irq8);
    irq8 = level;
    irq_changes++;
}

DEVICE_PORT_HELPERS(vrtc, &rtc)

static uint8_t cmos(uint8_t reg)
{
    out8(0x70, reg);
    return in8(0x71);
}

static void cmos_write(uint8_t reg, uint8_t val)
{
    out8(0x70, reg);
    out8(0x71, val);
}

static void reset(void)
{
    fake_ns = 7 * NS + 123;         /* not zero, not on a second */
    irq8 = false;
    irq_changes = 0;
    vrtc_init(&rtc, T0, fake_clock, irq_changed, NULL);
}

static void test_power_on_bcd_24h(void)
{
    reset();
    CU_ASSERT_EQUAL(cmos(0x0a), 0x26);
    CU_ASSERT_EQUAL(cmos(0x0b), 0x02);
    CU_ASSERT_EQUAL(cmos(0x0d), 0x80);
    CU_ASSERT_EQUAL(cmos(0x00), 0x07);
    CU_ASSERT_EQUAL(cmos(0x02), 0x40);
    CU_ASSERT_EQUAL(cmos(0x04), 0x05);
    CU_ASSERT_EQUAL(cmos(0x06), 0x07);          /* Saturday = 7 */
    CU_ASSERT_EQUAL(cmos(0x07), 0x05);
    CU_ASSERT_EQUAL(cmos(0x08), 0x12);
    CU_ASSERT_EQUAL(cmos(0x09), 0x26);
    CU_ASSERT_EQUAL(cmos(0x32), 0x20);
    CU_ASSERT_EQUAL(in8(0x70), 0xff);           /* the index port is write-only */
}

static void test_binary_and_12_hour(void)
{
    reset();
    cmos_write(0x0b, 0x04);                     /* binary, 12 hour */
    CU_ASSERT_EQUAL(cmos(0x04), 5);             /* 5 AM */
    CU_ASSERT_EQUAL(cmos(0x00), 7);
    CU_ASSERT_EQUAL(cmos(0x09), 26);
    fake_ns += 12 * 3600 * NS;
    CU_ASSERT_EQUAL(cmos(0x04), 0x80 | 5);      /* 5 PM */
    cmos_write(0x0b, 0x00);                     /* BCD, 12 hour */
    fake_ns += 7 * 3600 * NS;                   /* 00:40 next day: 12 AM */
    CU_ASSERT_EQUAL(cmos(0x04), 0x12);
    CU_ASSERT_EQUAL(cmos(0x07), 0x06);
    CU_ASSERT_EQUAL(cmos(0x06), 0x01);          /* Sunday */
}

static void test_clock_advances(void)
{
    reset();
    fake_ns += 53 * NS;                         /* 05:41:00 */
    CU_ASSERT_EQUAL(cmos(0x00), 0x00);
    CU_ASSERT_EQUAL(cmos(0x02), 0x41);
    fake_ns += 27 * 24 * 3600 * NS;             /* 2027-01-01 */
    CU_ASSERT_EQUAL(cmos(0x07), 0x01);
    CU_ASSERT_EQUAL(cmos(0x08), 0x01);
    CU_ASSERT_EQUAL(cmos(0x09), 0x27);
    CU_ASSERT_EQUAL(vrtc_unix_seconds(&rtc), T0 + 53 + 27 * 86400);
}

/* Linux's mc146818_set_time: SET, write the fields, clear SET. */
static void test_set_time_as_linux_does(void)
{
    reset();
    cmos_write(0x0b, 0x02 | 0x80);
    fake_ns += 5 * NS;
    CU_ASSERT_EQUAL(cmos(0x00), 0x07);          /* stopped */
    CU_ASSERT_EQUAL(cmos(0x0a) & 0x80, 0);      /* no UIP while SET */
    cmos_write(0x09, 0x28);
    cmos_write(0x08, 0x02);
    cmos_write(0x07, 0x29);
    cmos_write(0x04, 0x23);
    cmos_write(0x02, 0x59);
    cmos_write(0x00, 0x58);
    cmos_write(0x32, 0x20);
    cmos_write(0x0b, 0x02);
    CU_ASSERT_EQUAL(cmos(0x00), 0x58);
    fake_ns += 2 * NS;
    CU_ASSERT_EQUAL(cmos(0x00), 0x00);
    CU_ASSERT_EQUAL(cmos(0x02), 0x00);
    CU_ASSERT_EQUAL(cmos(0x04), 0x00);
    CU_ASSERT_EQUAL(cmos(0x07), 0x01);          /* 2028-02-29 was the last day */
    CU_ASSERT_EQUAL(cmos(0x08), 0x03);
    CU_ASSERT_EQUAL(cmos(0x09), 0x28);
}

static void test_uip_only_before_an_update(void)
{
    reset();
    /* The clock's seconds begin at 7.000000123 s. */
    fake_ns = 7 * NS + 123 + NS / 2;
    CU_ASSERT_EQUAL(cmos(0x0a) & 0x80, 0);
    fake_ns = 8 * NS + 123 - 100000;            /* 100 us before the update */
    CU_ASSERT_EQUAL(cmos(0x0a) & 0x80, 0x80);
    CU_ASSERT_EQUAL(cmos(0x00), 0x07);
    fake_ns = 8 * NS + 123;
    CU_ASSERT_EQUAL(cmos(0x0a) & 0x80, 0);
    CU_ASSERT_EQUAL(cmos(0x00), 0x08);
}

static void test_divider_reset_holds_and_releases_after_half_a_second(void)
{
    reset();
    cmos_write(0x0a, 0x70);                     /* divider held */
    fake_ns += 10 * NS;
    CU_ASSERT_EQUAL(cmos(0x00), 0x07);
    cmos_write(0x0a, 0x26);
    fake_ns += NS / 2 - 1;
    CU_ASSERT_EQUAL(cmos(0x00), 0x07);
    fake_ns += 1;
    CU_ASSERT_EQUAL(cmos(0x00), 0x08);
}

static void test_update_flag_and_irq8(void)
{
    reset();
    CU_ASSERT_EQUAL(cmos(0x0c), 0x00);
    fake_ns += NS;
    CU_ASSERT_EQUAL(cmos(0x0c), 0x50);          /* UF, and PF at the 1024 Hz rate */
    cmos_write(0x0a, 0x20);                     /* RS 0: no periodic flag */
    fake_ns += NS;
    CU_ASSERT_EQUAL(cmos(0x0c), 0x10);          /* UF without UIE: no IRQF */
    CU_ASSERT_EQUAL(cmos(0x0c), 0x00);          /* cleared by the read */
    CU_ASSERT_FALSE(irq8);
    cmos_write(0x0b, 0x12);                     /* UIE */
    CU_ASSERT_EQUAL(vrtc_next_event(&rtc), 10 * NS + 123);
    fake_ns = 10 * NS + 123;
    vrtc_poll(&rtc);
    CU_ASSERT_TRUE(irq8);
    CU_ASSERT_EQUAL(vrtc_next_event(&rtc), VRTC_NEVER);   /* the line is up until C is read */
    CU_ASSERT_EQUAL(cmos(0x0c), 0x90);
    CU_ASSERT_FALSE(irq8);
    cmos_write(0x0b, 0x92);                     /* SET clears UIE */
    CU_ASSERT_EQUAL(cmos(0x0b), 0x82);
}

static void test_alarm(void)
{
    reset();
    cmos_write(0x0a, 0x20);                     /* RS 0: no periodic flag */
    cmos_write(0x01, 0x10);                     /* 05:40:10 */
    cmos_write(0x03, 0x40);
    cmos_write(0x05, 0x05);
    cmos_write(0x0b, 0x22);                     /* AIE */
    fake_ns += 2 * NS;                          /* 05:40:09 */
    vrtc_poll(&rtc);
    CU_ASSERT_FALSE(irq8);
    fake_ns += NS;
    vrtc_poll(&rtc);
    CU_ASSERT_TRUE(irq8);
    CU_ASSERT_EQUAL(cmos(0x0c), 0x80 | 0x20 | 0x10);
    cmos_write(0x03, 0xc0);                     /* any minute, any hour: second 10 */
    cmos_write(0x05, 0xff);
    fake_ns += 59 * NS;                         /* 05:41:09 */
    CU_ASSERT_EQUAL(cmos(0x0c) & 0x20, 0);
    fake_ns += NS;
    CU_ASSERT_EQUAL(cmos(0x0c) & 0xa0, 0xa0);
}

/* The register image of v in the data mode of register B (test's own). */
static uint8_t image(uint8_t b, int v)
{
    return b & 0x04 ? (uint8_t)v : (uint8_t)(((v / 10) << 4) | (v % 10));
}

static uint8_t hour_image(uint8_t b, int h)
{
    if (b & 0x02)
        return image(b, h);
    return (uint8_t)(image(b, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0));
}

/* Second by second, as the MC146818 compares at each update. */
static bool alarm_reference(uint8_t b, const uint8_t alarm[3], long long first,
                            long long last)
{
    if (last - first > 86400)
        first = last - 86400;               /* a day holds every time of day */
    for (long long s = first; s <= last; s++) {
        long long tod = ((s % 86400) + 86400) % 86400;
        uint8_t now[3] = { hour_image(b, (int)(tod / 3600)), image(b, (int)(tod / 60 % 60)),
                           image(b, (int)(tod % 60)) };
        bool match = true;

        for (int i = 0; i < 3; i++)
            if (alarm[i] < 0xc0 && alarm[i] != now[i])
                match = false;
        if (match)
            return true;
    }
    return false;
}

/* After steps of a second to two days, in every data mode, with alarm bytes
 * that are values, don't-cares and images no time has: AF is set exactly when a
 * second passed in the step matches (the alarm is found field by field). */
static void test_alarm_after_long_steps(void)
{
    static const uint8_t modes[] = { 0x22, 0x20, 0x26, 0x24 };  /* AIE; BCD/binary, 24/12 h */
    uint32_t x = 12345;
    unsigned set = 0, cases = 0;

    for (unsigned i = 0; i < 400; i++) {
        uint8_t b = modes[i % 4], alarm[3];
        long long before, after;
        uint64_t step;

        x = x * 1103515245u + 12345u;
        reset();
        vrtc_init(&rtc, T0 + (int64_t)(x >> 8) - (i & 8 ? 3000000000ll : 0), fake_clock,
                  irq_changed, NULL);
        cmos_write(0x0a, 0x20);                 /* no periodic flag */
        cmos_write(0x0b, b);
        for (int f = 0; f < 3; f++) {
            int limit = f == 0 ? 24 : 60, v;

            x = x * 1103515245u + 12345u;
            v = (int)((x >> 16) % (unsigned)limit);
            switch ((x >> 8) & 7) {
            case 0: alarm[f] = 0xc0 | (uint8_t)(x >> 24); break;           /* don't care */
            case 1: alarm[f] = (uint8_t)(x >> 24) & 0xbf; break;           /* anything */
            default: alarm[f] = f == 0 ? hour_image(b, v) : image(b, v); break;
            }
        }
        cmos_write(0x05, alarm[0]);
        cmos_write(0x03, alarm[1]);
        cmos_write(0x01, alarm[2]);
        cmos(0x0c);                             /* flags so far cleared */
        x = x * 1103515245u + 12345u;
        step = i % 5 == 0 ? (uint64_t)(x % (2 * 86400u)) * NS : (uint64_t)(x % 7200u) * NS + x % NS;
        before = vrtc_unix_seconds(&rtc);
        fake_ns += step;
        vrtc_poll(&rtc);
        after = vrtc_unix_seconds(&rtc);
        bool af = cmos(0x0c) & 0x20;
        bool want = after > before && alarm_reference(b, alarm, before + 1, after);
        if (af != want)
            printf("\n    B %#x alarm %02x:%02x:%02x, seconds %lld to %lld: AF %d, want %d",
                   b, alarm[0], alarm[1], alarm[2], before + 1, after, af, want);
        CU_ASSERT_EQUAL(af, want);
        set += want;
        cases++;
    }
    CU_ASSERT(set > cases / 8 && set < cases - cases / 8);   /* both answers exercised */
}

static void test_periodic_rate(void)
{
    reset();
    cmos_write(0x0a, 0x2f);                     /* RS 15: 2 Hz */
    cmos_write(0x0b, 0x42);                     /* PIE */
    CU_ASSERT_EQUAL(vrtc_next_event(&rtc), 7 * NS + 123 + NS / 2);
    fake_ns += NS / 2 - 1;
    vrtc_poll(&rtc);
    CU_ASSERT_FALSE(irq8);
    fake_ns += 1;
    vrtc_poll(&rtc);
    CU_ASSERT_TRUE(irq8);
    CU_ASSERT_EQUAL(cmos(0x0c) & 0xc0, 0xc0);
    CU_ASSERT_FALSE(irq8);
}

static void test_cmos_ram_and_nmi_bit(void)
{
    reset();
    cmos_write(0x40, 0xa5);
    CU_ASSERT_EQUAL(cmos(0x40), 0xa5);
    out8(0x70, 0x80 | 0x40);                    /* NMI masked, same register */
    CU_ASSERT_TRUE(rtc.nmi_masked);
    CU_ASSERT_EQUAL(in8(0x71), 0xa5);
    out8(0x70, 0x0d);
    CU_ASSERT_FALSE(rtc.nmi_masked);
    cmos_write(0x0d, 0x00);                     /* D is read-only */
    CU_ASSERT_EQUAL(cmos(0x0d), 0x80);
    vrtc_set_cmos(&rtc, 0x15, 0x80);
    CU_ASSERT_EQUAL(cmos(0x15), 0x80);
    uint8_t v;
    CU_ASSERT_FALSE(vrtc_io_read(&rtc, 0x72, &v));
}

static void test_regs_to_unix(void)
{
    uint8_t bcd[0x33] = { [0] = 0x07, [2] = 0x40, [4] = 0x05, [7] = 0x05, [8] = 0x12,
                          [9] = 0x26, [0x0b] = 0x02, [0x32] = 0x20 };
    uint8_t bin12[0x33] = { [0] = 7, [2] = 40, [4] = 5, [7] = 5, [8] = 12, [9] = 26,
                            [0x0b] = 0x04, [0x32] = 20 };

    CU_ASSERT_EQUAL(vrtc_regs_to_unix(bcd), T0);
    CU_ASSERT_EQUAL(vrtc_regs_to_unix(bin12), T0);
    bin12[4] = 0x80 | 5;
    CU_ASSERT_EQUAL(vrtc_regs_to_unix(bin12), T0 + 12 * 3600);
}

void register_vrtc_tests(void)
{
    static const struct unit_test tests[] = {
        { "power-on registers, BCD 24-hour time and date", test_power_on_bcd_24h },
        { "binary and 12-hour formats", test_binary_and_12_hour },
        { "the clock advances across minutes and years", test_clock_advances },
        { "SET stops the clock; the written time counts on", test_set_time_as_linux_does },
        { "UIP only in the 244 us before an update", test_uip_only_before_an_update },
        { "divider reset holds the clock, release updates 500 ms later",
          test_divider_reset_holds_and_releases_after_half_a_second },
        { "update flag, UIE and IRQ8; SET clears UIE", test_update_flag_and_irq8 },
        { "alarm, with don't-care bytes", test_alarm },
        { "alarm after steps of up to two days, every data mode", test_alarm_after_long_steps },
        { "periodic interrupt at RS rate", test_periodic_rate },
        { "CMOS RAM, NMI-mask bit, read-only D", test_cmos_ram_and_nmi_bit },
        { "register images to Unix seconds (host RTC)", test_regs_to_unix },
    };

    add_suite("vrtc (MC146818)", tests, sizeof(tests) / sizeof(tests[0]));
}
