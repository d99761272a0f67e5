/*
 * A domain's console output: the ring `xl console` reads and the lines echoed
 * to the hypervisor console as "[name] ...". Fed by each architecture's
 * virtual UART (x86 COM1, arm64 PL011).
 */
#include <dbgvisor/console.h>
#include <dbgvisor/control.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>

/* Echo complete lines to the hypervisor console, prefixed by the name; a
 * line longer than the buffer is cut into several. */
static void console_line_add(struct domain *d, char c)
{
    if (c != '\n' && d->line_len < sizeof(d->line) - 1) {
        d->line[d->line_len++] = c;
        return;
    }
    char out[sizeof(d->line) + DOMAIN_NAME_LEN + 4];
    int n = snprintf(out, sizeof(out), "[%s] %.*s\n", d->name, (int)d->line_len, d->line);
    console_write_raw(out, (size_t)MIN(n, (int)sizeof(out) - 1));
    d->line_len = 0;
    if (c != '\n')
        d->line[d->line_len++] = c;
}

/* The ring and the line echoed to the hypervisor console see the same bytes
 * in the same order, also when several vCPUs print at once: both are filled,
 * and a complete line written out, under the domain's console lock. */
void domain_console_putc(struct domain *d, char c)
{
    spin_lock(&d->console_lock);
    ctl_ring_write(&d->console, &c, 1);
    if (c != '\r')
        console_line_add(d, c);
    spin_unlock(&d->console_lock);
}
