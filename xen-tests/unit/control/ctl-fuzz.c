/*
 * ctl-fuzz: throw malformed and random frames at a control socket, then
 * check that the hypervisor still answers a well-formed request correctly.
 * Works against fake-hv, dbgctl-mux and the real hypervisor (the live
 * integration test can reuse it). Valid-CRC frames use read-only message
 * types unless --destructive, so guests keep running.
 *
 *   ctl-fuzz [--frames N] [--seed S] [--destructive] unix:/path
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <debugctl.h>
#include <dbgvisor/ctlframe.h>

static uint64_t rng;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static const uint16_t ro_types[] = {
    DBGV_CTL_MSG_HELLO, DBGV_CTL_MSG_PHYSINFO, DBGV_CTL_MSG_DOMAIN_LIST,
    DBGV_CTL_MSG_DOMAIN_INFO, DBGV_CTL_MSG_VCPU_LIST, DBGV_CTL_MSG_MEM_READ,
    DBGV_CTL_MSG_CONSOLE_READ, DBGV_CTL_MSG_HVLOG_READ,
    DBGV_CTL_MSG_DEBUG_STATE_GET, DBGV_CTL_MSG_EVENTS_READ,
    DBGV_CTL_MSG_GDBG_ATTACH, 0x0666, 0x7fff, 0xffff, 0,
};
static const uint16_t rw_types[] = {
    DBGV_CTL_MSG_DOMAIN_CREATE, DBGV_CTL_MSG_DOMAIN_PAUSE,
    DBGV_CTL_MSG_DOMAIN_UNPAUSE, DBGV_CTL_MSG_DOMAIN_DESTROY,
    DBGV_CTL_MSG_DOMAIN_SHUTDOWN, DBGV_CTL_MSG_MEM_WRITE,
    DBGV_CTL_MSG_VCPU_SET_REGS, DBGV_CTL_MSG_DEBUG_POLICY_SET,
    DBGV_CTL_MSG_CONSOLE_WRITE,
};

static int connect_unix(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if ( fd < 0 || strlen(path) >= sizeof(sa.sun_path) )
        return -1;
    strcpy(sa.sun_path, path);
    if ( connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 )
    {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

/* Write everything, reading (and discarding) replies meanwhile so neither
 * side blocks on a full socket buffer. */
static int pump(int fd, const uint8_t *p, size_t len, uint64_t *replied)
{
    while ( len )
    {
        struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };
        uint8_t sink[65536];

        /* A real hypervisor drains the serial line slowly: allow it time. */
        if ( poll(&pfd, 1, 60000) <= 0 )
            return -1;
        if ( pfd.revents & POLLIN )
        {
            ssize_t n = read(fd, sink, sizeof(sink));

            if ( n == 0 )
                return -1;
            if ( n > 0 )
                *replied += n;
        }
        if ( pfd.revents & POLLOUT )
        {
            ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

            if ( n < 0 && errno != EAGAIN && errno != EINTR )
                return -1;
            if ( n > 0 )
            {
                p += n;
                len -= n;
            }
        }
        if ( pfd.revents & (POLLERR | POLLHUP) && !(pfd.revents & POLLIN) )
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "frames", required_argument, NULL, 'n' },
        { "seed", required_argument, NULL, 's' },
        { "destructive", no_argument, NULL, 'd' },
        { NULL, 0, NULL, 0 },
    };
    static uint8_t f[DBGV_CTL_MAX_FRAME + 64];
    unsigned long frames = 10000;
    uint64_t replied = 0;
    int destructive = 0, fd, c, rc;
    const char *uri, *path;
    struct dbgv_ctl_physinfo pi;
    dbgctl *h = NULL;

    rng = 0x2545F4914F6CDD1Dull;
    while ( (c = getopt_long(argc, argv, "n:s:d", opts, NULL)) != -1 )
    {
        switch ( c )
        {
        case 'n': frames = strtoul(optarg, NULL, 0); break;
        case 's': rng = strtoull(optarg, NULL, 0) | 1; break;
        case 'd': destructive = 1; break;
        default: goto usage;
        }
    }
    if ( optind != argc - 1 )
        goto usage;
    uri = argv[optind];
    path = !strncmp(uri, "unix:", 5) ? uri + 5 : uri;

    fd = connect_unix(path);
    if ( fd < 0 )
    {
        fprintf(stderr, "ctl-fuzz: cannot connect to %s: %s\n", uri, strerror(errno));
        return 1;
    }
    for ( unsigned long i = 0; i < frames; i++ )
    {
        uint32_t len = rnd() % 160, kind = rnd() % 8;
        uint16_t type = (destructive && rnd() % 2)
            ? rw_types[rnd() % (sizeof(rw_types) / sizeof(rw_types[0]))]
            : ro_types[rnd() % (sizeof(ro_types) / sizeof(ro_types[0]))];
        size_t n;

        for ( uint32_t k = 0; k < len; k++ )
            f[DBGV_CTL_HDR_SIZE + k] = (rnd() % 4) ? rnd() % 3 : rnd();
        n = ctl_frame_build(f, sizeof(f), type, rnd(), 0, f + DBGV_CTL_HDR_SIZE, len);
        switch ( kind )
        {
        case 0: f[rnd() % n] ^= 1u << (rnd() % 8); break;          /* bit flip */
        case 1: n = 1 + rnd() % n; break;                           /* truncated */
        case 2: for ( int k = 0; k < 8; k++ ) f[rnd() % n] = rnd(); break;
        case 3: {                                                   /* lying length */
            struct dbgv_ctl_hdr hd;

            memcpy(&hd, f, sizeof(hd));
            hd.len = rnd() % 3 ? rnd() : DBGV_CTL_MAX_PAYLOAD + 1 + rnd() % 100;
            hd.hdr_crc = ctl_crc32(0, &hd, DBGV_CTL_HDR_CRC_SPAN);
            memcpy(f, &hd, sizeof(hd));
            break;
        }
        case 4: for ( size_t k = 0; k < n; k++ ) f[k] = rnd(); break; /* noise */
        case 5: {                                                   /* bad version */
            struct dbgv_ctl_hdr hd;

            memcpy(&hd, f, sizeof(hd));
            hd.version = rnd();
            hd.hdr_crc = ctl_crc32(0, &hd, DBGV_CTL_HDR_CRC_SPAN);
            memcpy(f, &hd, sizeof(hd));
            break;
        }
        default: break;             /* valid frame, random payload */
        }
        if ( pump(fd, f, n, &replied) )
        {
            fprintf(stderr, "ctl-fuzz: connection lost after %lu frames\n", i);
            close(fd);
            return 1;
        }
    }
    close(fd);

    /* The hypervisor must still answer, and correctly. */
    rc = dbgctl_open(uri, &h);
    if ( !rc )
        rc = dbgctl_physinfo(h, &pi);
    if ( !rc && (pi.nr_cpus == 0 || pi.nr_domains == 0) )
        rc = -EPROTO;
    dbgctl_close(h);
    printf("ctl-fuzz: %lu frames sent, %llu reply bytes, then %s\n", frames,
           (unsigned long long)replied, rc ? dbgctl_strerror(rc) : "answered correctly");
    return rc ? 1 : 0;

 usage:
    fprintf(stderr, "usage: ctl-fuzz [--frames N] [--seed S] [--destructive] unix:/path\n");
    return 2;
}
