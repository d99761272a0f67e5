/* The generic timer's physical count and nanoseconds (time.c). */
#ifndef ASM_ARM64_TIMEBASE_H
#define ASM_ARM64_TIMEBASE_H

#include <stdint.h>

uint64_t counter_now(void);
/* UINT64_MAX (never) stays UINT64_MAX. */
uint64_t counter_to_ns(uint64_t count);
uint64_t ns_to_counter(uint64_t ns);

#endif
