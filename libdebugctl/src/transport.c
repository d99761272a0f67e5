/*
 * libdebugctl transport: URI handling, connection, handshake and the
 * request/reply round trip over the framed byte stream: the hypervisor's
 * shared-memory rings when SOCKET.shm is served (shm.c), else the socket.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "private.h"

/* A handshake that times out is retried: the retry's bytes complete any
 * torn frame a previous client left in the hypervisor's reassembler. */
#define HELLO_ATTEMPTS 3

DBGCTL_EXPORT int dbgctl_default_uri(char *buf, size_t len)
{
    const char *env = getenv(DBGCTL_URI_ENV);
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    int n;

    if ( env && *env )
        n = snprintf(buf, len, "%s", env);
    else if ( xdg && *xdg )
        n = snprintf(buf, len, "unix:%s/dbgvisor/control.sock", xdg);
    else
        n = snprintf(buf, len, "unix:/tmp/dbgvisor-%u/control.sock",
                     (unsigned int)getuid());
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* "unix:/path" or "/path" -> path. Other schemes are reserved. */
static int parse_uri(const char *uri, char **path)
{
    const char *p;

    if ( !strncmp(uri, "unix:", 5) )
        p = uri + 5;
    else if ( uri[0] == '/' )
        p = uri;
    else if ( !strncmp(uri, "tcp:", 4) )
        return -EPROTONOSUPPORT;
    else
        return -EINVAL;
    if ( p[0] == '\0' || strlen(p) >= sizeof(((struct sockaddr_un *)0)->sun_path) )
        return -EINVAL;
    *path = strdup(p);
    return *path ? 0 : -ENOMEM;
}

int64_t dbgctl_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool connected(const dbgctl *h)
{
    return h->fd >= 0 || h->shm;
}

static void disconnect(dbgctl *h)
{
    if ( h->fd >= 0 )
        close(h->fd);
    h->fd = -1;
    dbgctl_shm_disconnect(h);
    h->hello_pending = false;
    h->pend_off = h->pend_len = 0;
    ctl_rx_reset(&h->rx);
}

static int connect_socket(dbgctl *h)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd, rc;

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if ( fd < 0 )
        return -errno;
    memcpy(sa.sun_path, h->path, strlen(h->path) + 1);
    if ( connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 )
    {
        rc = -errno;
        close(fd);
        return rc;
    }
    h->fd = fd;
    h->pend_off = h->pend_len = 0;
    ctl_rx_reset(&h->rx);
    return 0;
}

/* The shared-memory slot if the hypervisor serves one, else the socket. */
static int connect_transport(dbgctl *h)
{
    if ( dbgctl_shm_connect(h) == 0 )
    {
        h->pend_off = h->pend_len = 0;
        ctl_rx_reset(&h->rx);
        return 0;
    }
    return connect_socket(h);
}

static int send_all(dbgctl *h, const void *buf, size_t len, int64_t deadline)
{
    const uint8_t *p = buf;

    if ( h->shm )
        return dbgctl_shm_send(h, buf, len, deadline);

    while ( len )
    {
        ssize_t n = send(h->fd, p, len, MSG_NOSIGNAL);

        if ( n < 0 && errno == EINTR )
            continue;
        if ( n <= 0 )
            return n < 0 ? -errno : -EPIPE;
        p += n;
        len -= n;
    }
    return 0;
}

/* Next frame from the stream, or a transport error. */
static int recv_frame(dbgctl *h, int64_t deadline)
{
    struct ctl_rx_error err;

    for ( ;; )
    {
        while ( h->pend_off < h->pend_len )
        {
            ctl_rx_push(&h->rx, h->pend[h->pend_off++]);
            /* Garbage and bad frames from the hypervisor are skipped. */
            if ( ctl_rx_step(&h->rx, &err) == CTL_RX_FRAME )
                return 0;
        }

        int left = (int)(deadline - dbgctl_now_ms());
        struct pollfd pfd = { .fd = h->fd, .events = POLLIN };
        ssize_t n;

        if ( left <= 0 )
            return -ETIMEDOUT;
        if ( h->shm )
        {
            n = dbgctl_shm_recv(h, h->pend, sizeof(h->pend), deadline);
            if ( n < 0 )
                return (int)n;
            h->pend_off = 0;
            h->pend_len = n;
            continue;
        }
        n = poll(&pfd, 1, left);
        if ( n < 0 && errno == EINTR )
            continue;
        if ( n < 0 )
            return -errno;
        if ( n == 0 )
            return -ETIMEDOUT;
        n = recv(h->fd, h->pend, sizeof(h->pend), 0);
        if ( n < 0 && (errno == EINTR || errno == EAGAIN) )
            continue;
        if ( n < 0 )
            return -errno;
        if ( n == 0 )
            return -ECONNRESET;
        h->pend_off = 0;
        h->pend_len = n;
    }
}

/* Wait for the reply to (type, seq), skipping late replies to calls that
 * timed out (older sequence numbers): 0 with the frame held in h->rx, the
 * hypervisor's status, or a transport error. */
static int await_reply(dbgctl *h, uint16_t type, uint32_t seq, int64_t deadline)
{
    for ( ;; )
    {
        const struct dbgv_ctl_hdr *rh;
        int rc;

        if ( (rc = recv_frame(h, deadline)) )
            return rc;
        rh = ctl_rx_hdr(&h->rx);
        if ( rh->seq != seq )
            continue;
        if ( rh->type == (DBGV_CTL_MSG_ERROR | DBGV_CTL_REPLY) )
            return rh->status ? rh->status : -EPROTO;
        if ( rh->type != (type | DBGV_CTL_REPLY) )
            continue;
        if ( rh->status )
            return rh->status < 0 ? rh->status : -EPROTO;
        return 0;
    }
}

static int hello_take(dbgctl *h, int64_t deadline);

/* Round trip with the lock held and a connected transport. */
static int roundtrip(dbgctl *h, uint16_t type, const void *req,
                     uint32_t reqlen, void *rep, uint32_t repmax,
                     uint32_t *replen, int timeout_ms)
{
    int64_t deadline = dbgctl_now_ms() + timeout_ms;
    const struct dbgv_ctl_hdr *rh;
    uint32_t seq = ++h->seq;
    size_t n;
    int rc;

    n = ctl_frame_build(h->txbuf, sizeof(h->txbuf), type, seq, 0, req, reqlen);
    if ( !n )
        return -EMSGSIZE;
    if ( (rc = send_all(h, h->txbuf, n, deadline)) )
        return rc;
    if ( (rc = hello_take(h, deadline)) || (rc = await_reply(h, type, seq, deadline)) )
        return rc;
    rh = ctl_rx_hdr(&h->rx);
    if ( rh->len > repmax )
        return -EPROTO;
    if ( rh->len && rep )
        memcpy(rep, ctl_rx_payload(&h->rx), rh->len);
    if ( replen )
        *replen = rh->len;
    return 0;
}

static void hello_req(struct dbgv_ctl_hello_req *req)
{
    memset(req, 0, sizeof(*req));
    req->client_version = DBGV_CTL_VERSION;
    snprintf(req->client, sizeof(req->client), "libdebugctl %d.%d",
             DBGCTL_VERSION_MAJOR, DBGCTL_VERSION_MINOR);
}

/* The HELLO reply's checks, whichever way it was awaited. */
static int hello_check(dbgctl *h, int rc, uint32_t len)
{
    if ( !rc && (len != sizeof(h->hello) || h->hello.version != DBGV_CTL_VERSION) )
        rc = -EPROTO;
    h->hello.hv_version[sizeof(h->hello.hv_version) - 1] = '\0';
    return rc;
}

static int handshake(dbgctl *h)
{
    struct dbgv_ctl_hello_req req;
    uint32_t len = 0;
    int rc = -ETIMEDOUT;

    hello_req(&req);
    for ( int i = 0; i < HELLO_ATTEMPTS && rc == -ETIMEDOUT; i++ )
        rc = roundtrip(h, DBGV_CTL_MSG_HELLO, &req, sizeof(req), &h->hello,
                       sizeof(h->hello), &len,
                       MAX(h->timeout_ms / HELLO_ATTEMPTS, 100));
    return hello_check(h, rc, len);
}

/*
 * On the shared-memory rings, which lose nothing, HELLO is only sent when
 * the connection opens; its reply is taken before the first call's, whose
 * request follows it into the ring. The hypervisor answers both in one
 * pass, so a short-lived client (xl list) waits for one round trip fewer.
 */
static int hello_send(dbgctl *h)
{
    struct dbgv_ctl_hello_req req;
    size_t n;
    int rc;

    hello_req(&req);
    h->hello_seq = ++h->seq;
    n = ctl_frame_build(h->txbuf, sizeof(h->txbuf), DBGV_CTL_MSG_HELLO, h->hello_seq, 0,
                        &req, sizeof(req));
    if ( !n )
        return -EMSGSIZE;
    if ( (rc = send_all(h, h->txbuf, n, dbgctl_now_ms() + h->timeout_ms)) )
        return rc;
    h->hello_pending = true;
    return 0;
}

/* Take the pending HELLO reply, if any: 0, or why the connection is unusable
 * (then it is dropped). */
static int hello_take(dbgctl *h, int64_t deadline)
{
    const struct dbgv_ctl_hdr *rh;
    uint32_t len = 0;
    int rc;

    if ( !h->hello_pending )
        return 0;
    h->hello_pending = false;
    memset(&h->hello, 0, sizeof(h->hello));
    if ( !(rc = await_reply(h, DBGV_CTL_MSG_HELLO, h->hello_seq, deadline)) )
    {
        rh = ctl_rx_hdr(&h->rx);
        len = rh->len;
        if ( len == sizeof(h->hello) )
            memcpy(&h->hello, ctl_rx_payload(&h->rx), len);
    }
    if ( (rc = hello_check(h, rc, len)) )
        disconnect(h);
    return rc;
}

static int reconnect(dbgctl *h)
{
    int rc;

    disconnect(h);
    if ( (rc = connect_transport(h)) )
        return rc;
    if ( (rc = h->shm ? hello_send(h) : handshake(h)) )
        disconnect(h);
    return rc;
}

/*
 * After a failure of the shared-memory transport the next call starts a new
 * session (or falls back to the socket if the file went away): after a
 * timeout the slot may hold anything, and impossible ring indices, seen
 * here or reported by the hypervisor, mean the slot is unusable. The
 * latter is a protocol error for the caller.
 */
static int transport_failed(dbgctl *h, int rc)
{
    if ( !h->shm || (rc != -ETIMEDOUT && rc != -DBGV_EIO) )
        return rc;
    if ( rc == -DBGV_EIO )
        rc = -EPROTO;
    disconnect(h);
    return rc;
}

int dbgctl_call(dbgctl *h, uint16_t type, const void *req, uint32_t reqlen,
                void *rep, uint32_t repmax, uint32_t *replen)
{
    int rc;

    pthread_mutex_lock(&h->lock);
    /* A hypervisor that went away and came back is picked up again. */
    if ( !connected(h) && (rc = reconnect(h)) )
        goto out;
    rc = roundtrip(h, type, req, reqlen, rep, repmax, replen, h->timeout_ms);
    rc = transport_failed(h, rc);
    if ( rc == -EPIPE || rc == -ECONNRESET || rc == -ENOTCONN )
    {
        /* Nothing was processed on a dead connection: retrying is safe only
         * if the request never left, which EPIPE on send guarantees; after
         * ECONNRESET we reconnect for the next call but report this one. */
        int was = rc;

        if ( reconnect(h) == 0 && was == -EPIPE )
            rc = roundtrip(h, type, req, reqlen, rep, repmax, replen,
                           h->timeout_ms);
    }
 out:
    pthread_mutex_unlock(&h->lock);
    return rc;
}

static int pipeline(dbgctl *h, uint16_t type, uint32_t count,
                    dbgctl_fill_fn fill, void *ctx)
{
    uint32_t window = dbgctl_shm_window(h), base = h->seq + 1;
    uint32_t sent = 0, done = 0;
    bool built = false;
    size_t n = 0;
    int rc;

    h->seq += count;
    while ( done < count )
    {
        int64_t deadline = dbgctl_now_ms() + h->timeout_ms;

        /* Fill the window; when the ring is full, take a reply instead. */
        while ( sent < count && sent - done < window )
        {
            if ( !built )
            {
                uint32_t len = fill(ctx, sent, h->txbuf + DBGV_CTL_HDR_SIZE);

                n = ctl_frame_build(h->txbuf, sizeof(h->txbuf), type,
                                    base + sent, 0,
                                    h->txbuf + DBGV_CTL_HDR_SIZE, len);
                if ( !n )
                    return -EMSGSIZE;
                built = true;
            }
            rc = h->shm ? dbgctl_shm_try_send(h, h->txbuf, n)
                        : send_all(h, h->txbuf, n, deadline);
            if ( rc == -EAGAIN && sent > done )
                break;
            if ( rc == -EAGAIN )
                rc = send_all(h, h->txbuf, n, deadline);
            if ( rc )
                return rc;
            built = false;
            sent++;
        }
        /* Replies come in order: the one for base + done is next. */
        if ( (rc = await_reply(h, type, base + done, deadline)) )
            return rc;
        if ( ctl_rx_hdr(&h->rx)->len )
            return -EPROTO;
        done++;
    }
    return 0;
}

int dbgctl_call_pipelined(dbgctl *h, uint16_t type, uint32_t count,
                          dbgctl_fill_fn fill, void *ctx)
{
    int rc;

    pthread_mutex_lock(&h->lock);
    if ( !connected(h) && (rc = reconnect(h)) )
        goto out;
    if ( (rc = hello_take(h, dbgctl_now_ms() + h->timeout_ms)) )
        goto out;
    rc = transport_failed(h, pipeline(h, type, count, fill, ctx));
    if ( rc == -EPIPE || rc == -ECONNRESET || rc == -ENOTCONN )
        reconnect(h);            /* for the next call; this one failed */
 out:
    pthread_mutex_unlock(&h->lock);
    return rc;
}

DBGCTL_EXPORT const char *dbgctl_transport_name(const dbgctl *h)
{
    return h->shm ? "shm" : h->fd >= 0 ? "socket" : "none";
}

DBGCTL_EXPORT int dbgctl_open(const char *uri, dbgctl **out)
{
    char def[4096];
    dbgctl *h = NULL;
    int rc;

    *out = NULL;
    if ( !uri )
    {
        if ( (rc = dbgctl_default_uri(def, sizeof(def))) )
            goto out;
        uri = def;
    }
    h = calloc(1, sizeof(*h));
    if ( !h )
    {
        rc = -ENOMEM;
        goto out;
    }
    h->fd = -1;
    h->timeout_ms = DBGCTL_TIMEOUT_DEFAULT_MS;
    /* Sequence numbers differ between handles, so a reply meant for a
     * predecessor on the same slot or socket can never be taken for ours. */
    h->seq = (uint32_t)getpid() << 16 ^ (uint32_t)dbgctl_now_ms() << 4;
    pthread_mutex_init(&h->lock, NULL);
    ctl_rx_init(&h->rx, h->rxbuf);
    h->uri = strdup(uri);
    if ( !h->uri )
    {
        rc = -ENOMEM;
        goto out;
    }
    if ( (rc = parse_uri(uri, &h->path)) )
        goto out;
    if ( (rc = reconnect(h)) )
        goto out;
    *out = h;
    h = NULL;
 out:
    dbgctl_close(h);
    return rc;
}

DBGCTL_EXPORT void dbgctl_close(dbgctl *h)
{
    if ( !h )
        return;
    disconnect(h);
    pthread_mutex_destroy(&h->lock);
    free(h->uri);
    free(h->path);
    free(h);
}

DBGCTL_EXPORT const char *dbgctl_uri(const dbgctl *h)
{
    return h->uri;
}

DBGCTL_EXPORT void dbgctl_set_timeout(dbgctl *h, int timeout_ms)
{
    pthread_mutex_lock(&h->lock);
    h->timeout_ms = timeout_ms > 0 ? timeout_ms : DBGCTL_TIMEOUT_DEFAULT_MS;
    pthread_mutex_unlock(&h->lock);
}

DBGCTL_EXPORT void dbgctl_idle(dbgctl *h)
{
    pthread_mutex_lock(&h->lock);
    disconnect(h);
    pthread_mutex_unlock(&h->lock);
}

DBGCTL_EXPORT const struct dbgv_ctl_hello_rep *dbgctl_hello_info(const dbgctl *h)
{
    dbgctl *m = (dbgctl *)h;    /* the pending reply is taken now */

    pthread_mutex_lock(&m->lock);
    hello_take(m, dbgctl_now_ms() + m->timeout_ms);
    pthread_mutex_unlock(&m->lock);
    return &h->hello;
}
