/* The machine's wall clock, from its MC146818 (QEMU's RTC follows host time). */
#ifndef ASM_HOST_RTC_H
#define ASM_HOST_RTC_H

#include <stdint.h>

/* Unix seconds now: the RTC is read once, then advanced with now_ns(). */
int64_t host_rtc_unix_seconds(void);

#endif
