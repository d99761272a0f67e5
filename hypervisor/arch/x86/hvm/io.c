/*
 * Port I/O devices of the guest contract (DESIGN.md §2): a 16550 at 0x3F8
 * whose output is the domain's console, the exit port 0xF4, the shutdown
 * request port 0xF5 (docs/architecture.md; reads 0 natively), fw_cfg at
 * 0x510/0x511 (key 5: number of CPUs) and PIC mask registers. Any other port
 * reads as all-ones and ignores writes, like an empty ISA bus.
 */
#include <asm/hvm_emul.h>
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>

#define COM1_BASE 0x3F8
#define EXIT_PORT 0xF4
#define SHUTDOWN_REQUEST_PORT 0xF5
#define FW_CFG_SELECTOR 0x510
#define FW_CFG_DATA 0x511
#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_ID 0x01
#define FW_CFG_NB_CPUS 0x05
#define FW_CFG_MAX_CPUS 0x0f

static uint32_t uart_read(struct vcpu *v, unsigned reg)
{
    switch (reg) {
    case 5:  return 0x60;            /* LSR: THR empty, transmitter empty */
    case 6:  return 0xb0;            /* MSR: DCD, DSR, CTS */
    default: return 0;
    }
}

static uint32_t fw_cfg_read(struct domain *d)
{
    uint32_t off = d->arch.fw_cfg_offset++;
    uint8_t item[4] = { 0 };

    switch (d->arch.fw_cfg_selector) {
    case FW_CFG_SIGNATURE:
        memcpy(item, "QEMU", 4);
        break;
    case FW_CFG_NB_CPUS:
    case FW_CFG_MAX_CPUS:
        item[0] = (uint8_t)d->nr_vcpus;
        break;
    default:
        return 0;
    }
    return off < sizeof(item) ? item[off] : 0;
}

uint32_t hvm_io_read(struct vcpu *v, uint16_t port, unsigned size)
{
    if (port >= COM1_BASE && port < COM1_BASE + 8)
        return uart_read(v, port - COM1_BASE);
    if (port == FW_CFG_DATA)
        return fw_cfg_read(v->domain);
    if (port == SHUTDOWN_REQUEST_PORT)
        return v->domain->shutdown_request;
    if (port == 0x21 || port == 0xA1)
        return 0xff;
    return 0xffffffffu;
}

void hvm_io_write(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    struct domain *d = v->domain;

    if (port == COM1_BASE) {
        domain_console_putc(d, (char)val);
    } else if (port == EXIT_PORT) {
        domain_shutdown(d, (int)val);
    } else if (port == FW_CFG_SELECTOR) {
        d->arch.fw_cfg_selector = (uint16_t)val;
        d->arch.fw_cfg_offset = 0;
    }
    /* PIC masks, UART control registers, POST port: accepted and ignored. */
}
