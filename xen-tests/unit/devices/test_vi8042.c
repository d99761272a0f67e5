/*
 * The 8042 without devices (hypervisor/arch/x86/hvm/i8042.c): the
 * controller commands firmware and Linux send, and the two ways to pull
 * the reset line (pulse 0xFE, output port bit 0 through 0xD1).
 */
#include <asm/vi8042.h>
#include "tests.h"

static struct vi8042 kbc;
static unsigned resets, irq1_changes;
static bool irq1;

static void on_reset(void *opaque)
{
    (void)opaque;
    resets++;
}

static void on_irq(void *opaque, unsigned irq, bool level)
{
    (void)opaque;
    if (irq == 1) {
        CU_ASSERT_NOT_EQUAL(level, irq1);
        irq1 = level;
        irq1_changes++;
    }
}

DEVICE_PORT_HELPERS(vi8042, &kbc)

static void reset(void)
{
    resets = irq1_changes = 0;
    irq1 = false;
    vi8042_init(&kbc, on_reset, on_irq, NULL);
}

static void test_self_test_and_command_byte(void)
{
    reset();
    CU_ASSERT_EQUAL(in8(0x64) & 0x01, 0);       /* output buffer empty */
    CU_ASSERT_EQUAL(in8(0x64) & 0x02, 0);       /* input buffer never busy */
    out8(0x64, 0xaa);
    CU_ASSERT_EQUAL(in8(0x64) & 0x05, 0x05);    /* OBF, system flag */
    CU_ASSERT_TRUE(irq1);                       /* command byte 0x03: IRQ1 enabled */
    CU_ASSERT_EQUAL(in8(0x60), 0x55);
    CU_ASSERT_FALSE(irq1);
    CU_ASSERT_EQUAL(in8(0x64) & 0x01, 0);
    out8(0x64, 0x20);
    CU_ASSERT_EQUAL(in8(0x60), 0x03);
    out8(0x64, 0x60);
    out8(0x60, 0x44);                           /* interrupts off, translation on */
    out8(0x64, 0x20);
    CU_ASSERT_FALSE(irq1);
    CU_ASSERT_EQUAL(in8(0x60), 0x44);
    out8(0x64, 0xab);
    CU_ASSERT_EQUAL(in8(0x60), 0x00);           /* keyboard interface test passed */
    CU_ASSERT_EQUAL(resets, 0);
}

static void test_pulse_reset(void)
{
    reset();
    out8(0x64, 0xff);                           /* pulse nothing */
    out8(0x64, 0xfd);                           /* pulse line 1 only */
    CU_ASSERT_EQUAL(resets, 0);
    out8(0x64, 0xfe);
    CU_ASSERT_EQUAL(resets, 1);
}

static void test_output_port_reset(void)
{
    reset();
    out8(0x64, 0xd0);
    CU_ASSERT_EQUAL(in8(0x60) & 0x03, 0x03);    /* reset high, A20 on */
    out8(0x64, 0xd1);
    out8(0x60, 0xdf);                           /* A20 on, reset high */
    CU_ASSERT_EQUAL(resets, 0);
    out8(0x64, 0xd1);
    out8(0x60, 0xde);
    CU_ASSERT_EQUAL(resets, 1);
}

static void test_no_keyboard_behind_it(void)
{
    uint8_t v;

    reset();
    out8(0x60, 0xf2);                           /* identify: nobody answers */
    CU_ASSERT_EQUAL(in8(0x64) & 0x41, 0x41);    /* timeout, a byte to read */
    CU_ASSERT_EQUAL(in8(0x60), 0xff);
    CU_ASSERT_EQUAL(in8(0x64) & 0x41, 0x00);
    out8(0x64, 0xd2);
    out8(0x60, 0x1c);                           /* echo through the keyboard buffer */
    CU_ASSERT_EQUAL(in8(0x60), 0x1c);
    CU_ASSERT_FALSE(vi8042_io_read(&kbc, 0x61, &v));
}

void register_vi8042_tests(void)
{
    static const struct unit_test tests[] = {
        { "self test, command byte, interface test, IRQ1", test_self_test_and_command_byte },
        { "pulse 0xFE resets, other pulses do not", test_pulse_reset },
        { "output port bit 0 cleared resets", test_output_port_reset },
        { "data to a missing keyboard times out", test_no_keyboard_behind_it },
    };

    add_suite("vi8042", tests, sizeof(tests) / sizeof(tests[0]));
}
