/* The EL1 virtual and physical timers of a vCPU (vtimer.c). */
#ifndef ASM_ARM64_VTIMER_H
#define ASM_ARM64_VTIMER_H

#include <stdbool.h>
#include <stdint.h>

/* The vCPU's CNTV_CTL/CNTV_CVAL and CNTP_CTL/CNTP_CVAL while they are not in
 * the hardware. */
struct vtimer {
    uint64_t ctl, cval;
    uint64_t phys_ctl, phys_cval;
};

struct domain;
struct vcpu;
/* The domain's virtual counter starts at zero now (CNTVOFF_EL2). */
void vtimer_domain_init(struct domain *d);
/* The vCPU's timers into the hardware (CNTVOFF_EL2, CNTV_*, CNTP_*). */
void vtimer_load(struct vcpu *v);
/* Out of the hardware: saved, and the hardware timers stopped. */
void vtimer_save(struct vcpu *v);
/* The running vCPU's timers as the hardware holds them. */
void vtimer_read_live(struct vtimer *t);
/* Physical count at which the first of the timers in state t goes high;
 * UINT64_MAX: never (both disabled or masked). */
uint64_t vtimer_deadline(const struct domain *d, const struct vtimer *t);
/* A virtual count (CNTVCT_EL0 value) as a physical count; UINT64_MAX if never. */
uint64_t vtimer_virt_to_phys(const struct domain *d, uint64_t vcount);

#endif
