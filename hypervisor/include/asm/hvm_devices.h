/* Per-domain state of the emulated port-I/O devices (hvm/uart.c, hvm/fw_cfg.c). */
#ifndef ASM_HVM_DEVICES_H
#define ASM_HVM_DEVICES_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/vuart.h>
#include <dbgvisor/spinlock.h>

/* COM1 (hvm/io.c owns it): the 16550A whose transmitter is the domain's
 * console and whose receiver the toolstack feeds (`xl console`). The lock
 * serialises the vCPUs' port accesses and the control loop's input. */
struct hvm_com1 {
    spinlock_t lock;
    struct vuart uart;
};

/* fw_cfg's traditional interface: selected item and read offset. */
struct vfw_cfg {
    uint16_t selector;
    uint32_t offset;
};

struct vcpu;
struct domain;
/* COM1 (hvm/com1.c): reset state, register accesses (reg 0-7). */
void com1_init(struct domain *d);
uint8_t com1_io_read(struct domain *d, unsigned reg);
void com1_io_write(struct domain *d, unsigned reg, uint8_t val);
uint32_t fw_cfg_io_read(struct vcpu *v, uint16_t port, unsigned size);
void fw_cfg_io_write(struct vcpu *v, uint16_t port, unsigned size, uint32_t val);

#endif
