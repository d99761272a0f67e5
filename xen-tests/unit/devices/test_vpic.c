/*
 * The virtual 8259A pair (hypervisor/arch/x86/hvm/vpic.c): Linux's
 * initialisation and EOI sequences, the cascade, priorities and nesting,
 * masks, edge versus level (ELCR), OCW3 reads, poll, auto-EOI, rotation,
 * special mask mode, spurious vectors and re-initialisation.
 */
#include <asm/vpic.h>
#include "tests.h"

static struct vpic pic;
static bool int_level;
static unsigned int_changes;

static void int_changed(void *opaque, bool level)
{
    (void)opaque;
    CU_ASSERT_NOT_EQUAL(level, int_level);      /* told only of changes */
    int_level = level;
    int_changes++;
}

DEVICE_PORT_HELPERS(vpic, &pic)

static void pulse(unsigned irq)
{
    vpic_set_irq(&pic, irq, true);
    vpic_set_irq(&pic, irq, false);
}

/* Linux init_8259A(auto_eoi): vectors 0x30/0x38, cascade on IR2, then masks. */
static void linux_init(bool auto_eoi, uint8_t master_mask, uint8_t slave_mask)
{
    int_level = false;
    int_changes = 0;
    vpic_init(&pic, int_changed, NULL);
    out8(0x21, 0xff);
    out8(0xa1, 0xff);
    out8(0x20, 0x11);
    out8(0x21, 0x30);
    out8(0x21, 0x04);
    out8(0x21, auto_eoi ? 0x03 : 0x01);
    out8(0xa0, 0x11);
    out8(0xa1, 0x38);
    out8(0xa1, 0x02);
    out8(0xa1, 0x01);
    out8(0x21, master_mask);
    out8(0xa1, slave_mask);
}

static void test_linux_init_and_timer(void)
{
    linux_init(false, 0xfa, 0xff);      /* IRQ0 and the cascade */
    CU_ASSERT_EQUAL(in8(0x21), 0xfa);   /* Linux's probe reads the mask back */
    CU_ASSERT(!int_level);
    pulse(0);
    CU_ASSERT(int_level);
    CU_ASSERT(vpic_int_pending(&pic));
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x30);
    CU_ASSERT(!int_level);
    out8(0x20, 0x0b);                   /* OCW3: read ISR */
    CU_ASSERT_EQUAL(in8(0x20), 0x01);
    pulse(0);                           /* same level in service: held */
    CU_ASSERT(!int_level);
    out8(0x20, 0x0a);                   /* OCW3: read IRR */
    CU_ASSERT_EQUAL(in8(0x20), 0x01);
    out8(0x20, 0x60);                   /* Linux: specific EOI for IRQ0 */
    CU_ASSERT(int_level);
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x30);
    out8(0x20, 0x20);                   /* non-specific EOI */
    out8(0x20, 0x0b);
    CU_ASSERT_EQUAL(in8(0x20), 0);
}

static void test_cascade(void)
{
    linux_init(false, 0xfb, 0xef);      /* cascade, IRQ12 */
    pulse(12);
    CU_ASSERT(int_level);
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x3c);
    out8(0x20, 0x0b);
    out8(0xa0, 0x0b);
    CU_ASSERT_EQUAL(in8(0x20), 0x04);   /* master: IR2 in service */
    CU_ASSERT_EQUAL(in8(0xa0), 0x10);   /* slave: IR4 in service */
    pulse(12);
    CU_ASSERT(!int_level);
    out8(0xa0, 0x20);
    CU_ASSERT(!int_level);              /* the master's IR2 still in service */
    out8(0x20, 0x20);
    CU_ASSERT(int_level);               /* the second IRQ12 comes through */
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x3c);
}

static void test_priority_and_nesting(void)
{
    linux_init(false, 0x00, 0xff);
    pulse(3);
    pulse(5);
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x33);      /* 3 before 5 */
    CU_ASSERT(!int_level);                      /* 5 is lower than 3 in service */
    pulse(1);
    CU_ASSERT(int_level);                       /* 1 nests over 3 */
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x31);
    out8(0x20, 0x20);                           /* EOI ends 1, the highest in service */
    out8(0x20, 0x0b);
    CU_ASSERT_EQUAL(in8(0x20), 0x08);
    out8(0x20, 0x20);
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x35);
}

static void test_masking(void)
{
    linux_init(false, 0xff, 0xff);
    pulse(4);
    CU_ASSERT(!int_level);
    out8(0x21, 0xef);                   /* unmask IRQ4: the latched edge is delivered */
    CU_ASSERT(int_level);
    out8(0x21, 0xff);
    CU_ASSERT(!int_level);
    out8(0x21, 0xef);
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x34);
}

static void test_edge_and_level(void)
{
    linux_init(false, 0xfb, 0x00);
    out8(0x4d1, 0xff);
    CU_ASSERT_EQUAL(in8(0x4d1), 0xde);  /* IRQ 8 and 13 stay edge triggered */
    out8(0x4d0, 0xff);
    CU_ASSERT_EQUAL(in8(0x4d0), 0xf8);  /* IRQ 0-2 too */
    vpic_set_irq(&pic, 10, true);       /* level */
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x3a);
    out8(0xa0, 0x20);
    out8(0x20, 0x20);
    CU_ASSERT(int_level);               /* still high: asks again */
    vpic_set_irq(&pic, 10, false);
    CU_ASSERT(!int_level);              /* and stops when the line falls */
    vpic_set_irq(&pic, 8, true);        /* edge, held high */
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x38);
    out8(0xa0, 0x20);
    out8(0x20, 0x20);
    CU_ASSERT(!int_level);              /* one edge, one interrupt */
}

static void test_spurious(void)
{
    linux_init(false, 0x00, 0x00);
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x37);      /* nothing pending: IR7 */
    out8(0x20, 0x0b);
    CU_ASSERT_EQUAL(in8(0x20), 0);              /* and no ISR bit */
    out8(0x4d1, 0x04);                          /* IRQ10 level */
    vpic_set_irq(&pic, 10, true);
    CU_ASSERT(int_level);
    vpic_set_irq(&pic, 10, false);              /* gone before the INTA */
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x37);
}

static void test_poll(void)
{
    linux_init(false, 0x00, 0xff);
    pulse(6);
    out8(0x20, 0x0c);                   /* OCW3: poll */
    CU_ASSERT_EQUAL(in8(0x20), 0x86);
    CU_ASSERT(!int_level);              /* acknowledged by the poll */
    out8(0x20, 0x0b);
    CU_ASSERT_EQUAL(in8(0x20), 0x40);
    out8(0x20, 0x20);
    out8(0x20, 0x0c);
    CU_ASSERT_EQUAL(in8(0x20), 0x00);   /* nothing requesting */
}

static void test_auto_eoi(void)
{
    linux_init(true, 0x00, 0xff);
    pulse(0);
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x30);
    out8(0x20, 0x0b);
    CU_ASSERT_EQUAL(in8(0x20), 0);      /* no ISR bit in AEOI mode */
    pulse(0);
    CU_ASSERT(int_level);               /* delivered again without EOI */
}

static void test_rotation(void)
{
    linux_init(false, 0x00, 0xff);
    pulse(0);
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x30);
    out8(0x20, 0xa0);                   /* rotate on non-specific EOI: 0 lowest */
    pulse(0);
    pulse(1);
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x31);
    out8(0x20, 0x61);                   /* specific EOI 1 */
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x30);
    out8(0x20, 0x60);
    out8(0x20, 0xc4);                   /* set priority: 4 lowest, 5 highest */
    pulse(3);
    pulse(5);
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x35);
}

static void test_special_mask_mode(void)
{
    linux_init(false, 0x00, 0xff);
    pulse(3);
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x33);
    pulse(5);
    CU_ASSERT(!int_level);
    out8(0x20, 0x68);                   /* OCW3: set special mask mode */
    out8(0x21, 0x08);                   /* mask the level in service */
    CU_ASSERT(int_level);               /* 5 is no longer inhibited by 3 */
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x35);
    out8(0x20, 0x48);                   /* reset special mask mode */
}

static void test_reinit_and_foreign_ports(void)
{
    uint8_t v;

    linux_init(false, 0xff, 0xff);
    out8(0x4d1, 0x04);
    vpic_set_irq(&pic, 10, true);       /* level, masked */
    vpic_set_irq(&pic, 4, true);        /* edge, masked, held high */
    out8(0x20, 0x11);                   /* ICW1 again */
    out8(0x21, 0x20);
    out8(0x21, 0x04);
    out8(0x21, 0x01);
    CU_ASSERT_EQUAL(in8(0x21), 0x00);   /* ICW1 clears the mask */
    out8(0x20, 0x0a);
    CU_ASSERT_EQUAL(in8(0x20), 0x00);   /* the edge was dropped; the slave is masked */
    out8(0xa1, 0x00);
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x3a);  /* the level request survived */
    out8(0xa0, 0x20);
    out8(0x20, 0x20);
    vpic_set_irq(&pic, 10, false);
    vpic_set_irq(&pic, 4, true);
    CU_ASSERT(!int_level);              /* a held edge line needs a new rising edge */
    pulse(4);
    pulse(4);
    CU_ASSERT_EQUAL(vpic_ack(&pic), 0x24);
    CU_ASSERT(!vpic_io_read(&pic, 0x22, &v));
    CU_ASSERT(!vpic_io_write(&pic, 0x4d2, 0));
    vpic_set_irq(&pic, 2, true);        /* IR2 is the cascade, not a line */
    vpic_set_irq(&pic, 16, true);
}

void register_vpic_tests(void)
{
    static const struct unit_test tests[] = {
        { "Linux init_8259A, IRQ0, ISR/IRR reads, EOIs", test_linux_init_and_timer },
        { "slave IRQ through the cascade", test_cascade },
        { "priority and nesting", test_priority_and_nesting },
        { "masks hold latched edges", test_masking },
        { "ELCR: level lines re-request, edges once", test_edge_and_level },
        { "spurious IR7 vectors", test_spurious },
        { "poll command", test_poll },
        { "auto-EOI", test_auto_eoi },
        { "rotation and set priority", test_rotation },
        { "special mask mode", test_special_mask_mode },
        { "re-initialisation; other ports are not the PIC's", test_reinit_and_foreign_ports },
    };

    add_suite("vpic (8259A pair)", tests, sizeof(tests) / sizeof(tests[0]));
}
