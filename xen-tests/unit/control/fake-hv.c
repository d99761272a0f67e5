/*
 * fake-hv: the hypervisor's control server (hypervisor/common/control/)
 * built hosted over the fake backend, serving a unix socket the way QEMU's
 * chardev does (one client at a time, a plain byte stream). Lets xl and
 * libdebugctl be tested end to end without QEMU.
 *
 *   fake-hv --socket PATH [--domains N] [--ready-file F]
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "fake_backend.h"
#include "unix_listen.h"

#define TICK_MS 100

static int client = -1;
static volatile sig_atomic_t stop;

void ctl_tx_bytes(const void *buf, size_t len)
{
    const char *p = buf;

    while ( client >= 0 && len )
    {
        ssize_t n = send(client, p, len, MSG_NOSIGNAL);

        if ( n < 0 && errno == EINTR )
            continue;
        if ( n <= 0 )
            return;     /* client gone: like a UART with nobody listening */
        p += n;
        len -= n;
    }
}

static uint64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void on_signal(int sig)
{
    stop = 1;
}

/* Demo domains, created the way the toolstack would (through the server's
 * backend directly: no image, so no hand-over check). */
static void make_demo(int n)
{
    for ( int i = 0; i < n; i++ )
    {
        struct dbgv_ctl_domain_create c = {
            .memory_mib = 16, .nr_vcpus = 1 + i % 2,
            .debug_policy = i % DBGV_POLICY_COUNT,
        };
        uint32_t id;

        snprintf(c.name, sizeof(c.name), "demo%d", i + 1);
        if ( hv_ctl_domain_create(&c, &id) == 0 )
        {
            struct dbgv_ctl_vcpu_regs r = { .domid = id, .mask = DBGV_REG_RIP,
                                            .rip = 0x100000 };

            hv_ctl_vcpu_set_regs(&r);
            hv_ctl_domain_unpause(id);
        }
    }
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "socket", required_argument, NULL, 's' },
        { "domains", required_argument, NULL, 'd' },
        { "ready-file", required_argument, NULL, 'r' },
        { NULL, 0, NULL, 0 },
    };
    const char *path = NULL, *ready = NULL;
    uint64_t last_tick, ticks = 0;
    int ndemo = 0, lfd, c;

    while ( (c = getopt_long(argc, argv, "s:d:r:", opts, NULL)) != -1 )
    {
        switch ( c )
        {
        case 's': path = optarg; break;
        case 'd': ndemo = atoi(optarg); break;
        case 'r': ready = optarg; break;
        default:
            fprintf(stderr, "usage: fake-hv --socket PATH [--domains N] [--ready-file F]\n");
            return 2;
        }
    }
    if ( !path )
    {
        fprintf(stderr, "fake-hv: --socket is required\n");
        return 2;
    }

    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    fake_reset();
    ctl_init();
    make_demo(ndemo);
    lfd = unix_listen(path, 8);
    if ( lfd < 0 )
    {
        fprintf(stderr, "fake-hv: cannot listen on %s: %s\n", path, strerror(errno));
        return 1;
    }
    if ( ready )
    {
        FILE *f = fopen(ready, "w");

        if ( f )
            fclose(f);
    }

    last_tick = mono_ns();
    while ( !stop )
    {
        /* Like QEMU's chardev: accept only while nobody is connected. */
        struct pollfd pfd = { .fd = client >= 0 ? client : lfd, .events = POLLIN };
        uint8_t buf[4096];
        int n = poll(&pfd, 1, TICK_MS);

        if ( n > 0 && client < 0 )
            client = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        else if ( n > 0 )
        {
            ssize_t got = recv(client, buf, sizeof(buf), 0);

            if ( got <= 0 )
            {
                close(client);
                client = -1;
            }
            else
                ctl_rx_bytes(buf, got);
        }

        uint64_t now = mono_ns();

        ctl_poll(now);
        if ( now - last_tick >= TICK_MS * 1000000ull )
        {
            fake_tick(now - last_tick);
            last_tick = now;
            /* Running domains print a line a second, for xl console. */
            if ( ++ticks % 10 == 0 )
                for ( uint32_t id = 1; id < FAKE_MAX_DOMS; id++ )
                {
                    struct dbgv_ctl_dominfo di;
                    char line[96];

                    if ( hv_ctl_domain_info(id, &di) || di.state != DBGV_DOMSTATE_RUNNING )
                        continue;
                    snprintf(line, sizeof(line), "%s: tick %llu\n", di.name,
                             (unsigned long long)(ticks / 10));
                    fake_console_write(id, line);
                }
        }
    }
    if ( client >= 0 )
        close(client);
    close(lfd);
    unlink(path);
    return 0;
}
