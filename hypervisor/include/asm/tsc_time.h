/*
 * Hypervisor time (dbgvisor/time.h) in TSC terms, for the entry path: a
 * deadline in ns is converted once to the first TSC value at which now_ns()
 * reaches it, and each entry compares a bare RDTSC with that (svm.c), with
 * the same answer as now_ns() >= deadline. The arithmetic is here, pure, so
 * that unit/lib can check it; time.c applies it with the calibration.
 */
#ifndef ASM_TSC_TIME_H
#define ASM_TSC_TIME_H

#include <stdint.h>

/* Nanoseconds in `ticks` TSC ticks at khz: floor(ticks * 10^6 / khz), split so
 * that no 128-bit division is needed ((ticks % khz) * 10^6 fits in 64 bits). */
static inline uint64_t tsc_ticks_to_ns(uint64_t ticks, uint64_t khz)
{
    return (ticks / khz) * 1000000u + (ticks % khz) * 1000000u / khz;
}

/* The fewest ticks whose tsc_ticks_to_ns() is at least ns: floor(t * 10^6 / khz)
 * >= ns exactly when t >= ns * khz / 10^6, so ceil(ns * khz / 10^6), taken as
 * (ns / 10^6) * khz + ceil((ns % 10^6) * khz / 10^6); UINT64_MAX if it does not fit. */
static inline uint64_t tsc_ticks_reaching_ns(uint64_t ns, uint64_t khz)
{
    uint64_t whole, sum, part = ((ns % 1000000u) * khz + 999999u) / 1000000u;

    if (__builtin_mul_overflow(ns / 1000000u, khz, &whole) ||
        __builtin_add_overflow(whole, part, &sum))
        return UINT64_MAX;
    return sum;
}

/* time.c, valid once time_init() calibrated: now_ns() at this RDTSC value, and
 * the first RDTSC value at which now_ns() >= ns (UINT64_MAX: never). */
uint64_t tsc_to_ns(uint64_t tsc);
uint64_t tsc_reaching_ns(uint64_t ns);

#endif
