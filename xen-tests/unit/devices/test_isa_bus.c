/*
 * ISA byte lanes (hypervisor/arch/x86/hvm/isa_bus.c): a wide access to
 * byte-wide devices is one access per port, each decoded on its own; a
 * byte nobody decodes reads 0xFF and its write is dropped; the access is
 * claimed when any byte is (e.g. `inw 0x1F` covers an empty port and the
 * PIC's 0x20).
 */
#include <asm/isa_bus.h>
#include "tests.h"

/* A fake bus decoding ports 0x20-0x21 as two byte registers; logs writes. */
static uint8_t regs[2];
static unsigned reads, writes;

static bool fake_read(void *bus, uint16_t port, uint8_t *byte)
{
    (void)bus;
    if (port < 0x20 || port > 0x21)
        return false;
    reads++;
    *byte = regs[port - 0x20];
    return true;
}

static bool fake_write(void *bus, uint16_t port, uint8_t byte)
{
    (void)bus;
    if (port < 0x20 || port > 0x21)
        return false;
    writes++;
    regs[port - 0x20] = byte;
    return true;
}

static void reset(void)
{
    regs[0] = 0x12;
    regs[1] = 0x34;
    reads = writes = 0;
}

static void test_lanes_read(void)
{
    uint32_t v;

    reset();
    CU_ASSERT_TRUE(isa_bus_read(fake_read, NULL, 0x20, 1, &v));
    CU_ASSERT_EQUAL(v, 0x12);
    CU_ASSERT_TRUE(isa_bus_read(fake_read, NULL, 0x20, 2, &v));
    CU_ASSERT_EQUAL(v, 0x3412);
    CU_ASSERT_TRUE(isa_bus_read(fake_read, NULL, 0x20, 4, &v));   /* 0x22-0x23: nobody */
    CU_ASSERT_EQUAL(v, 0xffff3412u);
    CU_ASSERT_TRUE(isa_bus_read(fake_read, NULL, 0x1f, 2, &v));   /* only the high byte decoded */
    CU_ASSERT_EQUAL(v, 0x12ff);
    CU_ASSERT_EQUAL(reads, 1 + 2 + 2 + 1);
    CU_ASSERT_FALSE(isa_bus_read(fake_read, NULL, 0x22, 2, &v));
}

static void test_lanes_write(void)
{
    reset();
    CU_ASSERT_TRUE(isa_bus_write(fake_write, NULL, 0x1f, 2, 0xab00));  /* 0x20 gets the high byte */
    CU_ASSERT_EQUAL(regs[0], 0xab);
    CU_ASSERT_EQUAL(regs[1], 0x34);
    CU_ASSERT_TRUE(isa_bus_write(fake_write, NULL, 0x20, 4, 0x99887766u));
    CU_ASSERT_EQUAL(regs[0], 0x66);
    CU_ASSERT_EQUAL(regs[1], 0x77);
    CU_ASSERT_EQUAL(writes, 3);
    CU_ASSERT_FALSE(isa_bus_write(fake_write, NULL, 0x22, 2, 0));
    CU_ASSERT_EQUAL(writes, 3);
}

void register_isa_bus_tests(void)
{
    static const struct unit_test tests[] = {
        { "wide reads: one per port, empty bytes 0xFF, claimed by any byte", test_lanes_read },
        { "wide writes: each byte to its own port, claimed by any byte", test_lanes_write },
    };

    add_suite("isa_bus", tests, sizeof(tests) / sizeof(tests[0]));
}
