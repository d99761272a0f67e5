/*
 * Hypervisor console: log lines go to the serial console (and into the
 * hypervisor log ring that `xl dmesg` reads). Lines from different pCPUs
 * never interleave mid-line.
 */
#include <dbgvisor/console.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/control.h>
#include <dbgvisor/spinlock.h>
#include <asm/uart.h>

static spinlock_t console_lock = SPINLOCK_INIT;
static enum log_level console_level = LOG_INFO;
static uint8_t hv_log_buf[64 * 1024];
static struct ctl_ring hv_log = { .buf = hv_log_buf, .size = sizeof(hv_log_buf) };
static spinlock_t hv_log_lock = SPINLOCK_INIT;

void console_set_level(enum log_level lvl) { console_level = lvl; }

void console_write_raw(const char *s, size_t len)
{
    spin_lock(&console_lock);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n')
            uart_putc(UART_COM1, '\r');
        uart_putc(UART_COM1, s[i]);
    }
    spin_unlock(&console_lock);
}

void log_printk(enum log_level lvl, const char *fmt, ...)
{
    static const char *const prefix[] = { "(HV) [ERR] ", "(HV) [WARN] ", "(HV) ", "(HV) [DBG] " };
    char line[256];
    int n = snprintf(line, sizeof(line), "%s", prefix[lvl]);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - n, fmt, ap);
    va_end(ap);
    n = strnlen(line, sizeof(line));
    spin_lock(&hv_log_lock);
    ctl_ring_write(&hv_log, line, n);
    spin_unlock(&hv_log_lock);
    if (lvl <= console_level)
        console_write_raw(line, n);
}

void console_log_clear(void)
{
    spin_lock(&hv_log_lock);
    ctl_ring_clear(&hv_log);
    spin_unlock(&hv_log_lock);
}

uint32_t console_log_read(uint64_t offset, void *data, uint32_t max, struct dbgv_ctl_ring_rep *rep)
{
    uint32_t n;

    spin_lock(&hv_log_lock);
    n = ctl_ring_read(&hv_log, offset, data, max, rep);
    spin_unlock(&hv_log_lock);
    return n;
}
