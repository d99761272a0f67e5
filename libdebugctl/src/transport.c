/*
 * libdebugctl transport: URI handling, connection, handshake and the
 * request/reply round trip over the framed byte stream.
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

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void disconnect(dbgctl *h)
{
    if ( h->fd >= 0 )
        close(h->fd);
    h->fd = -1;
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

static int send_all(dbgctl *h, const void *buf, size_t len)
{
    const uint8_t *p = buf;

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

        int left = (int)(deadline - now_ms());
        struct pollfd pfd = { .fd = h->fd, .events = POLLIN };
        ssize_t n;

        if ( left <= 0 )
            return -ETIMEDOUT;
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

/* Round trip with the lock held and a connected socket. */
static int roundtrip(dbgctl *h, uint16_t type, const void *req,
                     uint32_t reqlen, void *rep, uint32_t repmax,
                     uint32_t *replen, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    const struct dbgv_ctl_hdr *rh;
    uint32_t seq = ++h->seq;
    size_t n;
    int rc;

    n = ctl_frame_build(h->txbuf, sizeof(h->txbuf), type, seq, 0, req, reqlen);
    if ( !n )
        return -EMSGSIZE;
    if ( (rc = send_all(h, h->txbuf, n)) )
        return rc;

    for ( ;; )
    {
        if ( (rc = recv_frame(h, deadline)) )
            return rc;
        rh = ctl_rx_hdr(&h->rx);
        /* Late replies to calls that timed out carry older sequence numbers. */
        if ( rh->seq != seq )
            continue;
        if ( rh->type == (DBGV_CTL_MSG_ERROR | DBGV_CTL_REPLY) )
            return rh->status ? rh->status : -EPROTO;
        if ( rh->type != (type | DBGV_CTL_REPLY) )
            continue;
        if ( rh->status )
            return rh->status < 0 ? rh->status : -EPROTO;
        if ( rh->len > repmax )
            return -EPROTO;
        if ( rh->len && rep )
            memcpy(rep, ctl_rx_payload(&h->rx), rh->len);
        if ( replen )
            *replen = rh->len;
        return 0;
    }
}

static int handshake(dbgctl *h)
{
    struct dbgv_ctl_hello_req req = { .client_version = DBGV_CTL_VERSION };
    uint32_t len = 0;
    int rc = -ETIMEDOUT;

    snprintf(req.client, sizeof(req.client), "libdebugctl %d.%d",
             DBGCTL_VERSION_MAJOR, DBGCTL_VERSION_MINOR);
    for ( int i = 0; i < HELLO_ATTEMPTS && rc == -ETIMEDOUT; i++ )
        rc = roundtrip(h, DBGV_CTL_MSG_HELLO, &req, sizeof(req), &h->hello,
                       sizeof(h->hello), &len,
                       MAX(h->timeout_ms / HELLO_ATTEMPTS, 100));
    if ( !rc && (len != sizeof(h->hello) || h->hello.version != DBGV_CTL_VERSION) )
        rc = -EPROTO;
    h->hello.hv_version[sizeof(h->hello.hv_version) - 1] = '\0';
    return rc;
}

static int reconnect(dbgctl *h)
{
    int rc;

    disconnect(h);
    if ( (rc = connect_socket(h)) )
        return rc;
    if ( (rc = handshake(h)) )
        disconnect(h);
    return rc;
}

int dbgctl_call(dbgctl *h, uint16_t type, const void *req, uint32_t reqlen,
                void *rep, uint32_t repmax, uint32_t *replen)
{
    int rc;

    pthread_mutex_lock(&h->lock);
    /* A hypervisor that went away and came back is picked up again. */
    if ( h->fd < 0 && (rc = reconnect(h)) )
        goto out;
    rc = roundtrip(h, type, req, reqlen, rep, repmax, replen, h->timeout_ms);
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
    return &h->hello;
}
