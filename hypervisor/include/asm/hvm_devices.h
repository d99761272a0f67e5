/* Per-domain state of the emulated port-I/O devices (hvm/uart.c, hvm/fw_cfg.c). */
#ifndef ASM_HVM_DEVICES_H
#define ASM_HVM_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

/* A 16550A whose transmitter is the domain's console and whose receiver
 * never gets data: registers read back as on QEMU's model. */
struct vuart {
    uint8_t ier, lcr, mcr, scr, fcr;
    uint16_t divisor;
    bool thr_ipending;          /* THR-empty interrupt pending (cleared by an IIR read) */
};

/* fw_cfg's traditional interface: selected item and read offset. */
struct vfw_cfg {
    uint16_t selector;
    uint32_t offset;
};

struct vcpu;
void vuart_reset(struct vuart *u);
uint8_t vuart_read(struct vcpu *v, unsigned reg);
void vuart_write(struct vcpu *v, unsigned reg, uint8_t val);
uint32_t fw_cfg_io_read(struct vcpu *v, uint16_t port, unsigned size);
void fw_cfg_io_write(struct vcpu *v, uint16_t port, unsigned size, uint32_t val);

#endif
