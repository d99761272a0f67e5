/*
 * CUnit tests of libdebugctl against fake-hv (the hypervisor's control
 * server built hosted) over a real unix socket: URIs, every operation, the
 * domain builder, console offsets, events across reconnects, timeouts,
 * recovery from a garbled stream and from a restarted hypervisor, and
 * concurrent use of one handle.
 *
 *   test_client FAKE_HV_BINARY TEST_KERNEL_ELF
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <CUnit/Basic.h>
#include <debugctl.h>

static const char *fake_hv, *kernel;
static char sock[108], uri[128];
static pid_t hv_pid = -1;

static void msleep(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

static int start_hv(void)
{
    char ready[128];

    snprintf(ready, sizeof(ready), "%s.ready", sock);
    unlink(ready);
    hv_pid = fork();
    if ( hv_pid == 0 )
    {
        execl(fake_hv, fake_hv, "--socket", sock, "--ready-file", ready, (char *)NULL);
        _exit(127);
    }
    for ( int i = 0; i < 200; i++ )
    {
        if ( access(ready, F_OK) == 0 )
            return 0;
        msleep(10);
    }
    return -1;
}

static void stop_hv(void)
{
    if ( hv_pid > 0 )
    {
        kill(hv_pid, SIGTERM);
        waitpid(hv_pid, NULL, 0);
    }
    hv_pid = -1;
}

static dbgctl *open_ok(void)
{
    dbgctl *h = NULL;
    int rc = dbgctl_open(uri, &h);

    CU_ASSERT_EQUAL(rc, 0);
    if ( rc )
        fprintf(stderr, "open %s: %s\n", uri, dbgctl_strerror(rc));
    return h;
}

static void test_uri(void)
{
    char buf[256];
    dbgctl *h = NULL;

    unsetenv("DBGCTL_URI");
    setenv("XDG_RUNTIME_DIR", "/run/user/1234", 1);
    CU_ASSERT_EQUAL(dbgctl_default_uri(buf, sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, "unix:/run/user/1234/dbgvisor/control.sock");
    unsetenv("XDG_RUNTIME_DIR");
    CU_ASSERT_EQUAL(dbgctl_default_uri(buf, sizeof(buf)), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "unix:/tmp/dbgvisor-"));
    setenv("DBGCTL_URI", uri, 1);
    CU_ASSERT_EQUAL(dbgctl_default_uri(buf, sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, uri);
    /* NULL opens through the environment. */
    CU_ASSERT_EQUAL(dbgctl_open(NULL, &h), 0);
    CU_ASSERT_STRING_EQUAL(dbgctl_uri(h), uri);
    dbgctl_close(h);
    unsetenv("DBGCTL_URI");

    CU_ASSERT_EQUAL(dbgctl_open("tcp:localhost:1", &h), -EPROTONOSUPPORT);
    CU_ASSERT_PTR_NULL(h);
    CU_ASSERT_EQUAL(dbgctl_open("bogus", &h), -EINVAL);
    CU_ASSERT_EQUAL(dbgctl_open("unix:", &h), -EINVAL);
    CU_ASSERT_EQUAL(dbgctl_open("unix:/nonexistent/x.sock", &h), -ENOENT);
    CU_ASSERT_STRING_EQUAL(dbgctl_strerror(-ENOENT), "no hypervisor at the control socket");
    CU_ASSERT_STRING_EQUAL(dbgctl_strerror(-ESRCH), "no such domain or vCPU");
}

static void test_basic_ops(void)
{
    dbgctl *h = open_ok();
    struct dbgv_ctl_physinfo pi;
    struct dbgv_ctl_dominfo *doms = NULL, di;
    unsigned int nr = 0;
    uint32_t id = 0, id2;

    if ( !h )
        return;
    CU_ASSERT_EQUAL(dbgctl_hello_info(h)->version, DBGV_CTL_VERSION);
    CU_ASSERT_EQUAL(dbgctl_physinfo(h, &pi), 0);
    CU_ASSERT_EQUAL(pi.nr_cpus, 2);
    CU_ASSERT_STRING_EQUAL(pi.hv_version, "dbgvisor 0.1-fake");

    CU_ASSERT_EQUAL(dbgctl_domain_create(h, "ops", 8, 2, DBGV_POLICY_TRAP, 0, &id), 0);
    CU_ASSERT_EQUAL(dbgctl_domain_create(h, "ops", 8, 2, DBGV_POLICY_TRAP, 0, &id2), -EEXIST);
    CU_ASSERT_EQUAL(dbgctl_domain_create(h, "bad name", 8, 1, 0, 0, &id2), -EINVAL);
    CU_ASSERT_EQUAL(dbgctl_domain_list(h, &doms, &nr), 0);
    CU_ASSERT(nr >= 2);
    if ( nr )
        CU_ASSERT_STRING_EQUAL(doms[0].name, "Domain-0");
    free(doms);

    CU_ASSERT_EQUAL(dbgctl_domain_lookup(h, "ops", &id2), 0);
    CU_ASSERT_EQUAL(id2, id);
    CU_ASSERT_EQUAL(dbgctl_domain_lookup(h, "0", &id2), 0);
    CU_ASSERT_EQUAL(id2, 0);
    CU_ASSERT_EQUAL(dbgctl_domain_lookup(h, "nosuch", &id2), -ESRCH);
    CU_ASSERT_EQUAL(dbgctl_domain_lookup(h, "999", &id2), -ESRCH);
    CU_ASSERT_EQUAL(dbgctl_domain_lookup(h, "99999999999", &id2), -ESRCH);

    CU_ASSERT_EQUAL(dbgctl_domain_info(h, id, &di), 0);
    CU_ASSERT_EQUAL(di.state, DBGV_DOMSTATE_PAUSED);
    CU_ASSERT_EQUAL(di.nr_vcpus, 2);
    CU_ASSERT_EQUAL(di.mem_bytes, 8u << 20);
    CU_ASSERT_EQUAL(dbgctl_domain_unpause(h, id), 0);
    CU_ASSERT_EQUAL(dbgctl_domain_info(h, id, &di), 0);
    CU_ASSERT_EQUAL(di.state, DBGV_DOMSTATE_RUNNING);
    CU_ASSERT_EQUAL(dbgctl_domain_pause(h, id), 0);
    CU_ASSERT_EQUAL(dbgctl_domain_info(h, id, &di), 0);
    CU_ASSERT_EQUAL(di.state, DBGV_DOMSTATE_PAUSED);
    CU_ASSERT_EQUAL(dbgctl_domain_pause(h, 0), -EPERM);

    {
        struct dbgv_ctl_vcpuinfo *v = NULL;
        struct dbgv_vcpu_debug_state *s = NULL;

        CU_ASSERT_EQUAL(dbgctl_vcpu_list(h, id, &v, &nr), 0);
        CU_ASSERT_EQUAL(nr, 2);
        free(v);
        CU_ASSERT_EQUAL(dbgctl_debug_state(h, id, &s, &nr), 0);
        CU_ASSERT_EQUAL(nr, 2);
        if ( nr == 2 )
        {
            CU_ASSERT_EQUAL(s[1].vcpu_id, 1);
            CU_ASSERT_EQUAL(s[1].policy, DBGV_POLICY_TRAP);
        }
        free(s);
        CU_ASSERT_EQUAL(dbgctl_debug_policy_set(h, id, DBGV_POLICY_ADAPTIVE, 3), 0);
        CU_ASSERT_EQUAL(dbgctl_debug_policy_set(h, id, 9, -1), -EINVAL);
        CU_ASSERT_EQUAL(dbgctl_domain_info(h, id, &di), 0);
        CU_ASSERT_EQUAL(di.debug_policy, DBGV_POLICY_ADAPTIVE);
        CU_ASSERT_EQUAL(di.quiet_switches, 3);
    }

    /* Memory round trip across chunk boundaries, and zero fill. */
    {
        size_t n = 3 * DBGV_CTL_MEM_CHUNK + 123;
        uint8_t *a = malloc(n), *b = malloc(n);

        for ( size_t i = 0; i < n; i++ )
            a[i] = (uint8_t)(i * 7 + 1);
        CU_ASSERT_EQUAL(dbgctl_mem_write(h, id, 0x1001, a, n), 0);
        CU_ASSERT_EQUAL(dbgctl_mem_read(h, id, 0x1001, b, n), 0);
        CU_ASSERT_EQUAL(memcmp(a, b, n), 0);
        CU_ASSERT_EQUAL(dbgctl_mem_write(h, id, 0x1001, NULL, 100), 0);
        CU_ASSERT_EQUAL(dbgctl_mem_read(h, id, 0x1001, b, 101), 0);
        CU_ASSERT_EQUAL(b[0], 0);
        CU_ASSERT_EQUAL(b[99], 0);
        CU_ASSERT_EQUAL(b[100], a[100]);
        CU_ASSERT_EQUAL(dbgctl_mem_read(h, id, (8u << 20) - 2, b, 4), -EFAULT);
        free(a);
        free(b);
    }

    CU_ASSERT_EQUAL(dbgctl_domain_destroy(h, id), 0);
    CU_ASSERT_EQUAL(dbgctl_domain_info(h, id, &di), -ESRCH);
    CU_ASSERT_EQUAL(dbgctl_domain_destroy(h, id), -ESRCH);
    dbgctl_close(h);
}

/* DEBUG_STATE_LIST: 20 domains of 4 vCPUs are 80 entries, two pages of
 * at most 56, in (domid, vCPU) order and equal to the per-domain answers. */
static void test_debug_state_all(void)
{
    dbgctl *h = open_ok();
    struct dbgv_ctl_dom_debug_state *all = NULL;
    uint32_t ids[20];
    unsigned int nr = 0, at = 0;
    char name[16];

    if ( !h )
        return;
    for ( int i = 0; i < 20; i++ )
    {
        snprintf(name, sizeof(name), "dsa%d", i);
        CU_ASSERT_EQUAL_FATAL(dbgctl_domain_create(h, name, 4, 4, i % DBGV_POLICY_COUNT, 0, &ids[i]), 0);
    }
    CU_ASSERT_EQUAL(dbgctl_debug_state_all(h, &all, &nr), 0);
    CU_ASSERT_EQUAL(nr, 80);
    for ( int i = 0; i < 20 && nr == 80; i++ )
    {
        struct dbgv_vcpu_debug_state *st = NULL;
        unsigned int n = 0;

        CU_ASSERT_EQUAL(dbgctl_debug_state(h, ids[i], &st, &n), 0);
        CU_ASSERT_EQUAL(n, 4);
        for ( unsigned int v = 0; v < n; v++, at++ )
        {
            CU_ASSERT_EQUAL(all[at].domid, ids[i]);
            CU_ASSERT_EQUAL(all[at].st.vcpu_id, v);
            CU_ASSERT_EQUAL(memcmp(&all[at].st, &st[v], sizeof(st[v])), 0);
        }
        free(st);
    }
    free(all);
    for ( int i = 0; i < 20; i++ )
        CU_ASSERT_EQUAL(dbgctl_domain_destroy(h, ids[i]), 0);
    CU_ASSERT_EQUAL(dbgctl_debug_state_all(h, &all, &nr), 0);
    CU_ASSERT_EQUAL(nr, 0);
    free(all);
    dbgctl_close(h);
}

/* DEBUG_SUMMARY_LIST: the same 80 vCPUs in one page of at most 85, each
 * equal to its full state condensed. */
static void test_debug_summary_all(void)
{
    dbgctl *h = open_ok();
    struct dbgv_ctl_dom_debug_state *all = NULL;
    struct dbgv_vcpu_debug_summary *sum = NULL, want;
    uint32_t ids[20];
    unsigned int nr = 0, ns = 0;
    char name[16];

    if ( !h )
        return;
    for ( int i = 0; i < 20; i++ )
    {
        snprintf(name, sizeof(name), "dsu%d", i);
        CU_ASSERT_EQUAL_FATAL(dbgctl_domain_create(h, name, 4, 4, i % DBGV_POLICY_COUNT, 0, &ids[i]), 0);
    }
    CU_ASSERT_EQUAL(dbgctl_debug_summary_all(h, &sum, &ns), 0);
    CU_ASSERT_EQUAL(dbgctl_debug_state_all(h, &all, &nr), 0);
    CU_ASSERT_EQUAL(ns, 80);
    CU_ASSERT_EQUAL(nr, 80);
    for ( unsigned int i = 0; i < ns && i < nr; i++ )
    {
        dbgv_debug_summarize(all[i].domid, &all[i].st, &want);
        CU_ASSERT_EQUAL(memcmp(&sum[i], &want, sizeof(want)), 0);
    }
    CU_ASSERT_EQUAL(sum[79].domid, ids[19]);
    CU_ASSERT_EQUAL(sum[79].vcpu_id, 3);
    free(all);
    free(sum);
    for ( int i = 0; i < 20; i++ )
        CU_ASSERT_EQUAL(dbgctl_domain_destroy(h, ids[i]), 0);
    CU_ASSERT_EQUAL(dbgctl_debug_summary_all(h, &sum, &ns), 0);
    CU_ASSERT_EQUAL(ns, 0);
    free(sum);
    dbgctl_close(h);
}

static void test_build(void)
{
    struct dbgctl_build b = { .name = "built", .memory_mib = 32, .nr_vcpus = 1,
                              .cmdline = "console=ttyS0 test=1", .policy = -1 };
    dbgctl *h = open_ok();
    char err[256], out[4096];
    uint64_t off = 0;
    size_t len = 0;
    uint32_t id = 0;
    uint8_t code[2];
    void *img = NULL;
    size_t ilen = 0;

    if ( !h )
        return;
    CU_ASSERT_EQUAL_FATAL(dbgctl_read_file(kernel, &img, &ilen), 0);
    b.image = img;
    b.image_len = ilen;
    CU_ASSERT_EQUAL(dbgctl_domain_build(h, &b, &id, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(dbgctl_console_read(h, id, &off, out, sizeof(out) - 1, &len, NULL), 0);
    out[len] = '\0';
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "mem_lower=640 mem_upper=31744 cmdline='console=ttyS0 test=1'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "code at entry: f4 eb fd"));
    CU_ASSERT_EQUAL(dbgctl_mem_read(h, id, 0x10000c, code, 2), 0);
    CU_ASSERT_EQUAL(code[0], 0xf4);

    /* A bad image: error names the reason, no domain left behind. */
    {
        struct dbgv_ctl_dominfo *doms = NULL;
        unsigned int before = 0, after = 0;
        uint32_t id2;

        dbgctl_domain_list(h, &doms, &before);
        free(doms);
        b.name = "broken";
        b.image = "not an image at all";
        b.image_len = 19;
        CU_ASSERT_EQUAL(dbgctl_domain_build(h, &b, &id2, err, sizeof(err)), -EINVAL);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "multiboot header"));
        /* Fits the parser but not the memory: the half-built domain goes. */
        b.image = img;
        b.image_len = ilen;
        b.memory_mib = 1;
        CU_ASSERT_EQUAL(dbgctl_domain_build(h, &b, &id2, err, sizeof(err)), -E2BIG);
        dbgctl_domain_list(h, &doms, &after);
        free(doms);
        CU_ASSERT_EQUAL(before, after);
    }
    dbgctl_domain_destroy(h, id);
    free(img);
    dbgctl_close(h);
}

static void test_console_offsets(void)
{
    dbgctl *h = open_ok();
    char a[8192], b[8192], all[16384];
    uint64_t off = 0, off2 = 0, lost = 0;
    size_t la = 0, lb = 0, lall = 0;
    uint32_t id;

    if ( !h )
        return;
    CU_ASSERT_EQUAL(dbgctl_domain_create(h, "chatty", 4, 1, 0, 0, &id), 0);
    CU_ASSERT_EQUAL(dbgctl_domain_unpause(h, id), 0);
    msleep(2300);                           /* fake-hv prints a line a second */
    /* Reading in small pieces gives exactly what one big read gives. */
    CU_ASSERT_EQUAL(dbgctl_console_read(h, id, &off, a, 5, &la, &lost), 0);
    CU_ASSERT_EQUAL(la, 5);
    CU_ASSERT_EQUAL(off, 5);
    CU_ASSERT_EQUAL(dbgctl_console_read(h, id, &off, b, sizeof(b), &lb, &lost), 0);
    CU_ASSERT_EQUAL(lost, 0);
    CU_ASSERT_EQUAL(dbgctl_console_read(h, id, &off2, all, sizeof(all), &lall, NULL), 0);
    CU_ASSERT(lall >= la + lb);
    CU_ASSERT_EQUAL(memcmp(all, a, la), 0);
    CU_ASSERT_EQUAL(memcmp(all + la, b, lb), 0);
    CU_ASSERT_PTR_NOT_NULL(memmem(all, lall, "chatty: tick", 12));
    /* Nothing new means an empty read at the same offset. */
    off2 = off = off + lb;
    CU_ASSERT_EQUAL(dbgctl_console_read(h, id, &off, a, sizeof(a), &la, NULL), 0);
    CU_ASSERT(la == 0 || off == off2 + la);
    CU_ASSERT_EQUAL(dbgctl_console_read(h, 4242, &off, a, sizeof(a), &la, NULL), -ESRCH);

    /* Hypervisor log. */
    off = 0;
    CU_ASSERT_EQUAL(dbgctl_hvlog_read(h, &off, a, sizeof(a), &la, NULL), 0);
    CU_ASSERT(la > 0);
    dbgctl_domain_destroy(h, id);
    dbgctl_close(h);
}

static void test_events_reconnect(void)
{
    struct dbgv_ctl_event ev[64];
    unsigned int nr = 0;
    uint64_t since = 0, saved;
    uint32_t id;
    dbgctl *h = open_ok();

    if ( !h )
        return;
    /* Catch up, then make events while "disconnected". */
    do {
        CU_ASSERT_EQUAL(dbgctl_events_read(h, &since, DBGV_DOMID_ANY, ev, 64, &nr, NULL), 0);
    } while ( nr == 64 );
    saved = since;
    CU_ASSERT_EQUAL(dbgctl_domain_create(h, "evt", 4, 1, 0, 0, &id), 0);
    dbgctl_close(h);

    h = open_ok();                          /* a new connection */
    CU_ASSERT_EQUAL(dbgctl_domain_destroy(h, id), 0);
    CU_ASSERT_EQUAL(dbgctl_events_read(h, &since, DBGV_DOMID_ANY, ev, 64, &nr, NULL), 0);
    CU_ASSERT_EQUAL(nr, 2);
    if ( nr == 2 )
    {
        CU_ASSERT_EQUAL(ev[0].type, DBGV_EV_DOMAIN_CREATED);
        CU_ASSERT_EQUAL(ev[0].seq, saved);
        CU_ASSERT_EQUAL(ev[1].type, DBGV_EV_DOMAIN_DESTROYED);
        CU_ASSERT_EQUAL(ev[1].seq, saved + 1);
        CU_ASSERT_EQUAL(ev[1].domid, id);
    }
    CU_ASSERT_EQUAL(since, saved + 2);
    CU_ASSERT_EQUAL(dbgctl_events_read(h, &since, DBGV_DOMID_ANY, ev, 64, &nr, NULL), 0);
    CU_ASSERT_EQUAL(nr, 0);
    dbgctl_close(h);
}

/* A server that accepts and never answers. */
static void test_timeout(void)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char path[128], u[160];
    dbgctl *h = NULL;
    int fd;
    time_t t0;

    snprintf(path, sizeof(path), "%s.mute", sock);
    unlink(path);
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    listen(fd, 4);
    snprintf(u, sizeof(u), "unix:%s", path);
    t0 = time(NULL);
    CU_ASSERT_EQUAL(dbgctl_open(u, &h), -ETIMEDOUT);
    CU_ASSERT(time(NULL) - t0 <= 7);
    close(fd);
    unlink(path);
}

/* Garbage and a torn frame from a previous client must not wedge the next. */
static void test_garbled_stream(void)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    static const char junk[] = "DBGV\x01\x00garbage\xff\xfe" "DBGVDBGV";
    uint8_t torn[32] = { 'D', 'B', 'G', 'V', 1, 0, 2, 0 };
    dbgctl *h;
    int fd;

    strcpy(sa.sun_path, sock);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    CU_ASSERT(write(fd, junk, sizeof(junk) - 1) > 0);
    CU_ASSERT(write(fd, torn, 20) == 20);
    msleep(100);
    close(fd);
    h = open_ok();
    if ( h )
    {
        struct dbgv_ctl_physinfo pi;

        CU_ASSERT_EQUAL(dbgctl_physinfo(h, &pi), 0);
        dbgctl_close(h);
    }
}

static void test_hv_restart(void)
{
    struct dbgv_ctl_physinfo pi;
    dbgctl *h = open_ok();
    int rc;

    if ( !h )
        return;
    stop_hv();
    CU_ASSERT_NOT_EQUAL(dbgctl_physinfo(h, &pi), 0);
    CU_ASSERT_EQUAL_FATAL(start_hv(), 0);
    /* The handle reconnects by itself on the next call. */
    rc = dbgctl_physinfo(h, &pi);
    if ( rc )
        rc = dbgctl_physinfo(h, &pi);
    CU_ASSERT_EQUAL(rc, 0);
    dbgctl_close(h);
}

static dbgctl *shared;
static int thread_failures;

static void *hammer(void *arg)
{
    uintptr_t k = (uintptr_t)arg;

    for ( int i = 0; i < 300; i++ )
    {
        struct dbgv_ctl_dominfo di;
        struct dbgv_ctl_physinfo pi;

        if ( (i + k) % 2 ? dbgctl_domain_info(shared, 0, &di) || strcmp(di.name, "Domain-0")
                         : dbgctl_physinfo(shared, &pi) || pi.nr_cpus != 2 )
            __atomic_add_fetch(&thread_failures, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void test_threads(void)
{
    pthread_t t[4];

    shared = open_ok();
    if ( !shared )
        return;
    for ( uintptr_t i = 0; i < 4; i++ )
        pthread_create(&t[i], NULL, hammer, (void *)i);
    for ( int i = 0; i < 4; i++ )
        pthread_join(t[i], NULL);
    CU_ASSERT_EQUAL(thread_failures, 0);
    dbgctl_close(shared);
}

static void test_names(void)
{
    CU_ASSERT_STRING_EQUAL(dbgctl_policy_name(DBGV_POLICY_LAZY_SCHED), "lazy-sched");
    CU_ASSERT_EQUAL(dbgctl_policy_parse("lazy-exit"), DBGV_POLICY_LAZY_EXIT);
    CU_ASSERT_EQUAL(dbgctl_policy_parse("nope"), -EINVAL);
    CU_ASSERT_EQUAL(dbgctl_domstate_letter(DBGV_DOMSTATE_DYING), 'd');
    CU_ASSERT_STRING_EQUAL(dbgctl_domstate_name(DBGV_DOMSTATE_CRASHED), "crashed");
    CU_ASSERT_STRING_EQUAL(dbgctl_owner_name(DBGV_OWNER_HOST), "host");
    CU_ASSERT_STRING_EQUAL(dbgctl_event_name(DBGV_EV_STEP_DONE), "step");
    /* Timer modes: the one table the hypervisor's boot modules use too. */
    for ( unsigned int m = DBGV_TIMER_MODE_NO_DELAY_FOR_MISSED_TICKS; m < DBGV_TIMER_MODE_COUNT; m++ )
        CU_ASSERT_EQUAL(dbgctl_timer_mode_parse(dbgctl_timer_mode_name(m)), (int)m);
    CU_ASSERT_STRING_EQUAL(dbgctl_timer_mode_name(DBGV_TIMER_MODE_DEFAULT), "no_delay_for_missed_ticks");
    CU_ASSERT_STRING_EQUAL(dbgctl_timer_mode_name(DBGV_TIMER_MODE_ONE_MISSED_TICK_PENDING),
                           "one_missed_tick_pending");
    CU_ASSERT_EQUAL(dbgctl_timer_mode_parse("delay_for_missed_ticks"), -EINVAL);   /* not offered */
    CU_ASSERT_EQUAL(dbgctl_timer_mode_parse("no_delay_for_missed_tick"), -EINVAL);
    CU_ASSERT_STRING_EQUAL(dbgctl_shutdown_reason_name(DBGV_SHUTDOWN_WATCHDOG), "watchdog");
    CU_ASSERT_STRING_EQUAL(dbgctl_shutdown_reason_name(DBGV_SHUTDOWN_WATCHDOG + 1), "unknown");
    CU_ASSERT_STRING_EQUAL(dbgctl_lazy_state_name(DBGV_LAZY_TRAPPING), "trapping");
    CU_ASSERT_STRING_EQUAL(dbgctl_lazy_state_name(DBGV_LAZY_PASSTHROUGH), "passthrough");
}

int main(int argc, char **argv)
{
    CU_pSuite s;
    unsigned int failed;

    if ( argc != 3 )
    {
        fprintf(stderr, "usage: %s FAKE_HV KERNEL\n", argv[0]);
        return 2;
    }
    fake_hv = argv[1];
    kernel = argv[2];
    snprintf(sock, sizeof(sock), "/tmp/dbgctl-test-%d.sock", (int)getpid());
    snprintf(uri, sizeof(uri), "unix:%s", sock);
    if ( start_hv() )
    {
        fprintf(stderr, "cannot start %s\n", fake_hv);
        return 1;
    }

    CU_initialize_registry();
    s = CU_add_suite("libdebugctl", NULL, NULL);
    CU_add_test(s, "uri", test_uri);
    CU_add_test(s, "names", test_names);
    CU_add_test(s, "basic operations", test_basic_ops);
    CU_add_test(s, "debug state of every domain", test_debug_state_all);
    CU_add_test(s, "debug summary of every domain", test_debug_summary_all);
    CU_add_test(s, "domain builder", test_build);
    CU_add_test(s, "console offsets", test_console_offsets);
    CU_add_test(s, "events across reconnect", test_events_reconnect);
    CU_add_test(s, "timeout", test_timeout);
    CU_add_test(s, "garbled stream", test_garbled_stream);
    CU_add_test(s, "threads share a handle", test_threads);
    CU_add_test(s, "hypervisor restart", test_hv_restart);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    stop_hv();
    unlink(sock);
    return failed ? 1 : 0;
}
