/*
 * The control channel's transports: COM2, which QEMU connects to a unix
 * socket on the host, and, when the launcher gave QEMU an ivshmem-plain
 * device, rings in its shared memory (common/control/shm_server.c). pCPU 0
 * polls both from its scheduler loop (and the tick forces a pass when
 * something waits), feeding the protocol server.
 */
#include <asm/ioapic.h>
#include <asm/pci.h>
#include <asm/traps.h>
#include <asm/uart.h>
#include <asm/x86.h>
#include <dbgvisor/console.h>
#include <dbgvisor/control.h>
#include <dbgvisor/control_channel.h>
#include <dbgvisor/control_shm.h>
#include <dbgvisor/percpu.h>
#include <dbgvisor/time.h>

extern void (*sched_housekeeping)(void);
extern bool (*sched_housekeeping_pending)(void);

#define UART_LSR 5
#define POLL_BUDGET_NS 2000000ull   /* shared memory: at most 2 ms per pass, as COM2 */
/* ivshmem-plain: its BAR2 is the shared memory. */
#define IVSHMEM_VENDOR 0x1af4
#define IVSHMEM_DEVICE 0x1110
#define IVSHMEM_BAR    2
#define IDENTITY_MAPPED (4ull << 30)    /* head.S maps the low 4 GiB */

void ctl_tx_bytes(const void *buf, size_t len)
{
    uart_write(UART_COM2, buf, len);
}

static bool com2_pending(void)
{
    return inb(UART_COM2 + UART_LSR) & 1;
}

static bool control_pending(void)
{
    return com2_pending() || ctl_shm_pending();
}

/* Shared-memory slots, within the same budget: a client streaming an
 * image keeps the ring full, so passes continue while work waits. */
static void shm_poll(uint64_t start)
{
    uint64_t now = now_ns();

    do {
        ctl_shm_poll(now);
        now = now_ns();
    } while (ctl_shm_pending() && now - start < POLL_BUDGET_NS);
}

static int com2_getc(void)
{
    return uart_getc(UART_COM2);
}

static void com2_poll(uint64_t start)
{
    if (!com2_pending()) {
        ctl_poll(start);
        return;
    }
    ctl_serial_poll(com2_getc, start);
}

static void control_poll(void)
{
    uint64_t start = now_ns();

    com2_poll(start);
    shm_poll(start);
}

/* The launcher's ivshmem-plain device, if any: its BAR2 as the firmware
 * placed it, reachable through the identity map. */
static void control_shm_init(void)
{
    struct pci_addr a;
    uint64_t base, size;
    int rc;

    if (!pci_find(IVSHMEM_VENDOR, IVSHMEM_DEVICE, &a))
        return;
    if (!pci_mem_bar(a, IVSHMEM_BAR, &base, &size)) {
        pr_warn("control: ivshmem at %02x:%02x.%x has no memory BAR%u\n",
                a.bus, a.dev, a.fn, IVSHMEM_BAR);
        return;
    }
    if (base + size > IDENTITY_MAPPED || base + size < base) {
        pr_warn("control: ivshmem BAR at %#lx+%#lx is not below 4 GiB; COM2 only\n",
                (unsigned long)base, (unsigned long)size);
        return;
    }
    rc = ctl_shm_attach((void *)(uintptr_t)base, size);
    if (rc) {
        pr_warn("control: ivshmem region of %lu KiB unusable (%d); COM2 only\n",
                (unsigned long)(size >> 10), rc);
        return;
    }
    printk("control channel: shared memory at %#lx, %lu KiB (ivshmem %02x:%02x.%x)\n",
           (unsigned long)base, (unsigned long)(size >> 10), a.bus, a.dev, a.fn);
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
    control_shm_init();
    sched_housekeeping = control_poll;
    sched_housekeeping_pending = control_pending;
    /* The launcher waits for this line: bytes sent before it may be lost. */
    printk("control channel ready on COM2\n");
}
