/*
 * Port I/O of the guest contract (DESIGN.md §2, docs/third-party-guests.md):
 * COM1 at 0x3F8 (com1.c), QEMU's isa-debug-exit at 0xF4-0xF7 (0xF5 reads the
 * shutdown request and takes the guest's shutdown reason, docs/architecture.md;
 * natively it reads 0 and a write exits QEMU), fw_cfg at
 * 0x510/0x511 (fw_cfg.c), the 8259A pair, the 8254 and port 0x61 (through
 * the domain's interrupt router, irq.c). Any other port goes to the PC
 * platform (platform.c), which reads all-ones and ignores writes for ports
 * it has no device at, like an empty ISA bus.
 *
 * Dispatch is one lookup in a port table (below) that names, for each port,
 * the first of those in the order above that takes an access starting or
 * lying there; an access whose bytes fall to different owners takes the
 * whole chain, so every access ends where the chain would send it.
 */
#include <asm/hvm_devices.h>
#include <asm/hvm_emul.h>
#include <asm/hvm_platform.h>
#include <asm/isa_bus.h>
#include <asm/acpi_tables.h>
#include <asm/vi8042.h>
#include <asm/vpci_host.h>
#include <asm/vpic.h>
#include <asm/vpit.h>
#include <asm/vrtc.h>
#include <dbgvisor/domain.h>

#define COM1_BASE    0x3F8
#define EXIT_PORT    0xF4               /* iobase=0xf4,iosize=4 */
#define EXIT_PORTS   4
#define SHUTDOWN_REQUEST_PORT 0xF5      /* 0, or 1 + the reason xl shutdown gave */
#define FW_CFG_PORT  0x510              /* selector; data at 0x511 */

#define COM2_BASE    0x2F8
#define TABLE_PORTS  0x1000             /* no device decodes a port above 0xFFF */

/* Who owns a port. COM1, the exit device and fw_cfg are decided by the
 * access's first port alone (the chain asks them first); the interrupt
 * router's and the platform's byte devices by each byte; the platform's
 * wide devices (ACPI PM block, PCI host) are asked for the whole access
 * by the platform itself. PORT_NOBODY: no device at all. */
enum port_owner {
    PORT_NOBODY, PORT_COM1, PORT_EXIT, PORT_FW_CFG, PORT_IRQ_ROUTER, PORT_PLATFORM,
};

#define OWN(first, n, owner) [(first) ... (first) + (n) - 1] = (owner)
static const uint8_t port_owner[TABLE_PORTS] = {
    OWN(COM1_BASE, 8, PORT_COM1),
    OWN(EXIT_PORT, EXIT_PORTS, PORT_EXIT),
    OWN(FW_CFG_PORT, 2, PORT_FW_CFG),
    OWN(VPIC_MASTER_CMD, 2, PORT_IRQ_ROUTER),
    OWN(VPIC_SLAVE_CMD, 2, PORT_IRQ_ROUTER),
    OWN(VPIC_ELCR_MASTER, 2, PORT_IRQ_ROUTER),
    OWN(VPIT_PORT_BASE, 4, PORT_IRQ_ROUTER),
    OWN(VPIT_PORT_B, 1, PORT_IRQ_ROUTER),
    OWN(COM2_BASE, 8, PORT_PLATFORM),
    OWN(VRTC_PORT_INDEX, 2, PORT_PLATFORM),
    OWN(VI8042_DATA, 1, PORT_PLATFORM),
    OWN(VI8042_CMD, 1, PORT_PLATFORM),
    OWN(ACPI_PM_BASE, ACPI_PM_PORTS, PORT_PLATFORM),
    OWN(VPCI_HOST_PORT_ADDR, VPCI_HOST_PORTS, PORT_PLATFORM),
};

static inline __attribute__((always_inline)) enum port_owner owner_of(uint16_t port)
{
    return port < TABLE_PORTS ? port_owner[port] : PORT_NOBODY;
}

/* The owner of the whole access, or PORT_CHAIN when its bytes have
 * different owners (e.g. a word at 0x60 spans the 8042 and port B). */
#define PORT_CHAIN 0xff
static inline __attribute__((always_inline)) unsigned access_owner(uint16_t port, unsigned size)
{
    enum port_owner first = owner_of(port);

    if (first == PORT_COM1 || first == PORT_EXIT || first == PORT_FW_CFG)
        return first;
    for (unsigned i = 1; i < size; i++)
        if (owner_of((uint16_t)(port + i)) != first)
            return PORT_CHAIN;
    return first;
}

/* What an access to that owner can do beyond the device itself: reach an
 * interrupt controller, end the domain (the exit device; the platform's
 * reset and S5; the chain, which includes the platform). */
static unsigned owner_effects(unsigned owner)
{
    unsigned effects = 0;

    if (!(owner == PORT_NOBODY || owner == PORT_EXIT || owner == PORT_FW_CFG))
        effects |= HVM_IO_MAY_TOUCH_IRQS;
    if (owner == PORT_EXIT || owner == PORT_PLATFORM || owner == PORT_CHAIN)
        effects |= HVM_IO_MAY_END_DOMAIN;
    return effects;
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

/* The whole chain, in the order of the header comment: for accesses
 * whose bytes belong to different owners. */
static uint32_t chain_read(struct vcpu *v, uint16_t port, unsigned size)
{
    uint32_t val;

    if (isa_bus_read(irq_port_read, v->domain, port, size, &val))
        return val;
    return hvm_platform_io_read(v, port, size);
}

static void chain_write(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    if (!isa_bus_write(irq_port_write, v->domain, port, size, val))   /* PIC/PIT */
        hvm_platform_io_write(v, port, size, val);
}

static inline __attribute__((always_inline)) uint32_t owner_read(struct vcpu *v, unsigned owner, uint16_t port, unsigned size)
{
    uint32_t val;

    switch (owner) {
    case PORT_COM1:
        return com1_io_read(v->domain, port - COM1_BASE);
    case PORT_EXIT:
        if (port == SHUTDOWN_REQUEST_PORT)
            return v->domain->shutdown_request;
        return 0;                       /* the exit device reads as zero */
    case PORT_FW_CFG:
        return fw_cfg_io_read(v, port, size);
    case PORT_IRQ_ROUTER:
        isa_bus_read(irq_port_read, v->domain, port, size, &val);
        return val;
    case PORT_PLATFORM:
        return hvm_platform_io_read(v, port, size);
    case PORT_NOBODY:
        hvm_platform_no_device(v, port, size, false);
        return 0xffffffffu;
    default:
        return chain_read(v, port, size);
    }
}

static inline __attribute__((always_inline)) void owner_write(struct vcpu *v, unsigned owner, uint16_t port, unsigned size, uint32_t val)
{
    /* OUT sends only AL, AX or EAX: the rest of RAX is not part of it. */
    if (size < 4)
        val &= (1u << (size * 8)) - 1;
    switch (owner) {
    case PORT_COM1:
        com1_io_write(v->domain, port - COM1_BASE, (uint8_t)val);
        break;
    case PORT_EXIT:
        if (port == SHUTDOWN_REQUEST_PORT && size == 1 && guest_shutdown_reason(val))
            domain_shutdown_reason(v->domain, (enum dbgv_shutdown_reason)val, 0);
        else
            domain_shutdown(v->domain, (int)val);   /* QEMU exits with (val << 1) | 1 */
        break;
    case PORT_FW_CFG:
        fw_cfg_io_write(v, port, size, val);
        break;
    case PORT_IRQ_ROUTER:
        isa_bus_write(irq_port_write, v->domain, port, size, val);
        break;
    case PORT_PLATFORM:
        hvm_platform_io_write(v, port, size, val);
        break;
    case PORT_NOBODY:
        hvm_platform_no_device(v, port, size, true);
        break;
    default:
        chain_write(v, port, size, val);
        break;
    }
}

uint32_t hvm_io_read(struct vcpu *v, uint16_t port, unsigned size)
{
    return owner_read(v, access_owner(port, size), port, size);
}

void hvm_io_write(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    owner_write(v, access_owner(port, size), port, size, val);
}

/* An IN or OUT exit: the owner is looked up once, for both the access
 * and the answer to what it can have changed beyond the device. */
unsigned hvm_io_exit(struct vcpu *v, uint16_t port, unsigned size, bool in)
{
    unsigned owner = access_owner(port, size);

    if (in) {
        uint32_t val = owner_read(v, owner, port, size);
        uint64_t mask = size == 4 ? 0xffffffffull : (1ull << (size * 8)) - 1;

        v->arch.gpr[GPR_RAX] = (v->arch.gpr[GPR_RAX] & ~mask) | (val & mask);
    } else {
        owner_write(v, owner, port, size, (uint32_t)v->arch.gpr[GPR_RAX]);
    }
    return owner_effects(owner);
}
