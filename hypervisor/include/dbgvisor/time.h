/* Monotonic hypervisor time, from the TSC calibrated against the PIT. */
#ifndef DBGVISOR_TIME_H
#define DBGVISOR_TIME_H

#include <stdint.h>

void time_init(void);          /* calibrate (BSP, before APs start) */
uint64_t now_ns(void);
uint64_t tsc_khz(void);
void udelay(uint64_t us);

#endif
