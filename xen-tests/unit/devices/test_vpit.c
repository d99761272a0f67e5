/*
 * The virtual 8254 (hypervisor/arch/x86/hvm/vpit.c) on a fake clock: the
 * sequences Linux uses (TSC calibration on channel 2 with port 0x61, quick
 * MSB calibration, the periodic and one-shot clockevent modes on channel 0),
 * the gate rules, latch and read-back, and the data sheet's modes.
 */
#include <stdio.h>
#include <asm/vpit.h>
#include "tests.h"

static uint64_t fake_ns;

static uint64_t fake_clock(void *opaque)
{
    (void)opaque;
    return fake_ns;
}

/* Move the clock to the first ns of PIT tick t. */
static void at_tick(uint64_t t)
{
    fake_ns = (t * 1000000000ull + VPIT_HZ - 1) / VPIT_HZ;
}

static uint64_t tick_ns(uint64_t t)
{
    return (t * 1000000000ull + VPIT_HZ - 1) / VPIT_HZ;
}

static struct vpit pit;

static void reset(void)
{
    fake_ns = 5000000000ull;    /* not zero: nothing may assume time starts at 0 */
    vpit_init(&pit, fake_clock, NULL);
}

static uint64_t start_tick(void)
{
    return (fake_ns / 1000000000ull) * VPIT_HZ + (fake_ns % 1000000000ull) * VPIT_HZ / 1000000000ull;
}

DEVICE_PORT_HELPERS(vpit, &pit)

static unsigned read16(uint16_t port)
{
    unsigned lo = in8(port);

    return lo | in8(port) << 8;
}

/* Linux pit_calibrate_tsc(): gate 2 high, speaker off, mode 0, poll OUT2 in port 0x61. */
static void test_linux_tsc_calibration(void)
{
    const unsigned latch = 11932;   /* 10 ms */
    uint64_t t0;

    reset();
    out8(0x61, (in8(0x61) & ~0x02) | 0x01);
    out8(0x43, 0xb0);               /* channel 2, LSB/MSB, mode 0, binary */
    t0 = start_tick();
    out8(0x42, latch & 0xff);
    out8(0x42, latch >> 8);
    CU_ASSERT_EQUAL(in8(0x61) & 0x21, 0x01);     /* gate on, OUT2 low */
    at_tick(t0 + 100);
    CU_ASSERT_EQUAL(read16(0x42), latch - 100);
    at_tick(t0 + latch - 1);
    CU_ASSERT_EQUAL(in8(0x61) & 0x20, 0);
    at_tick(t0 + latch);
    CU_ASSERT_EQUAL(in8(0x61) & 0x20, 0x20);     /* terminal count: OUT2 high */
    at_tick(t0 + latch + 5000);
    CU_ASSERT_EQUAL(in8(0x61) & 0x20, 0x20);     /* and it stays high */
    CU_ASSERT_EQUAL(read16(0x42), (latch + 65536 - latch - 5000) & 0xffff); /* wraps on */
}

/* Linux quick_pit_calibrate(): count 0xffff, read LSB then MSB, watch the MSB fall. */
static void test_linux_quick_calibration(void)
{
    uint64_t t0;

    reset();
    out8(0x61, (in8(0x61) & ~0x02) | 0x01);
    out8(0x43, 0xb0);
    t0 = start_tick();
    out8(0x42, 0xff);
    out8(0x42, 0xff);
    for (unsigned k = 0; k < 200; k += 7) {
        at_tick(t0 + k * 256 + 1);
        in8(0x42);
        CU_ASSERT_EQUAL(in8(0x42), 0xff - k);
    }
}

static void test_gate_stops_mode0(void)
{
    uint64_t t0;

    reset();
    out8(0x61, 0x01);
    out8(0x43, 0xb0);
    t0 = start_tick();
    out8(0x42, 1000 & 0xff);
    out8(0x42, 1000 >> 8);
    at_tick(t0 + 300);
    out8(0x61, 0x00);               /* gate low: counting stops */
    at_tick(t0 + 5000);
    CU_ASSERT_EQUAL(read16(0x42), 700);
    CU_ASSERT_EQUAL(in8(0x61) & 0x20, 0);
    out8(0x61, 0x01);               /* resumes from 700 */
    at_tick(t0 + 5000 + 699);
    CU_ASSERT_EQUAL(in8(0x61) & 0x20, 0);
    at_tick(t0 + 5000 + 700);
    CU_ASSERT_EQUAL(in8(0x61) & 0x20, 0x20);
}

/* Linux's periodic PIT clockevent: 0x34 (channel 0, mode 2), LATCH for HZ=1000. */
static void test_channel0_periodic_mode2(void)
{
    const unsigned n = 1193;
    uint64_t t0;

    reset();
    out8(0x43, 0x34);
    CU_ASSERT_EQUAL(vpit_irq0_next(&pit), VPIT_NEVER);   /* no count yet */
    t0 = start_tick();
    out8(0x40, n & 0xff);
    out8(0x40, n >> 8);
    CU_ASSERT_EQUAL(vpit_irq0_edges(&pit), 0);
    CU_ASSERT_EQUAL(vpit_irq0_next(&pit), tick_ns(t0 + n));
    at_tick(t0 + n - 1);
    CU_ASSERT(!vpit_out(&pit, 0));  /* the one-clock low pulse */
    CU_ASSERT_EQUAL(vpit_irq0_edges(&pit), 0);
    at_tick(t0 + n);
    CU_ASSERT(vpit_out(&pit, 0));
    CU_ASSERT_EQUAL(vpit_irq0_edges(&pit), 1);
    at_tick(t0 + 5 * n + 3);
    CU_ASSERT_EQUAL(vpit_irq0_edges(&pit), 4);
    CU_ASSERT_EQUAL(vpit_irq0_edges(&pit), 0);
    CU_ASSERT_EQUAL(vpit_irq0_next(&pit), tick_ns(t0 + 6 * n));
    CU_ASSERT_EQUAL(read16(0x40), n - 3);
}

static void test_mode2_rewrite_takes_effect_at_period_end(void)
{
    uint64_t t0;

    reset();
    out8(0x43, 0x34);
    t0 = start_tick();
    out8(0x40, 1000 & 0xff);
    out8(0x40, 1000 >> 8);
    at_tick(t0 + 400);
    out8(0x40, 300 & 0xff);         /* no control word: the period finishes first */
    out8(0x40, 300 >> 8);
    CU_ASSERT_EQUAL(in8(0x43) , 0xff);
    out8(0x43, 0xe2);               /* read-back status of channel 0: null count set */
    CU_ASSERT_EQUAL(in8(0x40) & 0x40, 0x40);
    at_tick(t0 + 999);
    CU_ASSERT_EQUAL(vpit_irq0_edges(&pit), 0);
    at_tick(t0 + 1000);
    CU_ASSERT_EQUAL(vpit_irq0_edges(&pit), 1);
    at_tick(t0 + 1000 + 300 * 3);
    CU_ASSERT_EQUAL(vpit_irq0_edges(&pit), 3);
    CU_ASSERT_EQUAL(read16(0x40), 300);
}

static void test_channel0_square_wave_mode3(void)
{
    const unsigned n = 1000;
    uint64_t t0;

    reset();
    out8(0x43, 0x36);               /* channel 0, LSB/MSB, mode 3 */
    t0 = start_tick();
    out8(0x40, n & 0xff);
    out8(0x40, n >> 8);
    at_tick(t0 + 10);
    CU_ASSERT(vpit_out(&pit, 0));
    CU_ASSERT_EQUAL(read16(0x40), n - 20);   /* counts down by two */
    at_tick(t0 + 499);
    CU_ASSERT(vpit_out(&pit, 0));
    at_tick(t0 + 500);
    CU_ASSERT(!vpit_out(&pit, 0));
    at_tick(t0 + 3 * n + 1);
    CU_ASSERT(vpit_out(&pit, 0));
    CU_ASSERT_EQUAL(vpit_irq0_edges(&pit), 3);
}

/* Linux's one-shot clockevent (0x38, mode 4) and its shutdown (0x30, mode 0, count 0). */
static void test_channel0_oneshot_modes(void)
{
    uint64_t t0;

    reset();
    out8(0x43, 0x38);
    t0 = start_tick();
    out8(0x40, 50);
    out8(0x40, 0);
    CU_ASSERT_EQUAL(vpit_irq0_next(&pit), tick_ns(t0 + 51));
    at_tick(t0 + 50);
    CU_ASSERT(!vpit_out(&pit, 0));  /* strobe at terminal count */
    CU_ASSERT_EQUAL(vpit_irq0_edges(&pit), 0);      /* OUT rises one clock later */
    at_tick(t0 + 51);
    CU_ASSERT(vpit_out(&pit, 0));
    CU_ASSERT_EQUAL(vpit_irq0_edges(&pit), 1);
    at_tick(t0 + 200000);
    CU_ASSERT_EQUAL(vpit_irq0_edges(&pit), 0);   /* once only */
    CU_ASSERT_EQUAL(vpit_irq0_next(&pit), VPIT_NEVER);

    out8(0x43, 0x30);
    CU_ASSERT(!vpit_out(&pit, 0));  /* mode 0: OUT low from the control word */
    t0 = start_tick();
    out8(0x40, 0);
    out8(0x40, 0);                  /* 0 means 65536 */
    at_tick(t0 + 65535);
    CU_ASSERT_EQUAL(vpit_irq0_edges(&pit), 0);
    at_tick(t0 + 65536);
    CU_ASSERT_EQUAL(vpit_irq0_edges(&pit), 1);
    CU_ASSERT_EQUAL(vpit_irq0_next(&pit), VPIT_NEVER);
}

static void test_counter_latch(void)
{
    uint64_t t0;

    reset();
    out8(0x43, 0x34);
    t0 = start_tick();
    out8(0x40, 0x10);
    out8(0x40, 0x27);               /* 10000 */
    at_tick(t0 + 1234);
    out8(0x43, 0x00);               /* latch channel 0 */
    at_tick(t0 + 2000);
    out8(0x43, 0x00);               /* ignored: the first latch holds until read */
    CU_ASSERT_EQUAL(read16(0x40), 10000 - 1234);
    CU_ASSERT_EQUAL(read16(0x40), 10000 - 2000);   /* live again */
    /* LSB-only access reads the low byte of the same value. */
    out8(0x43, 0x14);               /* channel 0, LSB only, mode 2 */
    t0 = start_tick();
    out8(0x40, 200);
    at_tick(t0 + 220);
    CU_ASSERT_EQUAL(in8(0x40), 180);
    CU_ASSERT_EQUAL(in8(0x40), 180);                /* no byte flip-flop */
}

static void test_read_back(void)
{
    uint64_t t0;

    reset();
    out8(0x61, 0x01);
    out8(0x43, 0xb0);               /* channel 2 mode 0 */
    CU_ASSERT_EQUAL(in8(0x43), 0xff);
    out8(0x43, 0xe8);               /* read-back: status of channel 2 only */
    CU_ASSERT_EQUAL(in8(0x42), 0x40 | 0x30 | 0x00);   /* OUT low, null count, LSB/MSB, mode 0 */
    t0 = start_tick();
    out8(0x42, 100);
    out8(0x42, 0);
    at_tick(t0 + 150);
    out8(0x43, 0xc8);               /* count and status of channel 2 */
    at_tick(t0 + 170);
    CU_ASSERT_EQUAL(in8(0x42), 0x80 | 0x30);          /* status first: OUT high, count loaded */
    CU_ASSERT_EQUAL(read16(0x42), (100 + 65536 - 150) & 0xffff);
}

static void test_bcd_counting(void)
{
    uint64_t t0;

    reset();
    out8(0x43, 0x31);               /* channel 0, LSB/MSB, mode 0, BCD */
    t0 = start_tick();
    out8(0x40, 0x00);
    out8(0x40, 0x10);               /* BCD 1000 */
    at_tick(t0 + 1);
    CU_ASSERT_EQUAL(read16(0x40), 0x0999);
    at_tick(t0 + 1000);
    CU_ASSERT_EQUAL(vpit_irq0_edges(&pit), 1);
    CU_ASSERT_EQUAL(read16(0x40), 0x0000);
    at_tick(t0 + 1001);
    CU_ASSERT_EQUAL(read16(0x40), 0x9999);          /* wraps modulo 10000 */
}

static void test_mode1_gate_trigger(void)
{
    uint64_t t0;

    reset();
    out8(0x43, 0xb2);               /* channel 2, mode 1 */
    out8(0x42, 100);
    out8(0x42, 0);
    at_tick(start_tick() + 1000);
    CU_ASSERT_EQUAL(in8(0x61) & 0x20, 0x20);        /* not triggered: OUT high */
    t0 = start_tick();
    out8(0x61, 0x01);               /* rising gate triggers the one-shot */
    at_tick(t0 + 50);
    CU_ASSERT_EQUAL(in8(0x61) & 0x20, 0);
    CU_ASSERT_EQUAL(read16(0x42), 50);
    out8(0x61, 0x00);               /* a low gate does not stop mode 1 */
    at_tick(t0 + 100);
    CU_ASSERT_EQUAL(in8(0x61) & 0x20, 0x20);
}

static void test_port61_and_foreign_ports(void)
{
    uint8_t v, a, b;

    reset();
    out8(0x61, 0xff);
    CU_ASSERT_EQUAL(in8(0x61) & 0x0f, 0x0f);
    CU_ASSERT_EQUAL(in8(0x61) & 0xc0, 0);           /* no NMI sources */
    a = in8(0x61) & 0x10;
    fake_ns += 15085;
    b = in8(0x61) & 0x10;
    CU_ASSERT_NOT_EQUAL(a, b);                      /* refresh toggles */
    CU_ASSERT(!vpit_io_read(&pit, 0x44, &v));
    CU_ASSERT(!vpit_io_write(&pit, 0x60, 0));
    CU_ASSERT(!vpit_out(&pit, 3));
}

void register_vpit_tests(void)
{
    static const struct unit_test tests[] = {
        { "Linux TSC calibration on channel 2 via port 0x61", test_linux_tsc_calibration },
        { "Linux quick calibration reads the MSB falling", test_linux_quick_calibration },
        { "a low gate stops mode 0, a high one resumes", test_gate_stops_mode0 },
        { "channel 0 mode 2: one IRQ0 edge per period", test_channel0_periodic_mode2 },
        { "mode 2: a rewritten count starts at the period end", test_mode2_rewrite_takes_effect_at_period_end },
        { "channel 0 mode 3: square wave", test_channel0_square_wave_mode3 },
        { "channel 0 modes 4 and 0: one edge each", test_channel0_oneshot_modes },
        { "counter latch holds the first latched value", test_counter_latch },
        { "read-back: status then count", test_read_back },
        { "BCD counting", test_bcd_counting },
        { "mode 1 is triggered by the gate", test_mode1_gate_trigger },
        { "port 0x61 bits; other ports are not the PIT's", test_port61_and_foreign_ports },
    };

    add_suite("vpit (8254)", tests, sizeof(tests) / sizeof(tests[0]));
}
