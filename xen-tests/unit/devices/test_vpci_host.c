/*
 * PCI host bridge (hypervisor/arch/x86/hvm/pci_host.c): CONFIG_ADDRESS
 * widths, the i440FX at 00:00.0 (IDs, class, header type as Linux's
 * pci_sanity_check and bus scan read them; read-only IDs, the writable
 * command bits only, BAR sizing finds nothing), absent functions, and the
 * reset control register.
 */
#include <asm/vpci_host.h>
#include "tests.h"

static struct vpci_host h;
static unsigned resets;

static void on_reset(void *opaque) { (void)opaque; resets++; }

static void reset(void)
{
    resets = 0;
    vpci_host_init(&h, on_reset, NULL);
}

DEVICE_SIZED_PORT_HELPERS(vpci_host, &h)

/* Configuration mechanism #1 address of bus 0 DEVICE FUNCTION, register REG. */
static uint32_t cfg_addr(unsigned device, unsigned function, unsigned reg)
{
    return 0x80000000u | (device << 11) | (function << 8) | (reg & 0xfc);
}

static uint32_t cfg_read(unsigned device, unsigned function, unsigned reg, unsigned size)
{
    wr(0xcf8, 4, cfg_addr(device, function, reg));
    return rd((uint16_t)(0xcfc + (reg & 3)), size);
}

static void cfg_write(unsigned device, unsigned function, unsigned reg, unsigned size, uint32_t v)
{
    wr(0xcf8, 4, cfg_addr(device, function, reg));
    wr((uint16_t)(0xcfc + (reg & 3)), size, v);
}

static void test_config_address(void)
{
    reset();
    wr(0xcf8, 4, 0xffffffffu);
    CU_ASSERT_EQUAL(rd(0xcf8, 4), 0x80fffffcu);         /* reserved bits 30:24 and 1:0 read 0 */
    /* Linux's type-1 probe: a byte to 0xCFB, then the dword at 0xCF8 reads back. */
    wr(0xcfb, 1, 0x01);
    wr(0xcf8, 4, 0x80000000u);
    CU_ASSERT_EQUAL(rd(0xcf8, 4), 0x80000000u);
    CU_ASSERT_EQUAL(rd(0xcf8, 2), 0xffffu);             /* only a dword reaches CONFIG_ADDRESS */
    wr(0xcf8, 2, 0x1234);
    CU_ASSERT_EQUAL(rd(0xcf8, 4), 0x80000000u);
}

static void test_host_bridge_identity(void)
{
    reset();
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0x00, 4), 0x12378086u);
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0x00, 2), 0x8086u);
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0x02, 2), 0x1237u);
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0x08, 4), 0x06000002u);  /* class 06 00 00, revision 2 */
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0x0a, 2), 0x0600u);      /* pci_sanity_check: PCI_CLASS_BRIDGE_HOST */
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0x0b, 1), 0x06u);
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0x0e, 1), 0x00u);        /* header type 0, single function */
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0x2c, 4), 0x11001af4u);  /* QEMU's subsystem IDs */
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0x34, 1), 0x00u);        /* no capabilities */
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0x3d, 1), 0x00u);        /* no interrupt pin */
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0x06, 2), 0x0000u);      /* status: nothing latched */
}

static void test_host_bridge_writes(void)
{
    reset();
    cfg_write(0, 0, 0x00, 4, 0xdeadbeefu);                  /* IDs are read-only */
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0x00, 4), 0x12378086u);
    cfg_write(0, 0, 0x08, 4, 0xffffffffu);
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0x08, 4), 0x06000002u);
    cfg_write(0, 0, 0x04, 4, 0xffffffffu);                  /* command: implemented bits only; status RO */
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0x04, 4), 0x00000547u);
    cfg_write(0, 0, 0x04, 2, 0x0006);
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0x04, 2), 0x0006u);
    cfg_write(0, 0, 0x0c, 1, 0x10);                         /* cache line size, latency timer: R/W */
    cfg_write(0, 0, 0x0d, 1, 0x40);
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0x0c, 4), 0x00004010u);  /* header type byte unchanged */
    cfg_write(0, 0, 0x3c, 2, 0xffff);                       /* interrupt line R/W, pin RO */
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0x3c, 2), 0x00ffu);
    /* BAR sizing: all-ones written, 0 read back: no BAR. */
    for (unsigned bar = 0x10; bar <= 0x24; bar += 4) {
        cfg_write(0, 0, bar, 4, 0xffffffffu);
        CU_ASSERT_EQUAL(cfg_read(0, 0, bar, 4), 0);
    }
    cfg_write(0, 0, 0x30, 4, 0xfffff800u);                  /* no expansion ROM */
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0x30, 4), 0);
    cfg_write(0, 0, 0x59, 1, 0x33);                         /* PAM0: not modelled, reads 0 */
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0x59, 1), 0);
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0xfc, 4), 0);            /* the last register */
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0xff, 1), 0);
}

static void test_absent_functions(void)
{
    reset();
    CU_ASSERT_EQUAL(cfg_read(0, 1, 0x00, 4), 0xffffffffu);  /* function 1 of the bridge */
    CU_ASSERT_EQUAL(cfg_read(1, 0, 0x00, 4), 0xffffffffu);
    CU_ASSERT_EQUAL(cfg_read(31, 7, 0x0a, 2), 0xffffu);
    wr(0xcf8, 4, 0x80010000u);                              /* bus 1, device 0 */
    CU_ASSERT_EQUAL(rd(0xcfc, 4), 0xffffffffu);
    wr(0xcfc, 4, 0x12345678u);
    CU_ASSERT_EQUAL(rd(0xcfc, 4), 0xffffffffu);
    wr(0xcf8, 4, 0x00000000u);                              /* enable clear: nothing selected */
    CU_ASSERT_EQUAL(rd(0xcfc, 4), 0xffffffffu);
    wr(0xcfc, 2, 0x0007);
    CU_ASSERT_EQUAL(cfg_read(0, 0, 0x04, 2), 0u);           /* the bridge's command untouched */
    /* Accesses that run past 0xCFF are not the bridge's. */
    uint32_t v;
    CU_ASSERT_FALSE(vpci_host_io_read(&h, 0xcfd, 4, &v));
    CU_ASSERT_FALSE(vpci_host_io_read(&h, 0xcf7, 1, &v));
    CU_ASSERT_FALSE(vpci_host_io_read(&h, 0xd00, 1, &v));
}

static void test_reset_control(void)
{
    reset();
    CU_ASSERT_EQUAL(rd(0xcf9, 1), 0);
    wr(0xcf9, 1, 0x02);                                     /* full reset selected */
    CU_ASSERT_EQUAL(resets, 0);
    CU_ASSERT_EQUAL(rd(0xcf9, 1), 0x02);
    wr(0xcf9, 1, 0x06);                                     /* reset CPU */
    CU_ASSERT_EQUAL(resets, 1);
}

void register_vpci_host_tests(void)
{
    static const struct unit_test tests[] = {
        { "CONFIG_ADDRESS: dword only, reserved bits", test_config_address },
        { "00:00.0 reads as QEMU's i440FX host bridge", test_host_bridge_identity },
        { "00:00.0: read-only IDs, writable command bits, no BARs", test_host_bridge_writes },
        { "absent functions and buses, enable bit clear", test_absent_functions },
        { "reset control register (0xCF9)", test_reset_control },
    };

    add_suite("vpci_host", tests, sizeof(tests) / sizeof(tests[0]));
}
