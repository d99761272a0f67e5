/*
 * Virtual 16550A UART of one domain (COM1). Self-contained, in the style of
 * vpic.h/vpit.h: the owner passes register accesses (reg 0-7) and received
 * bytes in, is handed transmitted bytes through `tx`, and is told of every
 * change of the interrupt line through `irq_changed`. The owner serialises
 * all calls (one lock per UART).
 *
 * Transmission takes no time (THR and the shift register are always empty
 * again after a write), so the receive timeout of a FIFO below its trigger
 * level is also immediate: the owner's input arrives in bursts, and a guest
 * must see the bytes at once whatever its trigger level.
 */
#ifndef ASM_VUART_H
#define ASM_VUART_H

#include <stdbool.h>
#include <stdint.h>

#define VUART_FIFO_SIZE 16

typedef void (*vuart_irq_fn)(void *opaque, bool level);
typedef void (*vuart_tx_fn)(void *opaque, uint8_t byte);

struct vuart {
    uint8_t ier, lcr, mcr, scr, fcr;
    uint8_t lsr_errors;         /* OE (the only line error a byte stream can have) */
    uint8_t msr_delta;          /* MSR bits 3:0, set by loopback line changes */
    uint8_t rbr;                /* non-FIFO mode: the holding register */
    bool rbr_full;              /* non-FIFO mode: LSR.DR */
    uint8_t rx_fifo[VUART_FIFO_SIZE];
    uint8_t rx_head, rx_count;  /* FIFO mode */
    uint16_t divisor;
    bool thr_ipending;          /* THR-empty interrupt pending (IIR read or THR write clears it) */
    bool irq_level;             /* last level given to irq_changed */
    vuart_tx_fn tx;
    vuart_irq_fn irq_changed;
    void *opaque;
};

/* Power-on state (MCR = OUT2 as the PC BIOS leaves it, 9600 baud divisor). */
void vuart_init(struct vuart *u, vuart_tx_fn tx, vuart_irq_fn irq_changed, void *opaque);
uint8_t vuart_io_read(struct vuart *u, unsigned reg);
void vuart_io_write(struct vuart *u, unsigned reg, uint8_t val);
/* Bytes arriving on the serial input. Those beyond the receiver's room are
 * lost with LSR.OE set, as on hardware when the sender ignores flow control.
 * Returns how many were taken. Ignored (0) in loopback mode, where the
 * input pin is disconnected. */
unsigned vuart_receive(struct vuart *u, const uint8_t *buf, unsigned len);
/* Bytes the receiver can take now without overrun (flow control for the
 * owner's sender, like QEMU's can_receive). */
unsigned vuart_rx_room(const struct vuart *u);
/* Level of the IRQ line (after MCR.OUT2 gating). */
bool vuart_irq_line(const struct vuart *u);

#endif
