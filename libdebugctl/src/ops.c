/*
 * libdebugctl operations: one function per control message, plus the
 * pagination of list replies and the chunking of guest-memory transfers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "private.h"

/* Reply buffer for one frame; static-size so no call allocates for it. */
struct reply {
    uint8_t b[DBGV_CTL_MAX_PAYLOAD] __attribute__((aligned(8)));
};

DBGCTL_EXPORT int dbgctl_physinfo(dbgctl *h, struct dbgv_ctl_physinfo *out)
{
    uint32_t len = 0;
    int rc = dbgctl_call(h, DBGV_CTL_MSG_PHYSINFO, NULL, 0, out, sizeof(*out),
                         &len);

    if ( !rc && len != sizeof(*out) )
        rc = -EPROTO;
    return rc;
}

/* The (domid, vCPU) key of an entry of the lists paged by it:
 * DEBUG_STATE_LIST and DEBUG_SUMMARY_LIST. */
static void entry_key(uint16_t type, const uint8_t *e, uint32_t *domid, uint32_t *vcpu)
{
    if ( type == DBGV_CTL_MSG_DEBUG_STATE_LIST )
    {
        const struct dbgv_ctl_dom_debug_state *s = (const void *)e;

        *domid = s->domid;
        *vcpu = s->st.vcpu_id;
    }
    else
    {
        const struct dbgv_vcpu_debug_summary *s = (const void *)e;

        *domid = s->domid;
        *vcpu = s->vcpu_id;
    }
}

static bool paged_by_vcpu(uint16_t type)
{
    return type == DBGV_CTL_MSG_DEBUG_STATE_LIST || type == DBGV_CTL_MSG_DEBUG_SUMMARY_LIST;
}

/* Entries from..to-1 (and the one before, if any) ascend strictly by
 * (domid, vCPU). */
static bool moves_forward(uint16_t type, const uint8_t *all, size_t esize,
                          size_t from, size_t to)
{
    for ( size_t i = from ? from : 1; i < to; i++ )
    {
        uint32_t pd, pv, d, v;

        entry_key(type, all + (i - 1) * esize, &pd, &pv);
        entry_key(type, all + i * esize, &d, &v);
        if ( d < pd || (d == pd && v <= pv) )
            return false;
    }
    return true;
}

/*
 * Fetch a whole list by pages: DOMAIN_LIST pages by start domid, the vCPU
 * lists by start index, DEBUG_STATE/SUMMARY_LIST by (domid, vCPU) after the last
 * entry. The result is malloc'd.
 */
static int fetch_list(dbgctl *h, uint16_t type, uint32_t domid, size_t esize,
                      void **out, unsigned int *nr)
{
    struct reply *rep = NULL;
    struct dbgv_ctl_list_rep lr;
    uint8_t *all = NULL;
    size_t have = 0;
    uint32_t len;
    int rc;

    *out = NULL;
    *nr = 0;
    rep = malloc(sizeof(*rep));
    if ( !rep )
    {
        rc = -ENOMEM;
        goto out;
    }

    for ( ;; )
    {
        struct dbgv_ctl_list_req req = {
            .domid = domid, .start = 0,
            .max = (DBGV_CTL_MAX_PAYLOAD - sizeof(lr)) / esize,
        };
        uint8_t *grown;

        if ( type == DBGV_CTL_MSG_DOMAIN_LIST )
        {
            /* Page by id: next page starts after the last domid seen. */
            if ( have )
                req.domid = ((struct dbgv_ctl_dominfo *)
                             (all + (have - 1) * esize))->domid + 1;
            else
                req.domid = 0;
        }
        else if ( paged_by_vcpu(type) )
        {
            /* Page by (domid, vCPU): after the last entry seen. */
            if ( have )
            {
                entry_key(type, all + (have - 1) * esize, &req.domid, &req.start);
                req.start++;
            }
        }
        else
            req.start = have;

        rc = dbgctl_call(h, type, &req, sizeof(req), rep->b, sizeof(rep->b),
                         &len);
        if ( rc )
            goto out;
        if ( len < sizeof(lr) )
        {
            rc = -EPROTO;
            goto out;
        }
        memcpy(&lr, rep->b, sizeof(lr));
        if ( len != sizeof(lr) + (size_t)lr.count * esize || lr.count > req.max )
        {
            rc = -EPROTO;
            goto out;
        }
        if ( lr.count == 0 )
            break;
        grown = realloc(all, (have + lr.count) * esize);
        if ( !grown )
        {
            rc = -ENOMEM;
            goto out;
        }
        all = grown;
        memcpy(all + have * esize, rep->b + sizeof(lr), lr.count * esize);
        if ( paged_by_vcpu(type) )
        {
            /* total counts what is left from the cursor on; entries must
             * move forward, or the walk would not end. */
            if ( lr.count > lr.total ||
                 !moves_forward(type, all, esize, have, have + lr.count) )
            {
                rc = -EPROTO;
                goto out;
            }
            have += lr.count;
            if ( lr.count == lr.total )
                break;
        }
        else
        {
            have += lr.count;
            if ( have >= lr.total )
                break;
        }
        if ( have > 65536 )     /* a hypervisor that never stops */
        {
            rc = -EPROTO;
            goto out;
        }
    }
    *out = all;
    *nr = have;
    all = NULL;
 out:
    free(all);
    free(rep);
    return rc;
}

DBGCTL_EXPORT int dbgctl_domain_list(dbgctl *h, struct dbgv_ctl_dominfo **out,
                                     unsigned int *nr)
{
    int rc = fetch_list(h, DBGV_CTL_MSG_DOMAIN_LIST, 0, sizeof(**out),
                        (void **)out, nr);

    for ( unsigned int i = 0; !rc && i < *nr; i++ )
        (*out)[i].name[DBGV_CTL_NAME_LEN - 1] = '\0';
    return rc;
}

DBGCTL_EXPORT int dbgctl_vcpu_list(dbgctl *h, uint32_t domid,
                                   struct dbgv_ctl_vcpuinfo **out,
                                   unsigned int *nr)
{
    return fetch_list(h, DBGV_CTL_MSG_VCPU_LIST, domid, sizeof(**out),
                      (void **)out, nr);
}

DBGCTL_EXPORT int dbgctl_debug_state(dbgctl *h, uint32_t domid,
                                     struct dbgv_vcpu_debug_state **out,
                                     unsigned int *nr)
{
    return fetch_list(h, DBGV_CTL_MSG_DEBUG_STATE_GET, domid, sizeof(**out),
                      (void **)out, nr);
}

/* Every vCPU's debug state in a few round trips (DEBUG_STATE_LIST pages by
 * (domid, vCPU)); an older hypervisor answers the unknown type -ENOSYS. */
DBGCTL_EXPORT int dbgctl_debug_state_all(dbgctl *h, struct dbgv_ctl_dom_debug_state **out,
                                         unsigned int *nr)
{
    return fetch_list(h, DBGV_CTL_MSG_DEBUG_STATE_LIST, 0, sizeof(**out),
                      (void **)out, nr);
}

/* What a monitor shows of every vCPU, 85 per round trip (DEBUG_SUMMARY_LIST);
 * from a hypervisor without it, the full states condensed here (the same
 * dbgv_debug_summarize the hypervisor uses). */
DBGCTL_EXPORT int dbgctl_debug_summary_all(dbgctl *h, struct dbgv_vcpu_debug_summary **out,
                                           unsigned int *nr)
{
    struct dbgv_ctl_dom_debug_state *all = NULL;
    int rc = fetch_list(h, DBGV_CTL_MSG_DEBUG_SUMMARY_LIST, 0, sizeof(**out),
                        (void **)out, nr);

    if ( rc != -ENOSYS )
        return rc;
    if ( (rc = dbgctl_debug_state_all(h, &all, nr)) )
        return rc;
    if ( *nr && !(*out = calloc(*nr, sizeof(**out))) )
        rc = -ENOMEM;
    for ( unsigned int i = 0; !rc && i < *nr; i++ )
        dbgv_debug_summarize(all[i].domid, &all[i].st, &(*out)[i]);
    if ( rc )
        *nr = 0;
    free(all);
    return rc;
}

/* A query about one domain whose reply is a fixed-size structure. */
static int domain_query(dbgctl *h, uint16_t type, uint32_t domid, void *out, uint32_t size)
{
    struct dbgv_ctl_domid req = { .domid = domid };
    uint32_t len = 0;
    int rc = dbgctl_call(h, type, &req, sizeof(req), out, size, &len);

    return !rc && len != size ? -EPROTO : rc;
}

DBGCTL_EXPORT int dbgctl_domain_info(dbgctl *h, uint32_t domid,
                                     struct dbgv_ctl_dominfo *out)
{
    int rc = domain_query(h, DBGV_CTL_MSG_DOMAIN_INFO, domid, out, sizeof(*out));

    if ( !rc )
        out->name[DBGV_CTL_NAME_LEN - 1] = '\0';
    return rc;
}

DBGCTL_EXPORT int dbgctl_domain_lookup(dbgctl *h, const char *s,
                                       uint32_t *domid)
{
    struct dbgv_ctl_dominfo *doms = NULL;
    unsigned int nr = 0;
    char *end;
    int rc;

    if ( !s || !*s )
        return -EINVAL;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if ( *end == '\0' && s[0] >= '0' && s[0] <= '9' )
    {
        struct dbgv_ctl_dominfo di;

        if ( errno || v > DBGV_DOMID_MAX )
            return -ESRCH;
        /* A number is an id; confirm it exists. */
        if ( (rc = dbgctl_domain_info(h, (uint32_t)v, &di)) )
            return rc;
        *domid = (uint32_t)v;
        return 0;
    }

    if ( (rc = dbgctl_domain_list(h, &doms, &nr)) )
        goto out;
    rc = -ESRCH;
    for ( unsigned int i = 0; i < nr; i++ )
        if ( !strcmp(doms[i].name, s) )
        {
            *domid = doms[i].domid;
            rc = 0;
            break;
        }
 out:
    free(doms);
    return rc;
}

DBGCTL_EXPORT int dbgctl_domain_create(dbgctl *h, const char *name,
                                       uint32_t memory_mib, uint32_t nr_vcpus,
                                       unsigned int policy,
                                       uint32_t quiet_switches,
                                       uint32_t *domid)
{
    return dbgctl_domain_create_unbacked(h, name, memory_mib, nr_vcpus, policy,
                                         quiet_switches, DBGV_UNBACKED_IGNORE, domid);
}

DBGCTL_EXPORT int dbgctl_domain_create_unbacked(dbgctl *h, const char *name,
                                                uint32_t memory_mib,
                                                uint32_t nr_vcpus,
                                                unsigned int policy,
                                                uint32_t quiet_switches,
                                                unsigned int unbacked_access,
                                                uint32_t *domid)
{
    struct dbgv_ctl_domain_create req;

    if ( !name || strlen(name) >= sizeof(req.name) )
        return -EINVAL;
    memset(&req, 0, sizeof(req));
    memcpy(req.name, name, strlen(name));
    req.memory_mib = memory_mib;
    req.nr_vcpus = nr_vcpus;
    req.debug_policy = policy;
    req.unbacked_access = unbacked_access;
    req.quiet_switches = quiet_switches;
    if ( policy != req.debug_policy || unbacked_access != req.unbacked_access )
        return -EINVAL;
    return dbgctl_domain_create_req(h, &req, domid);
}

DBGCTL_EXPORT int dbgctl_domain_create_req(dbgctl *h, const struct dbgv_ctl_domain_create *req,
                                           uint32_t *domid)
{
    struct dbgv_ctl_domid rep;
    uint32_t len = 0;
    int rc;

    if ( req->debug_policy >= DBGV_POLICY_COUNT || req->unbacked_access >= DBGV_UNBACKED_COUNT ||
         req->timer_mode >= DBGV_TIMER_MODE_COUNT )
        return -EINVAL;
    rc = dbgctl_call(h, DBGV_CTL_MSG_DOMAIN_CREATE, req, sizeof(*req), &rep,
                     sizeof(rep), &len);
    if ( !rc && len != sizeof(rep) )
        rc = -EPROTO;
    if ( !rc )
        *domid = rep.domid;
    return rc;
}

static int domain_op(dbgctl *h, uint16_t type, uint32_t domid)
{
    struct dbgv_ctl_domid req = { .domid = domid };

    return dbgctl_call(h, type, &req, sizeof(req), NULL, 0, NULL);
}

DBGCTL_EXPORT int dbgctl_domain_pause(dbgctl *h, uint32_t domid)
{
    return domain_op(h, DBGV_CTL_MSG_DOMAIN_PAUSE, domid);
}

DBGCTL_EXPORT int dbgctl_domain_unpause(dbgctl *h, uint32_t domid)
{
    return domain_op(h, DBGV_CTL_MSG_DOMAIN_UNPAUSE, domid);
}

DBGCTL_EXPORT int dbgctl_domain_destroy(dbgctl *h, uint32_t domid)
{
    return domain_op(h, DBGV_CTL_MSG_DOMAIN_DESTROY, domid);
}

DBGCTL_EXPORT int dbgctl_domain_shutdown(dbgctl *h, uint32_t domid,
                                         unsigned int reason)
{
    struct dbgv_ctl_domain_shutdown req = { .domid = domid, .reason = reason };

    return dbgctl_call(h, DBGV_CTL_MSG_DOMAIN_SHUTDOWN, &req, sizeof(req),
                       NULL, 0, NULL);
}

DBGCTL_EXPORT int dbgctl_domain_rename(dbgctl *h, uint32_t domid,
                                       const char *name)
{
    struct dbgv_ctl_domain_rename req = { .domid = domid };

    if ( !name || !*name || strlen(name) >= sizeof(req.name) )
        return -EINVAL;
    strcpy(req.name, name);
    return dbgctl_call(h, DBGV_CTL_MSG_DOMAIN_RENAME, &req, sizeof(req),
                       NULL, 0, NULL);
}

DBGCTL_EXPORT int dbgctl_domain_meminfo(dbgctl *h, uint32_t domid,
                                        struct dbgv_ctl_meminfo *out)
{
    int rc = domain_query(h, DBGV_CTL_MSG_DOMAIN_MEMINFO, domid, out, sizeof(*out));

    return !rc && out->domid != domid ? -EPROTO : rc;
}

DBGCTL_EXPORT int dbgctl_vcpu_set_affinity(dbgctl *h, uint32_t domid,
                                           uint32_t vcpu, uint32_t cpumap)
{
    struct dbgv_ctl_vcpu_affinity req = {
        .domid = domid, .vcpu = vcpu, .cpumap = cpumap,
    };

    return dbgctl_call(h, DBGV_CTL_MSG_VCPU_SET_AFFINITY, &req, sizeof(req),
                       NULL, 0, NULL);
}

DBGCTL_EXPORT int dbgctl_hvlog_clear(dbgctl *h)
{
    return dbgctl_call(h, DBGV_CTL_MSG_HVLOG_CLEAR, NULL, 0, NULL, 0, NULL);
}

DBGCTL_EXPORT int dbgctl_sched_params(dbgctl *h, uint32_t set_us,
                                      uint32_t *tslice_us)
{
    struct dbgv_ctl_sched_params req = { 0, set_us }, rep;
    uint32_t len = 0;
    int rc;

    if ( set_us )
        req.flags = DBGV_SCHED_F_SET_TSLICE;
    rc = dbgctl_call(h, DBGV_CTL_MSG_SCHED_PARAMS, &req, sizeof(req), &rep,
                     sizeof(rep), &len);
    if ( !rc && len != sizeof(rep) )
        rc = -EPROTO;
    if ( !rc )
        *tslice_us = rep.tslice_us;
    return rc;
}

DBGCTL_EXPORT int dbgctl_debug_keys(dbgctl *h, const char *keys)
{
    struct {
        struct dbgv_ctl_debug_keys hdr;
        char keys[DBGV_CTL_DEBUG_KEYS_MAX];
    } req = { { 0, 0 }, { 0 } };
    size_t n = keys ? strlen(keys) : 0;

    if ( n == 0 || n > DBGV_CTL_DEBUG_KEYS_MAX )
        return -EINVAL;
    req.hdr.len = (uint32_t)n;
    memcpy(req.keys, keys, n);
    return dbgctl_call(h, DBGV_CTL_MSG_DEBUG_KEYS, &req, sizeof(req.hdr) + n,
                       NULL, 0, NULL);
}

/* MEM_WRITE request i of a transfer: DBGV_CTL_MEM_CHUNK bytes at a time. */
struct mem_write_ctx {
    uint32_t domid;
    uint64_t gpa;
    const uint8_t *data;         /* NULL: zeros */
    size_t len;
};

static uint32_t fill_mem_write(void *ctx, uint32_t i, void *buf)
{
    const struct mem_write_ctx *c = ctx;
    size_t off = (size_t)i * DBGV_CTL_MEM_CHUNK;
    uint32_t n = MIN(c->len - off, (size_t)DBGV_CTL_MEM_CHUNK);
    struct dbgv_ctl_mem req = { .domid = c->domid, .gpa = c->gpa + off, .len = n };
    uint8_t *msg = buf;

    memcpy(msg, &req, sizeof(req));
    if ( c->data )
        memcpy(msg + sizeof(req), c->data + off, n);
    else
        memset(msg + sizeof(req), 0, n);
    return sizeof(req) + n;
}

/* Pipelined: over shared memory many chunks are in flight at once. */
DBGCTL_EXPORT int dbgctl_mem_write(dbgctl *h, uint32_t domid, uint64_t gpa,
                                   const void *data, size_t len)
{
    struct mem_write_ctx c = { domid, gpa, data, len };
    size_t chunks = (len + DBGV_CTL_MEM_CHUNK - 1) / DBGV_CTL_MEM_CHUNK;

    if ( gpa + len < gpa || chunks > UINT32_MAX )
        return -EINVAL;
    if ( !chunks )
        return 0;
    return dbgctl_call_pipelined(h, DBGV_CTL_MSG_MEM_WRITE, (uint32_t)chunks,
                                 fill_mem_write, &c);
}

DBGCTL_EXPORT int dbgctl_mem_read(dbgctl *h, uint32_t domid, uint64_t gpa,
                                  void *data, size_t len)
{
    struct dbgv_ctl_mem req = { .domid = domid };
    uint8_t *p = data;
    uint32_t got;
    int rc;

    if ( gpa + len < gpa )
        return -EINVAL;
    while ( len )
    {
        req.gpa = gpa;
        req.len = MIN(len, (size_t)DBGV_CTL_MEM_CHUNK);
        rc = dbgctl_call(h, DBGV_CTL_MSG_MEM_READ, &req, sizeof(req), p,
                         req.len, &got);
        if ( rc )
            return rc;
        if ( got != req.len )
            return -EPROTO;
        gpa += got;
        p += got;
        len -= got;
    }
    return 0;
}

DBGCTL_EXPORT int dbgctl_vcpu_set_regs(dbgctl *h,
                                       const struct dbgv_ctl_vcpu_regs *regs)
{
    return dbgctl_call(h, DBGV_CTL_MSG_VCPU_SET_REGS, regs, sizeof(*regs),
                       NULL, 0, NULL);
}

static int ring_read(dbgctl *h, uint16_t type, uint32_t domid,
                     uint64_t *offset, void *buf, size_t max, size_t *len,
                     uint64_t *lost)
{
    struct dbgv_ctl_ring_req req = { .domid = domid, .offset = *offset };
    struct dbgv_ctl_ring_rep rr;
    struct reply *rep;
    uint32_t got;
    int rc;

    *len = 0;
    if ( max == 0 )
        return -EINVAL;
    rep = malloc(sizeof(*rep));
    if ( !rep )
        return -ENOMEM;
    req.max = MIN(max, (size_t)DBGV_CTL_RING_MAX_READ);
    rc = dbgctl_call(h, type, &req, sizeof(req), rep->b, sizeof(rep->b), &got);
    if ( rc )
        goto out;
    memcpy(&rr, rep->b, MIN((size_t)got, sizeof(rr)));
    if ( got < sizeof(rr) || got != sizeof(rr) + rr.len || rr.len > req.max ||
         rr.next_offset != rr.offset + rr.len )
    {
        rc = -EPROTO;
        goto out;
    }
    memcpy(buf, rep->b + sizeof(rr), rr.len);
    *len = rr.len;
    *offset = rr.next_offset;
    if ( lost )
        *lost = rr.lost;
 out:
    free(rep);
    return rc;
}

DBGCTL_EXPORT int dbgctl_console_read(dbgctl *h, uint32_t domid,
                                      uint64_t *offset, void *buf, size_t max,
                                      size_t *len, uint64_t *lost)
{
    return ring_read(h, DBGV_CTL_MSG_CONSOLE_READ, domid, offset, buf, max,
                     len, lost);
}

DBGCTL_EXPORT int dbgctl_console_write(dbgctl *h, uint32_t domid,
                                       const void *buf, size_t len,
                                       size_t *accepted, size_t *room)
{
    struct {
        struct dbgv_ctl_console_write h;
        uint8_t data[DBGV_CTL_CONSOLE_WRITE_MAX];
    } req = { .h = { .domid = domid, .len = (uint32_t)len } };
    struct dbgv_ctl_console_write_rep rep;
    uint32_t got;
    int rc;

    if ( len > DBGV_CTL_CONSOLE_WRITE_MAX || (len && !buf) )
        return -EINVAL;
    if ( len )
        memcpy(req.data, buf, len);
    rc = dbgctl_call(h, DBGV_CTL_MSG_CONSOLE_WRITE, &req, sizeof(req.h) + len,
                     &rep, sizeof(rep), &got);
    if ( rc )
        return rc;
    if ( got != sizeof(rep) || rep.accepted > len )
        return -EPROTO;
    if ( accepted )
        *accepted = rep.accepted;
    if ( room )
        *room = rep.room;
    return 0;
}

DBGCTL_EXPORT int dbgctl_hvlog_read(dbgctl *h, uint64_t *offset, void *buf,
                                    size_t max, size_t *len, uint64_t *lost)
{
    return ring_read(h, DBGV_CTL_MSG_HVLOG_READ, 0, offset, buf, max, len,
                     lost);
}

DBGCTL_EXPORT int dbgctl_debug_policy_set(dbgctl *h, uint32_t domid,
                                          unsigned int policy,
                                          int64_t quiet_switches)
{
    struct dbgv_ctl_debug_policy req = { .domid = domid, .policy = policy };

    if ( policy >= DBGV_POLICY_COUNT || quiet_switches == 0 ||
         quiet_switches > UINT32_MAX )
        return -EINVAL;
    if ( quiet_switches > 0 )
    {
        req.flags = DBGV_POLICY_F_QUIET;
        req.quiet_switches = (uint32_t)quiet_switches;
    }
    return dbgctl_call(h, DBGV_CTL_MSG_DEBUG_POLICY_SET, &req, sizeof(req),
                       NULL, 0, NULL);
}

DBGCTL_EXPORT int dbgctl_events_read(dbgctl *h, uint64_t *since,
                                     uint32_t domid,
                                     struct dbgv_ctl_event *out,
                                     unsigned int max, unsigned int *nr,
                                     uint64_t *lost)
{
    struct dbgv_ctl_events_req req = { .since_seq = *since, .domid = domid };
    struct dbgv_ctl_events_rep er;
    struct reply *rep;
    uint32_t got;
    int rc;

    *nr = 0;
    if ( max == 0 )
        return -EINVAL;
    rep = malloc(sizeof(*rep));
    if ( !rep )
        return -ENOMEM;
    req.max = MIN(max, (unsigned int)DBGV_CTL_EVENTS_MAX);
    rc = dbgctl_call(h, DBGV_CTL_MSG_EVENTS_READ, &req, sizeof(req), rep->b,
                     sizeof(rep->b), &got);
    if ( rc )
        goto out;
    memcpy(&er, rep->b, MIN((size_t)got, sizeof(er)));
    if ( got < sizeof(er) || er.count > req.max ||
         got != sizeof(er) + er.count * sizeof(*out) )
    {
        rc = -EPROTO;
        goto out;
    }
    memcpy(out, rep->b + sizeof(er), er.count * sizeof(*out));
    /* Events from since_seq on, oldest first, all before next_seq: else a
     * reader passing next_seq back (dbgctl_gdbg_event_cursor) may never end. */
    for ( uint32_t i = 0; i < er.count; i++ )
        if ( out[i].seq < (i ? out[i - 1].seq + 1 : req.since_seq) ||
             out[i].seq >= er.next_seq )
        {
            rc = -EPROTO;
            goto out;
        }
    *nr = er.count;
    *since = er.next_seq;
    if ( lost )
        *lost = er.lost;
 out:
    free(rep);
    return rc;
}
