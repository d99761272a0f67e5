/*
 * Virtual 8259A PIC pair of one domain: master at 0x20/0x21 (vector base from
 * ICW2), slave at 0xA0/0xA1 cascaded on the master's IR2, and the edge/level
 * control registers at 0x4D0/0x4D1. Self-contained: the owner passes port
 * accesses and ISA IRQ line levels in, is told through a callback when the
 * master's INT output changes, and acknowledges (INTA) when it injects.
 *
 * Not wired into hvm/io.c yet (issue 10): the wiring routes the ports here,
 * feeds ISA IRQ lines (PIT IRQ0, UART IRQ4...) to vpic_set_irq(), and while
 * INT is high and the vCPU can take an external interrupt (and its LAPIC's
 * LINT0 is in ExtINT mode), injects the vector vpic_ack() returns.
 */
#ifndef ASM_VPIC_H
#define ASM_VPIC_H

#include <stdbool.h>
#include <stdint.h>

#define VPIC_MASTER_CMD   0x20
#define VPIC_MASTER_DATA  0x21
#define VPIC_SLAVE_CMD    0xa0
#define VPIC_SLAVE_DATA   0xa1
#define VPIC_ELCR_MASTER  0x4d0
#define VPIC_ELCR_SLAVE   0x4d1
#define VPIC_CASCADE_IRQ  2

struct vpic_chip {
    uint8_t irr, isr, imr;
    uint8_t line;               /* input levels (edge detection) */
    uint8_t elcr;               /* 1: level triggered */
    uint8_t vector_base;        /* ICW2, bits 7:3 */
    uint8_t lowest_prio;        /* IR with the lowest priority (rotation) */
    uint8_t init_step;          /* 0: operational; 2, 3, 4: next ICW expected */
    bool    icw4_needed, single;
    bool    auto_eoi, rotate_on_aeoi, special_fully_nested, special_mask;
    bool    read_isr;           /* OCW3 RR/RIS: ISR (else IRR) on the command port */
    bool    poll;               /* OCW3 P: next command-port read is a poll */
    uint8_t serviced;           /* IRs whose service ended (EOI, or INTA in auto-EOI) */
};

typedef void (*vpic_int_fn)(void *opaque, bool level);

struct vpic {
    struct vpic_chip chip[2];   /* 0 master, 1 slave */
    bool int_out;
    vpic_int_fn int_changed;
    void *opaque;
};

void vpic_init(struct vpic *p, vpic_int_fn int_changed, void *opaque);
/* Level of ISA IRQ line 0-15 (edge-triggered lines latch a rising edge). */
void vpic_set_irq(struct vpic *p, unsigned irq, bool level);
/* Port accesses (byte wide); false if the port is not the PIC's. */
bool vpic_io_read(struct vpic *p, uint16_t port, uint8_t *val);
bool vpic_io_write(struct vpic *p, uint16_t port, uint8_t val);
/* Whether ISA IRQ irq is masked in its chip's IMR. */
bool vpic_irq_masked(const struct vpic *p, unsigned irq);
/* Level of the master's INT output. */
bool vpic_int_pending(const struct vpic *p);
/* Interrupt acknowledge cycle: the vector to deliver (a spurious IR7 vector
 * of the chip concerned when the request went away). */
uint8_t vpic_ack(struct vpic *p);
/* ISA IRQs (bit per IRQ) whose service ended since the last call: an EOI
 * command cleared their ISR bit, or auto-EOI mode acknowledged them at INTA
 * (a periodic source's "the guest took the tick"). */
uint16_t vpic_take_serviced(struct vpic *p);

#endif
