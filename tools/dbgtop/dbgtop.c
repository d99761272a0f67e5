/*
 * dbgtop: live per-domain, per-vCPU debug-register state, like xentop.
 *
 * Two threads: the poller owns every libdebugctl call (polls, and the
 * actions keys ask for) and publishes immutable snapshots; the UI thread
 * owns curses and never blocks on the hypervisor. Between polls the
 * connection is dropped (dbgctl_idle) so that xl and other tools can use
 * the hypervisor's one-client control port. See docs/dbgtop.md.
 */
#include <curses.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <debugctl.h>

#define DBGTOP_VERSION   "0.1"
#define CALL_TIMEOUT_MS  DBGCTL_TIMEOUT_DEFAULT_MS
#define MIN_RATE_DT      0.3     /* seconds: shorter intervals keep old rates */
#define RECONNECT_MAX    1.0     /* seconds between attempts while down */
#define MSG_SECONDS      6.0
#define NAME_W_MAX       24

/* ---- time ------------------------------------------------------------- */

static double mono_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double real_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void clock_text(double t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if ( t <= 0 || !localtime_r(&tt, &tm) || !strftime(buf, len, "%H:%M:%S", &tm) )
        snprintf(buf, len, "--:--:--");
}

/* ---- samples ---------------------------------------------------------- */

struct vsamp {
    struct dbgv_vcpu_debug_summary st;  /* what dbgtop shows of the vCPU */
    double r_drx, r_db, r_ldsv;         /* per second; < 0: not known yet */
};

struct dsamp {
    struct dbgv_ctl_dominfo info;
    int err;                            /* debug state unavailable: its error */
    unsigned int nr;
    struct vsamp *v;
    double t;                           /* monotonic time of the reply */
    uint64_t drx, db, ldsv;             /* summed counters */
    unsigned int hbp;                   /* host-owned slots over all vCPUs */
    unsigned int step;                  /* enum dbgv_owner: host > guest > free */
    double r_drx, r_db, r_ldsv;
};

struct snap {
    int refs;
    bool up;
    int err;                            /* !up: why */
    double t, mono;                     /* when the poll started */
    double last_up;                     /* real time of the last good poll */
    struct dbgv_ctl_physinfo pi;
    char hv_version[sizeof(((struct dbgv_ctl_physinfo *)0)->hv_version) + 1];
    unsigned int nd;
    struct dsamp *d;
};

static struct snap *snap_ref(struct snap *s)
{
    if ( s )
        __atomic_add_fetch(&s->refs, 1, __ATOMIC_SEQ_CST);
    return s;
}

static void snap_put(struct snap *s)
{
    if ( !s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_SEQ_CST) )
        return;
    for ( unsigned int i = 0; i < s->nd; i++ )
        free(s->d[i].v);
    free(s->d);
    free(s);
}

static const struct dsamp *find_dom(const struct snap *s, const struct dsamp *d)
{
    if ( !s || !s->up )
        return NULL;
    for ( unsigned int i = 0; i < s->nd; i++ )
        if ( s->d[i].info.domid == d->info.domid &&
             !strcmp(s->d[i].info.name, d->info.name) )
            return &s->d[i];
    return NULL;
}

static const struct vsamp *find_vcpu(const struct dsamp *d, uint32_t id)
{
    for ( unsigned int i = 0; d && i < d->nr; i++ )
        if ( d->v[i].st.vcpu_id == id )
            return &d->v[i];
    return NULL;
}

static double rate(uint64_t now, uint64_t then, double dt)
{
    return now >= then && dt > 0 ? (double)(now - then) / dt : -1;
}

static uint64_t ldsv(const struct dbgv_debug_counters *c)
{
    return c->dr_loads + c->dr_saves;
}

/* Rates against base (when far enough apart), else carried from prev. */
static void compute_rates(struct snap *s, const struct snap *base,
                          const struct snap *prev, bool use_base)
{
    for ( unsigned int i = 0; i < s->nd; i++ )
    {
        struct dsamp *d = &s->d[i];
        const struct dsamp *b = find_dom(use_base ? base : prev, d);

        d->r_drx = d->r_db = d->r_ldsv = -1;
        for ( unsigned int k = 0; k < d->nr; k++ )
            d->v[k].r_drx = d->v[k].r_db = d->v[k].r_ldsv = -1;
        if ( !b || b->err || d->err )
            continue;
        if ( !use_base )
        {
            d->r_drx = b->r_drx, d->r_db = b->r_db, d->r_ldsv = b->r_ldsv;
            for ( unsigned int k = 0; k < d->nr; k++ )
            {
                const struct vsamp *bv = find_vcpu(b, d->v[k].st.vcpu_id);

                if ( bv )
                    d->v[k].r_drx = bv->r_drx, d->v[k].r_db = bv->r_db,
                    d->v[k].r_ldsv = bv->r_ldsv;
            }
            continue;
        }
        double dt = d->t - b->t;

        if ( dt <= 0 )
            continue;
        d->r_drx = rate(d->drx, b->drx, dt);
        d->r_db = rate(d->db, b->db, dt);
        d->r_ldsv = rate(d->ldsv, b->ldsv, dt);
        for ( unsigned int k = 0; k < d->nr; k++ )
        {
            struct vsamp *v = &d->v[k];
            const struct vsamp *bv = find_vcpu(b, v->st.vcpu_id);

            if ( !bv )
                continue;
            v->r_drx = rate(v->st.counters.dr_access_exits,
                            bv->st.counters.dr_access_exits, dt);
            v->r_db = rate(v->st.counters.db_exits, bv->st.counters.db_exits, dt);
            v->r_ldsv = rate(ldsv(&v->st.counters), ldsv(&bv->st.counters), dt);
        }
    }
}

/* Errors that concern one domain (it went away, it has no debug state);
 * anything else means the conversation with the hypervisor failed. */
static bool domain_error(int rc)
{
    switch ( -rc )
    {
    case ESRCH: case EINVAL: case ENOSYS: case EPERM: case EOPNOTSUPP:
    case ENODATA: case EAGAIN: case EBUSY:
        return true;
    default:
        return false;
    }
}

struct poller {
    const char *uri;
    dbgctl *h;
    struct snap *base;                  /* rates are measured from here */
    struct snap *prev;
    double last_up;
};

static void summarize(struct dsamp *d)
{
    d->drx = d->db = d->ldsv = 0;
    d->hbp = 0;
    d->step = DBGV_OWNER_FREE;
    for ( unsigned int k = 0; k < d->nr; k++ )
    {
        const struct dbgv_vcpu_debug_summary *st = &d->v[k].st;

        d->drx += st->counters.dr_access_exits;
        d->db += st->counters.db_exits;
        d->ldsv += ldsv(&st->counters);
        d->hbp += (unsigned int)__builtin_popcount(st->host_slots & ~st->guest_slots);
        if ( st->step_owner == DBGV_OWNER_HOST )
            d->step = DBGV_OWNER_HOST;
        else if ( st->step_owner == DBGV_OWNER_GUEST && d->step != DBGV_OWNER_HOST )
            d->step = DBGV_OWNER_GUEST;
    }
}

static int poller_connect(struct poller *p)
{
    int rc;

    if ( p->h )
        return 0;
    if ( (rc = dbgctl_open(p->uri, &p->h)) )
    {
        p->h = NULL;
        return rc;
    }
    dbgctl_set_timeout(p->h, CALL_TIMEOUT_MS);
    return 0;
}

/* How many entries from all[k] on belong to all[k]'s domain. */
static unsigned int vcpus_of(const struct dbgv_vcpu_debug_summary *all,
                             unsigned int nall, unsigned int k)
{
    unsigned int n = 0;

    while ( k + n < nall && all[k + n].domid == all[k].domid )
        n++;
    return n;
}

static struct snap *poll_once(struct poller *p)
{
    struct dbgv_ctl_dominfo *doms = NULL;
    struct dbgv_vcpu_debug_summary *all = NULL;
    struct snap *s = calloc(1, sizeof(*s));
    unsigned int nd = 0, nall = 0;
    bool per_domain;
    double t_all;
    int rc;

    if ( !s )
        return NULL;
    s->refs = 1;
    s->mono = mono_now();
    s->t = real_now();
    if ( (rc = poller_connect(p)) )
        goto down;
    if ( (rc = dbgctl_physinfo(p->h, &s->pi)) )
        goto down;
    memcpy(s->hv_version, s->pi.hv_version, sizeof(s->pi.hv_version));
    if ( (rc = dbgctl_domain_list(p->h, &doms, &nd)) )
        goto down;
    if ( nd && !(s->d = calloc(nd, sizeof(*s->d))) )
    {
        rc = -ENOMEM;
        goto down;
    }
    /* Every domain's debug state in one round trip per 85 vCPUs; a
     * hypervisor without the lists is asked domain by domain. */
    rc = dbgctl_debug_summary_all(p->h, &all, &nall);
    per_domain = rc == -ENOSYS;
    if ( rc && !per_domain )
        goto down;
    t_all = mono_now();
    for ( unsigned int i = 0, k = 0; i < nd; i++ )
    {
        struct dsamp *d = &s->d[s->nd];
        struct dbgv_vcpu_debug_state *st = NULL;
        unsigned int nr = 0;

        d->info = doms[i];
        d->info.name[sizeof(d->info.name) - 1] = '\0';
        s->nd++;
        if ( d->info.domid == DBGV_DOMID_SELF )
        {
            d->err = -ENODATA;          /* Domain-0: no virtualized state */
            continue;
        }
        if ( per_domain )
        {
            rc = dbgctl_debug_state(p->h, d->info.domid, &st, &nr);
            d->t = mono_now();
            if ( rc && !domain_error(rc) )
                goto down;
        }
        else
        {
            /* Both lists ascend by domid: this domain's entries are next. */
            while ( k < nall && all[k].domid < d->info.domid )
                k++;
            rc = k < nall && all[k].domid == d->info.domid ? 0 : -ESRCH;
            d->t = t_all;
        }
        if ( rc )
            d->err = rc;
        else if ( (per_domain ? nr : (nr = vcpus_of(all, nall, k))) &&
                  !(d->v = calloc(nr, sizeof(*d->v))) )
        {
            free(st);
            rc = -ENOMEM;
            goto down;
        }
        else
        {
            for ( unsigned int j = 0; j < nr; j++ )
            {
                if ( per_domain )
                    dbgv_debug_summarize(d->info.domid, &st[j], &d->v[j].st);
                else
                    d->v[j].st = all[k + j];
            }
            d->nr = nr;
        }
        free(st);
        summarize(d);
    }
    free(all);
    free(doms);
    dbgctl_idle(p->h);

    s->up = true;
    p->last_up = s->last_up = s->t;
    /* A restarted hypervisor (uptime went back) starts the rates over. */
    if ( p->base && p->base->up && s->pi.uptime_ns < p->base->pi.uptime_ns )
    {
        snap_put(p->base);
        p->base = NULL;
    }
    bool use_base = !p->base || s->mono - p->base->mono >= MIN_RATE_DT ||
                    !p->prev || !p->prev->up;
    compute_rates(s, p->base, p->prev, use_base);
    if ( use_base )
    {
        snap_put(p->base);
        p->base = snap_ref(s);
    }
    snap_put(p->prev);
    p->prev = snap_ref(s);
    return s;

 down:
    free(doms);
    free(all);
    if ( p->h )
        dbgctl_idle(p->h);
    for ( unsigned int i = 0; i < s->nd; i++ )
        free(s->d[i].v);
    free(s->d);
    s->d = NULL;
    s->nd = 0;
    s->up = false;
    s->err = rc;
    s->last_up = p->last_up;
    snap_put(p->prev);
    p->prev = snap_ref(s);
    return s;
}

/* ---- presentation shared by the screen and batch mode ------------------ */

enum col {
    C_NAME, C_ID, C_STATE, C_VCPUS, C_POLICY, C_DRX, C_DB, C_LDSV, C_HBP,
    C_STEP, C_COUNT
};

static const struct column {
    const char *label;
    int width;
    bool right;
    const char *what;
} cols[C_COUNT] = {
    [C_NAME]   = { "NAME",     10, false, "domain name" },
    [C_ID]     = { "ID",        4, true,  "domain id" },
    [C_STATE]  = { "STATE",     6, false, "state" },
    [C_VCPUS]  = { "VCPUS",     5, true,  "vCPUs" },
    [C_POLICY] = { "POLICY",   10, false, "debug policy" },
    [C_DRX]    = { "DREXIT/s",  9, true,  "DR-access exits per second" },
    [C_DB]     = { "#DB/s",     7, true,  "#DB exits per second" },
    [C_LDSV]   = { "LD+SV/s",   9, true,  "DR loads+saves per second" },
    [C_HBP]    = { "HBP",       4, true,  "host breakpoints" },
    [C_STEP]   = { "STEP",      5, false, "single-step owner" },
};

struct view {
    int sort;                           /* enum col */
    bool desc;
    double delay;
    const char *uri;
    bool full_names;                    /* -f: names not cut at 10 columns */
    bool repeat_header;                 /* -r, key r: a header before each domain */
};

static void fmt_rate(double r, char *b, size_t n)
{
    if ( r < 0 || isnan(r) )
        snprintf(b, n, "-");
    else if ( r < 9.95 )
        snprintf(b, n, "%.1f", r);
    else if ( r < 999999.5 )
        snprintf(b, n, "%.0f", r);
    else if ( r < 999.5e6 )
        snprintf(b, n, "%.1fM", r / 1e6);
    else
        snprintf(b, n, "%.1fG", r / 1e9);
}

static void state_text(unsigned int state, char out[7])
{
    memcpy(out, "------", 7);
    if ( state < 6 )
        out[state] = dbgctl_domstate_letter(state);
    else
        out[0] = '?';
}

static const char *policy_text(const struct dsamp *d)
{
    if ( d->info.domid == DBGV_DOMID_SELF )
        return "-";
    return d->info.debug_policy < DBGV_POLICY_COUNT
           ? dbgctl_policy_name(d->info.debug_policy) : "?";
}

static const char *owner_text(unsigned int o)
{
    return o == DBGV_OWNER_HOST ? "host" : o == DBGV_OWNER_GUEST ? "guest" : "-";
}

static char owner_letter(unsigned int o)
{
    return o == DBGV_OWNER_FREE ? '-' : o == DBGV_OWNER_GUEST ? 'g'
         : o == DBGV_OWNER_HOST ? 'h' : '?';
}

typedef char cell_t[DBGV_CTL_NAME_LEN + 8];

static void dom_cells(const struct dsamp *d, cell_t c[C_COUNT])
{
    char st[7];

    snprintf(c[C_NAME], sizeof(cell_t), "%s", d->info.name);
    snprintf(c[C_ID], sizeof(cell_t), "%u", d->info.domid);
    state_text(d->info.state, st);
    snprintf(c[C_STATE], sizeof(cell_t), "%s", st);
    snprintf(c[C_VCPUS], sizeof(cell_t), "%u", d->info.nr_vcpus);
    snprintf(c[C_POLICY], sizeof(cell_t), "%s", policy_text(d));
    fmt_rate(d->err ? -1 : d->r_drx, c[C_DRX], sizeof(cell_t));
    fmt_rate(d->err ? -1 : d->r_db, c[C_DB], sizeof(cell_t));
    fmt_rate(d->err ? -1 : d->r_ldsv, c[C_LDSV], sizeof(cell_t));
    if ( d->err )
        snprintf(c[C_HBP], sizeof(cell_t), "-");
    else
        snprintf(c[C_HBP], sizeof(cell_t), "%u", d->hbp);
    snprintf(c[C_STEP], sizeof(cell_t), "%s", d->err ? "-" : owner_text(d->step));
}

static void hdr_cells(const struct view *v, cell_t c[C_COUNT])
{
    for ( int i = 0; i < C_COUNT; i++ )
        snprintf(c[i], sizeof(cell_t), "%s%s", cols[i].label,
                 i == v->sort ? (v->desc ? "v" : "^") : "");
}

/* x position of each column after a prefix of `prefix` characters. */
static void layout(int name_w, int prefix, int x[C_COUNT])
{
    int pos = prefix;

    for ( int i = 0; i < C_COUNT; i++ )
    {
        if ( i )
            pos++;                      /* separator */
        x[i] = pos;
        pos += i == C_NAME ? name_w : cols[i].width;
    }
}

static int fixed_width(void)
{
    int w = 0;

    for ( int i = 1; i < C_COUNT; i++ )
        w += 1 + cols[i].width;
    return w;
}

/* One row as text; a label too long for its column eats the separator. */
static void row_text(char *out, size_t len, cell_t c[C_COUNT], int name_w,
                     int prefix)
{
    int x[C_COUNT], end = 0;

    layout(name_w, prefix, x);
    memset(out, ' ', len - 1);
    out[len - 1] = '\0';
    for ( int i = 0; i < C_COUNT; i++ )
    {
        int w = i == C_NAME ? name_w : cols[i].width;
        int n = (int)strlen(c[i]), at;

        if ( n > w && i != C_NAME && cols[i].right )
            w++, x[i]--;
        if ( n > w )
            n = w;
        at = cols[i].right ? x[i] + w - n : x[i];
        if ( at + n >= (int)len )
            break;
        memcpy(out + at, c[i], n);
        if ( at + n > end )
            end = at + n;
    }
    out[end] = '\0';
}

/* Owner letters of slots first..first+count-1 (those the summary has). */
static void slot_letters(char *out, const struct dbgv_vcpu_debug_summary *st,
                         unsigned int first, unsigned int count)
{
    unsigned int i, k = 0;

    for ( i = first; i < first + count && i < st->nr_slots && i < DBGV_MAX_SLOTS; i++ )
    {
        unsigned int owner = (st->host_slots >> i & 1) << 1 | (st->guest_slots >> i & 1);

        /* Both bits: an owner the hypervisor knows and we do not ('?'). */
        out[k++] = owner_letter(owner == 3 ? DBGV_OWNER_HOST + 1
                                : owner == 2 ? DBGV_OWNER_HOST
                                : owner == 1 ? DBGV_OWNER_GUEST : DBGV_OWNER_FREE);
    }
    out[k] = '\0';
}

static void hex_text(char *out, size_t len, uint64_t v)
{
    snprintf(out, len, v >> 32 ? "%016" PRIx64 : "%08" PRIx64, v);
}

/* The arch's part of a vCPU line after the lazy state: x86 "slots gh-- step - DR6
 * .. DR7 ..", arm64 "bp g----- wp ---- step - MDSCR .. KDE,MDE OSLK off", with the
 * breakpoint and watchpoint pairs the CPU has (all nr_slots/2 and the OS lock '?'
 * if not told). */
static void arch_text(char *out, size_t len, const struct dbgv_vcpu_debug_summary *st)
{
    char bp[DBGV_MAX_SLOTS + 1], wp[DBGV_MAX_SLOTS + 1], ctl[24], sts[24], flags[16];
    const char *step = owner_text(st->step_owner);

    hex_text(ctl, sizeof(ctl), st->last_control_seen);
    if ( st->arch != DBGV_ARCH_ARM64 )
    {
        hex_text(sts, sizeof(sts), st->last_status_seen);
        slot_letters(bp, st, 0, DBGV_MAX_SLOTS);
        snprintf(out, len, "slots %s step %-5s DR6 %s DR7 %s", bp, step, sts, ctl);
        return;
    }
    unsigned int half = st->nr_slots / 2, nbp = st->bp_pairs, nwp = st->wp_pairs;
    /* Every arm64 CPU has pairs: none said is a hypervisor from before the arm64
     * meanings, whose status word is no OSLSR_EL1. */
    bool told = nbp || nwp;

    if ( !told )
        nbp = nwp = half;
    slot_letters(bp, st, 0, nbp < half ? nbp : half);
    slot_letters(wp, st, half, nwp < half ? nwp : half);
    snprintf(flags, sizeof(flags), "%s%s%s",
             st->last_control_seen & DBGV_ARM64_MDSCR_SS ? ",SS" : "",
             st->last_control_seen & DBGV_ARM64_MDSCR_KDE ? ",KDE" : "",
             st->last_control_seen & DBGV_ARM64_MDSCR_MDE ? ",MDE" : "");
    snprintf(out, len, "bp %s wp %s step %-5s MDSCR %s %s OSLK %s", bp, wp, step, ctl,
             flags[0] ? flags + 1 : "-",
             !told ? "?" : st->last_status_seen & DBGV_ARM64_OSLSR_OSLK ? "on" : "off");
}

/* The lazy state as dbgtop spells it (the column and its colouring). */
static const char *lazy_label(uint8_t lazy_state)
{
    return lazy_state == DBGV_LAZY_PASSTHROUGH ? "pass-through"
           : lazy_state == DBGV_LAZY_TRAPPING ? "trapping" : "?";
}

static void vcpu_text(char *out, size_t len, const struct vsamp *v, bool wide)
{
    const struct dbgv_vcpu_debug_summary *st = &v->st;
    char arch[160], r[16];

    arch_text(arch, sizeof(arch), st);
    int n = snprintf(out, len, "vCPU%-3u %-12s %-5s %s",
                     st->vcpu_id,
                     lazy_label(st->lazy_state),
                     st->dirty ? "dirty" : "clean", arch);
    if ( wide && n > 0 && (size_t)n < len )
    {
        fmt_rate(v->r_drx, r, sizeof(r));
        snprintf(out + n, len - n, "  exits/s %s", r);
    }
}

static int cmp_num(double a, double b)
{
    return a < b ? -1 : a > b;
}

static const struct view *sort_view;

static int dom_cmp(const void *pa, const void *pb)
{
    const struct dsamp *a = *(const struct dsamp *const *)pa;
    const struct dsamp *b = *(const struct dsamp *const *)pb;
    int r = 0;

    switch ( sort_view->sort )
    {
    case C_NAME:   r = strcmp(a->info.name, b->info.name); break;
    case C_ID:     break;
    case C_STATE:  r = cmp_num(a->info.state, b->info.state); break;
    case C_VCPUS:  r = cmp_num(a->info.nr_vcpus, b->info.nr_vcpus); break;
    case C_POLICY: r = strcmp(policy_text(a), policy_text(b)); break;
    case C_DRX:    r = cmp_num(a->err ? -1 : a->r_drx, b->err ? -1 : b->r_drx); break;
    case C_DB:     r = cmp_num(a->err ? -1 : a->r_db, b->err ? -1 : b->r_db); break;
    case C_LDSV:   r = cmp_num(a->err ? -1 : a->r_ldsv, b->err ? -1 : b->r_ldsv); break;
    case C_HBP:    r = cmp_num(a->err ? -1.0 : a->hbp, b->err ? -1.0 : b->hbp); break;
    case C_STEP:   r = cmp_num(a->err ? -1.0 : a->step, b->err ? -1.0 : b->step); break;
    }
    if ( !r )
        r = cmp_num(a->info.domid, b->info.domid);
    return sort_view->desc ? -r : r;
}

/* Domains in display order; the array is malloc'd. */
static const struct dsamp **sorted(const struct snap *s, const struct view *v)
{
    const struct dsamp **o;

    if ( !s || !s->up || !s->nd || !(o = calloc(s->nd, sizeof(*o))) )
        return NULL;
    for ( unsigned int i = 0; i < s->nd; i++ )
        o[i] = &s->d[i];
    sort_view = v;
    qsort(o, s->nd, sizeof(*o), dom_cmp);
    return o;
}

static void uptime_text(uint64_t ns, char *b, size_t n)
{
    uint64_t s = ns / 1000000000ull;

    if ( s >= 86400 )
        snprintf(b, n, "%" PRIu64 "d %" PRIu64 ":%02" PRIu64 ":%02" PRIu64,
                 s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
    else
        snprintf(b, n, "%" PRIu64 ":%02" PRIu64 ":%02" PRIu64,
                 s / 3600, s / 60 % 60, s % 60);
}

/* The four summary lines. Returns true if line 1 is an alarm. */
static bool summary(const struct snap *s, const struct view *v, char l[4][256])
{
    char now[16], last[16], up[32], r1[16], r2[16], r3[16];
    unsigned int n[DBGV_DOMSTATE_COUNT] = { 0 };
    double t1 = 0, t2 = 0, t3 = 0;
    bool any = false;

    clock_text(s ? s->t : real_now(), now, sizeof(now));
    if ( !s )
    {
        snprintf(l[0], 256, "dbgtop - %s   %s", now, v->uri);
        snprintf(l[1], 256, "Connecting to the hypervisor...");
        l[2][0] = l[3][0] = '\0';
        return false;
    }
    if ( !s->up )
    {
        clock_text(s->last_up, last, sizeof(last));
        snprintf(l[0], 256, "dbgtop - %s   %s", now, v->uri);
        snprintf(l[1], 256, "DISCONNECTED: %s", dbgctl_strerror(s->err));
        snprintf(l[2], 256, "Reconnecting every %.1fs; last contact %s",
                 v->delay < RECONNECT_MAX ? v->delay : RECONNECT_MAX,
                 s->last_up > 0 ? last : "never");
        l[3][0] = '\0';
        return true;
    }
    uptime_text(s->pi.uptime_ns, up, sizeof(up));
    snprintf(l[0], 256, "dbgtop - %s   %s   up %s   %s", now,
             s->hv_version[0] ? s->hv_version : "dbgvisor", up, v->uri);
    for ( unsigned int i = 0; i < s->nd; i++ )
    {
        const struct dsamp *d = &s->d[i];

        if ( d->info.state < DBGV_DOMSTATE_COUNT )
            n[d->info.state]++;
        if ( d->err )
            continue;
        if ( d->r_drx >= 0 )
            t1 += d->r_drx, t2 += d->r_db, t3 += d->r_ldsv, any = true;
    }
    snprintf(l[1], 256, "%u domains: %u running, %u blocked, %u paused, %u shutdown, "
             "%u crashed, %u dying", s->nd, n[0], n[1], n[2], n[3], n[4], n[5]);
    if ( s->pi.cpu_khz )
        snprintf(l[2], 256, "pCPUs: %u @ %u MHz   Mem: %" PRIu64 "k total, %" PRIu64
                 "k used, %" PRIu64 "k free", s->pi.nr_cpus, s->pi.cpu_khz / 1000,
                 s->pi.total_mem >> 10,
                 (s->pi.total_mem - (s->pi.free_mem < s->pi.total_mem
                                     ? s->pi.free_mem : s->pi.total_mem)) >> 10,
                 s->pi.free_mem >> 10);
    else
        snprintf(l[2], 256, "pCPUs: %u   Mem: %" PRIu64 "k total, %" PRIu64 "k free",
                 s->pi.nr_cpus, s->pi.total_mem >> 10, s->pi.free_mem >> 10);
    fmt_rate(any ? t1 : -1, r1, sizeof(r1));
    fmt_rate(any ? t2 : -1, r2, sizeof(r2));
    fmt_rate(any ? t3 : -1, r3, sizeof(r3));
    snprintf(l[3], 256, "DR exits/s %s  #DB/s %s  loads+saves/s %s   delay %.1fs  "
             "sort %s %s", r1, r2, r3, v->delay, cols[v->sort].label,
             v->desc ? "desc" : "asc");
    return false;
}

static int batch_name_width(const struct snap *s)
{
    int w = cols[C_NAME].width;

    for ( unsigned int i = 0; s && s->up && i < s->nd; i++ )
        if ( (int)strlen(s->d[i].info.name) > w )
            w = (int)strlen(s->d[i].info.name);
    return w;
}

/* As xentop's batch mode: names cut at the column's 10 characters unless
 * -f; with -r the header comes before each domain instead of once. */
static void batch_print(const struct snap *s, const struct view *v, bool vcpus)
{
    char l[4][256], row[512], hdr[512];
    const struct dsamp **o;
    cell_t c[C_COUNT];
    int name_w = v->full_names ? batch_name_width(s) : cols[C_NAME].width;

    summary(s, v, l);
    for ( int i = 0; i < 4; i++ )
        if ( l[i][0] )
            printf("%s\n", l[i]);
    if ( s && s->up )
    {
        hdr_cells(v, c);
        row_text(hdr, sizeof(hdr), c, name_w, 0);
        if ( !v->repeat_header )
            printf("%s\n", hdr);
        o = sorted(s, v);
        for ( unsigned int i = 0; o && i < s->nd; i++ )
        {
            if ( v->repeat_header )
                printf("%s\n", hdr);
            dom_cells(o[i], c);
            row_text(row, sizeof(row), c, name_w, 0);
            printf("%s\n", row);
            for ( unsigned int k = 0; vcpus && k < o[i]->nr; k++ )
            {
                vcpu_text(row, sizeof(row), &o[i]->v[k], true);
                printf("    %s\n", row);
            }
        }
        free(o);
    }
    printf("\n");
    fflush(stdout);
}

/* ---- poller thread ---------------------------------------------------- */

/* Keys ask for actions; the poller resolves them against the domain's state
 * as the hypervisor has it at that moment, so that pressing p twice cycles
 * twice even between two refreshes. */
enum act_kind { ACT_NONE, ACT_POLICY_NEXT, ACT_PAUSE_TOGGLE };

struct action {
    enum act_kind kind;
    uint32_t domid;
    char name[DBGV_CTL_NAME_LEN];
};
#define ACT_QUEUE 16

static struct shared {
    pthread_mutex_t m;
    pthread_cond_t cv;
    struct snap *latest;
    unsigned long gen;
    double delay;
    bool quit, refresh;
    struct action act[ACT_QUEUE];
    unsigned int act_head, act_n;
    char msg[256];
    unsigned long msg_gen;
} sh = { .m = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static void set_msg_locked(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(sh.msg, sizeof(sh.msg), fmt, ap);
    va_end(ap);
    sh.msg_gen++;
}

static void do_action(struct poller *p, const struct action *a)
{
    struct dbgv_ctl_dominfo di;
    char msg[256];
    int rc = poller_connect(p);
    unsigned int to = 0;
    bool pause = false;

    if ( !rc )
        rc = dbgctl_domain_info(p->h, a->domid, &di);
    if ( !rc && strncmp(di.name, a->name, sizeof(di.name)) )
        rc = -ESRCH;                    /* the id now names another domain */
    if ( !rc && a->kind == ACT_POLICY_NEXT )
    {
        to = di.debug_policy < DBGV_POLICY_COUNT
             ? (di.debug_policy + 1u) % DBGV_POLICY_COUNT : DBGV_POLICY_DEFAULT;
        rc = dbgctl_debug_policy_set(p->h, a->domid, to, -1);
    }
    else if ( !rc )
    {
        pause = di.state != DBGV_DOMSTATE_PAUSED;
        rc = pause ? dbgctl_domain_pause(p->h, a->domid)
                   : dbgctl_domain_unpause(p->h, a->domid);
    }
    if ( p->h )
        dbgctl_idle(p->h);
    if ( a->kind == ACT_POLICY_NEXT && !rc )
        snprintf(msg, sizeof(msg), "%s: debug policy %s -> %s", a->name,
                 dbgctl_policy_name(di.debug_policy), dbgctl_policy_name(to));
    else if ( a->kind == ACT_POLICY_NEXT )
        snprintf(msg, sizeof(msg), "%s: cannot change the debug policy: %s",
                 a->name, dbgctl_strerror(rc));
    else if ( !rc )
        snprintf(msg, sizeof(msg), "%s: %s", a->name, pause ? "paused" : "unpaused");
    else
        snprintf(msg, sizeof(msg), "%s: cannot pause or unpause: %s", a->name,
                 dbgctl_strerror(rc));
    pthread_mutex_lock(&sh.m);
    set_msg_locked("%s", msg);
    pthread_mutex_unlock(&sh.m);
}

static void *poller_main(void *arg)
{
    struct poller *p = arg;
    double next = 0;

    pthread_mutex_lock(&sh.m);
    while ( !sh.quit )
    {
        if ( sh.act_n )
        {
            struct action a = sh.act[sh.act_head];

            sh.act_head = (sh.act_head + 1) % ACT_QUEUE;
            sh.act_n--;
            pthread_mutex_unlock(&sh.m);
            do_action(p, &a);
            pthread_mutex_lock(&sh.m);
            sh.refresh = true;
            continue;
        }
        if ( sh.refresh || mono_now() >= next )
        {
            struct snap *s;

            sh.refresh = false;
            pthread_mutex_unlock(&sh.m);
            s = poll_once(p);
            pthread_mutex_lock(&sh.m);
            if ( s )
            {
                snap_put(sh.latest);
                sh.latest = s;
                sh.gen++;
            }
            double d = sh.delay;

            if ( (!s || !s->up) && d > RECONNECT_MAX )
                d = RECONNECT_MAX;
            next = mono_now() + d;
            pthread_cond_broadcast(&sh.cv);
            continue;
        }
        double left = next - mono_now();
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        left += ts.tv_nsec / 1e9;
        ts.tv_sec += (time_t)left;
        ts.tv_nsec = (long)((left - floor(left)) * 1e9);
        pthread_cond_timedwait(&sh.cv, &sh.m, &ts);
    }
    pthread_mutex_unlock(&sh.m);
    return NULL;
}

/* ---- the screen ------------------------------------------------------- */

enum pair {
    P_HEADER = 1, P_RUN, P_PAUSE, P_BAD, P_TRAP, P_LAZY, P_SEL, P_ALARM, P_DIM,
    P_HOT,
};

struct ui {
    struct view v;
    struct snap *s;
    bool color;
    uint32_t sel;                       /* selected domid */
    int sel_pos;                        /* its position, if it vanishes */
    int top;                            /* first row shown */
    uint8_t *expanded;                  /* bitmap by domid */
    bool help;
    bool prompt;
    char pbuf[16];
    char msg[256];
    double msg_until;
    bool vcpus_all;
    uint64_t last_uptime;               /* of the last good snapshot */
};

static int attr_of(const struct ui *u, enum pair p)
{
    if ( u->color )
    {
        switch ( p )
        {
        case P_HEADER: return COLOR_PAIR(P_HEADER) | A_REVERSE;
        case P_SEL:    return COLOR_PAIR(P_SEL) | A_BOLD;
        case P_ALARM:  return COLOR_PAIR(P_ALARM) | A_BOLD;
        case P_HOT:    return COLOR_PAIR(P_HOT) | A_BOLD;
        case P_DIM:    return COLOR_PAIR(P_DIM);
        default:       return COLOR_PAIR(p);
        }
    }
    switch ( p )
    {
    case P_HEADER: return A_REVERSE;
    case P_SEL:    return A_BOLD | A_UNDERLINE;
    case P_ALARM:  return A_REVERSE | A_BOLD;
    case P_BAD:    return A_BOLD;
    case P_HOT:    return A_BOLD;
    case P_DIM:    return A_DIM;
    case P_PAUSE:  return A_UNDERLINE;
    default:       return A_NORMAL;
    }
}

static void init_colors(struct ui *u)
{
    if ( !u->color || !has_colors() || start_color() == ERR )
    {
        u->color = false;
        return;
    }
    use_default_colors();
    init_pair(P_HEADER, COLOR_CYAN, -1);
    init_pair(P_RUN, COLOR_GREEN, -1);
    init_pair(P_PAUSE, COLOR_YELLOW, -1);
    init_pair(P_BAD, COLOR_RED, -1);
    init_pair(P_TRAP, COLOR_MAGENTA, -1);
    init_pair(P_LAZY, COLOR_CYAN, -1);
    init_pair(P_SEL, COLOR_WHITE, COLOR_BLUE);
    init_pair(P_ALARM, COLOR_WHITE, COLOR_RED);
    init_pair(P_DIM, COLOR_BLUE, -1);
    init_pair(P_HOT, COLOR_YELLOW, -1);
}

static bool is_expanded(const struct ui *u, uint32_t domid)
{
    return u->vcpus_all ^ (domid <= DBGV_DOMID_MAX &&
                           (u->expanded[domid / 8] >> (domid % 8) & 1));
}

static void toggle_expanded(struct ui *u, uint32_t domid)
{
    if ( domid <= DBGV_DOMID_MAX )
        u->expanded[domid / 8] ^= 1u << (domid % 8);
}

/* What the terminal leaves, up to NAME_W_MAX; -f: up to a whole name. */
static int name_width(const struct view *v)
{
    int w = COLS - 2 - fixed_width(), max = v->full_names ? DBGV_CTL_NAME_LEN - 1 : NAME_W_MAX;

    return w < 6 ? 6 : w > max ? max : w;
}

static void put_line(int y, int attr, const char *text)
{
    attron(attr);
    mvaddnstr(y, 0, text, COLS);
    attroff(attr);
}

static void fill_line(int y, int attr, const char *text)
{
    attron(attr);
    mvaddnstr(y, 0, text, COLS);
    for ( int x = (int)strlen(text); x < COLS; x++ )
        mvaddch(y, x, ' ');
    attroff(attr);
}

static void put_cell(int y, int x, int w, bool right, const char *t, int attr)
{
    int n = (int)strlen(t), at;

    if ( n > w )
        n = w;
    at = right ? x + w - n : x;
    if ( at < 0 || at >= COLS )
        return;
    if ( n > COLS - at )
        n = COLS - at;              /* never wrap onto the next line */
    attron(attr);
    mvaddnstr(y, at, t, n);
    attroff(attr);
}

static int state_attr(const struct ui *u, unsigned int state)
{
    switch ( state )
    {
    case DBGV_DOMSTATE_RUNNING: return attr_of(u, P_RUN);
    case DBGV_DOMSTATE_PAUSED:  return attr_of(u, P_PAUSE);
    case DBGV_DOMSTATE_CRASHED: return attr_of(u, P_BAD);
    case DBGV_DOMSTATE_SHUTDOWN:
    case DBGV_DOMSTATE_DYING:   return attr_of(u, P_DIM);
    default:                    return A_NORMAL;
    }
}

static void draw_help(struct ui *u)
{
    static const char *const lines[] = {
        "dbgtop " DBGTOP_VERSION " - keys",
        "",
        "  q, Esc       quit",
        "  Up/Down      select a domain (PgUp/PgDn, Home/End)",
        "  Enter        show or hide its vCPUs (Right/Left too)",
        "  s / S        next sort column / reverse the order",
        "  d            set the refresh delay (seconds)",
        "  p            next debug policy for the selected domain:",
        "               trap > lazy-exit > lazy-sched > adaptive",
        "  P            pause or unpause the selected domain",
        "  v            every domain's vCPUs  r   repeat the header",
        "  Ctrl-L       repaint, refresh now  h, ?  this help",
        "  n, b         (xentop's networks and block devices: none here)",
        "",
        "DREXIT/s MOV-DR exits  #DB/s #DB exits  LD+SV/s DR loads+saves",
        "HBP host-owned slots   STEP single-step owner (guest/host)",
        "vCPU rows: trapping or pass-through, dirty or clean, slot",
        "owners (g guest, h host, - free), step owner, last DR6/DR7",
        "",
        "Any key returns.",
    };
    int n = (int)(sizeof(lines) / sizeof(lines[0])), w = 0;

    for ( int i = 0; i < n; i++ )
        if ( (int)strlen(lines[i]) > w )
            w = (int)strlen(lines[i]);
    w += 4;
    int h = n + 2, y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;

    if ( y0 < 0 ) y0 = 0;
    if ( x0 < 0 ) x0 = 0;
    if ( h > LINES ) h = LINES;
    if ( w > COLS ) w = COLS;
    WINDOW *win = newwin(h, w, y0, x0);

    if ( !win )
        return;
    werase(win);
    wattron(win, attr_of(u, P_HEADER));
    box(win, 0, 0);
    wattroff(win, attr_of(u, P_HEADER));
    for ( int i = 0; i < n && 1 + i < h - 1; i++ )
        mvwaddnstr(win, 1 + i, 2, lines[i], w - 3);
    wnoutrefresh(win);
    delwin(win);
}

static void draw(struct ui *u)
{
    const struct snap *s = u->s;
    char l[4][256], row[512], hdr[512];
    cell_t c[C_COUNT];
    int x[C_COUNT], name_w = name_width(&u->v), y, rep = u->v.repeat_header;
    const struct dsamp **o;
    bool alarm;

    erase();
    if ( COLS < 20 || LINES < 6 )
    {
        mvaddnstr(0, 0, "dbgtop: window too small", COLS);
        refresh();
        return;
    }
    alarm = summary(s, &u->v, l);
    if ( s && s->up && mono_now() - s->mono > 2 * u->v.delay + 2 )
    {
        /* The poller is stuck on a hypervisor that does not answer. */
        snprintf(l[3], sizeof(l[3]), "(no reply for %.0f s; the data above is old)",
                 mono_now() - s->mono);
        alarm = true;
    }
    for ( int i = 0; i < 4; i++ )
        put_line(i, alarm && (i == 1 ? !s->up : i == 3 && s->up) ? attr_of(u, P_ALARM) : i == 0 ? (int)A_BOLD : (int)A_NORMAL,
                 l[i]);

    /* Header: reverse video, the sort column marked (and underlined). */
    hdr_cells(&u->v, c);
    row_text(hdr, sizeof(hdr), c, name_w, 2);
    fill_line(4, attr_of(u, P_HEADER), hdr);
    layout(name_w, 2, x);
    {
        int w = u->v.sort == C_NAME ? name_w : cols[u->v.sort].width;
        int xs = x[u->v.sort];

        if ( (int)strlen(c[u->v.sort]) > w && cols[u->v.sort].right )
            w++, xs--;
        put_cell(4, xs, w, cols[u->v.sort].right, c[u->v.sort],
                 attr_of(u, P_HEADER) | A_BOLD | A_UNDERLINE);
    }

    /* Rows: domains, each followed by its vCPUs when expanded. */
    int avail = LINES - 6, nrows = 0, sel_row = 0, sel_idx = -1;

    o = sorted(s, &u->v);
    if ( o )
    {
        for ( unsigned int i = 0; i < s->nd; i++ )
            if ( o[i]->info.domid == u->sel )
                sel_idx = (int)i;
        if ( sel_idx < 0 )
        {
            sel_idx = u->sel_pos < (int)s->nd ? u->sel_pos : (int)s->nd - 1;
            if ( sel_idx < 0 )
                sel_idx = 0;
            u->sel = o[sel_idx]->info.domid;
        }
        u->sel_pos = sel_idx;
        for ( unsigned int i = 0; i < s->nd; i++ )
        {
            nrows += rep;               /* -r: its header */
            if ( (int)i == sel_idx )
                sel_row = nrows;
            nrows++;
            if ( is_expanded(u, o[i]->info.domid) )
                nrows += o[i]->nr;
        }
        /* Keep the selected domain and, if they fit, its vCPUs in view. */
        int sel_end = sel_row + (is_expanded(u, u->sel) ? (int)o[sel_idx]->nr : 0);

        if ( sel_end >= u->top + avail )
            u->top = sel_end - avail + 1;
        if ( sel_row < u->top )
            u->top = sel_row;
        if ( u->top > nrows - avail )
            u->top = nrows - avail;
        if ( u->top < 0 )
            u->top = 0;
    }
    y = 5;
    int r = 0;

    for ( unsigned int i = 0; o && i < s->nd && y < LINES - 1; i++ )
    {
        const struct dsamp *d = o[i];
        bool exp = is_expanded(u, d->info.domid), sel = (int)i == sel_idx;

        if ( rep && r++ >= u->top )
            fill_line(y++, attr_of(u, P_HEADER), hdr);
        if ( y < LINES - 1 && r++ >= u->top )
        {
            int base = sel ? attr_of(u, P_SEL) : (int)A_NORMAL;
            /* On the selected row only the cell's video attributes add up:
             * colour pairs cannot be OR-ed. */
#define CELL(a) (sel ? base | ((a) & ~(int)A_COLOR) : (a))

            dom_cells(d, c);
            row_text(row, sizeof(row), c, name_w, 2);
            row[0] = sel ? '>' : ' ';
            row[1] = d->nr ? (exp ? '-' : '+') : ' ';
            if ( sel )
                fill_line(y, base, row);
            else
                put_line(y, base, row);
            put_cell(y, x[C_STATE], cols[C_STATE].width, false, c[C_STATE],
                     CELL(state_attr(u, d->info.state)));
            if ( d->info.domid != DBGV_DOMID_SELF )
                put_cell(y, x[C_POLICY], cols[C_POLICY].width, false, c[C_POLICY],
                         CELL(attr_of(u, d->info.debug_policy == DBGV_POLICY_TRAP
                                           ? P_TRAP : P_LAZY)));
            if ( !d->err && d->r_drx > 0 )
                put_cell(y, x[C_DRX], cols[C_DRX].width, true, c[C_DRX],
                         CELL(attr_of(u, P_HOT)));
#undef CELL
            y++;
        }
        for ( unsigned int k = 0; exp && k < d->nr && y < LINES - 1; k++ )
        {
            if ( r++ < u->top )
                continue;
            vcpu_text(row, sizeof(row), &d->v[k], COLS >= 100);
            mvaddnstr(y, 0, "    ", COLS);
            mvaddnstr(y, 4, row, COLS > 4 ? COLS - 4 : 0);
            /* Colour the lazy state: the thing to watch. */
            put_cell(y, 12, 12, false,
                     lazy_label(d->v[k].st.lazy_state),
                     attr_of(u, d->v[k].st.lazy_state == DBGV_LAZY_PASSTHROUGH
                                ? P_LAZY : P_TRAP));
            y++;
        }
    }
    if ( s && s->up && !s->nd )
        mvaddnstr(5, 2, "(no domains)", COLS - 2);
    if ( s && !s->up )
        mvaddnstr(6, 2, "(the hypervisor is not answering; dbgtop reconnects when "
                  "it returns)", COLS - 2);
    free(o);

    /* Bottom line: a prompt, a recent message, or the key hints. */
    if ( u->prompt )
    {
        snprintf(row, sizeof(row), "Delay in seconds [%.1f]: %s", u->v.delay, u->pbuf);
        put_line(LINES - 1, A_BOLD, row);
    }
    else if ( u->msg[0] && mono_now() < u->msg_until )
        put_line(LINES - 1, A_BOLD, u->msg);
    else
        put_line(LINES - 1, attr_of(u, P_DIM),
                 "q quit  Up/Dn select  Enter vCPUs  s/S sort  d delay  p policy  "
                 "P pause  v  r  h help");
    wnoutrefresh(stdscr);
    if ( u->help )
        draw_help(u);
    doupdate();
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    got_signal = sig;
}

static void request(struct ui *u, enum act_kind kind)
{
    const struct dsamp *d = NULL;
    struct action a = { .kind = kind };

    for ( unsigned int i = 0; u->s && u->s->up && i < u->s->nd; i++ )
        if ( u->s->d[i].info.domid == u->sel )
            d = &u->s->d[i];
    if ( !d )
    {
        snprintf(u->msg, sizeof(u->msg), "no domain selected");
        u->msg_until = mono_now() + MSG_SECONDS;
        return;
    }
    if ( d->info.domid == DBGV_DOMID_SELF )
    {
        snprintf(u->msg, sizeof(u->msg), "Domain-0 has no virtualized debug state "
                 "and cannot be paused");
        u->msg_until = mono_now() + MSG_SECONDS;
        return;
    }
    a.domid = d->info.domid;
    snprintf(a.name, sizeof(a.name), "%s", d->info.name);
    pthread_mutex_lock(&sh.m);
    if ( sh.act_n < ACT_QUEUE )
    {
        sh.act[(sh.act_head + sh.act_n) % ACT_QUEUE] = a;
        sh.act_n++;
    }
    pthread_cond_broadcast(&sh.cv);
    pthread_mutex_unlock(&sh.m);
    snprintf(u->msg, sizeof(u->msg), "%s: %s...", a.name,
             kind == ACT_POLICY_NEXT ? "changing the debug policy"
             : d->info.state == DBGV_DOMSTATE_PAUSED ? "unpausing" : "pausing");
    u->msg_until = mono_now() + MSG_SECONDS;
}

static void move_sel(struct ui *u, int delta, bool absolute)
{
    const struct dsamp **o = sorted(u->s, &u->v);
    int n = u->s && u->s->up ? (int)u->s->nd : 0, pos = u->sel_pos;

    if ( !o )
        return;
    for ( int i = 0; i < n; i++ )
        if ( o[i]->info.domid == u->sel )
            pos = i;
    pos = absolute ? delta : pos + delta;
    if ( pos >= n )
        pos = n - 1;
    if ( pos < 0 )
        pos = 0;
    u->sel = o[pos]->info.domid;
    u->sel_pos = pos;
    free(o);
}

static void set_delay(struct ui *u, double d)
{
    u->v.delay = d;
    pthread_mutex_lock(&sh.m);
    sh.delay = d;
    sh.refresh = true;
    pthread_cond_broadcast(&sh.cv);
    pthread_mutex_unlock(&sh.m);
}

#define KEY_REPAINT 0x0c                /* Ctrl-L */

/* xentop's -n/-x and keys n/b: devices dbgvisor domains do not have. */
static const char *not_applicable(bool networks)
{
    return networks ? "networks: not applicable (dbgvisor domains have no network devices)"
                    : "block devices: not applicable (dbgvisor domains have no virtual"
                      " block devices)";
}

/* Returns false to quit. */
static bool handle_key(struct ui *u, int ch)
{
    if ( u->help )
    {
        if ( ch != KEY_RESIZE )
            u->help = false;
        return true;
    }
    if ( u->prompt )
    {
        size_t n = strlen(u->pbuf);

        if ( ch == 27 )
            u->prompt = false;
        else if ( ch == '\n' || ch == '\r' || ch == KEY_ENTER )
        {
            char *end;
            double d = strtod(u->pbuf, &end);

            u->prompt = false;
            if ( n && !*end && d >= 0.1 && d <= 3600 )
            {
                set_delay(u, d);
                snprintf(u->msg, sizeof(u->msg), "delay %.1f s", d);
            }
            else if ( n )
                snprintf(u->msg, sizeof(u->msg), "delay must be 0.1 to 3600 seconds");
            u->msg_until = mono_now() + MSG_SECONDS;
        }
        else if ( (ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n )
            u->pbuf[n - 1] = '\0';
        else if ( ((ch >= '0' && ch <= '9') || ch == '.') && n + 1 < sizeof(u->pbuf) )
            u->pbuf[n] = (char)ch, u->pbuf[n + 1] = '\0';
        return true;
    }
    switch ( ch )
    {
    case 'q': case 'Q': case 27:
        return false;
    case KEY_UP: case 'k':    move_sel(u, -1, false); break;
    case KEY_DOWN: case 'j':  move_sel(u, 1, false); break;
    case KEY_PPAGE:           move_sel(u, -(LINES - 7), false); break;
    case KEY_NPAGE:           move_sel(u, LINES - 7, false); break;
    case KEY_HOME:            move_sel(u, 0, true); break;
    case KEY_END:             move_sel(u, INT_MAX / 2, true); break;
    case '\n': case '\r': case KEY_ENTER: case ' ':
        toggle_expanded(u, u->sel);
        break;
    case KEY_RIGHT:
        if ( !is_expanded(u, u->sel) )
            toggle_expanded(u, u->sel);
        break;
    case KEY_LEFT:
        if ( is_expanded(u, u->sel) )
            toggle_expanded(u, u->sel);
        break;
    case 's':
        u->v.sort = (u->v.sort + 1) % C_COUNT;
        snprintf(u->msg, sizeof(u->msg), "sorted by %s", cols[u->v.sort].what);
        u->msg_until = mono_now() + MSG_SECONDS;
        break;
    case 'S':
        u->v.desc = !u->v.desc;
        break;
    case 'd': case 'D':
        u->prompt = true;
        u->pbuf[0] = '\0';
        break;
    case 'p':
        request(u, ACT_POLICY_NEXT);
        break;
    case 'P':
        request(u, ACT_PAUSE_TOGGLE);
        break;
    case 'v': case 'V':                 /* xentop's: every domain's vCPUs, or none */
        u->vcpus_all = !u->vcpus_all;
        memset(u->expanded, 0, DBGV_DOMID_MAX / 8 + 1);
        break;
    case 'r': case 'R':                 /* xentop's: repeat the header */
        u->v.repeat_header = !u->v.repeat_header;
        snprintf(u->msg, sizeof(u->msg), "repeat header %s", u->v.repeat_header ? "on" : "off");
        u->msg_until = mono_now() + MSG_SECONDS;
        break;
    case 'n': case 'N': case 'b': case 'B':
        snprintf(u->msg, sizeof(u->msg), "%s", not_applicable(ch == 'n' || ch == 'N'));
        u->msg_until = mono_now() + MSG_SECONDS;
        break;
    case KEY_REPAINT:                   /* xentop's Ctrl-L: repaint, and poll now */
        clearok(curscr, TRUE);
        pthread_mutex_lock(&sh.m);
        sh.refresh = true;
        pthread_cond_broadcast(&sh.cv);
        pthread_mutex_unlock(&sh.m);
        break;
    case 'h': case 'H': case '?':
        u->help = true;
        break;
    default:
        break;
    }
    return true;
}

static int run_screen(struct ui *u, long iterations)
{
    unsigned long seen_gen = 0, seen_msg = 0;
    long refreshes = 0;
    int rc = 0;

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    SCREEN *scr = newterm(NULL, stdout, stdin);

    if ( !scr )
    {
        const char *t = getenv("TERM");

        fprintf(stderr, "dbgtop: cannot drive terminal type '%s' (try -b)\n",
                t ? t : "");
        return 2;
    }
    set_term(scr);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    timeout(100);
    init_colors(u);

    for ( ;; )
    {
        bool quit_after = false;

        pthread_mutex_lock(&sh.m);
        if ( sh.gen != seen_gen && sh.latest )
        {
            seen_gen = sh.gen;
            /* A restarted hypervisor (uptime went back): its domain ids name
             * other domains, so forget which ones were expanded. */
            if ( sh.latest->up && u->last_uptime > sh.latest->pi.uptime_ns )
                memset(u->expanded, 0, DBGV_DOMID_MAX / 8 + 1);
            if ( sh.latest->up )
                u->last_uptime = sh.latest->pi.uptime_ns;
            snap_put(u->s);
            u->s = snap_ref(sh.latest);
            refreshes++;
            if ( iterations > 0 && refreshes >= iterations )
                quit_after = true;
        }
        if ( sh.msg_gen != seen_msg )
        {
            seen_msg = sh.msg_gen;
            snprintf(u->msg, sizeof(u->msg), "%s", sh.msg);
            u->msg_until = mono_now() + MSG_SECONDS;
        }
        pthread_mutex_unlock(&sh.m);

        draw(u);
        if ( quit_after || got_signal )
            break;
        int ch = getch();

        if ( ch == ERR )
            continue;
        if ( ch == KEY_RESIZE )
        {
            clear();
            continue;
        }
        if ( !handle_key(u, ch) )
            break;
    }
    endwin();
    delscreen(scr);
    return rc;
}

/* ---- main ------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
"usage: dbgtop [--socket PATH] [-d SECONDS] [-b] [-i N] [-v] [-f] [-r] [-m]\n"
"\n"
"Live debug-register state of every dbgvisor domain, like xentop.\n"
"\n"
"  -S, --socket PATH    control socket (unix:/path or a path); default\n"
"                       $DBGCTL_URI, then the launcher's default socket\n"
"  -d, --delay SECONDS  seconds between refreshes (default 1, min 0.1)\n"
"  -b, --batch          plain text on stdout instead of the screen\n"
"  -i, --iterations N   stop after N refreshes\n"
"  -v, --vcpus          show every domain's vCPUs (batch: one line each)\n"
"  -f, --full-name      whole domain names (else cut at 10 columns, as xentop)\n"
"  -r, --repeat-header  the table header before each domain\n"
"  -n, --networks, -x, --vbds  xentop's; not applicable (no such devices)\n"
"  -m, --mono           no colours (also when NO_COLOR is set)\n"
"  -h, --help           this help;  -V, --version  the version\n"
"\n"
"Keys: q quit, arrows select, Enter vCPUs, s/S sort, d delay, p policy,\n"
"P pause, v all vCPUs, r repeat header, Ctrl-L repaint, h help. See dbgtop(1).\n");
}

static char *socket_uri(const char *arg)
{
    char *uri, cwd[PATH_MAX];

    if ( !strncmp(arg, "unix:", 5) || arg[0] == '/' || strchr(arg, ':') )
        return strdup(arg);
    if ( !getcwd(cwd, sizeof(cwd)) )
        return strdup(arg);
    return asprintf(&uri, "unix:%s/%s", cwd, arg) < 0 ? NULL : uri;
}

/* The connection, snapshots and URI a poller holds; def: the URI not to free. */
static void poller_dispose(struct poller *p, const char *def)
{
    if ( p->h )
        dbgctl_close(p->h);
    snap_put(p->base);
    snap_put(p->prev);
    if ( p->uri != def )
        free((char *)p->uri);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "socket", required_argument, NULL, 'S' },
        { "delay", required_argument, NULL, 'd' },
        { "batch", no_argument, NULL, 'b' },
        { "iterations", required_argument, NULL, 'i' },
        { "vcpus", no_argument, NULL, 'v' },
        { "full-name", no_argument, NULL, 'f' },
        { "repeat-header", no_argument, NULL, 'r' },
        { "networks", no_argument, NULL, 'n' },
        { "vbds", no_argument, NULL, 'x' },
        { "mono", no_argument, NULL, 'm' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    struct ui u = { .v = { .sort = C_ID, .delay = 1.0 }, .color = true };
    struct poller p = { 0 };
    char def[4096], *end;
    const char *nc = getenv("NO_COLOR");
    bool batch = false;
    long iterations = 0;
    int c, rc = 0;
    pthread_t tid;

    while ( (c = getopt_long(argc, argv, "S:d:bi:vfrnxmhV", opts, NULL)) != -1 )
    {
        switch ( c )
        {
        case 'S':
            if ( !(p.uri = socket_uri(optarg)) )
                return 2;
            break;
        case 'd':
            errno = 0;
            u.v.delay = strtod(optarg, &end);
            if ( errno || *end || end == optarg || !(u.v.delay >= 0.1 && u.v.delay <= 3600) )
            {
                fprintf(stderr, "dbgtop: -d takes 0.1 to 3600 seconds, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'b':
            batch = true;
            break;
        case 'i':
            errno = 0;
            iterations = strtol(optarg, &end, 10);
            if ( errno || *end || end == optarg || iterations < 1 )
            {
                fprintf(stderr, "dbgtop: -i takes a positive number, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'v':
            u.vcpus_all = true;
            break;
        case 'f':
            u.v.full_names = true;
            break;
        case 'r':
            u.v.repeat_header = true;
            break;
        case 'n': case 'x':
            fprintf(stderr, "dbgtop: -%c: %s\n", c, not_applicable(c == 'n'));
            break;
        case 'm':
            u.color = false;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("dbgtop %s (libdebugctl %d.%d)\n", DBGTOP_VERSION,
                   DBGCTL_VERSION_MAJOR, DBGCTL_VERSION_MINOR);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if ( optind < argc )
    {
        fprintf(stderr, "dbgtop: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if ( nc && *nc )
        u.color = false;
    if ( !p.uri )
    {
        if ( dbgctl_default_uri(def, sizeof(def)) )
        {
            fprintf(stderr, "dbgtop: the default control socket path is too long\n");
            return 2;
        }
        p.uri = def;
    }
    u.v.uri = p.uri;
    signal(SIGPIPE, SIG_IGN);

    if ( batch )
    {
        bool all_up = true;

        double last = 0;

        for ( long i = 0; !iterations || i < iterations; i++ )
        {
            struct snap *s;

            if ( i )
            {
                /* Sleep what is left of the delay after the last poll. */
                double left = last + u.v.delay - mono_now();

                if ( left > 0 )
                    usleep((useconds_t)(left * 1e6));
            }
            last = mono_now();
            s = poll_once(&p);
            if ( !s )
                return 1;
            if ( !s->up )
            {
                all_up = false;
                fprintf(stderr, "dbgtop: %s: %s\n", p.uri, dbgctl_strerror(s->err));
            }
            batch_print(s, &u.v, u.vcpus_all);
            snap_put(s);
        }
        poller_dispose(&p, def);
        return all_up ? 0 : 1;
    }

    if ( !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) )
    {
        fprintf(stderr, "dbgtop: not a terminal (use -b for batch mode)\n");
        return 2;
    }
    if ( !(u.expanded = calloc(DBGV_DOMID_MAX / 8 + 1, 1)) )
        return 1;
    sh.delay = u.v.delay;
    if ( pthread_create(&tid, NULL, poller_main, &p) )
    {
        fprintf(stderr, "dbgtop: cannot start the poller thread\n");
        return 1;
    }
    rc = run_screen(&u, iterations);
    pthread_mutex_lock(&sh.m);
    sh.quit = true;
    pthread_cond_broadcast(&sh.cv);
    pthread_mutex_unlock(&sh.m);
    /* The poller may be waiting on a hung hypervisor: do not wait for it
     * (exiting ends it). */
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 500000000;
    if ( ts.tv_nsec >= 1000000000 )
        ts.tv_sec++, ts.tv_nsec -= 1000000000;
    if ( pthread_timedjoin_np(tid, NULL, &ts) == 0 )
        poller_dispose(&p, def);    /* the poller is gone: nothing uses it now */
    free(u.expanded);
    snap_put(u.s);
    if ( got_signal && got_signal != SIGINT )
        rc = 128 + got_signal;
    return rc;
}
