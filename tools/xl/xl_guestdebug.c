/*
 * xl debug-attach, debug-bp, debug-wp, debug-step, debug-continue,
 * debug-regs, debug-mem, debug-detach, debug-gdb: guest debugging from the
 * host for scripts (docs/guest-debug.md). Each command is one short
 * connection; the debugger's state (attachment, breakpoints, the paused
 * domain) lives in the hypervisor between them.
 *
 * Events are printed as one line:
 *   event seq=N vcpu=V type=breakpoint|watchpoint|step|shutdown|crashed|destroyed
 *         rip=0x... bps=0x... dr6=0x... data=0x... code=N
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "xl.h"

struct gd_opts {
    uint32_t vcpu;
    bool vcpu_set;
    unsigned int id;
    bool id_set;
    unsigned int len;
    int type;               /* enum dbgv_gdbg_bp_type, -1 unset */
    bool clear;
    bool irqs;
    unsigned int count;
    bool wait;
    int timeout_ms;
    bool phys;
    const char *write_hex;
    int port;
};

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;

    if ( !s || !*s || *s == '-' )
        return -1;
    errno = 0;
    *out = strtoull(s, &end, 0);
    return errno || *end ? -1 : 0;
}

static int parse_uint(const char *s, unsigned int max, unsigned int *out)
{
    uint64_t v;

    if ( parse_u64(s, &v) || v > max )
        return -1;
    *out = (unsigned int)v;
    return 0;
}

/* Options common to the debug-* commands; returns -1 with *rc set when
 * main should return. Positional arguments start at argv[optind]. */
static int gd_getopt(int argc, char **argv, const char *cmd, struct gd_opts *o, int *rc)
{
    static const struct option opts[] = {
        { "help", no_argument, NULL, 'h' },
        { "vcpu", required_argument, NULL, 'v' },
        { "id", required_argument, NULL, 'i' },
        { "len", required_argument, NULL, 'l' },
        { "type", required_argument, NULL, 't' },
        { "clear", no_argument, NULL, 'c' },
        { "irqs", no_argument, NULL, 'I' },
        { "count", required_argument, NULL, 'n' },
        { "wait", no_argument, NULL, 'w' },
        { "timeout", required_argument, NULL, 'T' },
        { "phys", no_argument, NULL, 'p' },
        { "write", required_argument, NULL, 'W' },
        { "port", required_argument, NULL, 'P' },
        { NULL, 0, NULL, 0 },
    };
    unsigned int t;
    int c;

    memset(o, 0, sizeof(*o));
    o->type = -1;
    o->count = 1;
    o->timeout_ms = 30000;
    o->port = 1234;
    optind = 0;
    opterr = 0;
    while ( (c = getopt_long(argc, argv, "hv:i:l:t:cIn:wT:pW:P:", opts, NULL)) != -1 )
    {
        switch ( c )
        {
        case 'h':               /* main() answers -h itself */
            *rc = EXIT_SUCCESS;
            return -1;
        case 'v':
            if ( parse_uint(optarg, UINT32_MAX - 1, &o->vcpu) )
                goto bad;
            o->vcpu_set = true;
            break;
        case 'i':
            if ( parse_uint(optarg, DBGV_GDBG_MAX_BP - 1, &o->id) )
                goto bad;
            o->id_set = true;
            break;
        case 'l':
            if ( parse_uint(optarg, 8, &o->len) ||
                 (o->len != 1 && o->len != 2 && o->len != 4 && o->len != 8) )
                goto bad;
            break;
        case 't':
            if ( !strcmp(optarg, "w") || !strcmp(optarg, "write") )
                o->type = DBGV_GDBG_BP_WRITE;
            else if ( !strcmp(optarg, "r") || !strcmp(optarg, "read") )
                o->type = DBGV_GDBG_BP_READ;
            else if ( !strcmp(optarg, "rw") || !strcmp(optarg, "access") )
                o->type = DBGV_GDBG_BP_RW;
            else
                goto bad;
            break;
        case 'c': o->clear = true; break;
        case 'I': o->irqs = true; break;
        case 'n':
            if ( parse_uint(optarg, 1000000, &o->count) || o->count == 0 )
                goto bad;
            break;
        case 'w': o->wait = true; break;
        case 'T':
            if ( parse_uint(optarg, 86400, &t) )
                goto bad;
            o->timeout_ms = (int)t * 1000;
            break;
        case 'p': o->phys = true; break;
        case 'W': o->write_hex = optarg; break;
        case 'P':
            if ( parse_uint(optarg, 65535, &t) || t == 0 )
                goto bad;
            o->port = (int)t;
            break;
        default:
            *rc = xl_usage_err(cmd, "unknown option");
            return -1;
        }
    }
    return 0;
 bad:
    *rc = xl_usage_err(cmd, "bad option value");
    return -1;
}

/* One domain argument (plus nextra more positional ones). */
static int gd_domain(int argc, char **argv, const char *cmd, int nextra, uint32_t *domid,
                     int *rc)
{
    if ( argc - optind != 1 + nextra )
    {
        *rc = xl_usage_err(cmd, argc - optind < 1 + nextra ? "missing argument"
                                                           : "too many arguments");
        return -1;
    }
    if ( (*rc = xl_find_domain(argv[optind], domid)) )
        return -1;
    if ( *domid == 0 )
    {
        *rc = xl_err("Domain-0 cannot be debugged");
        return -1;
    }
    return 0;
}

/* e is one dbgctl_gdbg_wait returns: a debug event or the domain's end. */
static void print_event(const struct dbgv_ctl_event *e)
{
    printf("event seq=%" PRIu64 " vcpu=%u type=%s rip=%#" PRIx64 " bps=%#x dr6=%#" PRIx64
           " data=%#" PRIx64 " code=%d\n", e->seq, e->vcpu, dbgctl_event_name(e->type), e->addr,
           (unsigned int)e->code, e->dr6, e->data, e->code);
}

static int fail(const char *what, int err)
{
    return xl_err("%s: %s", what, dbgctl_strerror(err));
}

int main_debug_attach(int argc, char **argv)
{
    struct gd_opts o;
    uint32_t domid;
    int rc;

    if ( gd_getopt(argc, argv, "debug-attach", &o, &rc) ||
         gd_domain(argc, argv, "debug-attach", 0, &domid, &rc) )
        return rc;
    if ( (rc = dbgctl_gdbg_attach(xl_ctx(), domid)) )
        return fail("attach", rc);
    return EXIT_SUCCESS;
}

int main_debug_detach(int argc, char **argv)
{
    struct gd_opts o;
    uint32_t domid;
    int rc;

    if ( gd_getopt(argc, argv, "debug-detach", &o, &rc) ||
         gd_domain(argc, argv, "debug-detach", 0, &domid, &rc) )
        return rc;
    if ( (rc = dbgctl_gdbg_detach(xl_ctx(), domid)) )
        return fail("detach", rc);
    return EXIT_SUCCESS;
}

/* debug-bp <Domain> [--vcpu N] [--id N] <addr> | --clear --id N */
static int bp_common(int argc, char **argv, const char *cmd, bool watch)
{
    struct gd_opts o;
    uint32_t domid, vcpu;
    uint64_t addr;
    int rc;

    if ( gd_getopt(argc, argv, cmd, &o, &rc) )
        return rc;
    vcpu = o.vcpu_set ? o.vcpu : DBGV_GDBG_ALL_VCPUS;
    if ( o.clear )
    {
        if ( !o.id_set )
            return xl_usage_err(cmd, "--clear needs --id");
        if ( gd_domain(argc, argv, cmd, 0, &domid, &rc) )
            return rc;
        if ( (rc = dbgctl_gdbg_clear_bp(xl_ctx(), domid, vcpu, o.id)) )
            return fail("clear breakpoint", rc);
        return EXIT_SUCCESS;
    }
    if ( gd_domain(argc, argv, cmd, 1, &domid, &rc) )
        return rc;
    if ( parse_u64(argv[optind + 1], &addr) )
        return xl_usage_err(cmd, "bad address");
    if ( watch )
    {
        if ( o.type < 0 )
            o.type = DBGV_GDBG_BP_WRITE;
        if ( !o.len )
            o.len = 1;
    }
    else
    {
        if ( o.len > 1 || o.type >= 0 )
            return xl_usage_err(cmd, "execution breakpoints have no --len/--type");
        o.type = DBGV_GDBG_BP_EXEC;
        o.len = 1;
    }
    if ( (rc = dbgctl_gdbg_set_bp(xl_ctx(), domid, vcpu, o.id, (unsigned int)o.type, o.len,
                                  addr)) )
        return fail(watch ? "set watchpoint" : "set breakpoint", rc);
    return EXIT_SUCCESS;
}

int main_debug_bp(int argc, char **argv)
{
    return bp_common(argc, argv, "debug-bp", false);
}

int main_debug_wp(int argc, char **argv)
{
    return bp_common(argc, argv, "debug-wp", true);
}

/* Wait for the next event from cursor; prints it. Returns 0, or the exit
 * code for a failure. *ended: the domain is gone. */
static int wait_print(uint32_t domid, uint64_t *cursor, int timeout_ms, bool *ended,
                      struct dbgv_ctl_event *ev)
{
    int rc = dbgctl_gdbg_wait(xl_ctx(), domid, cursor, timeout_ms, ev);

    if ( rc )
        return fail("waiting for an event", rc);
    print_event(ev);
    *ended = ev->type != DBGV_EV_BREAKPOINT && ev->type != DBGV_EV_WATCHPOINT &&
             ev->type != DBGV_EV_STEP_DONE;
    return 0;
}

int main_debug_step(int argc, char **argv)
{
    struct dbgv_ctl_event ev;
    struct gd_opts o;
    uint32_t domid;
    uint64_t cursor;
    bool ended = false;
    int rc;

    if ( gd_getopt(argc, argv, "debug-step", &o, &rc) ||
         gd_domain(argc, argv, "debug-step", 0, &domid, &rc) )
        return rc;
    for ( unsigned int i = 0; i < o.count && !ended; i++ )
    {
        if ( (rc = dbgctl_gdbg_event_cursor(xl_ctx(), domid, &cursor)) )
            return fail("reading events", rc);
        if ( (rc = dbgctl_gdbg_step(xl_ctx(), domid, o.vcpu,
                                    o.irqs ? DBGV_GDBG_STEP_IRQS : 0)) )
            return fail("step", rc);
        if ( (rc = wait_print(domid, &cursor, o.timeout_ms, &ended, &ev)) )
            return rc;
    }
    return ended ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main_debug_continue(int argc, char **argv)
{
    struct dbgv_ctl_event ev;
    struct gd_opts o;
    uint32_t domid;
    uint64_t cursor = 0;
    bool ended = false;
    int rc;

    if ( gd_getopt(argc, argv, "debug-continue", &o, &rc) ||
         gd_domain(argc, argv, "debug-continue", 0, &domid, &rc) )
        return rc;
    if ( o.wait && (rc = dbgctl_gdbg_event_cursor(xl_ctx(), domid, &cursor)) )
        return fail("reading events", rc);
    if ( (rc = dbgctl_gdbg_continue(xl_ctx(), domid)) )
        return fail("continue", rc);
    if ( !o.wait )
        return EXIT_SUCCESS;
    if ( (rc = wait_print(domid, &cursor, o.timeout_ms, &ended, &ev)) )
        return rc;
    /* 0: stopped at a debug event; 2: the domain ended. */
    return ended ? 2 : EXIT_SUCCESS;
}

int main_debug_regs(int argc, char **argv)
{
    static const char *const names[16] = {
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
    };
    struct dbgv_gdbg_regs r;
    struct gd_opts o;
    uint32_t domid;
    int rc;

    if ( gd_getopt(argc, argv, "debug-regs", &o, &rc) ||
         gd_domain(argc, argv, "debug-regs", 0, &domid, &rc) )
        return rc;
    if ( (rc = dbgctl_gdbg_get_regs(xl_ctx(), domid, o.vcpu, &r)) )
        return fail("reading registers", rc);
    for ( int i = 0; i < 16; i++ )
        printf("%-6s 0x%016" PRIx64 "\n", names[i], r.gpr[i]);
    printf("%-6s 0x%016" PRIx64 "\n%-6s 0x%016" PRIx64 "\n", "rip", r.rip, "rflags", r.rflags);
    printf("%-6s 0x%016" PRIx64 "\n%-6s 0x%016" PRIx64 "\n%-6s 0x%016" PRIx64 "\n"
           "%-6s 0x%016" PRIx64 "\n%-6s 0x%016" PRIx64 "\n",
           "cr0", r.cr0, "cr2", r.cr2, "cr3", r.cr3, "cr4", r.cr4, "efer", r.efer);
    printf("cs %#06x ss %#06x ds %#06x es %#06x fs %#06x gs %#06x mode %u\n",
           r.cs, r.ss, r.ds, r.es, r.fs, r.gs, r.mode);
    for ( int i = 0; i < 4; i++ )
        printf("guest-dr%d 0x%016" PRIx64 "\n", i, r.dr[i]);
    printf("guest-dr6 0x%016" PRIx64 "\nguest-dr7 0x%016" PRIx64 "\n", r.dr6, r.dr7);
    return EXIT_SUCCESS;
}

static int hexval(char c)
{
    if ( c >= '0' && c <= '9' ) return c - '0';
    if ( c >= 'a' && c <= 'f' ) return c - 'a' + 10;
    if ( c >= 'A' && c <= 'F' ) return c - 'A' + 10;
    return -1;
}

/* debug-mem <Domain> [--vcpu N] [--phys] <addr> <len> | --write HEX <addr> */
int main_debug_mem(int argc, char **argv)
{
    struct gd_opts o;
    uint32_t domid;
    uint64_t addr, len;
    uint8_t *buf = NULL;
    int rc;

    if ( gd_getopt(argc, argv, "debug-mem", &o, &rc) ||
         gd_domain(argc, argv, "debug-mem", o.write_hex ? 1 : 2, &domid, &rc) )
        return rc;
    if ( parse_u64(argv[optind + 1], &addr) )
        return xl_usage_err("debug-mem", "bad address");
    if ( o.write_hex )
    {
        size_t n = strlen(o.write_hex);

        if ( n == 0 || n % 2 || n / 2 > 65536 )
            return xl_usage_err("debug-mem", "--write wants an even number of hex digits");
        if ( !(buf = malloc(n / 2)) )
            return xl_err("out of memory");
        for ( size_t i = 0; i < n / 2; i++ )
        {
            int hi = hexval(o.write_hex[2 * i]), lo = hexval(o.write_hex[2 * i + 1]);
            if ( hi < 0 || lo < 0 )
            {
                free(buf);
                return xl_usage_err("debug-mem", "bad hex digit");
            }
            buf[i] = (uint8_t)(hi << 4 | lo);
        }
        rc = dbgctl_gdbg_write(xl_ctx(), domid, o.vcpu, addr, !o.phys, buf, n / 2);
        free(buf);
        return rc ? fail("writing memory", rc) : EXIT_SUCCESS;
    }
    if ( parse_u64(argv[optind + 2], &len) || len == 0 || len > 65536 )
        return xl_usage_err("debug-mem", "length must be 1..65536");
    if ( !(buf = malloc(len)) )
        return xl_err("out of memory");
    if ( (rc = dbgctl_gdbg_read(xl_ctx(), domid, o.vcpu, addr, !o.phys, buf, len)) )
    {
        free(buf);
        return fail("reading memory", rc);
    }
    for ( uint64_t i = 0; i < len; i += 16 )
    {
        printf("%016" PRIx64 ":", addr + i);
        for ( uint64_t k = i; k < len && k < i + 16; k++ )
            printf(" %02x", buf[k]);
        printf("\n");
    }
    free(buf);
    return EXIT_SUCCESS;
}

/* debug-gdb <Domain> [--port N]: run the gdb stub (gdbsx) in the foreground. */
int main_debug_gdb(int argc, char **argv)
{
    char self[PATH_MAX], stub[PATH_MAX + 16], port[16];
    struct gd_opts o;
    uint32_t domid;
    ssize_t n;
    int rc;

    if ( gd_getopt(argc, argv, "debug-gdb", &o, &rc) ||
         gd_domain(argc, argv, "debug-gdb", 0, &domid, &rc) )
        return rc;
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if ( n <= 0 )
        return xl_err("cannot find the xl binary");
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if ( slash )
        *slash = '\0';
    snprintf(stub, sizeof(stub), "%s/gdbsx", self);
    snprintf(port, sizeof(port), "%d", o.port);
    char dom[16];
    snprintf(dom, sizeof(dom), "%u", domid);
    if ( xl_uri )
        setenv(DBGCTL_URI_ENV, xl_uri, 1);
    xl_disconnect();
    execl(stub, "gdbsx", "--port", port, dom, (char *)NULL);
    return xl_err("cannot run %s: %s", stub, strerror(errno));
}
