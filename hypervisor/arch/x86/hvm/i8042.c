/*
 * 8042 keyboard controller without devices (see asm/vi8042.h). Commands
 * and bits from the IBM PC/AT technical reference and what Linux's
 * drivers/input/serio/i8042.c and arch/x86/kernel/reboot.c send; power-on
 * values as QEMU's pckbd.c (command byte 0x03, status "unlocked").
 */
#include <asm/vi8042.h>
#include <dbgvisor/lib.h>

#define STS_OBF         (1u << 0)       /* output buffer full */
#define STS_SYS         (1u << 2)       /* system flag: self test passed */
#define STS_CMD         (1u << 3)       /* last write went to 0x64 */
#define STS_UNLOCKED    (1u << 4)
#define STS_AUX         (1u << 5)       /* output buffer holds aux data */
#define STS_TIMEOUT     (1u << 6)

#define CB_KBD_INT      (1u << 0)
#define CB_AUX_INT      (1u << 1)
#define CB_SYS          (1u << 2)
#define CB_KBD_OFF      (1u << 4)
#define CB_AUX_OFF      (1u << 5)

#define OUT_RESET_HIGH  (1u << 0)       /* 0 holds the CPU in reset */
#define OUT_A20         (1u << 1)
#define OUT_POWERON     0xcfu           /* reset high, A20 on, IRQ lines/clocks high */

#define CMD_READ_CB     0x20
#define CMD_WRITE_CB    0x60
#define CMD_AUX_DISABLE 0xa7
#define CMD_AUX_ENABLE  0xa8
#define CMD_AUX_TEST    0xa9
#define CMD_SELF_TEST   0xaa
#define CMD_KBD_TEST    0xab
#define CMD_KBD_DISABLE 0xad
#define CMD_KBD_ENABLE  0xae
#define CMD_READ_INPUT  0xc0
#define CMD_READ_OUTP   0xd0
#define CMD_WRITE_OUTP  0xd1
#define CMD_WRITE_KBD_OBUF 0xd2
#define CMD_WRITE_AUX_OBUF 0xd3
#define CMD_WRITE_AUX   0xd4
#define CMD_READ_TEST   0xe0
#define CMD_PULSE_FIRST 0xf0            /* 0xf0-0xff pulse output lines low */

#define SELF_TEST_OK    0x55
#define INTERFACE_OK    0x00
#define INPUT_PORT      0xa0            /* keyboard not inhibited, 256 KiB+ board RAM */
#define NO_DEVICE       0xff            /* byte a timed-out device transfer gives */

static void update_irqs(struct vi8042 *k)
{
    bool full = k->status & STS_OBF, aux = k->status & STS_AUX;
    bool irq1 = full && !aux && (k->cmd_byte & CB_KBD_INT);
    bool irq12 = full && aux && (k->cmd_byte & CB_AUX_INT);

    if (irq1 != k->irq1) {
        k->irq1 = irq1;
        if (k->irq)
            k->irq(k->opaque, 1, irq1);
    }
    if (irq12 != k->irq12) {
        k->irq12 = irq12;
        if (k->irq)
            k->irq(k->opaque, 12, irq12);
    }
}

static void put_output(struct vi8042 *k, uint8_t val, bool aux)
{
    k->out = val;
    k->status = (uint8_t)((k->status & ~STS_AUX) | STS_OBF | (aux ? STS_AUX : 0));
}

void vi8042_init(struct vi8042 *k, vi8042_reset_fn reset, vi8042_irq_fn irq, void *opaque)
{
    memset(k, 0, sizeof(*k));
    k->status = STS_CMD | STS_UNLOCKED;
    k->cmd_byte = CB_KBD_INT | CB_AUX_INT;
    k->out_port = OUT_POWERON;
    k->reset = reset;
    k->irq = irq;
    k->opaque = opaque;
}

static void request_reset(struct vi8042 *k)
{
    if (k->reset)
        k->reset(k->opaque);
}

static void write_output_port(struct vi8042 *k, uint8_t val)
{
    k->out_port = val;
    if (!(val & OUT_RESET_HIGH))
        request_reset(k);
}

static void command(struct vi8042 *k, uint8_t cmd)
{
    switch (cmd) {
    case CMD_READ_CB:
        put_output(k, k->cmd_byte, false);
        break;
    case CMD_WRITE_CB:
    case CMD_WRITE_OUTP:
    case CMD_WRITE_KBD_OBUF:
    case CMD_WRITE_AUX_OBUF:
    case CMD_WRITE_AUX:
        k->pending_cmd = cmd;
        break;
    case CMD_AUX_DISABLE:
        k->cmd_byte |= CB_AUX_OFF;
        break;
    case CMD_AUX_ENABLE:
        k->cmd_byte &= (uint8_t)~CB_AUX_OFF;
        break;
    case CMD_SELF_TEST:
        k->status |= STS_SYS;
        put_output(k, SELF_TEST_OK, false);
        break;
    case CMD_AUX_TEST:
    case CMD_KBD_TEST:
        put_output(k, INTERFACE_OK, false);
        break;
    case CMD_KBD_DISABLE:
        k->cmd_byte |= CB_KBD_OFF;
        break;
    case CMD_KBD_ENABLE:
        k->cmd_byte &= (uint8_t)~CB_KBD_OFF;
        break;
    case CMD_READ_INPUT:
        put_output(k, INPUT_PORT, false);
        break;
    case CMD_READ_OUTP:
        put_output(k, k->out_port, false);
        break;
    case CMD_READ_TEST:
        put_output(k, 0, false);
        break;
    default:
        /* Pulse: bits 0-3 clear select the lines pulsed low; bit 0 is reset. */
        if (cmd >= CMD_PULSE_FIRST && !(cmd & OUT_RESET_HIGH))
            request_reset(k);
        break;          /* other commands: ignored, as QEMU does */
    }
}

static void data(struct vi8042 *k, uint8_t val)
{
    uint8_t cmd = k->pending_cmd;

    k->pending_cmd = 0;
    switch (cmd) {
    case CMD_WRITE_CB:
        k->cmd_byte = val;
        k->status = (uint8_t)((k->status & ~STS_SYS) | (val & CB_SYS));
        break;
    case CMD_WRITE_OUTP:
        write_output_port(k, val);
        break;
    case CMD_WRITE_KBD_OBUF:
        put_output(k, val, false);
        break;
    case CMD_WRITE_AUX_OBUF:
        put_output(k, val, true);
        break;
    case CMD_WRITE_AUX:                 /* to a mouse that is not there */
    default:                            /* to a keyboard that is not there */
        k->status |= STS_TIMEOUT;
        put_output(k, NO_DEVICE, cmd == CMD_WRITE_AUX);
        break;
    }
}

bool vi8042_io_read(struct vi8042 *k, uint16_t port, uint8_t *val)
{
    if (port == VI8042_CMD) {
        *val = k->status;
        return true;
    }
    if (port != VI8042_DATA)
        return false;
    *val = k->out;                      /* an empty buffer repeats its last byte */
    k->status &= (uint8_t)~(STS_OBF | STS_AUX | STS_TIMEOUT);
    update_irqs(k);
    return true;
}

bool vi8042_io_write(struct vi8042 *k, uint16_t port, uint8_t val)
{
    if (port == VI8042_CMD) {
        k->status |= STS_CMD;
        command(k, val);
    } else if (port == VI8042_DATA) {
        k->status &= (uint8_t)~STS_CMD;
        data(k, val);
    } else {
        return false;
    }
    update_irqs(k);
    return true;
}
