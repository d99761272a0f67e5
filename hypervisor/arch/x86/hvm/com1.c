/*
 * The domain's COM1 (I/O ports 0x3F8-0x3FF, ISA IRQ 4): owner of the
 * virtual 16550A of uart.c. Port accesses come from the domain's vCPUs,
 * received bytes from the toolstack (control loop), so one lock per UART
 * serialises them. Transmitted bytes go to the domain console; the
 * interrupt line goes to the domain's ISA interrupt router.
 */
#include <asm/hvm_devices.h>
#include <asm/hvm_irq.h>
#include <dbgvisor/domain.h>

#define COM1_ISA_IRQ 4

static void com1_tx(void *opaque, uint8_t byte)
{
    domain_console_putc(opaque, (char)byte);
}

/* The UART's interrupt output on ISA IRQ 4 (vPIC and vIOAPIC pins). Called
 * under the UART's lock, so level changes reach the router in order; the
 * router's lock is a leaf and its kicks are sent after it is dropped. */
static void com1_irq_changed(void *opaque, bool level)
{
    hvm_isa_irq_set(opaque, COM1_ISA_IRQ, level);
}

void com1_init(struct domain *d)
{
    struct hvm_com1 *c = &d->arch.com1;

    c->lock = (spinlock_t)SPINLOCK_INIT;
    vuart_init(&c->uart, com1_tx, com1_irq_changed, d);
}

uint8_t com1_io_read(struct domain *d, unsigned reg)
{
    struct hvm_com1 *c = &d->arch.com1;
    uint8_t val;

    spin_lock(&c->lock);
    val = vuart_io_read(&c->uart, reg);
    spin_unlock(&c->lock);
    return val;
}

void com1_io_write(struct domain *d, unsigned reg, uint8_t val)
{
    struct hvm_com1 *c = &d->arch.com1;

    spin_lock(&c->lock);
    vuart_io_write(&c->uart, reg, val);
    spin_unlock(&c->lock);
}

uint32_t domain_console_input(struct domain *d, const void *buf, uint32_t len, uint32_t *room)
{
    struct hvm_com1 *c = &d->arch.com1;
    uint32_t taken;

    spin_lock(&c->lock);
    taken = vuart_receive(&c->uart, buf, len);
    *room = vuart_rx_room(&c->uart);
    spin_unlock(&c->lock);
    return taken;
}
