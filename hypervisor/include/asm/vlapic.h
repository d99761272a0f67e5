/* Virtual local APIC of one vCPU: xAPIC (emulated on #NPF at its
 * IA32_APIC_BASE page) or x2APIC (the MSRs 0x800-0xBFF). */
#ifndef ASM_VLAPIC_H
#define ASM_VLAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define VLAPIC_BASE 0xFEE00000ull
/* IA32_APIC_BASE flags */
#define APIC_BASE_BSP    (1u << 8)
#define APIC_BASE_X2APIC (1u << 10)
#define APIC_BASE_EN     (1u << 11)
#define APIC_BASE_RESERVED_LOW 0x2ffu   /* bits 0-7 and 9 */
/* The x2APIC register MSRs (SDM vol 3 11.12.1.2): 0x800 + xAPIC offset / 16;
 * the whole range 0x800-0xBFF belongs to the APIC (#GP where no register is). */
#define X2APIC_MSR_FIRST 0x800u
#define X2APIC_MSR_LAST  0xbffu

struct vlapic {
    uint32_t id, tpr, spiv, ldr, dfr;             /* id: 8 bits (xAPIC) or 32 (x2APIC) */
    uint32_t esr;                                 /* as latched by the last ESR write */
    uint32_t esr_pending;                         /* errors since then (set from any pCPU) */
    uint32_t icr_lo, icr_hi;
    uint32_t lvt_timer, lvt_lint0, lvt_lint1, lvt_error, lvt_thermal, lvt_perf;
    uint32_t timer_icr, timer_dcr;
    uint64_t timer_start_ns, timer_deadline_ns;   /* deadline 0: not armed */
    uint64_t tsc_deadline;                        /* IA32_TSC_DEADLINE (guest TSC), 0: disarmed */
    uint32_t irr[8], isr[8];
    uint32_t tmr[8];                              /* level-triggered vectors (EOI broadcast) */
    uint64_t lowest_wins;                         /* lowest-priority interrupts taken (ties) */
    bool hw_disabled;                             /* IA32_APIC_BASE.EN clear */
    bool x2apic;                                  /* IA32_APIC_BASE.EXTD set (with EN) */
    bool partial_write_logged;                    /* a non-dword write was reported */
    /* NMIs: pending from the ICR (set from other pCPUs); blocked from
     * injection until the handler's IRET (svm/nmi.c). */
    bool nmi_pending, nmi_blocked, nmi_iret_seen;
    uint64_t nmi_iret_rip;
};

struct vcpu;

/* RESET: xAPIC mode, every register at its power-up value. */
void vlapic_reset(struct vcpu *v);
/* INIT: the registers as after RESET, but the APIC keeps its ID and its
 * mode (disabled, xAPIC or x2APIC: IA32_APIC_BASE is unchanged). */
void vlapic_init_signal(struct vcpu *v);
/* IA32_APIC_BASE.EN: a disabled APIC is not decoded and delivers nothing;
 * enabling it again brings it back in its reset state (SDM 10.4.3). */
bool vlapic_hw_enabled(const struct vcpu *v);
/* The same from the APIC's state, inline for hot paths (CPUID exits). */
static inline bool vlapic_state_hw_enabled(const struct vlapic *l)
{
    return !__atomic_load_n(&l->hw_disabled, __ATOMIC_SEQ_CST);
}
/* IA32_APIC_BASE.EXTD: the APIC is in x2APIC mode (implies enabled). */
bool vlapic_x2apic_mode(const struct vcpu *v);
/* A write of IA32_APIC_BASE's EN and EXTD bits: false (the caller raises
 * #GP, nothing changes) for EXTD without EN and for the transitions the SDM
 * forbids (x2APIC -> xAPIC, disabled -> x2APIC; SDM vol 3 11.12.5). */
bool vlapic_set_mode(struct vcpu *v, bool enabled, bool x2apic);
/* The xAPIC page is decoded: enabled and not in x2APIC mode. */
bool vlapic_mmio_decoded(const struct vcpu *v);
/* RDMSR/WRMSR of 0x800-0xBFF: 0, or -1 for #GP (not in x2APIC mode, no
 * such register, write-only/read-only, reserved bits set). */
int vlapic_x2apic_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int vlapic_x2apic_write(struct vcpu *v, uint32_t msr, uint64_t val);
/* A bus access to the APIC page (1, 2, 4 or 8 bytes at any offset). */
uint64_t vlapic_mmio_read(struct vcpu *v, uint32_t offset, unsigned size);
void vlapic_mmio_write(struct vcpu *v, uint32_t offset, unsigned size, uint64_t value);
/* One register: offset of its 16-byte slot, all 32 bits. */
uint32_t vlapic_read(struct vcpu *v, uint32_t offset);
void vlapic_write(struct vcpu *v, uint32_t offset, uint32_t value);
/* Fires an expired timer into IRR; returns true if an interrupt or NMI is pending. */
bool vlapic_poll_timer(struct vcpu *v, uint64_t now);
/* Highest pending vector that may be delivered now, or -1. */
int vlapic_pending_vector(struct vcpu *v);
/* The vector is being injected: IRR -> ISR. */
void vlapic_ack(struct vcpu *v, int vector);
void vlapic_set_irq(struct vcpu *v, uint8_t vector);
void vlapic_set_nmi(struct vcpu *v);
/* For the interrupt router (hvm/irq.c), which kicks the vCPU itself: set
 * the vector in IRR (and TMR if level-triggered), or the NMI, no kick. */
void vlapic_accept_irq(struct vcpu *v, uint8_t vector, bool level);
void vlapic_set_nmi_pending(struct vcpu *v);
/* Whether an 8-bit interrupt message (I/O APIC) for dest (APIC ID or
 * logical MDA; 0xFF broadcast) hits v, in v's own mode. */
bool vlapic_match_dest(const struct vcpu *v, uint8_t dest, bool logical);
/* Lowest-priority arbitration among the APICs a message hits: whether
 * candidate c beats the winner so far (NULL: none yet); the final winner is
 * then told it won (ties between equal priorities take turns). */
bool vlapic_lowest_priority_beats(const struct vcpu *c, const struct vcpu *winner);
void vlapic_lowest_priority_won(struct vcpu *v);
/* LINT0 is unmasked in ExtINT mode: the vPIC's INT reaches this vCPU. */
bool vlapic_accepts_extint(const struct vcpu *v);
/* When the timer next fires (host ns), or UINT64_MAX. */
uint64_t vlapic_timer_deadline_ns(const struct vcpu *v);
static inline uint64_t vlapic_deadline_or_never(const struct vlapic *l)
{
    return l->timer_deadline_ns ? l->timer_deadline_ns : UINT64_MAX;   /* 0: not armed */
}
/* IA32_TSC_DEADLINE (msr.c): guest TSC units. */
uint64_t vlapic_tsc_deadline(const struct vcpu *v);
void vlapic_set_tsc_deadline(struct vcpu *v, uint64_t deadline, uint64_t guest_tsc_now);
/* An NMI waits and is not blocked: it wakes a halted vCPU. */
bool vlapic_nmi_deliverable(const struct vcpu *v);
/* CR8 is TPR[7:4] (64-bit mode): its value for the VMCB's V_TPR before
 * entry, and a MOV to CR8 the guest made. */
uint8_t vlapic_cr8(const struct vcpu *v);
void vlapic_cr8_written(struct vcpu *v, uint8_t cr8);
/* The same from the APIC's state, inline for the entry path. */
static inline uint8_t vlapic_state_cr8(const struct vlapic *l) { return (uint8_t)(l->tpr >> 4); }

#endif
