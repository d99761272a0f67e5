/*
 * dbgctl-mux: lets many toolstack clients share the hypervisor's control
 * port. The port is a serial line that QEMU exposes as a one-client unix
 * socket; the mux keeps that one connection and serves any number of
 * clients on its own socket, forwarding whole frames one request at a time
 * with the sequence number rewritten so each reply finds its client.
 * Because only complete, valid frames go upstream, a client that dies
 * mid-frame can no longer tear the hypervisor's stream.
 *
 *   dbgctl-mux --hv unix:/run/.../hv.sock --listen /run/.../control.sock [--hv-pid PID]
 *
 * With --hv-pid (QEMU's pid), the mux ends once that process has: it never
 * outlives the hypervisor it serves. A mux that is restarted (the launcher
 * restarts one that died) numbers its requests upstream from a fresh random
 * start and checks each reply's type, so a reply to its predecessor's last
 * request, still on its way, is never taken for one of its own.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <dbgvisor/ctlframe.h>
#include "unix_listen.h"

#define MAX_CLIENTS    64
#define REPLY_TIMEOUT  10000     /* ms: give up on a request upstream */
#define RETRY_MS       500       /* reconnect interval to the hypervisor */
#define PROBE_MS       300       /* HELLO resend interval until the link answers */

enum cstate { C_IDLE, C_HAS_FRAME, C_WAITING };

struct client {
    int fd;
    enum cstate state;
    uint32_t orig_seq;
    uint16_t type;
    struct ctl_rx rx;
    size_t in_off, in_len;       /* bytes read but not yet reassembled */
    uint8_t in[4096];
    uint8_t rxbuf[DBGV_CTL_MAX_FRAME] __attribute__((aligned(8)));
};

static struct client *clients[MAX_CLIENTS];
static int up_fd = -1, listen_fd = -1;
static struct ctl_rx up_rx;
static uint8_t up_rxbuf[DBGV_CTL_MAX_FRAME] __attribute__((aligned(8)));
static uint8_t txbuf[DBGV_CTL_MAX_FRAME] __attribute__((aligned(8)));
static struct client *inflight;  /* the one request upstream */
static uint32_t up_seq, inflight_seq;
static int64_t inflight_since, last_connect_try;
/* A fresh connection to QEMU's socket can swallow the first frame; nothing
 * is forwarded until a HELLO probe (idempotent, resent) has been answered. */
static bool up_ready;
static uint32_t probe_seq;
static int64_t probe_sent;
static int next_rr;              /* round-robin fairness */
static const char *hv_path;
static pid_t hv_pid;             /* 0: not watched */
static volatile sig_atomic_t stop;

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int send_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    while ( len )
    {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if ( n < 0 && errno == EINTR )
            continue;
        if ( n <= 0 )
            return -1;
        p += n;
        len -= n;
    }
    return 0;
}

static void drop_client(struct client *c)
{
    for ( int i = 0; i < MAX_CLIENTS; i++ )
        if ( clients[i] == c )
            clients[i] = NULL;
    if ( inflight == c )
        inflight = NULL;         /* its reply will be discarded */
    close(c->fd);
    free(c);
}

/* Reply to a client ourselves (errors the mux detects). -1: the client
 * is gone and c must not be used again. */
static int reply_status(struct client *c, uint16_t type, uint32_t seq, int32_t status)
{
    size_t n = ctl_frame_build(txbuf, sizeof(txbuf), type, seq, status, NULL, 0);

    if ( n && send_all(c->fd, txbuf, n) )
    {
        drop_client(c);
        return -1;
    }
    return 0;
}

static void disconnect_up(void)
{
    if ( up_fd >= 0 )
        close(up_fd);
    up_fd = -1;
    ctl_rx_reset(&up_rx);
    if ( inflight )
    {
        struct client *c = inflight;

        inflight = NULL;
        c->state = C_IDLE;
        reply_status(c, c->type | DBGV_CTL_REPLY, c->orig_seq, -ECONNRESET);
    }
}

static void connect_up(void)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    last_connect_try = now_ms();
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if ( fd < 0 )
        return;
    strcpy(sa.sun_path, hv_path);
    if ( connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 )
    {
        close(fd);
        return;
    }
    up_fd = fd;
    ctl_rx_reset(&up_rx);
    up_ready = false;
    probe_sent = 0;
}

static void send_probe(void)
{
    struct dbgv_ctl_hello_req req = { .client_version = DBGV_CTL_VERSION };
    size_t n;

    snprintf(req.client, sizeof(req.client), "dbgctl-mux");
    probe_seq = ++up_seq;
    n = ctl_frame_build(txbuf, sizeof(txbuf), DBGV_CTL_MSG_HELLO, probe_seq, 0,
                        &req, sizeof(req));
    probe_sent = now_ms();
    if ( send_all(up_fd, txbuf, n) )
        disconnect_up();
}

/* Forward the next waiting client frame, round robin. */
static void schedule(void)
{
    if ( inflight || (up_fd >= 0 && !up_ready) )
        return;
    for ( int k = 0; k < MAX_CLIENTS; k++ )
    {
        int i = (next_rr + k) % MAX_CLIENTS;
        struct client *c = clients[i];
        const struct dbgv_ctl_hdr *h;
        size_t n;

        if ( !c || c->state != C_HAS_FRAME )
            continue;
        h = ctl_rx_hdr(&c->rx);
        if ( up_fd < 0 )
        {
            /* No hypervisor: say so at once rather than time out. */
            c->state = C_IDLE;
            reply_status(c, h->type | DBGV_CTL_REPLY, h->seq, -ECONNREFUSED);
            continue;
        }
        c->orig_seq = h->seq;
        c->type = h->type;
        inflight_seq = ++up_seq;
        n = ctl_frame_build(txbuf, sizeof(txbuf), h->type, inflight_seq, 0,
                            ctl_rx_payload(&c->rx), h->len);
        c->state = C_WAITING;
        inflight = c;
        inflight_since = now_ms();
        next_rr = (i + 1) % MAX_CLIENTS;
        if ( send_all(up_fd, txbuf, n) )
            disconnect_up();
        return;
    }
}

/* Reassemble what a client sent until a whole frame is held. */
static void client_feed(struct client *c)
{
    struct ctl_rx_error err;
    enum ctl_rx_result r;

    while ( c->state == C_IDLE && c->in_off < c->in_len )
    {
        ctl_rx_push(&c->rx, c->in[c->in_off++]);
        while ( (r = ctl_rx_step(&c->rx, &err)) != CTL_RX_MORE )
        {
            if ( r == CTL_RX_FRAME )
            {
                c->state = C_HAS_FRAME;
                break;
            }
            /* Bad frames are answered here, as the hypervisor would. */
            if ( reply_status(c, DBGV_CTL_MSG_ERROR | DBGV_CTL_REPLY,
                              err.hdr_valid ? err.seq : 0, err.code) )
                return;
        }
    }
}

/* A reply to no request of ours in flight: one our predecessor sent (a
 * restart) or one given up on (timeout). Logged: the fault-injection test
 * checks that such a reply reached a restarted mux and went no further. */
static void stale_reply(const struct dbgv_ctl_hdr *h)
{
    if ( h->type == (DBGV_CTL_MSG_HELLO | DBGV_CTL_REPLY) )
        return;                  /* answers to our own probes, resent */
    fprintf(stderr, "dbgctl-mux: dropped a reply that answers no request in flight "
            "(type %#x, seq %u)\n", h->type, h->seq);
}

static void upstream_frame(void)
{
    const struct dbgv_ctl_hdr *h = ctl_rx_hdr(&up_rx);
    struct client *c = inflight;
    size_t n;

    if ( !up_ready )
    {
        /* Only the probe's own answer: a predecessor's reply that happens
         * to carry the same number is not one. */
        up_ready = h->seq == probe_seq && h->type == (DBGV_CTL_MSG_HELLO | DBGV_CTL_REPLY);
        if ( !up_ready )
            stale_reply(h);
        return;
    }
    if ( !inflight || h->seq != inflight_seq ||
         (h->type != (inflight->type | DBGV_CTL_REPLY) &&
          h->type != (DBGV_CTL_MSG_ERROR | DBGV_CTL_REPLY)) )
    {
        stale_reply(h);          /* stale or unsolicited: drop */
        return;
    }
    inflight = NULL;
    c->state = C_IDLE;
    n = ctl_frame_build(txbuf, sizeof(txbuf), h->type, c->orig_seq, h->status,
                        ctl_rx_payload(&up_rx), h->len);
    if ( send_all(c->fd, txbuf, n) )
    {
        drop_client(c);
        return;
    }
    client_feed(c);
}

static void on_signal(int sig)
{
    stop = 1;
}

static const char *unix_path(const char *uri)
{
    if ( !strncmp(uri, "unix:", 5) )
        return uri + 5;
    return uri[0] == '/' ? uri : NULL;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "hv", required_argument, NULL, 'H' },
        { "listen", required_argument, NULL, 'l' },
        { "hv-pid", required_argument, NULL, 'p' },
        { NULL, 0, NULL, 0 },
    };
    const char *listen_path = NULL;
    struct sockaddr_un tmp;
    int c;

    while ( (c = getopt_long(argc, argv, "H:l:p:", opts, NULL)) != -1 )
    {
        char *end;

        if ( c == 'H' )
            hv_path = unix_path(optarg);
        else if ( c == 'l' )
            listen_path = unix_path(optarg);
        else if ( c == 'p' && (hv_pid = (pid_t)strtol(optarg, &end, 10)) > 0 && !*end )
            continue;
        else
            goto usage;
    }
    if ( !hv_path || !listen_path || strlen(hv_path) >= sizeof(tmp.sun_path) )
        goto usage;

    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    ctl_rx_init(&up_rx, up_rxbuf);
    up_seq = (uint32_t)now_ms() * 2654435761u ^ (uint32_t)getpid() << 16;
    listen_fd = unix_listen(listen_path, 16);
    if ( listen_fd < 0 )
    {
        fprintf(stderr, "dbgctl-mux: cannot listen on %s: %s\n", listen_path,
                strerror(errno));
        return 1;
    }
    connect_up();

    while ( !stop )
    {
        struct pollfd pfd[MAX_CLIENTS + 2];

        if ( hv_pid && kill(hv_pid, 0) < 0 && errno == ESRCH )
        {
            fprintf(stderr, "dbgctl-mux: the hypervisor (pid %d) has ended; exiting\n",
                    (int)hv_pid);
            break;
        }
        struct client *who[MAX_CLIENTS + 2];
        int n = 0;

        if ( up_fd < 0 && now_ms() - last_connect_try >= RETRY_MS )
            connect_up();
        if ( up_fd >= 0 && !up_ready && now_ms() - probe_sent >= PROBE_MS )
            send_probe();
        if ( inflight && now_ms() - inflight_since > REPLY_TIMEOUT )
        {
            struct client *cl = inflight;

            inflight = NULL;
            cl->state = C_IDLE;
            reply_status(cl, cl->type | DBGV_CTL_REPLY, cl->orig_seq, -ETIMEDOUT);
        }
        schedule();

        pfd[n] = (struct pollfd){ .fd = listen_fd, .events = POLLIN };
        who[n++] = NULL;
        if ( up_fd >= 0 )
        {
            pfd[n] = (struct pollfd){ .fd = up_fd, .events = POLLIN };
            who[n++] = NULL;
        }
        for ( int i = 0; i < MAX_CLIENTS; i++ )
            if ( clients[i] )
            {
                /* Busy clients are not read: their bytes wait in the kernel. */
                pfd[n] = (struct pollfd){
                    .fd = clients[i]->fd,
                    .events = clients[i]->state == C_IDLE ? POLLIN : 0,
                };
                who[n++] = clients[i];
            }

        if ( poll(pfd, n, 100) <= 0 )
            continue;

        for ( int k = 0; k < n; k++ )
        {
            if ( !pfd[k].revents )
                continue;
            if ( pfd[k].fd == listen_fd )
            {
                int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
                int slot;

                if ( fd < 0 )
                    continue;
                for ( slot = 0; slot < MAX_CLIENTS && clients[slot]; slot++ )
                    ;
                struct client *cl = slot < MAX_CLIENTS ? calloc(1, sizeof(*cl)) : NULL;

                if ( !cl )
                {
                    close(fd);
                    continue;
                }
                cl->fd = fd;
                ctl_rx_init(&cl->rx, cl->rxbuf);
                clients[slot] = cl;
            }
            else if ( pfd[k].fd == up_fd && !who[k] )
            {
                uint8_t buf[4096];
                ssize_t got = recv(up_fd, buf, sizeof(buf), 0);
                struct ctl_rx_error err;

                if ( got <= 0 )
                {
                    if ( got < 0 && errno == EINTR )
                        continue;
                    disconnect_up();
                    continue;
                }
                for ( ssize_t i = 0; i < got; i++ )
                {
                    enum ctl_rx_result r;

                    ctl_rx_push(&up_rx, buf[i]);
                    while ( (r = ctl_rx_step(&up_rx, &err)) != CTL_RX_MORE )
                        if ( r == CTL_RX_FRAME )
                            upstream_frame();
                }
            }
            else if ( who[k] )
            {
                struct client *cl = who[k];
                ssize_t got;

                /* The client may have been dropped by an earlier reply. */
                bool alive = false;
                for ( int i = 0; i < MAX_CLIENTS; i++ )
                    alive |= clients[i] == cl;
                if ( !alive )
                    continue;
                if ( pfd[k].revents & (POLLHUP | POLLERR) && !(pfd[k].revents & POLLIN) )
                {
                    drop_client(cl);
                    continue;
                }
                if ( cl->state != C_IDLE )
                    continue;
                got = recv(cl->fd, cl->in, sizeof(cl->in), 0);
                if ( got <= 0 )
                {
                    if ( got < 0 && errno == EINTR )
                        continue;
                    drop_client(cl);
                    continue;
                }
                cl->in_off = 0;
                cl->in_len = got;
                client_feed(cl);
            }
        }
    }
    unlink(listen_path);
    return 0;

 usage:
    fprintf(stderr, "usage: dbgctl-mux --hv unix:HV_SOCKET --listen unix:CONTROL_SOCKET [--hv-pid PID]\n");
    return 2;
}
