/* libdebugctl internals. */
#ifndef DEBUGCTL_PRIVATE_H
#define DEBUGCTL_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>
#include <dbgvisor/ctlframe.h>
#include <dbgvisor/shmring.h>
#include "debugctl.h"

/* DBGCTL_TRANSPORT=socket: never use the shared-memory transport. */
#define DBGCTL_TRANSPORT_ENV "DBGCTL_TRANSPORT"

struct dbgctl_shm;

struct dbgctl {
    pthread_mutex_t lock;      /* one round trip at a time */
    int fd;                    /* socket, -1 when not on the socket */
    struct dbgctl_shm *shm;    /* shared-memory slot, preferred; or NULL */
    char *uri;
    char *path;                /* unix socket path */
    uint32_t seq;
    int timeout_ms;
    struct dbgv_ctl_hello_rep hello;
    bool hello_pending;        /* HELLO sent, its reply not taken yet (shm) */
    uint32_t hello_seq;
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

int64_t dbgctl_now_ms(void);

/* Shared-memory transport (shm.c). connect: 0, or why not (the caller then
 * uses the socket). send/recv as on a socket, with a deadline; try_send
 * returns -EAGAIN when the request ring has no room for the frame. */
int dbgctl_shm_connect(dbgctl *h);
void dbgctl_shm_disconnect(dbgctl *h);
int dbgctl_shm_send(dbgctl *h, const void *buf, size_t len, int64_t deadline);
int dbgctl_shm_try_send(dbgctl *h, const void *buf, size_t len);
ssize_t dbgctl_shm_recv(dbgctl *h, void *buf, size_t max, int64_t deadline);
/* Requests a pipelined call may keep in flight (1 on the socket). */
uint32_t dbgctl_shm_window(const dbgctl *h);

/* Requests of one type sent back to back, up to the transport's window in
 * flight: fill(ctx, i, buf) writes request i (at most DBGV_CTL_MAX_PAYLOAD
 * bytes) into buf and returns its length. Replies must have no payload.
 * Returns 0 or the first error; takes the handle lock. */
typedef uint32_t (*dbgctl_fill_fn)(void *ctx, uint32_t i, void *buf);
int dbgctl_call_pipelined(dbgctl *h, uint16_t type, uint32_t count,
                          dbgctl_fill_fn fill, void *ctx);

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

#define DBGCTL_EXPORT __attribute__((visibility("default")))

#endif
