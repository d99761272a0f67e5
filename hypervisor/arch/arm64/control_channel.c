/*
 * The control channel on arm64: QEMU virt's second PL011, which QEMU adds to
 * the machine (and to the DTB, alias serial1) when it is given a second
 * -serial and the launcher connects to a unix socket. pCPU 0 polls it from
 * its scheduler loop within the same budget as x86's COM2
 * (common/control/serial_poll.c); the frames go to the same server
 * (common/control/server.c). As x86's COM2 IRQ, the UART's receive
 * interrupt (an SPI routed to pCPU 0) has pCPU 0 poll at once rather than
 * at its next tick: without it a pass came every 4 ms and a 16-byte FIFO
 * gave about 4 KB/s (creating a 15 KB domain took 7-14 s).
 */
#include <asm/arm64.h>
#include <asm/control_uart.h>
#include <asm/gicv3.h>
#include <asm/fdt.h>
#include <asm/uart.h>
#include <dbgvisor/console.h>
#include <dbgvisor/control.h>
#include <dbgvisor/control_channel.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/percpu.h>
#include <dbgvisor/time.h>

extern void (*sched_housekeeping)(void);
extern bool (*sched_housekeeping_pending)(void);

#define TX_WAIT_NS 100000000ull   /* per byte: a host side that stopped reading */

static char node[32];        /* the control PL011's node name, e.g. "pl011@9040000" */
static uint64_t base;
static uint32_t intid;       /* its interrupt, 0 if the DTB names none */

bool control_uart_probe(const void *dtb)
{
    uint32_t len, rlen, clen;
    const char *path = fdt_node_prop(dtb, "aliases", "serial1", &len);
    const void *reg, *console;

    /* A top-level node: "/name", NUL-terminated. */
    if (!path || len < 3 || len > sizeof(node) || path[0] != '/' || path[len - 1] ||
        strchr(path + 1, '/'))
        return false;
    memcpy(node, path + 1, len - 1);
    reg = fdt_node_prop(dtb, node, "reg", &rlen);
    console = fdt_compatible_prop(dtb, "arm,pl011", "reg", &clen);
    if (!reg || rlen < 8 || (console && clen >= 8 && fdt_cells(console, 2) == fdt_cells(reg, 2))) {
        node[0] = 0;
        return false;
    }
    base = fdt_cells(reg, 2);
    /* interrupts = <GIC_SPI n flags>: INTID 32 + n */
    reg = fdt_node_prop(dtb, node, "interrupts", &rlen);
    if (reg && rlen >= 12 && fdt_cells(reg, 1) == 0)
        intid = 32 + (uint32_t)fdt_cells((const uint8_t *)reg + 4, 1);
    return true;
}

void ctl_tx_bytes(const void *buf, size_t len)
{
    if (!uart_write_bounded(UART_CTL, buf, len, TX_WAIT_NS))
        pr_warn("control: the host stopped reading; reply dropped\n");
}

static bool control_pending(void)
{
    return uart_rx_ready(UART_CTL);
}

static int control_getc(void)
{
    return uart_getc(UART_CTL);
}

static void control_poll(void)
{
    uint64_t now = now_ns();

    if (control_pending())
        now = ctl_serial_poll(control_getc, now);
    else
        ctl_poll(now);
    if (intid)
        uart_rx_irq(UART_CTL, true);    /* the next byte wakes us again */
}

/* Bytes arrived: quiet the level-sensitive line until control_poll has read
 * them, and have pCPU 0 run its housekeeping now. */
static void control_irq(void)
{
    uart_rx_irq(UART_CTL, false);
    pcpus[0].need_resched = true;
}

void control_channel_init(void)
{
    if (!base) {
        printk("control channel: none (QEMU was given one -serial)\n");
        return;
    }
    uart_init(UART_CTL, base);
    if (intid && !gicv3_spi_enable(intid, smp_pcpu_mpidr(0), control_irq))
        intid = 0;                      /* polled at the tick only */
    if (intid)
        uart_rx_irq(UART_CTL, true);
    ctl_init();
    sched_housekeeping = control_poll;
    sched_housekeeping_pending = control_pending;
    /* The launcher waits for this line: bytes sent before it may be lost. */
    printk("control channel ready on the PL011 at %#llx (%s)\n", (unsigned long long)base, node);
}
