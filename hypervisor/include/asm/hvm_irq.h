/*
 * The interrupt router of one domain (hvm/irq.c), as Xen's hvm/irq.c or
 * KVM's irq_comm: ISA IRQ lines feed both the vPIC pin and the vIOAPIC pin
 * (ISA IRQ0 on I/O APIC pin 2, as the MADT interrupt source override says;
 * the others on the pin of their number); the vIOAPIC's messages go to the
 * local APICs (fixed or lowest priority, physical or logical destination);
 * the vPIC's INT output is the ExtINT of the vCPU that takes it (LINT0 in
 * ExtINT mode, or vCPU 0 with its APIC hardware-disabled: the CPU's INTR
 * pin). The domain-wide devices (vPIC, vPIT, vIOAPIC) are behind one lock.
 *
 * Lock order: irq.lock is a leaf. It may be taken while holding sched_lock
 * (the scheduler polls timers in pick_next) and never takes another lock:
 * deliveries under it only set bits in the targets' local APICs and record
 * which vCPUs to kick, and the kicks are sent after it is dropped
 * (hvm_irq_flush_kicks), or by the scheduler itself (hvm_irq_take_kicks).
 * d->lock is never held around it.
 */
#ifndef ASM_HVM_IRQ_H
#define ASM_HVM_IRQ_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/vioapic.h>
#include <asm/vpic.h>
#include <asm/vpit.h>
#include <asm/tick_reinject.h>
#include <dbgvisor/spinlock.h>

#define HVM_ISA_IRQS      16
#define HVM_PIT_IRQ       0
#define HVM_PIT_GSI       2         /* ISA IRQ0 -> I/O APIC pin 2 (MADT override) */

struct hvm_irq {
    spinlock_t lock;
    struct vpic vpic;
    struct vpit vpit;
    struct vioapic vioapic;
    uint32_t kick_mask;             /* vCPUs (by id) that got an interrupt under the lock */
    uint64_t vpit_next_ns;          /* next IRQ0 edge (read without the lock by the poll) */
    struct tick_reinject pit_ticks; /* IRQ0 ticks owed to the guest (timer_mode) */
    uint8_t pit_eoi_vector;         /* LAPIC vector of the IRQ0 tick in flight through
                                     * the I/O APIC, 0 if none (read without the lock) */
};

struct domain;
struct vcpu;

void hvm_irq_domain_init(struct domain *d);
/* Level of ISA IRQ 0-15 (vPIC and vIOAPIC pins); a pulse is one edge. */
void hvm_isa_irq_set(struct domain *d, unsigned irq, bool level);
void hvm_isa_irq_pulse(struct domain *d, unsigned irq);
/* hvm_isa_irq_set for a caller that may hold sched_lock (the timer poll):
 * the kicks stay recorded, for the caller to flush or take. */
void hvm_isa_irq_set_deferred(struct domain *d, unsigned irq, bool level);
/* Ports of the vPIC (0x20/0x21, 0xA0/0xA1, 0x4D0/0x4D1) and the vPIT
 * (0x40-0x43, 0x61): false if the port is not theirs. */
bool hvm_irq_io_read(struct domain *d, uint16_t port, uint8_t *val);
bool hvm_irq_io_write(struct domain *d, uint16_t port, uint8_t val);
/* The vIOAPIC window at VIOAPIC_BASE (mmio.c). */
uint64_t hvm_vioapic_read(struct vcpu *v, uint64_t gpa, unsigned size);
void hvm_vioapic_write(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val);
/* The local APIC of v EOIed a level-triggered vector: EOI broadcast. */
void hvm_irq_lapic_eoi(struct vcpu *v, uint8_t vector);
/* ... an edge-triggered one: the PIT's tick may have been acknowledged. */
void hvm_irq_lapic_edge_eoi(struct vcpu *v, uint8_t vector);
/* How the domain's PIT ticks missed while it could not take them are made
 * up (asm/tick_reinject.h); DBGV_TIMER_MODE_DEFAULT until set. */
void hvm_irq_set_timer_mode(struct domain *d, enum dbgv_timer_mode mode);

/* The vPIC's INT is up and v is the vCPU that takes it. */
bool hvm_irq_extint_pending(struct vcpu *v);
/* INTA: the vPIC's vector for v, or -1 if the request went away. */
int hvm_irq_extint_ack(struct vcpu *v);
/* An interrupt (APIC vector, NMI or ExtINT) is deliverable to v: it wakes from HLT. */
bool hvm_vcpu_has_interrupt(struct vcpu *v);

/* Fire every timer due by now (v's local APIC timer, the domain's vPIT and
 * its platform devices')
 * into the interrupt controllers; true if v has an interrupt to take.
 * Kicks of other vCPUs stay recorded until flushed or taken. */
bool hvm_poll_timers(struct vcpu *v, uint64_t now);
/* When the next of v's timers (its APIC timer, the domain's vPIT, RTC, PM timer) is due, in
 * ns, or UINT64_MAX: the host timer must fire then (svm.c, schedule.c). */
uint64_t hvm_next_timer_ns(struct vcpu *v);
/* Send the kicks recorded under the lock (sched_vcpu_kick takes sched_lock). */
void hvm_irq_flush_kicks(struct domain *d);
/* Take the recorded kicks (bit per vCPU id) for a caller holding sched_lock. */
uint32_t hvm_irq_take_kicks(struct domain *d);

#endif
