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
#include "xl_json.h"

#define CTRL_RBRACKET 0x1d
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif

static const char *shutdown_reason_name(unsigned int r)
{
    static const char *const n[] = { "poweroff", "reboot", "suspend", "crash", "watchdog" };

    return r < sizeof(n) / sizeof(n[0]) ? n[r] : "unknown";
}

/* Xen's six state columns r b p s <reason> d; crashed shows s and c. */
static void state_letters(const struct dbgv_ctl_dominfo *d, char out[7])
{
    static const char reason_letters[] = "-rscw";
    bool shut = d->state == DBGV_DOMSTATE_SHUTDOWN || d->state == DBGV_DOMSTATE_CRASHED;

    memcpy(out, "------", 7);
    if ( d->state == DBGV_DOMSTATE_RUNNING ) out[0] = 'r';
    if ( d->state == DBGV_DOMSTATE_BLOCKED ) out[1] = 'b';
    if ( d->state == DBGV_DOMSTATE_PAUSED )  out[2] = 'p';
    if ( shut ) out[3] = 's';
    if ( d->state == DBGV_DOMSTATE_CRASHED )
        out[4] = 'c';
    else if ( shut && d->shutdown_reason < sizeof(reason_letters) - 1 )
        out[4] = reason_letters[d->shutdown_reason];
    if ( d->state == DBGV_DOMSTATE_DYING )   out[5] = 'd';
}

/* Select the domains named on the command line (all if none). */
static int select_domains(int argc, char **argv, struct dbgv_ctl_dominfo **doms,
                          unsigned int *nr)
{
    struct dbgv_ctl_dominfo *sel = NULL;
    int rc;

    if ( (rc = dbgctl_domain_list(ctx, doms, nr)) )
        return xl_err("listing domains: %s", dbgctl_strerror(rc));
    if ( argc == 0 )
        return 0;

    sel = calloc(argc, sizeof(*sel));
    if ( !sel )
    {
        rc = xl_err("out of memory");
        goto out;
    }
    for ( int i = 0; i < argc; i++ )
    {
        uint32_t id;
        unsigned int k;

        if ( (rc = xl_find_domain(argv[i], &id)) )
            goto out;
        for ( k = 0; k < *nr && (*doms)[k].domid != id; k++ )
            ;
        if ( k == *nr )
        {
            rc = xl_err("unknown domain '%s'", argv[i]);
            goto out;
        }
        sel[i] = (*doms)[k];
    }
    free(*doms);
    *doms = sel;
    *nr = argc;
    sel = NULL;
 out:
    free(sel);
    return rc;
}

static void list_json_one(yajl_gen g, const struct dbgv_ctl_dominfo *d)
{
    char letters[7];

    state_letters(d, letters);
    yajl_gen_map_open(g);
    xl_json_u64(g, "domid", d->domid);
    xl_json_str(g, "name", d->name);
    xl_json_str(g, "state", dbgctl_domstate_name(d->state));
    xl_json_str(g, "state_letters", letters);
    xl_json_u64(g, "memory_kb", d->mem_bytes >> 10);
    xl_json_u64(g, "max_memory_kb", d->max_mem_bytes >> 10);
    xl_json_u64(g, "vcpus", d->nr_vcpus);
    xl_json_u64(g, "cpu_time_ns", d->cpu_time_ns);
    xl_json_u64(g, "overhead_kb", (uint64_t)d->overhead_pages * 4);
    xl_json_bool(g, "control_domain", d->domid == 0);
    if ( d->state == DBGV_DOMSTATE_SHUTDOWN || d->state == DBGV_DOMSTATE_CRASHED )
    {
        xl_json_str(g, "shutdown_reason", shutdown_reason_name(d->shutdown_reason));
        xl_json_i64(g, "exit_code", d->exit_code);
    }
    if ( d->domid != 0 )
    {
        xl_json_str(g, "debug_policy", dbgctl_policy_name(d->debug_policy));
        xl_json_u64(g, "debug_quiet_switches", d->quiet_switches);
        xl_json_str(g, "unbacked_access", dbgctl_unbacked_access_name(d->unbacked_access));
        xl_json_u64(g, "unbacked_accesses", d->unbacked_accesses);
        xl_json_u64(g, "reexecuted_insns", d->reexecuted_insns);
    }
    yajl_gen_map_close(g);
}

int main_list(int argc, char **argv)
{
    static const struct option opts[] = {
        { "long", no_argument, NULL, 'l' },
        { "verbose", no_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
    };
    struct dbgv_ctl_dominfo *doms = NULL;
    unsigned int nr = 0;
    int c, rc, details = 0, verbose = 0;

    optind = 0;   /* 0: glibc re-initialises getopt (ordering mode too) */
    opterr = 0;
    while ( (c = getopt_long(argc, argv, "+lv", opts, NULL)) != -1 )
    {
        if ( c == 'l' )
            details = 1;
        else if ( c == 'v' )
            verbose = 1;
        else
            return xl_usage_err("list", "unknown option");
    }
    if ( (rc = select_domains(argc - optind, argv + optind, &doms, &nr)) )
        goto out;

    if ( details )
    {
        yajl_gen g = xl_json_open();

        if ( !g )
        {
            rc = xl_err("out of memory");
            goto out;
        }
        yajl_gen_array_open(g);
        for ( unsigned int i = 0; i < nr; i++ )
            list_json_one(g, &doms[i]);
        yajl_gen_array_close(g);
        rc = xl_json_close(g);
        goto out;
    }

    printf("Name                                        ID   Mem VCPUs\tState\tTime(s)");
    if ( verbose )
        printf("   UUID                            Reason-Code\tSecurity Label\tDebug-Policy");
    printf("\n");
    for ( unsigned int i = 0; i < nr; i++ )
    {
        const struct dbgv_ctl_dominfo *d = &doms[i];
        char letters[7];

        state_letters(d, letters);
        printf("%-40s %5u %5" PRIu64 " %5u     %s  %8.1f", d->name, d->domid,
               d->mem_bytes >> 20, d->nr_vcpus, letters,
               (double)d->cpu_time_ns / 1e9);
        if ( verbose )
        {
            /* No UUIDs in dbgvisor: a fixed form carrying the domid. */
            printf(" 00000000-0000-0000-0000-%012x", d->domid);
            if ( d->state == DBGV_DOMSTATE_SHUTDOWN || d->state == DBGV_DOMSTATE_CRASHED )
                printf(" %8x", d->shutdown_reason);
            else
                printf(" %8s", "-");
            printf("\t%14s\t%s", "-", d->domid ? dbgctl_policy_name(d->debug_policy) : "-");
        }
        printf("\n");
    }
    rc = EXIT_SUCCESS;
 out:
    free(doms);
    return rc;
}

int main_info(int argc, char **argv)
{
    struct dbgv_ctl_physinfo pi;
    const struct dbgv_ctl_hello_rep *hello = dbgctl_hello_info(ctx);
    struct utsname un;
    int rc;

    if ( xl_noopts(argc, argv, "info", 0, &rc) )
        return rc;
    if ( (rc = dbgctl_physinfo(ctx, &pi)) )
        return xl_err("reading host information: %s", dbgctl_strerror(rc));
    if ( uname(&un) < 0 )
        memset(&un, 0, sizeof(un));

#define LINE(k, fmt, ...) printf("%-23s: " fmt "\n", k, __VA_ARGS__)
    LINE("host", "%s", un.nodename);
    LINE("release", "%s", un.release);
    LINE("version", "%s", un.version);
    LINE("machine", "%s", un.machine);
    LINE("nr_cpus", "%u", pi.nr_cpus);
    LINE("max_cpu_id", "%u", pi.max_cpu_id);
    LINE("nr_nodes", "%u", 1);
    LINE("cores_per_socket", "%u", 1);
    LINE("threads_per_core", "%u", 1);
    LINE("cpu_mhz", "%u.%03u", pi.cpu_khz / 1000, pi.cpu_khz % 1000);
    LINE("virt_caps", "%s%s", pi.caps & DBGV_CAP_HVM ? "hvm" : "",
         pi.caps & DBGV_CAP_HAP ? " hap" : "");
    LINE("total_memory", "%" PRIu64, pi.total_mem >> 20);
    LINE("free_memory", "%" PRIu64, pi.free_mem >> 20);
    LINE("xen_major", "%u", pi.hv_major);
    LINE("xen_minor", "%u", pi.hv_minor);
    LINE("xen_extra", "%s", pi.hv_extra);
    LINE("xen_version", "%u.%u%s", pi.hv_major, pi.hv_minor, pi.hv_extra);
    LINE("xen_caps", "%s", "hvm-3.0-x86_32 hvm-3.0-x86_64");
    LINE("xen_scheduler", "%s", "dbgvisor");
    LINE("xen_pagesize", "%u", 4096);
    LINE("hv_version", "%s", pi.hv_version);
    LINE("hv_uptime", "%.1f", (double)pi.uptime_ns / 1e9);
    LINE("nr_domains", "%u", pi.nr_domains);
    LINE("protocol_version", "%u", hello->version);
    LINE("debug_abi_version", "%u", hello->debug_abi);
    LINE("control_uri", "%s", dbgctl_uri(ctx));
#undef LINE
    return EXIT_SUCCESS;
}

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

int main_dmesg(int argc, char **argv)
{
    char buf[4096];
    uint64_t off = 0, lost = 0;
    size_t len;
    int rc;

    if ( xl_noopts(argc, argv, "dmesg", 0, &rc) )
        return rc;
    do {
        if ( (rc = dbgctl_hvlog_read(ctx, &off, buf, sizeof(buf), &len, &lost)) )
            return xl_err("reading the hypervisor log: %s", dbgctl_strerror(rc));
        fwrite(buf, 1, len, stdout);
    } while ( len );
    return EXIT_SUCCESS;
}

/* ---- vcpu-list -------------------------------------------------------- */

int main_vcpulist(int argc, char **argv)
{
    struct dbgv_ctl_dominfo *doms = NULL;
    unsigned int nr = 0;
    int c, rc, verbose = 0;

    optind = 0;   /* 0: glibc re-initialises getopt (ordering mode too) */
    opterr = 0;
    while ( (c = getopt(argc, argv, "+v")) != -1 )
    {
        if ( c != 'v' )
            return xl_usage_err("vcpu-list", "unknown option");
        verbose = 1;
    }
    if ( (rc = select_domains(argc - optind, argv + optind, &doms, &nr)) )
        goto out;

    printf("%-32s %5s %5s %5s %5s %9s %s%s\n", "Name", "ID", "VCPU", "CPU",
           "State", "Time(s)", "Affinity (Hard / Soft)", verbose ? "  RIP" : "");
    for ( unsigned int i = 0; i < nr; i++ )
    {
        struct dbgv_ctl_vcpuinfo *v = NULL;
        unsigned int nv = 0;

        rc = dbgctl_vcpu_list(ctx, doms[i].domid, &v, &nv);
        if ( rc == -ESRCH )          /* destroyed meanwhile */
            continue;
        if ( rc )
        {
            rc = xl_err("listing vCPUs of %s: %s", doms[i].name, dbgctl_strerror(rc));
            goto out;
        }
        for ( unsigned int k = 0; k < nv; k++ )
        {
            bool online = v[k].state != DBGV_VCPUSTATE_OFFLINE;

            printf("%-32s %5u %5u", doms[i].name, doms[i].domid, v[k].vcpu);
            if ( !online || v[k].pcpu < 0 )
                printf("%5c", '-');
            else
                printf("%5d", v[k].pcpu);
            printf("   %c%c%c  %9.1f  all / all",
                   v[k].state == DBGV_VCPUSTATE_RUNNING ? 'r' : '-',
                   v[k].state == DBGV_VCPUSTATE_BLOCKED ? 'b' : '-',
                   v[k].state == DBGV_VCPUSTATE_PAUSED || !online ? 'p' : '-',
                   (double)v[k].cpu_time_ns / 1e9);
            if ( verbose )
                printf("  %#" PRIx64, v[k].rip);
            printf("\n");
        }
        free(v);
    }
    rc = EXIT_SUCCESS;
 out:
    free(doms);
    return rc;
}
