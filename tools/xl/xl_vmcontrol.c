/*
 * Domain life cycle as Xen's xl runs it (tools/xl/xl_vmcontrol.c in Xen):
 * `xl create` and the process that stays to watch the domain's end and
 * apply on_poweroff/on_reboot/on_crash/on_watchdog, `xl shutdown` and
 * `xl reboot`. The end of a domain is seen through the hypervisor's event
 * queue (DOMAIN_SHUTDOWN/CRASHED/DESTROYED), the reason in dominfo.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "xl.h"
#include "xl_cfg.h"
#include "xl_json.h"
#include "xl_userdata.h"

/* How often a waiting xl reads the event queue. Each poll reconnects (HELLO)
 * so that other tools get a port without dbgctl-mux: a second is a fair share
 * of the ~12 KB/s serial channel that image loads also need. */
#define POLL_MS 1000

/* Xen's LOG(): one line on stderr, which is the log file once daemonized. */
static void xl_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void xl_log(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

static bool ended(const struct dbgv_ctl_dominfo *di)
{
    return di->state == DBGV_DOMSTATE_SHUTDOWN || di->state == DBGV_DOMSTATE_CRASHED;
}

static bool end_event(const struct dbgv_ctl_event *ev)
{
    return ev->type == DBGV_EV_DOMAIN_SHUTDOWN || ev->type == DBGV_EV_DOMAIN_CRASHED;
}

/* Hypervisor gone (socket removed or refused): no point waiting on. */
static bool hv_gone(int rc)
{
    return rc == -ENOENT || rc == -ECONNREFUSED || rc == -EPROTO;
}

enum end_kind { END_SHUTDOWN, END_DESTROYED };

/*
 * Reads domid's events from *since until one says the domain ended or went
 * away, between polls letting other tools use the control port (*since
 * advances past what was read). Returns END_SHUTDOWN with the reason in *reason, END_DESTROYED, or a negative
 * error (the hypervisor went away). timeout_ms < 0: no limit (-ETIMEDOUT).
 */
static int wait_end(uint32_t domid, uint64_t *since, int timeout_ms, unsigned int *reason)
{
    int waited = 0;
    bool first = true;

    for ( ;; )
    {
        struct dbgv_ctl_event ev[16];
        struct dbgv_ctl_dominfo di;
        unsigned int nr = 0;
        uint64_t lost = 0;
        bool look = first;          /* it may have ended already */
        int rc;

        first = false;
        rc = dbgctl_events_read(xl_ctx(), since, domid, ev, 16, &nr, &lost);
        if ( rc == -ESRCH )
            return END_DESTROYED;
        if ( hv_gone(rc) )
            return rc;
        /* The first end event says how it ended (the reason in data), even if
         * it has been destroyed since (a monitor's on_* action). */
        for ( unsigned int i = 0; i < nr; i++ )
        {
            if ( ev[i].type == DBGV_EV_DOMAIN_DESTROYED )
                return END_DESTROYED;
            if ( end_event(&ev[i]) )
            {
                *reason = (unsigned int)ev[i].data;
                return END_SHUTDOWN;
            }
        }
        /* Lost events, a failed read or the first look: ask dominfo. */
        if ( look || lost || rc )
        {
            rc = dbgctl_domain_info(xl_ctx(), domid, &di);
            if ( rc == -ESRCH )
                return END_DESTROYED;
            if ( hv_gone(rc) )
                return rc;
            if ( !rc && ended(&di) )
            {
                *reason = di.shutdown_reason;
                return END_SHUTDOWN;
            }
        }
        if ( nr == 16 )
            continue;
        if ( timeout_ms >= 0 && waited >= timeout_ms )
            return -ETIMEDOUT;
        dbgctl_idle(xl_ctx());
        sleep_ms(POLL_MS);
        waited += POLL_MS;
    }
}

/* ---- create and its monitor ----------------------------------------- */

struct vm {
    struct xl_cfg cfg;
    const char *config_source;
    char image_path[PATH_MAX];      /* the kernel, absolute: re-read at each start */
    char ramdisk_path[PATH_MAX];    /* the Linux initrd, absolute; empty: none */
    char *cmdline;                  /* from cmdline, or root and extra (Xen's rule) */
};

/* The configuration in Xen's libxl_domain_config terms (domid -1: none). */
static void vm_json(const struct vm *vm, int64_t domid, struct xl_json_domain *jd)
{
    *jd = (struct xl_json_domain){
        .domid = domid, .type = "hvm", .name = vm->cfg.name, .max_vcpus = vm->cfg.vcpus,
        .max_memkb = (uint64_t)vm->cfg.memory_mib << 10,
        .target_memkb = (uint64_t)vm->cfg.memory_mib << 10,
        .kernel = vm->cfg.kernel, .ramdisk = vm->cfg.ramdisk, .cmdline = vm->cmdline,
        .on_poweroff = xl_action_name(vm->cfg.on_shutdown[DBGV_SHUTDOWN_POWEROFF]),
        .on_reboot = xl_action_name(vm->cfg.on_shutdown[DBGV_SHUTDOWN_REBOOT]),
        .on_crash = xl_action_name(vm->cfg.on_shutdown[DBGV_SHUTDOWN_CRASH]),
        .on_watchdog = xl_action_name(vm->cfg.on_shutdown[DBGV_SHUTDOWN_WATCHDOG]),
    };
}

/* Builds the domain and stores its configuration (Xen's userdata), which
 * later commands (list -l) read. */
static int vm_start(const struct vm *vm, bool paused, uint32_t *domid)
{
    struct xl_json_domain jd;
    struct dbgctl_build b;
    void *image = NULL, *ramdisk = NULL;
    size_t ilen = 0, rlen = 0;
    char err[512];
    int rc;

    if ( (rc = dbgctl_read_file(vm->image_path, &image, &ilen)) )
        return xl_err("cannot read kernel %s: %s", vm->image_path, strerror(-rc));
    if ( vm->ramdisk_path[0] && (rc = dbgctl_read_file(vm->ramdisk_path, &ramdisk, &rlen)) )
    {
        free(image);
        return xl_err("cannot read ramdisk %s: %s", vm->ramdisk_path, strerror(-rc));
    }
    memset(&b, 0, sizeof(b));
    b.name = vm->cfg.name;
    b.image = image;
    b.image_len = ilen;
    b.memory_mib = vm->cfg.memory_mib;
    b.nr_vcpus = vm->cfg.vcpus;
    b.cmdline = vm->cmdline;
    b.kernel_path = vm->cfg.kernel;
    b.ramdisk = ramdisk;
    b.ramdisk_len = rlen;
    b.ramdisk_path = vm->cfg.ramdisk;
    b.policy = vm->cfg.debug_policy;
    b.quiet_switches = vm->cfg.quiet_switches;
    b.unbacked_access = vm->cfg.unbacked_access;
    b.timer_mode = vm->cfg.timer_mode;
    b.paused = paused;
    rc = dbgctl_domain_build(xl_ctx(), &b, domid, err, sizeof(err));
    free(image);
    free(ramdisk);
    if ( rc )
        return xl_err("%s: %s", vm->cfg.name, err);
    vm_json(vm, *domid, &jd);
    xl_userdata_store(*domid, &jd);     /* the domain runs without it: not fatal */
    return 0;
}

/* A restart from the monitor: the builder writes the image over the control
 * channel, where one write can time out on a loaded host; then the half-built
 * domain may be left behind under our name, so destroy it and try again. */
static int vm_restart(const struct vm *vm, uint32_t *domid)
{
    for ( int attempt = 1; ; attempt++ )
    {
        uint32_t stale;

        if ( !vm_start(vm, false, domid) )
            return 0;
        if ( attempt == 3 )
            return -1;
        if ( !dbgctl_domain_lookup(xl_ctx(), vm->cfg.name, &stale) )
            dbgctl_domain_destroy(xl_ctx(), stale);
        sleep_ms(1000);
    }
}

/* A restart keeps the name the domain has now (xl rename since), as Xen's
 * monitor restarts from the configuration as it is at the reboot. */
static void adopt_name(struct vm *vm, uint32_t domid)
{
    struct dbgv_ctl_dominfo di;
    char *name;

    if ( dbgctl_domain_info(xl_ctx(), domid, &di) ||
         !strncmp(di.name, vm->cfg.name, sizeof(di.name)) ||
         !(name = strndup(di.name, sizeof(di.name))) )
        return;
    free(vm->cfg.name);
    vm->cfg.name = name;
}

/*
 * Waits for the domain's end and applies its on_* action, as Xen's
 * create_domain() loop: restart destroys it and builds it again from the
 * same configuration (the kernel re-read from its path) under the same name
 * and a new domid, then waits again. Returns the exit status.
 */
static int monitor(struct vm *vm, uint32_t domid)
{
    for ( ;; )
    {
        unsigned int reason = 0;
        uint64_t since = 1;         /* domids are not reused: all events are this domain's */
        enum xl_action action;
        int rc;

        xl_log("Waiting for domain %s (domid %u) to die [pid %ld]", vm->cfg.name, domid,
               (long)getpid());
        rc = wait_end(domid, &since, -1, &reason);
        if ( rc == END_DESTROYED )
        {
            xl_log("Domain %u has been destroyed.", domid);
            xl_userdata_remove(domid);
            return EXIT_SUCCESS;
        }
        if ( rc < 0 )
        {
            xl_log("Domain %u, failed to get event, quitting (rc=%d)", domid, rc);
            return EXIT_FAILURE;
        }
        xl_log("Domain %u has shut down, reason code %u 0x%x", domid, reason, reason);
        if ( reason == DBGV_SHUTDOWN_SUSPEND )
        {
            xl_log("Domain has suspended.");
            return EXIT_SUCCESS;
        }
        if ( reason <= DBGV_SHUTDOWN_WATCHDOG )
            action = vm->cfg.on_shutdown[reason];
        else
        {
            xl_log("Unknown shutdown reason code %u. Destroying domain.", reason);
            action = XL_ACTION_DESTROY;
        }
        xl_log("Action for shutdown reason code %u is %s", reason, xl_action_name(action));
        if ( action == XL_ACTION_PRESERVE )
        {
            xl_log("Done. Exiting now");
            return EXIT_SUCCESS;
        }
        /* destroy or restart (the config refuses the others) */
        if ( action == XL_ACTION_RESTART )
            adopt_name(vm, domid);
        xl_log("Domain %u needs to be cleaned up: destroying the domain", domid);
        if ( (rc = dbgctl_domain_destroy(xl_ctx(), domid)) && rc != -ESRCH )
            xl_log("destroy failed (rc=%d)", rc);
        xl_userdata_remove(domid);
        if ( action != XL_ACTION_RESTART )
        {
            xl_log("Done. Exiting now");
            return EXIT_SUCCESS;
        }
        xl_log("Done. Rebooting now");
        if ( vm_restart(vm, &domid) )
            return EXIT_FAILURE;
    }
}

/* The monitor's log, Xen's /var/log/xen/xl-NAME.log: in the state directory
 * beside the control socket. */
static int log_path(const char *name, char *out, size_t len)
{
    char file[DBGV_CTL_NAME_LEN + 16];

    snprintf(file, sizeof(file), "xl-%s.log", name);
    return xl_state_path(file, out, len);
}

/* Xen's do_daemonize(): 0 in the detached monitor (stdout and stderr to the
 * log), 1 in the caller, -1 on error. The monitor opens its own connection. */
static int daemonize(const char *name)
{
    char path[PATH_MAX];
    pid_t pid;
    int fd, status, null;

    if ( log_path(name, path, sizeof(path)) )
        return xl_err("log path too long"), -1;
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if ( fd < 0 )
        return xl_err("cannot open %s: %s", path, strerror(errno)), -1;
    fflush(NULL);
    pid = fork();
    if ( pid < 0 )
    {
        close(fd);
        return xl_err("fork: %s", strerror(errno)), -1;
    }
    if ( pid > 0 )
    {
        close(fd);
        waitpid(pid, &status, 0);
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 1 : -1;
    }
    /* intermediate: a new session, then the monitor is its orphan */
    setsid();
    pid = fork();
    if ( pid != 0 )
        _exit(pid < 0);
    if ( chdir("/") < 0 )
        _exit(1);
    null = open("/dev/null", O_RDONLY);
    if ( null >= 0 )
    {
        dup2(null, STDIN_FILENO);
        close(null);
    }
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
    dbgctl_idle(xl_ctx());               /* drop the connection shared with the caller */
    return 0;
}

/* `xl create -c` beside a foreground monitor: the console in a child. */
static pid_t console_child(uint32_t domid)
{
    pid_t pid;

    fflush(NULL);
    pid = fork();
    if ( pid == 0 )
    {
        dbgctl_idle(xl_ctx());           /* its own connection */
        _exit(xl_console_follow(domid));
    }
    if ( pid < 0 )
        xl_err("fork: %s", strerror(errno));
    return pid;
}

static void warn_line(const char *msg)
{
    fprintf(stderr, "xl create: warning: %s\n", msg);
}

/* Config file, then the trailing key=value overrides, then the checks. */
static int load_config(struct xl_cfg *cfg, const char *file, int argc, char **argv, bool quiet)
{
    void *text = NULL;
    size_t tlen = 0;
    char err[512];
    int rc;

    if ( (rc = dbgctl_read_file(file, &text, &tlen)) )
        return xl_err("cannot read config file %s: %s", file, strerror(-rc));
    /* The parser's warnings name ignored keys: Xen ignores them silently,
     * a -v run names them. */
    xl_cfg_warn_fn ignored = xl_verbose && !quiet ? warn_line : NULL;

    rc = xl_cfg_parse(cfg, text, tlen, file, ignored, err, sizeof(err));
    free(text);
    if ( rc )
        return xl_err("%s", err);
    for ( int i = 0; i < argc; i++ )
        if ( xl_cfg_parse(cfg, argv[i], strlen(argv[i]), "<command line>",
                          ignored, err, sizeof(err)) )
            return xl_err("%s", err);
    if ( xl_cfg_check(cfg, file, err, sizeof(err)) )
        return xl_err("%s", err);
    return 0;
}

/* Xen's printf_info(): the configuration as libxl's JSON, domid null. */
static int print_config_json(const struct vm *vm)
{
    yajl_gen g = xl_json_open();
    struct xl_json_domain jd;

    vm_json(vm, -1, &jd);
    if ( !g )
        return xl_err("unable to allocate JSON generator");
    xl_json_domain_open(g, &jd);
    xl_json_key(g, "dbgvisor");     /* dbgvisor's keys of the config */
    yajl_gen_map_open(g);
    xl_json_str(g, "debug_policy", vm->cfg.debug_policy < 0 ? "default"
                                   : dbgctl_policy_name(vm->cfg.debug_policy));
    xl_json_u64(g, "quiet_switches", vm->cfg.quiet_switches);
    xl_json_str(g, "unbacked_access", dbgctl_unbacked_access_name(vm->cfg.unbacked_access));
    xl_json_str(g, "timer_mode", dbgctl_timer_mode_name(vm->cfg.timer_mode));
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    return xl_json_close(g);
}

int main_create(int argc, char **argv)
{
    static const struct option opts[] = {
        { "dryrun", no_argument, NULL, 'n' }, { "quiet", no_argument, NULL, 'q' },
        { "defconfig", required_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct vm vm = { 0 };
    const char *filename = NULL;
    char **vars = NULL;
    uint32_t domid;
    pid_t console_pid = -1;
    int opt, rc, paused = 0, console = 0, dryrun = xl_dryrun, quiet = 0, debug = 0, nvars = 0;
    int daemon = 1, watch = 1;      /* Xen: -F foreground, -e no monitor */

    xl_cfg_init(&vm.cfg);
    /* Xen's order: the config file may come first, options after it. */
    if ( argc > 1 && argv[1][0] != '-' && !strchr(argv[1], '=') )
    {
        filename = argv[1];
        argc--;
        argv++;
    }
    optind = 0;
    while ( (opt = xl_getopt(argc, argv, "Fnqf:pcde", opts, "create", 0)) != -1 )
    {
        switch ( opt )
        {
        case 'p': paused = 1; break;
        case 'c': console = 1; break;
        case 'n': dryrun = 1; break;
        case 'q': quiet = 1; break;
        case 'd': debug = 1; break;
        case 'F': daemon = 0; break;
        case 'e': daemon = watch = 0; break;
        case 'f': filename = optarg; break;
        }
    }
    if ( !(vars = calloc(argc + 1, sizeof(*vars))) )
    {
        rc = xl_err("out of memory");
        goto out;
    }
    for ( ; optind < argc; optind++ )
    {
        if ( strchr(argv[optind], '=') )
            vars[nvars++] = argv[optind];
        else if ( !filename )
            filename = argv[optind];
        else
        {
            xl_help("create");
            rc = XL_EXIT_USAGE;
            goto out;
        }
    }
    if ( !filename )
    {
        rc = xl_usage_err("create", "no config file given");
        goto out;
    }
    vm.config_source = filename;
    if ( !quiet )
        fprintf(stderr, "Parsing config from %s\n", filename);
    if ( (rc = load_config(&vm.cfg, vm.config_source, nvars, vars, quiet)) )
        goto out;
    /* Absolute, so a restart finds it whatever the monitor's directory. */
    if ( !realpath(vm.cfg.kernel, vm.image_path) )
    {
        rc = xl_err("cannot read kernel %s: %s", vm.cfg.kernel, strerror(errno));
        goto out;
    }
    if ( vm.cfg.ramdisk && !realpath(vm.cfg.ramdisk, vm.ramdisk_path) )
    {
        rc = xl_err("cannot read ramdisk %s: %s", vm.cfg.ramdisk, strerror(errno));
        goto out;
    }
    if ( !(vm.cmdline = xl_cfg_kernel_cmdline(&vm.cfg, quiet ? NULL : warn_line)) )
    {
        rc = xl_err("out of memory");
        goto out;
    }
    if ( (debug || dryrun) && (rc = print_config_json(&vm)) )
        goto out;
    if ( dryrun )
    {
        rc = EXIT_SUCCESS;
        goto out;
    }
    if ( (rc = vm_start(&vm, paused, &domid)) )
        goto out;
    if ( !quiet )
        fprintf(stderr, "Created domain %s (id %u)\n", vm.cfg.name, domid);
    rc = EXIT_SUCCESS;
    if ( watch && daemon )
    {
        int d = daemonize(vm.cfg.name);

        if ( d == 0 )
            exit(monitor(&vm, domid));
        if ( d < 0 )
            rc = EXIT_FAILURE;
    }
    if ( console && watch && !daemon )
        console_pid = console_child(domid);
    else if ( console )
        rc = xl_console_follow(domid);
    if ( watch && !daemon )
    {
        rc = monitor(&vm, domid);
        if ( console_pid > 0 )
            waitpid(console_pid, NULL, 0);
    }
 out:
    free(vars);
    free(vm.cmdline);
    xl_cfg_dispose(&vm.cfg);
    return rc;
}

/* ---- shutdown and reboot ---------------------------------------------- */

struct waited {
    uint32_t domid;
    uint64_t since;                 /* events from the request on */
};

/* Xen's wait_for_domain_deaths(); -F (timeout_ms >= 0): a domain still up
 * after the timeout is ended for the reason by the hypervisor itself. */
static int wait_deaths(struct waited *w, int nr, unsigned int why, int timeout_ms)
{
    xl_log("Waiting for %d domains", nr);
    for ( int i = 0; i < nr; i++ )
    {
        unsigned int reason = 0;
        int rc = wait_end(w[i].domid, &w[i].since, timeout_ms, &reason);

        if ( rc == -ETIMEDOUT )
        {
            fprintf(stderr, "Domain %u did not %s within %d s: ending it for the reason\n",
                    w[i].domid, why == DBGV_SHUTDOWN_REBOOT ? "reboot" : "shut down",
                    timeout_ms / 1000);
            rc = dbgctl_domain_shutdown(xl_ctx(), w[i].domid, why | DBGV_SHUTDOWN_F_NOW);
            if ( rc && rc != -ESRCH )
                return xl_err("%s failed (rc=%d)", why == DBGV_SHUTDOWN_REBOOT ?
                              "reboot" : "shutdown", rc);
            rc = wait_end(w[i].domid, &w[i].since, -1, &reason);
        }
        if ( rc == END_DESTROYED )
            xl_log("Domain %u has been destroyed", w[i].domid);
        else if ( rc == END_SHUTDOWN )
            xl_log("Domain %u has been shut down, reason code %u", w[i].domid, reason);
        else
        {
            xl_log("Failed to get event, quitting (rc=%d)", rc);
            return EXIT_FAILURE;
        }
    }
    return EXIT_SUCCESS;
}

static int request(uint32_t domid, unsigned int why, struct waited *w)
{
    int rc;

    fprintf(stderr, "%s domain %u\n", why == DBGV_SHUTDOWN_REBOOT ? "Rebooting" : "Shutting down",
            domid);
    /* The cursor first, so the end cannot slip in before it. */
    if ( w && (rc = dbgctl_gdbg_event_cursor(xl_ctx(), domid, &w->since)) )
        return xl_err("wait for death failed (rc=%d)", rc);
    if ( w )
        w->domid = domid;
    if ( (rc = dbgctl_domain_shutdown(xl_ctx(), domid, why)) )
    {
        fprintf(stderr, "%s failed (rc=%d)\n", why == DBGV_SHUTDOWN_REBOOT ? "reboot" : "shutdown",
                rc);
        return EXIT_FAILURE;
    }
    return 0;
}

/*
 * Xen's main_shutdown_or_reboot(): -a every domain but Domain-0, -w wait
 * until each has shut down (or been destroyed). -F: Xen falls back to an ACPI
 * power/reset event for guests without PV control; every dbgvisor guest has
 * the request port, so -F instead waits -t seconds (10) and then has the
 * hypervisor end the domain for the reason itself, which on_* then handles.
 */
static int shutdown_or_reboot(int argc, char **argv, unsigned int why)
{
    static const struct option opts[] = {
        { "all", no_argument, NULL, 'a' }, { "wait", no_argument, NULL, 'w' },
        { "timeout", required_argument, NULL, 't' }, { NULL, 0, NULL, 0 },
    };
    const char *cmd = why == DBGV_SHUTDOWN_REBOOT ? "reboot" : "shutdown";
    struct dbgv_ctl_dominfo *doms = NULL;
    struct waited *w = NULL;
    unsigned int nr = 0;
    int c, rc, all = 0, wait = 0, force = 0, nw = 0, timeout_ms = 10000;
    char *end;

    optind = 0;   /* 0: glibc re-initialises getopt (ordering mode too) */
    opterr = 0;
    while ( (c = getopt_long(argc, argv, "+awFt:", opts, NULL)) != -1 )
    {
        if ( c == 'a' )
            all = 1;
        else if ( c == 'w' )
            wait = 1;
        else if ( c == 'F' )
            force = 1;
        else if ( c == 't' )
        {
            long t = strtol(optarg, &end, 10);

            if ( *optarg == '\0' || *end != '\0' || t <= 0 || t > 86400 )
                return xl_usage_err(cmd, "-t needs a positive number of seconds");
            timeout_ms = (int)t * 1000;
        }
        else
            return xl_usage_err(cmd, "unknown option");
    }
    if ( optind >= argc && !all )
    {
        fprintf(stderr, "You must specify -a or a domain id.\n\n");
        return EXIT_FAILURE;
    }
    if ( all )
    {
        if ( (rc = dbgctl_domain_list(xl_ctx(), &doms, &nr)) )
            return xl_err("listing domains: %s", dbgctl_strerror(rc));
    }
    else
    {
        if ( argc - optind != 1 )
            return xl_usage_err(cmd, "expected one domain");
        if ( !(doms = calloc(1, sizeof(*doms))) )
            return xl_err("out of memory");
        if ( (rc = xl_find_domain(argv[optind], &doms[0].domid)) )
            goto out;
        if ( doms[0].domid == 0 )
        {
            rc = xl_err("Domain-0 is the control domain and cannot be %s",
                        why == DBGV_SHUTDOWN_REBOOT ? "rebooted" : "shut down");
            goto out;
        }
        nr = 1;
    }
    if ( (wait || force) && !(w = calloc(nr ? nr : 1, sizeof(*w))) )
    {
        rc = xl_err("out of memory");
        goto out;
    }
    for ( unsigned int i = 0; i < nr; i++ )
    {
        if ( doms[i].domid == 0 )
            continue;
        if ( (rc = request(doms[i].domid, why, w ? &w[nw] : NULL)) )
            goto out;
        nw++;
    }
    rc = w ? wait_deaths(w, nw, why, force ? timeout_ms : -1) : EXIT_SUCCESS;
 out:
    free(w);
    free(doms);
    return rc;
}

int main_shutdown(int argc, char **argv)
{
    return shutdown_or_reboot(argc, argv, DBGV_SHUTDOWN_POWEROFF);
}

int main_reboot(int argc, char **argv)
{
    return shutdown_or_reboot(argc, argv, DBGV_SHUTDOWN_REBOOT);
}
