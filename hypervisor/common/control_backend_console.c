/*
 * The control backend's console input (CONSOLE_WRITE, `xl console`): bytes
 * for the domain's serial receiver (x86: COM1's, hvm/com1.c; arm64: the
 * PL011's receive FIFO, arch/arm64/vpl011.c). Apart so that an architecture
 * whose UART model has no receiver leaves it out, and the server answers
 * -ENOSYS.
 */
#include <dbgvisor/control.h>
#include <dbgvisor/domain.h>
#include "control_backend.h"

int hv_ctl_console_write(uint32_t domid, const void *data, uint32_t len,
                         struct dbgv_ctl_console_write_rep *rep)
{
    int rc;
    struct domain *d = ctl_backend_lookup(domid, &rc);
    if (!d)
        return rc;
    rep->accepted = domain_console_input(d, data, len, &rep->room);
    return 0;
}

