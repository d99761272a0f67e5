/* libdebugctl internals. */
#ifndef DEBUGCTL_PRIVATE_H
#define DEBUGCTL_PRIVATE_H

#include <pthread.h>
#include <dbgvisor/ctlframe.h>
#include "debugctl.h"

struct dbgctl {
    pthread_mutex_t lock;      /* one round trip at a time */
    int fd;                    /* -1 while disconnected */
    char *uri;
    char *path;                /* unix socket path */
    uint32_t seq;
    int timeout_ms;
    struct dbgv_ctl_hello_rep hello;
    struct ctl_rx rx;
    /* Bytes read from the socket but not yet given to the reassembler. */
    size_t pend_off, pend_len;
    uint8_t pend[4096];
    uint8_t rxbuf[DBGV_CTL_MAX_FRAME] __attribute__((aligned(8)));
    uint8_t txbuf[DBGV_CTL_MAX_FRAME] __attribute__((aligned(8)));
};

/* One request/reply round trip. The reply payload (up to repmax bytes) is
 * copied to rep and its size stored in *replen (either may be NULL when no
 * payload is expected). Returns 0, the hypervisor's status, or a transport
 * error. Takes the handle lock. */
int dbgctl_call(dbgctl *h, uint16_t type, const void *req, uint32_t reqlen,
                void *rep, uint32_t repmax, uint32_t *replen);

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

#define DBGCTL_EXPORT __attribute__((visibility("default")))

#endif
