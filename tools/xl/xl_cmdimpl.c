/* xl domain and host commands. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "xl.h"
#include "xl_utils.h"

#define CTRL_RBRACKET 0x1d
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif

static int domain_simple(int argc, char **argv, const char *cmd,
                         int (*op)(dbgctl *, uint32_t))
{
    uint32_t domid;
    int rc;

    if ( xl_noopts(argc, argv, cmd, 1, &rc) )
        return rc;
    if ( (rc = xl_find_domain(argv[optind], &domid)) )
        return rc;
    if ( domid == 0 )
        return xl_err("Domain-0 is the control domain and cannot be %s",
                      !strcmp(cmd, "destroy") ? "destroyed" : "paused or unpaused");
    if ( (rc = op(ctx, domid)) )
        return xl_err("%s", dbgctl_strerror(rc));
    return EXIT_SUCCESS;
}

int main_destroy(int argc, char **argv)
{
    return domain_simple(argc, argv, "destroy", dbgctl_domain_destroy);
}

int main_pause(int argc, char **argv)
{
    return domain_simple(argc, argv, "pause", dbgctl_domain_pause);
}

int main_unpause(int argc, char **argv)
{
    return domain_simple(argc, argv, "unpause", dbgctl_domain_unpause);
}

/* ---- names and ids: Xen's messages and exit codes ---------------------- */

/* Xen's libxl_name_to_domid: by name only (a number is a name here too). */
static int domid_of_name(const char *name, uint32_t *domid)
{
    struct dbgv_ctl_dominfo *doms;
    unsigned int nr;
    int found = -1;

    if ( dbgctl_domain_list(ctx, &doms, &nr) )
        return -1;
    for ( unsigned int i = 0; i < nr && found < 0; i++ )
        if ( !strncmp(doms[i].name, name, sizeof(doms[i].name)) )
        {
            *domid = doms[i].domid;
            found = 0;
        }
    free(doms);
    return found;
}

int main_domid(int argc, char **argv)
{
    uint32_t domid;
    int rc;

    if ( xl_noopts(argc, argv, "domid", 1, &rc) )
        return rc;
    if ( domid_of_name(argv[optind], &domid) )
    {
        fprintf(stderr, "Can't get domid of domain name '%s', maybe this domain does not exist.\n",
                argv[optind]);
        return EXIT_FAILURE;
    }
    printf("%u\n", domid);
    return EXIT_SUCCESS;
}

int main_domname(int argc, char **argv)
{
    struct dbgv_ctl_dominfo di;
    char *end;
    uint32_t domid;
    int rc;

    if ( xl_noopts(argc, argv, "domname", 1, &rc) )
        return rc;
    domid = (uint32_t)strtol(argv[optind], &end, 10);
    if ( end == argv[optind] )
    {
        fprintf(stderr, "Invalid domain id.\n\n");
        return EXIT_FAILURE;
    }
    if ( dbgctl_domain_info(ctx, domid, &di) )
    {
        fprintf(stderr, "Can't get domain name of domain id '%u', maybe this domain does not exist.\n",
                domid);
        return EXIT_FAILURE;
    }
    printf("%.*s\n", (int)sizeof(di.name), di.name);
    return EXIT_SUCCESS;
}

/* ---- console ---------------------------------------------------------- */

static volatile sig_atomic_t console_stop;
static void on_sigint(int sig) { console_stop = 1; }

/* Copy what is new on the console to stdout. 1: something printed. */
static int console_drain(uint32_t domid, uint64_t *off, int *rc)
{
    char buf[4096];
    size_t len;
    int printed = 0;

    do {
        *rc = dbgctl_console_read(ctx, domid, off, buf, sizeof(buf), &len, NULL);
        if ( *rc )
            return printed;
        if ( len )
        {
            fwrite(buf, 1, len, stdout);
            printed = 1;
        }
    } while ( len == sizeof(buf) || (len && len >= DBGV_CTL_RING_MAX_READ) );
    fflush(stdout);
    return printed;
}

/* Console input waiting for room in the guest's UART receiver. */
struct console_input {
    uint8_t buf[4096];
    size_t len;
    size_t room;                    /* receiver room at the last reply */
    bool open;                      /* stdin not at EOF yet */
};

/* Keystrokes from stdin; Ctrl-] (Xen's escape) detaches, the rest queues. */
static void console_read_stdin(struct console_input *in)
{
    ssize_t got = read(STDIN_FILENO, in->buf + in->len, sizeof(in->buf) - in->len);

    if ( got <= 0 )
    {
        if ( got == 0 || (errno != EINTR && errno != EAGAIN) )
            in->open = false;       /* EOF on a pipe: keep following output */
        return;
    }
    for ( ssize_t i = 0; i < got; i++ )
        if ( in->buf[in->len + i] == CTRL_RBRACKET )
        {
            got = i;                /* bytes typed before the escape still go */
            console_stop = 1;
            break;
        }
    in->len += (size_t)got;
}

/* Send what the receiver has room for (a query when it had none), so the
 * guest's UART never overruns on our account. */
static int console_send(uint32_t domid, struct console_input *in)
{
    size_t n = MIN(in->len, MIN(in->room, (size_t)DBGV_CTL_CONSOLE_WRITE_MAX));
    size_t accepted = 0;
    int rc = dbgctl_console_write(ctx, domid, in->buf, n, &accepted, &in->room);

    if ( rc )
        return rc;
    memmove(in->buf, in->buf + accepted, in->len - accepted);
    in->len -= accepted;
    return 0;
}

/* Follow the console as Xen's xenconsole does: stdin raw (a terminal), its
 * bytes to the guest's UART, output to stdout, until Ctrl-], a signal or
 * the domain goes away. */
int xl_console_follow(uint32_t domid)
{
    struct termios saved, raw;
    bool tty = isatty(STDIN_FILENO);
    struct sigaction sa = { .sa_handler = on_sigint };
    struct console_input *in = calloc(1, sizeof(*in));
    uint64_t off = 0;
    int rc = 0;

    if ( !in )
        return xl_err("out of memory");
    in->open = true;
    console_stop = 0;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if ( tty && tcgetattr(STDIN_FILENO, &saved) == 0 )
    {
        /* Raw input (Ctrl-C, Ctrl-Z and friends go to the guest); output
         * processing kept so a guest's bare \n still starts a line. */
        raw = saved;
        raw.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
        raw.c_iflag &= ~(IXON | ICRNL | INLCR | IGNCR | ISTRIP | BRKINT);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    }
    else
        tty = false;

    while ( !console_stop )
    {
        struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
        bool want_stdin = in->open && in->len < sizeof(in->buf);
        int n;

        console_drain(domid, &off, &rc);
        if ( rc )
            break;
        if ( in->len && (rc = console_send(domid, in)) == -ENOSYS )
        {
            /* A hypervisor without console input: follow output only. */
            fprintf(stderr, "xl console: this hypervisor takes no console input; output only\n");
            in->open = false;
            in->len = 0;
            rc = 0;
        }
        if ( rc )
            break;
        if ( !in->len )
            dbgctl_idle(ctx);       /* let other tools use the one-client port */
        /* Pending input polls faster; a full receiver waits for the guest. */
        n = poll(&pfd, want_stdin ? 1 : 0, in->len ? (in->room ? 0 : 10) : 100);
        if ( n > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR)) )
            console_read_stdin(in);
    }
    /* Typed before Ctrl-]: deliver what the guest has room for now (a
     * query, then a send), without waiting for it to read more. */
    for ( int i = 0; i < 2 && !rc && in->len; i++ )
        rc = console_send(domid, in);
    if ( tty )
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    free(in);
    if ( rc == -ESRCH )
        return EXIT_SUCCESS;        /* the domain went away: done */
    if ( rc )
        return xl_err("console: %s", dbgctl_strerror(rc));
    return EXIT_SUCCESS;
}

int main_console(int argc, char **argv)
{
    uint32_t domid;
    uint64_t off = 0;
    int c, rc, once = 0;
    char *end;
    long num;

    optind = 0;   /* 0: glibc re-initialises getopt (ordering mode too) */
    opterr = 0;
    while ( (c = getopt(argc, argv, "+bn:t:")) != -1 )
    {
        switch ( c )
        {
        case 'b':
            once = 1;               /* dbgvisor: print what is buffered, exit */
            break;
        case 'n':                   /* Xen: console number; a domain has console 0 */
            num = strtol(optarg, &end, 10);
            if ( !*optarg || *end || num < 0 )
                return xl_usage_err("console", "-n takes a console number");
            if ( num != 0 )
                return xl_err("domain has no console %ld (only console 0, its serial port)", num);
            break;
        case 't':                   /* Xen: pv|serial; both name the one serial console */
            if ( strcmp(optarg, "pv") && strcmp(optarg, "serial") )
                return xl_err("console type \"%s\" unknown (pv or serial)", optarg);
            break;
        default:
            return xl_usage_err("console", "unknown option");
        }
    }
    if ( argc - optind != 1 )
        return xl_usage_err("console", "expected one domain");
    if ( (rc = xl_find_domain(argv[optind], &domid)) )
        return rc;
    if ( !once )
        return xl_console_follow(domid);
    console_drain(domid, &off, &rc);
    if ( rc )
        return xl_err("reading console: %s", dbgctl_strerror(rc));
    return EXIT_SUCCESS;
}
