/* Hypervisor console: log levels like Xen's loglvl. */
#ifndef DBGVISOR_CONSOLE_H
#define DBGVISOR_CONSOLE_H

#include <stddef.h>

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* printk("...") logs at LOG_INFO; log_printk(LOG_x, ...) for other levels. */
void log_printk(enum log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
#define printk(...) log_printk(LOG_INFO, __VA_ARGS__)
#define pr_err(...) log_printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) log_printk(LOG_WARN, __VA_ARGS__)
#define pr_debug(...) log_printk(LOG_DEBUG, __VA_ARGS__)

void console_set_level(enum log_level lvl);
/* Writes bytes to the console as they are (one lock for the whole buffer). */
void console_write_raw(const char *s, size_t len);

#include <stdint.h>
struct dbgv_ctl_ring_rep;
/* Reads the hypervisor log ring from an absolute offset (`xl dmesg`). */
/* Discard what the log ring holds (xl dmesg -c). */
void console_log_clear(void);
uint32_t console_log_read(uint64_t offset, void *data, uint32_t max, struct dbgv_ctl_ring_rep *rep);

#endif
