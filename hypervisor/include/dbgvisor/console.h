/* Hypervisor console: log levels like Xen's loglvl. */
#ifndef DBGVISOR_CONSOLE_H
#define DBGVISOR_CONSOLE_H

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* printk("...") logs at LOG_INFO; log_printk(LOG_x, ...) for other levels. */
void log_printk(enum log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
#define printk(...) log_printk(LOG_INFO, __VA_ARGS__)
#define pr_err(...) log_printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) log_printk(LOG_WARN, __VA_ARGS__)
#define pr_debug(...) log_printk(LOG_DEBUG, __VA_ARGS__)

#endif
