/*
 * The virtual 16550A (hypervisor/arch/x86/hvm/uart.c) against the register
 * behaviour of QEMU's serial.c and the PC16550D data sheet: reset values,
 * the 8250 driver's initialisation, IIR priorities and FIFO bits, trigger
 * levels and the receive timeout, THR-empty acknowledgement and re-arming,
 * overrun (FIFO and holding register) with LSR.OE, OUT2 gating of the IRQ
 * line, loopback with modem-status deltas, flow-control room.
 */
#include <asm/vuart.h>
#include "tests.h"

enum { RBR, IER, IIR, LCR, MCR, LSR, MSR, SCR };
#define FCR IIR
#define THR RBR

static struct vuart uart;
static bool irq_level;
static unsigned irq_rises;
static uint8_t sent[64];
static unsigned nsent;

static void irq_changed(void *opaque, bool level)
{
    CU_ASSERT_PTR_EQUAL(opaque, &uart);
    CU_ASSERT_NOT_EQUAL(level, irq_level);      /* told only of changes */
    irq_level = level;
    irq_rises += level;
}

static void tx(void *opaque, uint8_t byte)
{
    CU_ASSERT_PTR_EQUAL(opaque, &uart);
    if (nsent < sizeof(sent))
        sent[nsent++] = byte;
}

static uint8_t in8(unsigned reg) { return vuart_io_read(&uart, reg); }
static void out8(unsigned reg, uint8_t v) { vuart_io_write(&uart, reg, v); }

static unsigned feed(const char *s)
{
    unsigned n = 0;

    while (s[n])
        n++;
    return vuart_receive(&uart, (const uint8_t *)s, n);
}

static void reset(void)
{
    irq_level = false;
    irq_rises = 0;
    nsent = 0;
    vuart_init(&uart, tx, irq_changed, &uart);
}

/* Linux serial8250 set_termios/startup: 8N1, FIFO on with a trigger, OUT2. */
static void linux_init(uint8_t fcr, uint8_t ier)
{
    out8(LCR, 0x83);
    out8(RBR, 0x01);                /* 115200 */
    out8(IER, 0x00);
    out8(LCR, 0x03);
    out8(FCR, fcr);
    out8(MCR, 0x0b);                /* DTR, RTS, OUT2 */
    out8(IER, ier);
}

static void test_reset_values(void)
{
    reset();
    CU_ASSERT_EQUAL(in8(IER), 0);
    CU_ASSERT_EQUAL(in8(IIR), 0x01);
    CU_ASSERT_EQUAL(in8(LCR), 0);
    CU_ASSERT_EQUAL(in8(MCR), 0x08);
    CU_ASSERT_EQUAL(in8(LSR), 0x60);
    CU_ASSERT_EQUAL(in8(MSR), 0xb0);
    out8(LCR, 0x80);
    CU_ASSERT_EQUAL(in8(RBR), 0x0c);
    CU_ASSERT_EQUAL(in8(IER), 0x00);
    out8(RBR, 0x34);
    out8(IER, 0x12);                /* divisor bytes, not THR/IER */
    CU_ASSERT_EQUAL(in8(RBR), 0x34);
    CU_ASSERT_EQUAL(in8(IER), 0x12);
    out8(LCR, 0x03);
    CU_ASSERT_EQUAL(in8(IER), 0);
    CU_ASSERT_EQUAL(nsent, 0);
    out8(SCR, 0x5a);
    CU_ASSERT_EQUAL(in8(SCR), 0x5a);
    CU_ASSERT_FALSE(irq_level);
}

static void test_receive_fifo_trigger_1(void)
{
    reset();
    linux_init(0x07, 0x01);         /* FIFO on, both reset, trigger 1; RX interrupt */
    CU_ASSERT_EQUAL(in8(IIR), 0xc1);
    CU_ASSERT_FALSE(irq_level);
    CU_ASSERT_EQUAL(feed("abc"), 3);
    CU_ASSERT_TRUE(irq_level);
    CU_ASSERT_EQUAL(in8(IIR), 0xc4);
    CU_ASSERT_EQUAL(in8(LSR), 0x61);
    CU_ASSERT_EQUAL(in8(RBR), 'a');
    CU_ASSERT_EQUAL(in8(RBR), 'b');
    CU_ASSERT_TRUE(irq_level);
    CU_ASSERT_EQUAL(in8(RBR), 'c');
    CU_ASSERT_FALSE(irq_level);
    CU_ASSERT_EQUAL(in8(LSR), 0x60);
    CU_ASSERT_EQUAL(in8(IIR), 0xc1);
    CU_ASSERT_EQUAL(in8(RBR), 0);   /* empty FIFO reads 0 (QEMU) */
    CU_ASSERT_EQUAL(irq_rises, 1);
}

static void test_trigger_level_and_timeout(void)
{
    reset();
    linux_init(0xc7, 0x01);         /* trigger 14 */
    feed("abc");
    CU_ASSERT_EQUAL(in8(IIR), 0xcc);    /* character timeout below the level */
    CU_ASSERT_TRUE(irq_level);
    feed("defghijklmn");            /* 14 bytes */
    CU_ASSERT_EQUAL(in8(IIR), 0xc4);
    CU_ASSERT_EQUAL(in8(RBR), 'a');
    CU_ASSERT_EQUAL(in8(IIR), 0xcc);    /* 13 left: timeout again */
    out8(FCR, 0x47);                /* trigger 4, receive FIFO reset */
    CU_ASSERT_EQUAL(in8(LSR), 0x60);
    CU_ASSERT_EQUAL(in8(IIR), 0xc1);
    CU_ASSERT_FALSE(irq_level);
    feed("wxyz");
    CU_ASSERT_EQUAL(in8(IIR), 0xc4);
}

static void test_thr_empty(void)
{
    reset();
    linux_init(0x00, 0x00);
    CU_ASSERT_EQUAL(in8(IIR), 0x01);
    out8(IER, 0x02);                /* enabling THRI with THR empty raises it */
    CU_ASSERT_TRUE(irq_level);
    CU_ASSERT_EQUAL(in8(IIR), 0x02);
    CU_ASSERT_FALSE(irq_level);     /* the IIR read acknowledged it */
    CU_ASSERT_EQUAL(in8(IIR), 0x01);
    out8(THR, 'X');                 /* sent at once: empty again, interrupt again */
    CU_ASSERT_EQUAL(nsent, 1);
    CU_ASSERT_EQUAL(sent[0], 'X');
    CU_ASSERT_TRUE(irq_level);
    CU_ASSERT_EQUAL(irq_rises, 2);
    out8(THR, 'Y');                 /* written without acknowledging: still a new edge */
    CU_ASSERT_EQUAL(irq_rises, 3);
    out8(IER, 0x00);
    CU_ASSERT_FALSE(irq_level);
    out8(IER, 0x02);
    CU_ASSERT_EQUAL(in8(IIR), 0x02);
    CU_ASSERT_EQUAL(in8(LSR), 0x60);
}

static void test_priorities_and_overrun(void)
{
    reset();
    linux_init(0x07, 0x0f);         /* every source enabled */
    CU_ASSERT_TRUE(irq_level);          /* THR empty, not acknowledged */
    CU_ASSERT_EQUAL(vuart_rx_room(&uart), 16);
    CU_ASSERT_EQUAL(feed("0123456789abcdefXY"), 16);
    CU_ASSERT_EQUAL(vuart_rx_room(&uart), 0);
    CU_ASSERT_EQUAL(in8(IIR), 0xc6);    /* line status (OE) first */
    CU_ASSERT_EQUAL(in8(LSR), 0x63);    /* DR, OE, THRE, TEMT; the read clears OE */
    CU_ASSERT_EQUAL(in8(LSR), 0x61);
    CU_ASSERT_EQUAL(in8(IIR), 0xc4);    /* then received data */
    for (int i = 0; i < 16; i++)
        CU_ASSERT_EQUAL(in8(RBR), "0123456789abcdef"[i]);  /* a full FIFO kept its bytes */
    CU_ASSERT_EQUAL(in8(IIR), 0xc2);    /* then THR empty */
    CU_ASSERT_EQUAL(in8(IIR), 0xc1);
    CU_ASSERT_FALSE(irq_level);
}

static void test_holding_register_overrun(void)
{
    reset();
    linux_init(0x00, 0x05);         /* no FIFO; RX data and line status */
    CU_ASSERT_EQUAL(vuart_rx_room(&uart), 1);
    CU_ASSERT_EQUAL(feed("pq"), 1);
    CU_ASSERT_EQUAL(in8(IIR), 0x06);
    CU_ASSERT_EQUAL(in8(LSR), 0x63);
    CU_ASSERT_EQUAL(in8(IIR), 0x04);
    CU_ASSERT_EQUAL(in8(RBR), 'q');     /* the newer byte overwrote the older */
    CU_ASSERT_EQUAL(in8(LSR), 0x60);
    CU_ASSERT_EQUAL(in8(RBR), 'q');     /* an empty holding register repeats */
    CU_ASSERT_EQUAL(in8(IIR), 0x01);
}

static void test_fifo_enable_flushes(void)
{
    reset();
    linux_init(0x01, 0x01);
    feed("ab");
    out8(FCR, 0x00);                /* disabling flushes */
    CU_ASSERT_EQUAL(in8(LSR), 0x60);
    CU_ASSERT_EQUAL(in8(IIR), 0x01);
    feed("c");
    out8(FCR, 0x01);                /* enabling flushes too */
    CU_ASSERT_EQUAL(in8(LSR), 0x60);
    CU_ASSERT_FALSE(irq_level);
}

static void test_out2_gates_the_line(void)
{
    reset();
    linux_init(0x07, 0x01);
    out8(MCR, 0x03);                /* OUT2 off */
    feed("a");
    CU_ASSERT_EQUAL(in8(IIR), 0xc4);    /* pending inside the UART */
    CU_ASSERT_FALSE(irq_level);
    CU_ASSERT_FALSE(vuart_irq_line(&uart));
    out8(MCR, 0x0b);
    CU_ASSERT_TRUE(irq_level);
    CU_ASSERT_EQUAL(in8(RBR), 'a');
    CU_ASSERT_FALSE(irq_level);
}

static void test_loopback(void)
{
    reset();
    linux_init(0x07, 0x01);
    in8(MSR);
    out8(MCR, 0x1b);                /* loop, DTR, RTS, OUT2 */
    CU_ASSERT_EQUAL(in8(MSR), 0xb0);    /* DTR->DSR, RTS->CTS, OUT2->DCD: no change, no delta */
    CU_ASSERT_EQUAL(vuart_rx_room(&uart), 0);
    CU_ASSERT_EQUAL(feed("z"), 0);  /* the input pin is disconnected */
    out8(THR, 'L');
    CU_ASSERT_EQUAL(nsent, 0);      /* nothing leaves the chip */
    CU_ASSERT_EQUAL(in8(LSR), 0x61);
    CU_ASSERT_EQUAL(in8(IIR), 0xc4);
    CU_ASSERT_FALSE(irq_level);     /* OUT2 is forced inactive in loopback */
    CU_ASSERT_EQUAL(in8(RBR), 'L');
    out8(MCR, 0x14);                /* loop, OUT1 only: RI on, CTS/DSR/DCD off */
    CU_ASSERT_EQUAL(in8(MSR), 0x40 | 0x0b);
    CU_ASSERT_EQUAL(in8(MSR), 0x40);
    out8(IER, 0x08);
    out8(MCR, 0x10);                /* RI falls: trailing edge */
    CU_ASSERT_EQUAL(in8(IIR), 0xc0);    /* modem status */
    CU_ASSERT_EQUAL(in8(MSR), 0x04);
    CU_ASSERT_EQUAL(in8(IIR), 0xc1);
    out8(MCR, 0x0b);                /* out of loopback: idle lines again */
    CU_ASSERT_EQUAL(in8(MSR), 0xb0 | 0x0b);
    CU_ASSERT_EQUAL(feed("z"), 1);
}

void register_vuart_tests(void)
{
    static const struct unit_test tests[] = {
        { "reset values, divisor latch, scratch", test_reset_values },
        { "receive FIFO, trigger 1, RX interrupt", test_receive_fifo_trigger_1 },
        { "trigger level 14 and the receive timeout", test_trigger_level_and_timeout },
        { "THR empty: raise, IIR acknowledge, re-arm by THR", test_thr_empty },
        { "IIR priorities, FIFO overrun sets OE", test_priorities_and_overrun },
        { "holding register overrun (no FIFO)", test_holding_register_overrun },
        { "FIFO enable change flushes", test_fifo_enable_flushes },
        { "MCR.OUT2 gates the IRQ line", test_out2_gates_the_line },
        { "loopback: THR to RBR, MSR from MCR, deltas", test_loopback },
    };

    add_suite("vuart (16550A)", tests, sizeof(tests) / sizeof(tests[0]));
}
