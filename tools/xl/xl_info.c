/*
 * Host and domain information, as Xen's tools/xl/xl_info.c prints it:
 * xl list, info, uptime, dmesg, top.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "xl.h"
#include "xl_json.h"
#include "xl_utils.h"
#include "xl_userdata.h"

/* ---- xl list ---------------------------------------------------------- */

/* dbgvisor's own fields of a domain: the "dbgvisor" object of list -l. */
static void dbgvisor_json(yajl_gen g, const struct dbgv_ctl_dominfo *d)
{
    char letters[7];
    struct dbgv_ctl_meminfo mi;     /* beyond RAM; Domain-0: the hypervisor's own */

    xl_state_letters(d, letters);
    xl_json_key(g, "dbgvisor");
    yajl_gen_map_open(g);
    xl_json_str(g, "state", dbgctl_domstate_name(d->state));
    xl_json_str(g, "state_letters", letters);
    xl_json_u64(g, "cpu_time_ns", d->cpu_time_ns);
    xl_json_u64(g, "uptime_s", d->uptime_s);
    if ( dbgctl_domain_meminfo(xl_ctx(), d->domid, &mi) == 0 )
        xl_json_u64(g, "overhead_kb", mi.overhead_bytes >> 10);
    xl_json_bool(g, "control_domain", d->domid == 0);
    if ( xl_domain_ended(d) )
    {
        xl_json_str(g, "shutdown_reason", dbgctl_shutdown_reason_name(d->shutdown_reason));
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

static int list_long(const struct dbgv_ctl_dominfo *doms, unsigned int nr)
{
    yajl_gen g = xl_json_open();

    if ( !g )
        return xl_err("unable to allocate JSON generator");
    yajl_gen_array_open(g);
    for ( unsigned int i = 0; i < nr; i++ )
    {
        const struct dbgv_ctl_dominfo *d = &doms[i];
        struct xl_json_domain jd = {
            .domid = d->domid, .type = d->domid ? "hvm" : "pv", .name = d->name,
            .max_vcpus = d->nr_vcpus, .max_memkb = d->max_mem_bytes >> 10,
            .target_memkb = d->mem_bytes >> 10,
        };
        /* What only the configuration says, for domains xl created; the
         * name, vCPUs and memory are the hypervisor's (after rename...). */
        yajl_val cfg = d->domid ? xl_userdata_load(d->domid) : NULL;

        if ( cfg )
        {
            jd.kernel = xl_userdata_str(cfg, "b_info", "kernel");
            jd.ramdisk = xl_userdata_str(cfg, "b_info", "ramdisk");
            jd.cmdline = xl_userdata_str(cfg, "b_info", "cmdline");
            jd.on_poweroff = xl_userdata_str(cfg, "on_poweroff", NULL);
            jd.on_reboot = xl_userdata_str(cfg, "on_reboot", NULL);
            jd.on_watchdog = xl_userdata_str(cfg, "on_watchdog", NULL);
            jd.on_crash = xl_userdata_str(cfg, "on_crash", NULL);
        }
        xl_json_domain_open(g, &jd);
        yajl_tree_free(cfg);
        dbgvisor_json(g, d);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    return xl_json_close(g);
}

int main_list(int argc, char **argv)
{
    static const struct option opts[] = {
        { "long", no_argument, NULL, 'l' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct dbgv_ctl_dominfo *doms = NULL;
    unsigned int nr = 0;
    int opt, rc, details = 0, verbose = 0;

    optind = 0;
    while ( (opt = xl_getopt(argc, argv, "lv", opts, "list", 0)) != -1 )
    {
        if ( opt == 'l' )
            details = 1;
        else if ( opt == 'v' )
            verbose = 1;
    }
    if ( argc - optind > 1 )
    {
        xl_help("list");            /* Xen: one domain at most */
        return EXIT_FAILURE;
    }
    if ( argc - optind == 1 )
    {
        uint32_t domid = xl_find_domain_or_exit(argv[optind]);

        if ( !(doms = calloc(1, sizeof(*doms))) )
            return xl_err("out of memory");
        if ( dbgctl_domain_info(xl_ctx(), domid, doms) )
        {
            fprintf(stderr, "Error: Domain '%s' does not exist.\n", argv[optind]);
            free(doms);
            return EXIT_FAILURE;
        }
        nr = 1;
    }
    else if ( (rc = xl_select_domains(0, NULL, &doms, &nr)) )
        return rc;

    if ( details )
    {
        rc = list_long(doms, nr);
        free(doms);
        return rc;
    }

    printf("Name                                        ID   Mem VCPUs\tState\tTime(s)");
    if ( verbose )
        printf("   UUID                            Reason-Code\tSecurity Label");
    printf("\n");
    for ( unsigned int i = 0; i < nr; i++ )
    {
        const struct dbgv_ctl_dominfo *d = &doms[i];
        char letters[7], uuid[37];

        xl_state_letters(d, letters);
        printf("%-40s %5u %5lu %5u     %s  %8.1f", d->name, d->domid,
               (unsigned long)(d->mem_bytes >> 20), d->nr_vcpus, letters,
               (float)d->cpu_time_ns / 1e9);
        if ( verbose )
        {
            xl_uuid_of(d->domid, uuid);
            printf(" %s", uuid);
            if ( xl_domain_ended(d) )
                printf(" %8x", d->shutdown_reason);
            else
                printf(" %8s", "-");
            printf(" %16s", "-");   /* no XSM: no security label */
        }
        putchar('\n');
    }
    free(doms);
    return EXIT_SUCCESS;
}

/* ---- xl info [KEY] ---------------------------------------------------- */

/* Xen's maybe_printf(): with a key, print only the value of the lines whose
 * name starts with it. */
static const char *info_name;

static void info_line(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void info_line(const char *key, const char *fmt, ...)
{
    va_list ap;

    if ( info_name && strncmp(key, info_name, strlen(info_name)) )
        return;
    if ( !info_name )
        printf("%-23s: ", key);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

int main_info(int argc, char **argv)
{
    struct dbgv_ctl_physinfo pi;
    const struct dbgv_ctl_hello_rep *hello;
    struct utsname un;
    bool arm64;
    int rc;

    optind = 0;
    while ( xl_getopt(argc, argv, "", NULL, "info", 0) != -1 )
        ;
    info_name = argc > optind ? argv[optind] : NULL;
    if ( (rc = dbgctl_physinfo(xl_ctx(), &pi)) )
        return xl_err("reading host information: %s", dbgctl_strerror(rc));
    hello = dbgctl_hello_info(xl_ctx());
    arm64 = pi.caps & DBGV_CAP_ARCH_ARM64;
    if ( uname(&un) < 0 )
        memset(&un, 0, sizeof(un));

    /* Xen's order: node, physinfo, then the hypervisor's own. */
    info_line("host", "%s", un.nodename);
    info_line("release", "%s", un.release);
    info_line("version", "%s", un.version);
    info_line("machine", "%s", un.machine);
    info_line("nr_cpus", "%u", pi.nr_cpus);
    info_line("max_cpu_id", "%u", pi.max_cpu_id);
    info_line("nr_nodes", "%u", 1);
    info_line("cores_per_socket", "%u", 1);
    info_line("threads_per_core", "%u", 1);
    info_line("cpu_mhz", "%u.%03u", pi.cpu_khz / 1000, pi.cpu_khz % 1000);
    info_line("virt_caps", "%s%s", pi.caps & DBGV_CAP_HVM ? " hvm" : "",
              pi.caps & DBGV_CAP_HAP ? " hap" : "");
    info_line("total_memory", "%" PRIu64, pi.total_mem >> 20);
    info_line("free_memory", "%" PRIu64, pi.free_mem >> 20);
    info_line("free_cpus", "%u", 0);
    info_line("xen_major", "%u", pi.hv_major);
    info_line("xen_minor", "%u", pi.hv_minor);
    info_line("xen_extra", "%s", pi.hv_extra);
    info_line("xen_version", "%u.%u%s", pi.hv_major, pi.hv_minor, pi.hv_extra);
    /* The hypervisor's architecture (PHYSINFO caps), not the host's (machine). */
    info_line("xen_caps", "%s", arm64 ? "hvm-3.0-aarch64" : "hvm-3.0-x86_32 hvm-3.0-x86_64");
    info_line("xen_scheduler", "%s", "rr");
    info_line("xen_pagesize", "%u", 4096);
    info_line("hv_version", "%s", pi.hv_version);
    info_line("hv_arch", "%s", arm64 ? "aarch64" : "x86_64");
    info_line("hv_uptime", "%.1f", (double)pi.uptime_ns / 1e9);
    info_line("nr_domains", "%u", pi.nr_domains);
    info_line("protocol_version", "%u", hello->version);
    info_line("debug_abi_version", "%u", hello->debug_abi);
    /* The boot probe of the debug registers (docs/protocol.md, PHYSINFO caps). */
    info_line("dr_reserved_bits", "%s", pi.caps & DBGV_CAP_DR_RESERVED_KEPT ? "kept" : "masked");
    info_line("dr_write_exits", "%s", pi.caps & DBGV_CAP_DR_WRITE_EXITS ? "yes" : "no");
    info_line("control_uri", "%s", dbgctl_uri(xl_ctx()));
    info_line("xend_config_format", "%u", 4);
    return EXIT_SUCCESS;
}

/* ---- xl uptime [-s] [Domain ...] -------------------------------------- */

/* Xen's uptime_to_string(). */
static void uptime_str(unsigned long up, bool short_mode, char *out, size_t len)
{
    int day = (int)(up / 86400), hour = (int)(up % 86400 / 3600), min = (int)(up % 3600 / 60);
    int sec = (int)(up % 60);
    char days[32] = "";

    if ( day > 1 )
        snprintf(days, sizeof(days), "%d days, ", day);
    else if ( day == 1 )
        snprintf(days, sizeof(days), "%d day, ", day);
    if ( short_mode )
        snprintf(out, len, "%s%2d:%02d", days, hour, min);
    else
        snprintf(out, len, "%s%2d:%02d:%02d", days, hour, min, sec);
}

static void print_uptime(const struct dbgv_ctl_dominfo *d, bool short_mode, time_t now)
{
    char up[64];

    uptime_str(d->uptime_s, short_mode, up, sizeof(up));
    if ( short_mode )
    {
        char now_str[16];
        struct tm tm;

        strftime(now_str, sizeof(now_str), "%H:%M:%S", localtime_r(&now, &tm));
        printf(" %s up %s, %s (%u)\n", now_str, up, d->name, d->domid);
    }
    else
        printf("%-33s %4u %s\n", d->name, d->domid, up);
}

int main_uptime(int argc, char **argv)
{
    struct dbgv_ctl_dominfo *doms = NULL;
    unsigned int nr = 0;
    bool short_mode = false;
    time_t now = time(NULL);
    int opt, rc;

    optind = 0;
    while ( (opt = xl_getopt(argc, argv, "s", NULL, "uptime", 0)) != -1 )
        if ( opt == 's' )
            short_mode = true;
    if ( argc > optind )
    {
        if ( !(doms = calloc(argc - optind, sizeof(*doms))) )
            return xl_err("out of memory");
        for ( int i = optind; i < argc; i++ )
            if ( dbgctl_domain_info(xl_ctx(), xl_find_domain_or_exit(argv[i]), &doms[nr]) == 0 )
                nr++;
    }
    else if ( (rc = xl_select_domains(0, NULL, &doms, &nr)) )
        return rc;
    if ( !short_mode )
        printf("%-33s %4s %s\n", "Name", "ID", "Uptime");
    for ( unsigned int i = 0; i < nr; i++ )
        print_uptime(&doms[i], short_mode, now);
    free(doms);
    return EXIT_SUCCESS;
}

/* ---- xl dmesg [-c] ---------------------------------------------------- */

int main_dmesg(int argc, char **argv)
{
    static const struct option opts[] = {
        { "clear", no_argument, NULL, 'c' }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    char buf[4096];
    uint64_t off = 0, lost = 0;
    size_t len;
    int opt, rc, clear = 0;

    optind = 0;
    while ( (opt = xl_getopt(argc, argv, "c", opts, "dmesg", 0)) != -1 )
        if ( opt == 'c' )
            clear = 1;
    do {
        if ( (rc = dbgctl_hvlog_read(xl_ctx(), &off, buf, sizeof(buf), &len, &lost)) )
            return xl_err("reading the hypervisor log: %s", dbgctl_strerror(rc));
        fwrite(buf, 1, len, stdout);
    } while ( len );
    /* What was printed is cleared; lines logged meanwhile may go with it,
     * as with Xen's read-and-clear. */
    if ( clear && (rc = dbgctl_hvlog_clear(xl_ctx())) )
        return xl_err("clearing the hypervisor log: %s", dbgctl_strerror(rc));
    return EXIT_SUCCESS;
}

/* ---- xl top ----------------------------------------------------------- */

/* Xen runs xentop; dbgvisor's is dbgtop, beside xl (or on $PATH). */
int main_top(int argc, char **argv)
{
    char self[4096], path[4096 + 16];
    ssize_t n;

    optind = 0;
    while ( xl_getopt(argc, argv, "", NULL, "top", 0) != -1 )
        ;
    fflush(NULL);
    if ( xl_uri )
        setenv(DBGCTL_URI_ENV, xl_uri, 1);    /* -U reaches dbgtop too */
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if ( n > 0 )
    {
        char *slash;

        self[n] = '\0';
        if ( (slash = strrchr(self, '/')) )
        {
            snprintf(path, sizeof(path), "%.*s/dbgtop", (int)(slash - self), self);
            execl(path, "dbgtop", (char *)NULL);
        }
    }
    execlp("dbgtop", "dbgtop", (char *)NULL);
    return xl_err("cannot run dbgtop: %s", strerror(errno));
}
