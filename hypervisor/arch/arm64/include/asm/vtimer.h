/* The EL1 virtual timer of a domain (vtimer.c). */
#ifndef ASM_ARM64_VTIMER_H
#define ASM_ARM64_VTIMER_H

#include <stdbool.h>
#include <stdint.h>

/* The vCPU's CNTV_CTL/CNTV_CVAL while it is not in the hardware. */
struct vtimer {
    uint64_t ctl, cval;
};

struct domain;
struct vcpu;
/* The domain's virtual counter starts at zero now (CNTVOFF_EL2). */
void vtimer_domain_init(struct domain *d);
/* The vCPU's timer into the hardware (CNTVOFF_EL2, CNTV_CVAL, CNTV_CTL). */
void vtimer_load(struct vcpu *v);
/* Out of the hardware: saved, and the hardware timer stopped. */
void vtimer_save(struct vcpu *v);
/* Physical count at which a timer in state t goes high; UINT64_MAX: never
 * (disabled or masked). */
uint64_t vtimer_deadline(const struct domain *d, const struct vtimer *t);
/* A virtual count (CNTVCT_EL0 value) as a physical count; UINT64_MAX if never. */
uint64_t vtimer_virt_to_phys(const struct domain *d, uint64_t vcount);

#endif
