/*
 * libxenlight for dbgvisor: the Xen 4.17 libxl basics over libdebugctl.
 * Each call maps to one or two control messages; errors are logged through
 * the caller's xentoollog logger and mapped to ERROR_* codes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <debugctl.h>
#include <libxl.h>
#include <libxl_utils.h>

struct libxl__ctx {
    dbgctl *h;
    xentoollog_logger *lg;
    libxl_version_info version;
    bool have_version;
};

static void logerr(libxl_ctx *ctx, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void logerr(libxl_ctx *ctx, int rc, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    if ( !ctx || !ctx->lg )
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    xtl_log(ctx->lg, XTL_ERROR, -1, "libxl", "%s: %s", msg, dbgctl_strerror(rc));
}

/* libdebugctl's negative errno -> libxl's ERROR_*. */
static int xlerr(int rc)
{
    switch ( rc )
    {
    case 0:           return 0;
    case -ESRCH:      return ERROR_DOMAIN_NOTFOUND;
    case -EINVAL:
    case -EPERM:      return ERROR_INVAL;
    case -ENOMEM:     return ERROR_NOMEM;
    case -ETIMEDOUT:  return ERROR_TIMEDOUT;
    case -ENOSYS:
    case -EOPNOTSUPP: return ERROR_NI;
    case -EPROTO:     return ERROR_VERSION;
    default:          return ERROR_FAIL;
    }
}

static int finish_ao(libxl_ctx *ctx, int rc, const libxl_asyncop_how *ao_how)
{
    /* Everything here is synchronous: complete, then call back. */
    if ( ao_how && ao_how->callback )
    {
        ao_how->callback(ctx, rc, ao_how->u.for_callback);
        return 0;
    }
    return rc;
}

const char *libxl_error_to_string(libxl_error e)
{
    static const char *const n[] = {
        "NONSPECIFIC", "VERSION", "FAIL", "NI", "NOMEM", "INVAL", "BADFAIL",
        "GUEST_TIMEDOUT", "TIMEDOUT", "NOPARAVIRT", "NOT_READY",
        "OSEVENT_REG_FAIL", "BUFFERFULL", "UNKNOWN_CHILD", "LOCK_FAIL",
        "JSON_CONFIG_EMPTY", "DEVICE_EXISTS", "CHECKPOINT_DEVOPS_DOES_NOT_MATCH",
        "CHECKPOINT_DEVICE_NOT_SUPPORTED", "VNUMA_CONFIG_INVALID",
        "DOMAIN_NOTFOUND", "ABORTED", "NOTFOUND", "DOMAIN_DESTROYED",
        "FEATURE_REMOVED", "PROTOCOL_ERROR_QMP", "UNKNOWN_QMP_ERROR",
        "QMP_GENERIC_ERROR", "QMP_COMMAND_NOT_FOUND", "QMP_DEVICE_NOT_ACTIVE",
        "QMP_DEVICE_NOT_FOUND", "QEMU_API",
    };
    int i = -(int)e - 1;

    return i >= 0 && i < (int)(sizeof(n) / sizeof(n[0])) ? n[i] : NULL;
}

const char *libxl_shutdown_reason_to_string(libxl_shutdown_reason r)
{
    static const char *const n[] = {
        "poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset",
    };

    if ( r == LIBXL_SHUTDOWN_REASON_UNKNOWN )
        return "unknown";
    return (unsigned)r < sizeof(n) / sizeof(n[0]) ? n[r] : NULL;
}

/* ---- init/dispose ----------------------------------------------------- */

void libxl_dominfo_init(libxl_dominfo *p)
{
    memset(p, 0, sizeof(*p));
    p->shutdown_reason = LIBXL_SHUTDOWN_REASON_UNKNOWN;
    p->domain_type = LIBXL_DOMAIN_TYPE_INVALID;
}

void libxl_dominfo_dispose(libxl_dominfo *p)
{
    free(p->ssid_label);
    memset(p, 0, sizeof(*p));
}

void libxl_vcpuinfo_init(libxl_vcpuinfo *p)
{
    memset(p, 0, sizeof(*p));
}

void libxl_vcpuinfo_dispose(libxl_vcpuinfo *p)
{
    free(p->cpumap.map);
    free(p->cpumap_soft.map);
    memset(p, 0, sizeof(*p));
}

void libxl_physinfo_init(libxl_physinfo *p)
{
    memset(p, 0, sizeof(*p));
}

void libxl_physinfo_dispose(libxl_physinfo *p)
{
    memset(p, 0, sizeof(*p));
}

void libxl_version_info_init(libxl_version_info *p)
{
    memset(p, 0, sizeof(*p));
}

void libxl_version_info_dispose(libxl_version_info *p)
{
    free(p->xen_version_extra);
    free(p->compiler);
    free(p->compile_by);
    free(p->compile_domain);
    free(p->compile_date);
    free(p->capabilities);
    free(p->changeset);
    free(p->commandline);
    free(p->build_id);
    memset(p, 0, sizeof(*p));
}

/* ---- context ---------------------------------------------------------- */

int libxl_ctx_alloc(libxl_ctx **pctx, int version, unsigned flags,
                    xentoollog_logger *lg)
{
    libxl_ctx *ctx = NULL;
    int rc;

    *pctx = NULL;
    if ( version != LIBXL_VERSION )
        return ERROR_VERSION;
    ctx = calloc(1, sizeof(*ctx));
    if ( !ctx )
        return ERROR_NOMEM;
    ctx->lg = lg;
    rc = dbgctl_open(NULL, &ctx->h);
    if ( rc )
    {
        logerr(ctx, rc, "cannot connect to the dbgvisor hypervisor");
        rc = xlerr(rc);
        goto out;
    }
    *pctx = ctx;
    ctx = NULL;
 out:
    free(ctx);
    return rc;
}

int libxl_ctx_free(libxl_ctx *ctx)
{
    if ( !ctx )
        return 0;
    dbgctl_close(ctx->h);
    libxl_version_info_dispose(&ctx->version);
    free(ctx);
    return 0;
}

/* ---- host ------------------------------------------------------------- */

int libxl_get_physinfo(libxl_ctx *ctx, libxl_physinfo *p)
{
    struct dbgv_ctl_physinfo pi;
    int rc = dbgctl_physinfo(ctx->h, &pi);

    if ( rc )
    {
        logerr(ctx, rc, "getting physinfo");
        return xlerr(rc);
    }
    libxl_physinfo_init(p);
    p->threads_per_core = 1;
    p->cores_per_socket = pi.nr_cpus;
    p->max_cpu_id = pi.max_cpu_id;
    p->nr_cpus = pi.nr_cpus;
    p->cpu_khz = pi.cpu_khz;
    p->total_pages = pi.total_mem >> 12;
    p->free_pages = pi.free_mem >> 12;
    p->max_possible_mfn = p->total_pages ? p->total_pages - 1 : 0;
    p->nr_nodes = 1;
    p->cap_hvm = pi.caps & DBGV_CAP_HVM;
    p->cap_hap = pi.caps & DBGV_CAP_HAP;
    return 0;
}

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

const libxl_version_info *libxl_get_version_info(libxl_ctx *ctx)
{
    struct dbgv_ctl_physinfo pi;
    libxl_version_info *v = &ctx->version;
    int rc;

    if ( ctx->have_version )
        return v;
    if ( (rc = dbgctl_physinfo(ctx->h, &pi)) )
    {
        logerr(ctx, rc, "getting version information");
        return NULL;
    }
    pi.hv_extra[sizeof(pi.hv_extra) - 1] = '\0';
    pi.hv_version[sizeof(pi.hv_version) - 1] = '\0';
    v->xen_version_major = pi.hv_major;
    v->xen_version_minor = pi.hv_minor;
    v->xen_version_extra = dup_or_empty(pi.hv_extra);
    v->compiler = dup_or_empty(pi.hv_version);
    v->compile_by = dup_or_empty(NULL);
    v->compile_domain = dup_or_empty(NULL);
    v->compile_date = dup_or_empty(NULL);
    v->capabilities = dup_or_empty(pi.caps & DBGV_CAP_ARCH_ARM64 ? "hvm-3.0-aarch64"
                                   : "hvm-3.0-x86_32 hvm-3.0-x86_64");
    v->changeset = dup_or_empty(NULL);
    v->virt_start = 0;
    v->pagesize = 4096;
    v->commandline = dup_or_empty(NULL);
    v->build_id = dup_or_empty(NULL);
    if ( !v->xen_version_extra || !v->compiler || !v->compile_by ||
         !v->compile_domain || !v->compile_date || !v->capabilities ||
         !v->changeset || !v->commandline || !v->build_id )
    {
        libxl_version_info_dispose(v);
        return NULL;
    }
    ctx->have_version = true;
    return v;
}

/* ---- domains ---------------------------------------------------------- */

static void fill_dominfo(libxl_dominfo *o, const struct dbgv_ctl_dominfo *d)
{
    bool shut = d->state == DBGV_DOMSTATE_SHUTDOWN || d->state == DBGV_DOMSTATE_CRASHED;

    libxl_dominfo_init(o);
    /* dbgvisor has no UUIDs: a stable one derived from the domid. */
    o->uuid.uuid[14] = d->domid >> 8;
    o->uuid.uuid[15] = d->domid & 0xff;
    o->domid = d->domid;
    o->running = d->state == DBGV_DOMSTATE_RUNNING;
    o->blocked = d->state == DBGV_DOMSTATE_BLOCKED;
    o->paused = d->state == DBGV_DOMSTATE_PAUSED;
    o->shutdown = shut;
    o->dying = d->state == DBGV_DOMSTATE_DYING;
    o->shutdown_reason = !shut ? LIBXL_SHUTDOWN_REASON_UNKNOWN
                       : d->state == DBGV_DOMSTATE_CRASHED ? LIBXL_SHUTDOWN_REASON_CRASH
                       : (libxl_shutdown_reason)d->shutdown_reason;
    o->current_memkb = d->mem_bytes >> 10;
    o->max_memkb = d->max_mem_bytes >> 10;
    o->cpu_time = d->cpu_time_ns;
    o->vcpu_max_id = d->nr_vcpus ? d->nr_vcpus - 1 : 0;
    o->vcpu_online = d->nr_vcpus;
    o->cpupool = 0;
    o->gpaddr_bits = 40;
    o->domain_type = LIBXL_DOMAIN_TYPE_HVM;
}

int libxl_domain_info(libxl_ctx *ctx, libxl_dominfo *info_r, uint32_t domid)
{
    struct dbgv_ctl_dominfo d;
    int rc = dbgctl_domain_info(ctx->h, domid, &d);

    if ( rc )
    {
        if ( rc != -ESRCH )
            logerr(ctx, rc, "getting info for domain %u", domid);
        return xlerr(rc);
    }
    if ( info_r )
        fill_dominfo(info_r, &d);
    return 0;
}

libxl_dominfo *libxl_list_domain(libxl_ctx *ctx, int *nb_domain_out)
{
    struct dbgv_ctl_dominfo *doms = NULL;
    libxl_dominfo *out = NULL;
    unsigned int nr = 0;
    int rc;

    *nb_domain_out = 0;
    if ( (rc = dbgctl_domain_list(ctx->h, &doms, &nr)) )
    {
        logerr(ctx, rc, "listing domains");
        goto out;
    }
    /* At least one element, so the caller can always free it. */
    out = calloc(nr ? nr : 1, sizeof(*out));
    if ( !out )
        goto out;
    for ( unsigned int i = 0; i < nr; i++ )
        fill_dominfo(&out[i], &doms[i]);
    *nb_domain_out = nr;
 out:
    free(doms);
    return out;
}

void libxl_dominfo_list_free(libxl_dominfo *list, int nb_domain)
{
    for ( int i = 0; list && i < nb_domain; i++ )
        libxl_dominfo_dispose(&list[i]);
    free(list);
}

static int bitmap_all(libxl_bitmap *b, uint32_t nr_cpus)
{
    b->size = (nr_cpus + 7) / 8;
    b->map = malloc(b->size ? b->size : 1);
    if ( !b->map )
        return ERROR_NOMEM;
    memset(b->map, 0, b->size ? b->size : 1);
    for ( uint32_t i = 0; i < nr_cpus; i++ )
        b->map[i / 8] |= 1u << (i % 8);
    return 0;
}

libxl_vcpuinfo *libxl_list_vcpu(libxl_ctx *ctx, uint32_t domid,
                                int *nb_vcpu, int *nr_cpus_out)
{
    struct dbgv_ctl_vcpuinfo *v = NULL;
    struct dbgv_ctl_physinfo pi;
    libxl_vcpuinfo *out = NULL;
    unsigned int nr = 0;
    int rc;

    *nb_vcpu = 0;
    *nr_cpus_out = 0;
    if ( (rc = dbgctl_physinfo(ctx->h, &pi)) ||
         (rc = dbgctl_vcpu_list(ctx->h, domid, &v, &nr)) )
    {
        logerr(ctx, rc, "listing vCPUs of domain %u", domid);
        goto out;
    }
    out = calloc(nr ? nr : 1, sizeof(*out));
    if ( !out )
        goto out;
    for ( unsigned int i = 0; i < nr; i++ )
    {
        libxl_vcpuinfo *o = &out[i];

        libxl_vcpuinfo_init(o);
        o->vcpuid = v[i].vcpu;
        o->cpu = v[i].pcpu < 0 ? 0 : (uint32_t)v[i].pcpu;
        o->online = v[i].state != DBGV_VCPUSTATE_OFFLINE;
        o->blocked = v[i].state == DBGV_VCPUSTATE_BLOCKED;
        o->running = v[i].state == DBGV_VCPUSTATE_RUNNING;
        o->vcpu_time = v[i].cpu_time_ns;
        if ( bitmap_all(&o->cpumap, pi.nr_cpus) ||
             bitmap_all(&o->cpumap_soft, pi.nr_cpus) )
        {
            libxl_vcpuinfo_list_free(out, i + 1);
            out = NULL;
            goto out;
        }
    }
    *nb_vcpu = nr;
    *nr_cpus_out = pi.nr_cpus;
 out:
    free(v);
    return out;
}

void libxl_vcpuinfo_list_free(libxl_vcpuinfo *list, int nr_vcpus)
{
    for ( int i = 0; list && i < nr_vcpus; i++ )
        libxl_vcpuinfo_dispose(&list[i]);
    free(list);
}

/* The result of a dbgctl call on a domain, logged and as libxl returns it. */
static int op_done(libxl_ctx *ctx, uint32_t domid, int rc, const char *what,
                   const libxl_asyncop_how *ao_how)
{
    if ( rc )
        logerr(ctx, rc, "%s domain %u", what, domid);
    return finish_ao(ctx, xlerr(rc), ao_how);
}

static int domain_op(libxl_ctx *ctx, uint32_t domid,
                     int (*op)(dbgctl *, uint32_t), const char *what,
                     const libxl_asyncop_how *ao_how)
{
    return op_done(ctx, domid, op(ctx->h, domid), what, ao_how);
}

/* Defined under their real names even when the header maps them to the
 * 0x041200 inline wrappers. */
#undef libxl_domain_pause
#undef libxl_domain_unpause
#undef libxl_domain_shutdown
#undef libxl_domain_reboot

int libxl_domain_pause(libxl_ctx *ctx, uint32_t domid,
                       const libxl_asyncop_how *ao_how)
{
    return domain_op(ctx, domid, dbgctl_domain_pause, "pausing", ao_how);
}

int libxl_domain_unpause(libxl_ctx *ctx, uint32_t domid,
                         const libxl_asyncop_how *ao_how)
{
    return domain_op(ctx, domid, dbgctl_domain_unpause, "unpausing", ao_how);
}

int libxl_domain_destroy(libxl_ctx *ctx, uint32_t domid,
                         const libxl_asyncop_how *ao_how)
{
    return domain_op(ctx, domid, dbgctl_domain_destroy, "destroying", ao_how);
}

int libxl_domain_shutdown(libxl_ctx *ctx, uint32_t domid,
                          const libxl_asyncop_how *ao_how)
{
    return op_done(ctx, domid, dbgctl_domain_shutdown(ctx->h, domid, DBGV_SHUTDOWN_POWEROFF),
                   "shutting down", ao_how);
}

int libxl_domain_reboot(libxl_ctx *ctx, uint32_t domid,
                        const libxl_asyncop_how *ao_how)
{
    return op_done(ctx, domid, dbgctl_domain_shutdown(ctx->h, domid, DBGV_SHUTDOWN_REBOOT),
                   "rebooting", ao_how);
}

/* ---- names ------------------------------------------------------------ */

int libxl_name_to_domid(libxl_ctx *ctx, const char *name, uint32_t *domid)
{
    struct dbgv_ctl_dominfo *doms = NULL;
    unsigned int nr = 0;
    int rc;

    if ( (rc = dbgctl_domain_list(ctx->h, &doms, &nr)) )
    {
        logerr(ctx, rc, "listing domains");
        rc = xlerr(rc);
        goto out;
    }
    rc = ERROR_INVAL;               /* Xen's answer for "no such name" */
    for ( unsigned int i = 0; name && i < nr; i++ )
        if ( !strcmp(doms[i].name, name) )
        {
            *domid = doms[i].domid;
            rc = 0;
            break;
        }
 out:
    free(doms);
    return rc;
}

char *libxl_domid_to_name(libxl_ctx *ctx, uint32_t domid)
{
    struct dbgv_ctl_dominfo d;

    if ( dbgctl_domain_info(ctx->h, domid, &d) )
        return NULL;
    return strdup(d.name);
}
