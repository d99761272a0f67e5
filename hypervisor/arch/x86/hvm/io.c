/*
 * Port I/O of the guest contract (DESIGN.md §2, docs/third-party-guests.md):
 * COM1 at 0x3F8 (com1.c), QEMU's isa-debug-exit at 0xF4-0xF7 (0xF5 reads the
 * shutdown request and takes the guest's shutdown reason, docs/architecture.md;
 * natively it reads 0 and a write exits QEMU), fw_cfg at
 * 0x510/0x511 (fw_cfg.c), the 8259A pair, the 8254 and port 0x61 (through
 * the domain's interrupt router, irq.c). Any other port goes to the PC
 * platform (platform.c), which reads all-ones and ignores writes for ports
 * it has no device at, like an empty ISA bus.
 */
#include <asm/hvm_devices.h>
#include <asm/hvm_emul.h>
#include <asm/hvm_platform.h>
#include <asm/isa_bus.h>
#include <dbgvisor/domain.h>

#define COM1_BASE    0x3F8
#define EXIT_PORT    0xF4               /* iobase=0xf4,iosize=4 */
#define EXIT_PORTS   4
#define SHUTDOWN_REQUEST_PORT 0xF5      /* 0, or 1 + the reason xl shutdown gave */
#define FW_CFG_PORT  0x510              /* selector; data at 0x511 */

static bool in_range(uint16_t port, uint16_t base, unsigned n)
{
    return port >= base && port < base + n;
}

/* A byte written to the shutdown-request port ends the domain for that
 * reason (docs/architecture.md), as a Xen guest's SCHEDOP_shutdown does;
 * other values keep the exit device's meaning. */
static bool guest_shutdown_reason(uint32_t val)
{
    return val == DBGV_SHUTDOWN_POWEROFF || val == DBGV_SHUTDOWN_REBOOT ||
           val == DBGV_SHUTDOWN_CRASH || val == DBGV_SHUTDOWN_WATCHDOG;
}

void hvm_io_domain_init(struct domain *d)
{
    com1_init(d);
    hvm_irq_domain_init(d);
    hvm_platform_init(d);
}

/* The PIC, PIT and port 0x61 sit on the ISA bus (asm/isa_bus.h). */
static bool irq_port_read(void *domain, uint16_t port, uint8_t *byte)
{
    return hvm_irq_io_read(domain, port, byte);
}

static bool irq_port_write(void *domain, uint16_t port, uint8_t byte)
{
    return hvm_irq_io_write(domain, port, byte);
}

uint32_t hvm_io_read(struct vcpu *v, uint16_t port, unsigned size)
{
    if (in_range(port, COM1_BASE, 8))
        return com1_io_read(v->domain, port - COM1_BASE);
    if (port == SHUTDOWN_REQUEST_PORT)
        return v->domain->shutdown_request;
    if (in_range(port, EXIT_PORT, EXIT_PORTS))
        return 0;                       /* the exit device reads as zero */
    if (in_range(port, FW_CFG_PORT, 2))
        return fw_cfg_io_read(v, port, size);
    uint32_t val;
    if (isa_bus_read(irq_port_read, v->domain, port, size, &val))
        return val;
    return hvm_platform_io_read(v, port, size);
}

void hvm_io_write(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    /* OUT sends only AL, AX or EAX: the rest of RAX is not part of it. */
    if (size < 4)
        val &= (1u << (size * 8)) - 1;
    if (in_range(port, COM1_BASE, 8))
        com1_io_write(v->domain, port - COM1_BASE, (uint8_t)val);
    else if (port == SHUTDOWN_REQUEST_PORT && size == 1 && guest_shutdown_reason(val))
        domain_shutdown_reason(v->domain, (enum dbgv_shutdown_reason)val, 0);
    else if (in_range(port, EXIT_PORT, EXIT_PORTS))
        domain_shutdown(v->domain, (int)val);   /* QEMU exits with (val << 1) | 1 */
    else if (in_range(port, FW_CFG_PORT, 2))
        fw_cfg_io_write(v, port, size, val);
    else if (!isa_bus_write(irq_port_write, v->domain, port, size, val))   /* PIC/PIT */
        hvm_platform_io_write(v, port, size, val);
}
