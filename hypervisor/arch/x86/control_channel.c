/*
 * The control channel's transport: COM2, which QEMU connects to a unix
 * socket on the host. pCPU 0 polls it from its scheduler loop (and the tick
 * forces a pass when bytes wait), feeding the protocol server.
 */
#include <asm/ioapic.h>
#include <asm/traps.h>
#include <asm/uart.h>
#include <asm/x86.h>
#include <dbgvisor/console.h>
#include <dbgvisor/control.h>
#include <dbgvisor/control_channel.h>
#include <dbgvisor/percpu.h>
#include <dbgvisor/time.h>

extern void (*sched_housekeeping)(void);
extern bool (*sched_housekeeping_pending)(void);

#define UART_LSR 5
#define POLL_BUDGET_NS 2000000ull   /* at most 2 ms per pass: guests keep running */
#define POLL_IDLE_NS   500000ull    /* the host side refills the 16-byte FIFO meanwhile */
#define POLL_BACKOFF_NS 20000ull

void ctl_tx_bytes(const void *buf, size_t len)
{
    uart_write(UART_COM2, buf, len);
}

static bool control_pending(void)
{
    return inb(UART_COM2 + UART_LSR) & 1;
}

static void control_poll(void)
{
    uint64_t start = now_ns(), last = start, now = start;

    if (!control_pending()) {
        ctl_poll(now);
        return;
    }

    /* Bounded, so a flood of bytes cannot starve the guests. */
    while (now - start < POLL_BUDGET_NS && now - last < POLL_IDLE_NS) {
        int c = uart_getc(UART_COM2);
        now = now_ns();
        if (c >= 0) {
            ctl_rx_byte((uint8_t)c);
            last = now;
            continue;
        }
        /* Empty FIFO: wait without port I/O, so QEMU's I/O thread can take
         * its lock and refill the FIFO from the socket. */
        uint64_t until = now + POLL_BACKOFF_NS;
        while ((now = now_ns()) < until)
            cpu_relax();
    }
    ctl_poll(now);
}

/* A byte arrived: have pCPU 0 run its housekeeping now rather than at the
 * next tick (an idle pCPU 0 would otherwise sleep up to a tick per request). */
static void control_irq(struct cpu_regs *regs)
{
    pcpus[0].need_resched = true;
}

void control_channel_init(void)
{
    uart_init(UART_COM2);
    set_irq_handler(VECTOR_CONTROL, control_irq);
    ioapic_route_isa_irq(UART_COM2_IRQ, VECTOR_CONTROL, pcpus[0].apic_id);
    uart_enable_rx_irq(UART_COM2);
    ctl_init();
    sched_housekeeping = control_poll;
    sched_housekeeping_pending = control_pending;
    /* The launcher waits for this line: bytes sent before it may be lost. */
    printk("control channel ready on COM2\n");
}
