/*
 * Control server: reassembles request frames from the serial byte stream,
 * validates them field by field, dispatches to the hv_ctl_* backend and
 * sends one reply per request. See docs/protocol.md.
 */
#include <dbgvisor/lib.h>
#include <dbgvisor/ctlframe.h>
#include <dbgvisor/control.h>

static struct {
    struct ctl_chan main;  /* the default stream (COM2) */
    struct ctl_chan *cur;  /* the channel whose request is being answered */
    uint64_t now;          /* last time seen by ctl_poll */
    struct ctl_stats stats;
    uint8_t txbuf[DBGV_CTL_MAX_FRAME] __attribute__((aligned(8)));
} srv;

/* Replies are built in place in txbuf after the header. */
#define TXP (srv.txbuf + DBGV_CTL_HDR_SIZE)

static void main_tx(struct ctl_chan *ch, const void *buf, size_t len)
{
    ctl_tx_bytes(buf, len);
}

void ctl_chan_init(struct ctl_chan *ch,
                   void (*tx)(struct ctl_chan *ch, const void *buf, size_t len))
{
    ch->tx = tx;
    ch->last_rx = 0;
    ch->held_back = false;
    ctl_rx_init(&ch->rx, ch->rxbuf);
}

void ctl_chan_reset(struct ctl_chan *ch)
{
    ch->held_back = false;
    ctl_rx_reset(&ch->rx);
}

void ctl_init(void)
{
    memset(&srv.stats, 0, sizeof(srv.stats));
    srv.now = 0;
    ctl_chan_init(&srv.main, main_tx);
}

void ctl_get_stats(struct ctl_stats *out)
{
    *out = srv.stats;
}

static void send_frame(uint16_t type, uint32_t seq, int32_t status,
                       uint32_t len)
{
    size_t n = ctl_frame_build(srv.txbuf, sizeof(srv.txbuf), type, seq,
                               status, TXP, len);

    if ( n )
        srv.cur->tx(srv.cur, srv.txbuf, n);
}

static void send_error(const struct ctl_rx_error *e)
{
    struct dbgv_ctl_error pe = {
        .bad_type = e->hdr_valid ? e->type : 0,
        .bad_seq = e->hdr_valid ? e->seq : 0,
    };

    memcpy(TXP, &pe, sizeof(pe));
    srv.stats.frames_bad++;
    send_frame(DBGV_CTL_MSG_ERROR | DBGV_CTL_REPLY,
               e->hdr_valid ? e->seq : 0, e->code, sizeof(pe));
}

/* ---- validation helpers ------------------------------------------------ */

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;

    while ( n-- )
        if ( *b++ )
            return false;
    return true;
}

/* A request payload must be exactly the struct: shorter is truncated,
 * longer is trailing junk. Copy it out so the struct is aligned. */
#define TAKE(req, payload, len)                      \
    do {                                             \
        if ( (len) != sizeof(req) )                  \
            return -DBGV_EINVAL;                     \
        memcpy(&(req), (payload), sizeof(req));      \
    } while ( 0 )

static bool name_ok(const char *name, size_t size)
{
    size_t n = strnlen(name, size);

    if ( n == 0 || n == size )
        return false;
    for ( size_t i = 0; i < n; i++ )
    {
        char c = name[i];

        if ( !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.') )
            return false;
    }
    /* Bytes after the NUL must be zero: no data smuggled into the ABI. */
    return all_zero(name + n, size - n);
}

static int domid_ok(uint32_t domid)
{
    return domid <= DBGV_DOMID_MAX ? 0 : -DBGV_ESRCH;
}

/* Domain-0 is the toolstack's own stand-in: it cannot be operated on. */
static int domu_ok(uint32_t domid)
{
    if ( domid == DBGV_DOMID_SELF )
        return -DBGV_EPERM;
    return domid_ok(domid);
}

/* ---- handlers: return status, set *rlen to the reply payload size ------ */

static bool gdbg_backend(void);

static int do_hello(const uint8_t *p, uint32_t len, uint32_t *rlen)
{
    struct dbgv_ctl_hello_req req;
    struct dbgv_ctl_hello_rep rep;

    TAKE(req, p, len);
    if ( req.flags )
        return -DBGV_EINVAL;
    if ( req.client_version != DBGV_CTL_VERSION )
        return -DBGV_EPROTO;
    memset(&rep, 0, sizeof(rep));
    hv_ctl_hello(&rep);
    if ( gdbg_backend() )
        rep.features |= DBGV_CTL_F_GUEST_DEBUG;
    rep.features |= DBGV_CTL_F_DEBUG_STATE_LIST | DBGV_CTL_F_DEBUG_SUMMARY_LIST;
    rep.hv_version[sizeof(rep.hv_version) - 1] = '\0';
    rep.version = DBGV_CTL_VERSION;
    rep.max_payload = DBGV_CTL_MAX_PAYLOAD;
    rep.debug_abi = DBGV_DEBUG_ABI_VERSION;
    memcpy(TXP, &rep, sizeof(rep));
    *rlen = sizeof(rep);
    return 0;
}

static int do_physinfo(const uint8_t *p, uint32_t len, uint32_t *rlen)
{
    struct dbgv_ctl_physinfo rep;
    int rc;

    if ( len )
        return -DBGV_EINVAL;
    memset(&rep, 0, sizeof(rep));
    rc = hv_ctl_physinfo(&rep);
    if ( rc )
        return rc;
    rep.hv_version[sizeof(rep.hv_version) - 1] = '\0';
    rep.hv_extra[sizeof(rep.hv_extra) - 1] = '\0';
    memcpy(TXP, &rep, sizeof(rep));
    *rlen = sizeof(rep);
    return 0;
}

static int take_list(struct dbgv_ctl_list_req *req, const uint8_t *p,
                     uint32_t len)
{
    TAKE(*req, p, len);
    if ( req->pad || req->max == 0 )
        return -DBGV_EINVAL;
    return 0;
}

/* Finish a list reply: entries are already at TXP + sizeof(list_rep). */
static int list_reply(uint32_t count, uint32_t total, uint32_t max,
                      size_t esize, uint32_t *rlen)
{
    struct dbgv_ctl_list_rep rep = { .total = total, .count = count };

    if ( count > max )              /* backend bug: never send garbage */
        return -DBGV_EIO;
    memcpy(TXP, &rep, sizeof(rep));
    *rlen = sizeof(rep) + count * esize;
    return 0;
}

static void sanitise_dominfo(struct dbgv_ctl_dominfo *d)
{
    d->name[sizeof(d->name) - 1] = '\0';
}

static int do_domain_list(const uint8_t *p, uint32_t len, uint32_t *rlen)
{
    struct dbgv_ctl_list_req req;
    struct dbgv_ctl_dominfo *out =
        (void *)(TXP + sizeof(struct dbgv_ctl_list_rep));
    uint32_t max, count = 0, total = 0;
    int rc;

    if ( (rc = take_list(&req, p, len)) )
        return rc;
    if ( req.start )
        return -DBGV_EINVAL;
    max = MIN(req.max, (uint32_t)DBGV_CTL_LIST_MAX(struct dbgv_ctl_dominfo));
    memset(out, 0, max * sizeof(*out));
    rc = hv_ctl_domain_list(req.domid, out, max, &count, &total);
    if ( rc )
        return rc;
    for ( uint32_t i = 0; i < count && i < max; i++ )
        sanitise_dominfo(&out[i]);
    return list_reply(count, total, max, sizeof(*out), rlen);
}

/* A query that names only a domain (dbgv_ctl_domid, Domain-0 included). */
static int take_domid(const uint8_t *p, uint32_t len, uint32_t *domid)
{
    struct dbgv_ctl_domid req;

    TAKE(req, p, len);
    if ( req.pad )
        return -DBGV_EINVAL;
    *domid = req.domid;
    return domid_ok(req.domid);
}

static int do_domain_info(const uint8_t *p, uint32_t len, uint32_t *rlen)
{
    struct dbgv_ctl_dominfo rep;
    uint32_t domid;
    int rc;

    if ( (rc = take_domid(p, len, &domid)) )
        return rc;
    memset(&rep, 0, sizeof(rep));
    if ( (rc = hv_ctl_domain_info(domid, &rep)) )
        return rc;
    sanitise_dominfo(&rep);
    memcpy(TXP, &rep, sizeof(rep));
    *rlen = sizeof(rep);
    return 0;
}

/* Console input: optional in a backend (weak), for a UART model without a
 * receiver (arm64's PL011 so far), which answers -ENOSYS. */
#pragma weak hv_ctl_console_write

static int do_domain_create(const uint8_t *p, uint32_t len, uint32_t *rlen)
{
    struct dbgv_ctl_domain_create req;
    struct dbgv_ctl_domid rep = { 0 };
    int rc;

    TAKE(req, p, len);
    if ( !name_ok(req.name, sizeof(req.name)) || !all_zero(req.pad, sizeof(req.pad)) ||
         req.memory_mib == 0 || req.memory_mib > (1u << 20) ||
         req.nr_vcpus == 0 || req.nr_vcpus > CTL_MAX_VCPUS ||
         req.debug_policy >= DBGV_POLICY_COUNT || req.unbacked_access >= DBGV_UNBACKED_COUNT ||
         req.timer_mode >= DBGV_TIMER_MODE_COUNT )
        return -DBGV_EINVAL;
    if ( (rc = hv_ctl_domain_create(&req, &rep.domid)) )
        return rc;
    memcpy(TXP, &rep, sizeof(rep));
    *rlen = sizeof(rep);
    return 0;
}

/* The payload of a request that names one guest domain and nothing else. */
static int take_domu(const uint8_t *p, uint32_t len, uint32_t *domid)
{
    struct dbgv_ctl_domid req;

    TAKE(req, p, len);
    if ( req.pad )
        return -DBGV_EINVAL;
    *domid = req.domid;
    return domu_ok(req.domid);
}

static int do_domain_op(uint16_t type, const uint8_t *p, uint32_t len)
{
    uint32_t domid;
    int rc;

    if ( (rc = take_domu(p, len, &domid)) )
        return rc;
    switch ( type )
    {
    case DBGV_CTL_MSG_DOMAIN_PAUSE:   return hv_ctl_domain_pause(domid);
    case DBGV_CTL_MSG_DOMAIN_UNPAUSE: return hv_ctl_domain_unpause(domid);
    default:                          return hv_ctl_domain_destroy(domid);
    }
}

static int do_domain_shutdown(const uint8_t *p, uint32_t len)
{
    struct dbgv_ctl_domain_shutdown req;
    int rc;

    TAKE(req, p, len);
    if ( (req.reason & ~DBGV_SHUTDOWN_F_NOW) > DBGV_SHUTDOWN_WATCHDOG )
        return -DBGV_EINVAL;
    if ( (rc = domu_ok(req.domid)) )
        return rc;
    return hv_ctl_domain_shutdown(req.domid, req.reason);
}

static int check_mem(const struct dbgv_ctl_mem *m)
{
    if ( m->len == 0 || m->len > DBGV_CTL_MEM_CHUNK ||
         m->gpa + m->len < m->gpa )
        return -DBGV_EINVAL;
    return domu_ok(m->domid);
}

static int do_mem_write(const uint8_t *p, uint32_t len)
{
    struct dbgv_ctl_mem req;
    int rc;

    if ( len < sizeof(req) )
        return -DBGV_EINVAL;
    memcpy(&req, p, sizeof(req));
    if ( (rc = check_mem(&req)) )
        return rc;
    if ( len != sizeof(req) + req.len )
        return -DBGV_EINVAL;
    return hv_ctl_mem_write(req.domid, req.gpa, p + sizeof(req), req.len);
}

static int do_mem_read(const uint8_t *p, uint32_t len, uint32_t *rlen)
{
    struct dbgv_ctl_mem req;
    int rc;

    TAKE(req, p, len);
    if ( (rc = check_mem(&req)) )
        return rc;
    if ( (rc = hv_ctl_mem_read(req.domid, req.gpa, TXP, req.len)) )
        return rc;
    *rlen = req.len;
    return 0;
}

/* The arm64 boot mode's fields: PC always, the boot data only as the mask
 * says (zero otherwise), a non-empty ramdisk range, the padding zero. Whether
 * the ranges lie in the domain's RAM is the backend's to check. */
static bool arm64_boot_regs_ok(const struct dbgv_ctl_vcpu_regs *r)
{
    unsigned int i;

    if ( !(r->mask & DBGV_REG_RIP) || (r->mask & ~DBGV_REG_ARM64_ALL) )
        return false;
    if ( !(r->mask & DBGV_REG_ARM64_CMDLINE) && r->cmdline_ipa )
        return false;
    if ( (r->mask & DBGV_REG_ARM64_INITRD) ? r->initrd_end <= r->initrd_start
                                          : (r->initrd_start | r->initrd_end) != 0 )
        return false;
    for ( i = 0; i < ARRAY_SIZE(r->arm64_pad); i++ )
        if ( r->arm64_pad[i] )
            return false;
    return true;
}

static int do_vcpu_set_regs(const uint8_t *p, uint32_t len)
{
    struct dbgv_ctl_vcpu_regs req;
    int rc;

    TAKE(req, p, len);
    if ( req.mode > DBGV_VCPU_MODE_LAST || req.vcpu >= CTL_MAX_VCPUS )
        return -DBGV_EINVAL;
    if ( req.mode == DBGV_VCPU_MODE_ARM64_LINUX ? !arm64_boot_regs_ok(&req)
                                                : req.mask == 0 || (req.mask & ~DBGV_REG_ALL) )
        return -DBGV_EINVAL;
    if ( (rc = domu_ok(req.domid)) )
        return rc;
    return hv_ctl_vcpu_set_regs(&req);
}

static int do_vcpu_list(const uint8_t *p, uint32_t len, uint32_t *rlen)
{
    struct dbgv_ctl_list_req req;
    struct dbgv_ctl_vcpuinfo *out =
        (void *)(TXP + sizeof(struct dbgv_ctl_list_rep));
    uint32_t max, count = 0, total = 0;
    int rc;

    if ( (rc = take_list(&req, p, len)) || (rc = domid_ok(req.domid)) )
        return rc;
    max = MIN(req.max, (uint32_t)DBGV_CTL_LIST_MAX(struct dbgv_ctl_vcpuinfo));
    memset(out, 0, max * sizeof(*out));
    rc = hv_ctl_vcpu_list(req.domid, req.start, out, max, &count, &total);
    if ( rc )
        return rc;
    return list_reply(count, total, max, sizeof(*out), rlen);
}

static int do_ring_read(uint16_t type, const uint8_t *p, uint32_t len,
                        uint32_t *rlen)
{
    struct dbgv_ctl_ring_req req;
    struct dbgv_ctl_ring_rep rep;
    uint8_t *data = TXP + sizeof(rep);
    uint32_t max;
    int rc;

    TAKE(req, p, len);
    if ( req.max == 0 )
        return -DBGV_EINVAL;
    if ( type == DBGV_CTL_MSG_CONSOLE_READ && (rc = domid_ok(req.domid)) )
        return rc;
    if ( type == DBGV_CTL_MSG_HVLOG_READ && req.domid )
        return -DBGV_EINVAL;
    max = MIN(req.max, (uint32_t)DBGV_CTL_RING_MAX_READ);
    memset(&rep, 0, sizeof(rep));
    if ( type == DBGV_CTL_MSG_CONSOLE_READ )
        rc = hv_ctl_console_read(req.domid, req.offset, data, max, &rep);
    else
        rc = hv_ctl_hvlog_read(req.offset, data, max, &rep);
    if ( rc )
        return rc;
    if ( rep.len > max )
        return -DBGV_EIO;
    rep.pad = 0;
    memcpy(TXP, &rep, sizeof(rep));
    *rlen = sizeof(rep) + rep.len;
    return 0;
}

static int do_console_write(const uint8_t *p, uint32_t len, uint32_t *rlen)
{
    struct dbgv_ctl_console_write req;
    struct dbgv_ctl_console_write_rep rep = { 0, 0 };
    int rc;

    if ( len < sizeof(req) )
        return -DBGV_EINVAL;
    memcpy(&req, p, sizeof(req));
    if ( req.len > DBGV_CTL_CONSOLE_WRITE_MAX || len != sizeof(req) + req.len )
        return -DBGV_EINVAL;
    if ( (rc = domu_ok(req.domid)) )
        return rc;
    if ( !hv_ctl_console_write )
        return -DBGV_ENOSYS;
    if ( (rc = hv_ctl_console_write(req.domid, p + sizeof(req), req.len, &rep)) )
        return rc;
    if ( rep.accepted > req.len )
        return -DBGV_EIO;
    memcpy(TXP, &rep, sizeof(rep));
    *rlen = sizeof(rep);
    return 0;
}

static int do_debug_state(const uint8_t *p, uint32_t len, uint32_t *rlen)
{
    struct dbgv_ctl_list_req req;
    struct dbgv_vcpu_debug_state *out =
        (void *)(TXP + sizeof(struct dbgv_ctl_list_rep));
    uint32_t max, count = 0, total = 0;
    int rc;

    if ( (rc = take_list(&req, p, len)) || (rc = domu_ok(req.domid)) )
        return rc;
    max = MIN(req.max,
              (uint32_t)DBGV_CTL_LIST_MAX(struct dbgv_vcpu_debug_state));
    memset(out, 0, max * sizeof(*out));
    rc = hv_ctl_debug_state(req.domid, req.start, out, max, &count, &total);
    if ( rc )
        return rc;
    return list_reply(count, total, max, sizeof(*out), rlen);
}

static int do_debug_state_list(const uint8_t *p, uint32_t len, uint32_t *rlen)
{
    struct dbgv_ctl_list_req req;
    struct dbgv_ctl_dom_debug_state *out =
        (void *)(TXP + sizeof(struct dbgv_ctl_list_rep));
    uint32_t max, count = 0, total = 0;
    int rc;

    if ( (rc = take_list(&req, p, len)) || (rc = domid_ok(req.domid)) )
        return rc;
    max = MIN(req.max,
              (uint32_t)DBGV_CTL_LIST_MAX(struct dbgv_ctl_dom_debug_state));
    memset(out, 0, max * sizeof(*out));
    rc = hv_ctl_debug_state_list(req.domid, req.start, out, max, &count, &total);
    if ( rc )
        return rc;
    for ( uint32_t i = 0; i < count && i < max; i++ )
        out[i].pad = 0;
    return list_reply(count, total, max, sizeof(*out), rlen);
}

/* DEBUG_SUMMARY_LIST: DEBUG_STATE_LIST's walk, in batches of full states,
 * each condensed to the 96-byte summary a monitor shows. */
static int do_debug_summary_list(const uint8_t *p, uint32_t len, uint32_t *rlen)
{
    static struct dbgv_ctl_dom_debug_state
        batch[DBGV_CTL_LIST_MAX(struct dbgv_ctl_dom_debug_state)];
    struct dbgv_ctl_list_req req;
    struct dbgv_vcpu_debug_summary *out =
        (void *)(TXP + sizeof(struct dbgv_ctl_list_rep));
    uint32_t max, domid, start, count = 0, total = 0, n, left;
    bool first = true;
    int rc;

    if ( (rc = take_list(&req, p, len)) || (rc = domid_ok(req.domid)) )
        return rc;
    max = MIN(req.max,
              (uint32_t)DBGV_CTL_LIST_MAX(struct dbgv_vcpu_debug_summary));
    domid = req.domid;
    start = req.start;
    do {
        n = left = 0;
        rc = hv_ctl_debug_state_list(domid, start, batch,
                                     MIN((uint32_t)ARRAY_SIZE(batch), max - count),
                                     &n, &left);
        if ( rc )
            return rc;
        if ( n > ARRAY_SIZE(batch) || n > left )
            return -DBGV_EIO;           /* backend bug: never send garbage */
        if ( first )
            total = left;               /* entries from the client's cursor on */
        first = false;
        for ( uint32_t i = 0; i < n; i++ )
            dbgv_debug_summarize(batch[i].domid, &batch[i].st, &out[count++]);
        if ( n )
        {
            domid = batch[n - 1].domid;
            start = batch[n - 1].st.vcpu_id + 1;
        }
    } while ( n && n < left && count < max );
    return list_reply(count, total, max, sizeof(*out), rlen);
}

static int do_debug_policy(const uint8_t *p, uint32_t len)
{
    struct dbgv_ctl_debug_policy req;
    bool set_quiet;
    int rc;

    TAKE(req, p, len);
    set_quiet = req.flags & DBGV_POLICY_F_QUIET;
    if ( req.policy >= DBGV_POLICY_COUNT || !all_zero(req.pad, sizeof(req.pad)) ||
         (req.flags & ~DBGV_POLICY_F_QUIET) ||
         (set_quiet && req.quiet_switches == 0) ||
         (!set_quiet && req.quiet_switches != 0) )
        return -DBGV_EINVAL;
    if ( (rc = domu_ok(req.domid)) )
        return rc;
    return hv_ctl_debug_policy_set(req.domid, req.policy, set_quiet,
                                   req.quiet_switches);
}

static int do_events_read(const uint8_t *p, uint32_t len, uint32_t *rlen)
{
    struct dbgv_ctl_events_req req;
    struct dbgv_ctl_events_rep rep;
    struct dbgv_ctl_event *out = (void *)(TXP + sizeof(rep));
    uint32_t max;
    int rc;

    TAKE(req, p, len);
    if ( req.max == 0 )
        return -DBGV_EINVAL;
    if ( req.domid != DBGV_DOMID_ANY && (rc = domid_ok(req.domid)) )
        return rc;
    max = MIN(req.max, (uint32_t)DBGV_CTL_EVENTS_MAX);
    memset(&rep, 0, sizeof(rep));
    memset(out, 0, max * sizeof(*out));
    if ( (rc = hv_ctl_events_read(req.since_seq, req.domid, out, max, &rep)) )
        return rc;
    if ( rep.count > max )
        return -DBGV_EIO;
    rep.pad = 0;
    memcpy(TXP, &rep, sizeof(rep));
    *rlen = sizeof(rep) + rep.count * sizeof(*out);
    return 0;
}

/* ---- guest debugging (0x01xx) ------------------------------------------ */

/* ---- host management: optional in a backend (weak) -------------------- */
#pragma weak hv_ctl_domain_rename
#pragma weak hv_ctl_domain_meminfo
#pragma weak hv_ctl_vcpu_set_affinity
#pragma weak hv_ctl_hvlog_clear
#pragma weak hv_ctl_debug_keys
#pragma weak hv_ctl_sched_params

static int do_domain_rename(const uint8_t *p, uint32_t len)
{
    struct dbgv_ctl_domain_rename req;
    int rc;

    TAKE(req, p, len);
    if ( req.pad || !name_ok(req.name, sizeof(req.name)) )
        return -DBGV_EINVAL;
    if ( (rc = domu_ok(req.domid)) )
        return rc;
    return hv_ctl_domain_rename ? hv_ctl_domain_rename(req.domid, req.name) : -DBGV_ENOSYS;
}

static int do_domain_meminfo(const uint8_t *p, uint32_t len, uint32_t *rlen)
{
    struct dbgv_ctl_meminfo rep;
    uint32_t domid;
    int rc;

    if ( (rc = take_domid(p, len, &domid)) )
        return rc;
    if ( !hv_ctl_domain_meminfo )
        return -DBGV_ENOSYS;
    memset(&rep, 0, sizeof(rep));
    if ( (rc = hv_ctl_domain_meminfo(domid, &rep)) )
        return rc;
    rep.domid = domid;
    rep.pad = 0;
    memcpy(TXP, &rep, sizeof(rep));
    *rlen = sizeof(rep);
    return 0;
}

static int do_vcpu_set_affinity(const uint8_t *p, uint32_t len)
{
    struct dbgv_ctl_vcpu_affinity req;
    int rc;

    TAKE(req, p, len);
    if ( req.pad || !req.cpumap || (req.vcpu >= CTL_MAX_VCPUS && req.vcpu != DBGV_VCPU_ALL) )
        return -DBGV_EINVAL;
    if ( (rc = domu_ok(req.domid)) )
        return rc;
    return hv_ctl_vcpu_set_affinity ? hv_ctl_vcpu_set_affinity(req.domid, req.vcpu, req.cpumap)
                                    : -DBGV_ENOSYS;
}

static int do_hvlog_clear(uint32_t len)
{
    if ( len )
        return -DBGV_EINVAL;
    return hv_ctl_hvlog_clear ? hv_ctl_hvlog_clear() : -DBGV_ENOSYS;
}

static int do_debug_keys(const uint8_t *p, uint32_t len)
{
    struct dbgv_ctl_debug_keys req;

    if ( len < sizeof(req) )
        return -DBGV_EINVAL;
    memcpy(&req, p, sizeof(req));
    if ( req.pad || req.len == 0 || req.len > DBGV_CTL_DEBUG_KEYS_MAX ||
         len != sizeof(req) + req.len )
        return -DBGV_EINVAL;
    return hv_ctl_debug_keys ? hv_ctl_debug_keys((const char *)p + sizeof(req), req.len)
                             : -DBGV_ENOSYS;
}

static int do_sched_params(const uint8_t *p, uint32_t len, uint32_t *rlen)
{
    struct dbgv_ctl_sched_params req, rep = { 0, 0 };
    bool set;
    int rc;

    TAKE(req, p, len);
    set = req.flags & DBGV_SCHED_F_SET_TSLICE;
    if ( (req.flags & ~DBGV_SCHED_F_SET_TSLICE) || (!set && req.tslice_us) ||
         (set && (req.tslice_us < DBGV_SCHED_TSLICE_MIN_US ||
                  req.tslice_us > DBGV_SCHED_TSLICE_MAX_US)) )
        return -DBGV_EINVAL;
    if ( !hv_ctl_sched_params )
        return -DBGV_ENOSYS;
    if ( (rc = hv_ctl_sched_params(set, req.tslice_us, &rep)) )
        return rc;
    memcpy(TXP, &rep, sizeof(rep));
    *rlen = sizeof(rep);
    return 0;
}

/* The hosted test backends do not implement the range: weak references
 * let the server link without them and answer -ENOSYS. */
#pragma weak hv_ctl_gdbg_attach
#pragma weak hv_ctl_gdbg_detach
#pragma weak hv_ctl_gdbg_set_bp
#pragma weak hv_ctl_gdbg_clear_bp
#pragma weak hv_ctl_gdbg_step
#pragma weak hv_ctl_gdbg_continue
#pragma weak hv_ctl_gdbg_get_regs
#pragma weak hv_ctl_gdbg_set_regs
#pragma weak hv_ctl_gdbg_mem_read
#pragma weak hv_ctl_gdbg_mem_write
#pragma weak hv_ctl_gdbg_get_regs_arm64
#pragma weak hv_ctl_gdbg_set_regs_arm64

static bool gdbg_backend(void)
{
    return hv_ctl_gdbg_attach && hv_ctl_gdbg_detach && hv_ctl_gdbg_set_bp &&
           hv_ctl_gdbg_clear_bp && hv_ctl_gdbg_step && hv_ctl_gdbg_continue &&
           hv_ctl_gdbg_get_regs && hv_ctl_gdbg_set_regs && hv_ctl_gdbg_mem_read &&
           hv_ctl_gdbg_mem_write;
}

static int vcpu_ok(uint32_t vcpu)
{
    return vcpu < CTL_MAX_VCPUS ? 0 : -DBGV_ESRCH;
}

static int do_gdbg_domain(uint16_t type, const uint8_t *p, uint32_t len)
{
    uint32_t domid;
    int rc;

    if ( (rc = take_domu(p, len, &domid)) )
        return rc;
    switch ( type )
    {
    case DBGV_CTL_MSG_GDBG_ATTACH: return hv_ctl_gdbg_attach(domid);
    case DBGV_CTL_MSG_GDBG_DETACH: return hv_ctl_gdbg_detach(domid);
    default:                       return hv_ctl_gdbg_continue(domid);
    }
}

static int do_gdbg_bp(uint16_t type, const uint8_t *p, uint32_t len)
{
    struct dbgv_ctl_gdbg_bp req;
    int rc;

    TAKE(req, p, len);
    if ( req.pad || req.id >= DBGV_GDBG_MAX_BP )
        return -DBGV_EINVAL;
    if ( req.vcpu != DBGV_GDBG_ALL_VCPUS && (rc = vcpu_ok(req.vcpu)) )
        return rc;
    if ( (rc = domu_ok(req.domid)) )
        return rc;
    if ( type == DBGV_CTL_MSG_GDBG_CLEAR_BP )
    {
        if ( req.type || req.len || req.addr )
            return -DBGV_EINVAL;
        return hv_ctl_gdbg_clear_bp(&req);
    }
    if ( req.type > DBGV_GDBG_BP_RW ||
         (req.len != 1 && req.len != 2 && req.len != 4 && req.len != 8) ||
         (req.type == DBGV_GDBG_BP_EXEC && req.len != 1) ||
         (req.addr & (req.len - 1u)) )
        return -DBGV_EINVAL;
    return hv_ctl_gdbg_set_bp(&req);
}

static int do_gdbg_step(const uint8_t *p, uint32_t len)
{
    struct dbgv_ctl_gdbg_step req;
    int rc;

    TAKE(req, p, len);
    if ( req.pad || (req.flags & ~DBGV_GDBG_STEP_IRQS) )
        return -DBGV_EINVAL;
    if ( (rc = vcpu_ok(req.vcpu)) || (rc = domu_ok(req.domid)) )
        return rc;
    return hv_ctl_gdbg_step(&req);
}

static int do_gdbg_get_regs(const uint8_t *p, uint32_t len, uint32_t *rlen)
{
    struct dbgv_ctl_gdbg_vcpu req;
    struct dbgv_gdbg_regs rep;
    int rc;

    TAKE(req, p, len);
    if ( (rc = vcpu_ok(req.vcpu)) || (rc = domu_ok(req.domid)) )
        return rc;
    memset(&rep, 0, sizeof(rep));
    if ( (rc = hv_ctl_gdbg_get_regs(req.domid, req.vcpu, &rep)) )
        return rc;
    memset(rep.pad, 0, sizeof(rep.pad));
    memcpy(TXP, &rep, sizeof(rep));
    *rlen = sizeof(rep);
    return 0;
}

static int do_gdbg_set_regs(const uint8_t *p, uint32_t len)
{
    struct dbgv_ctl_gdbg_set_regs req;
    int rc;

    TAKE(req, p, len);
    if ( req.pad || req.mask == 0 || (req.mask & ~DBGV_GDBG_REG_ALL) )
        return -DBGV_EINVAL;
    /* Unselected fields must be zero: nothing is silently ignored. */
    for ( unsigned int i = 0; i < 16; i++ )
        if ( !(req.mask & (1u << i)) && req.regs.gpr[i] )
            return -DBGV_EINVAL;
    if ( (!(req.mask & DBGV_GDBG_REG_RIP) && req.regs.rip) ||
         (!(req.mask & DBGV_GDBG_REG_RFLAGS) && req.regs.rflags) ||
         !all_zero(&req.regs.cr0, sizeof(req.regs) - __builtin_offsetof(struct dbgv_gdbg_regs, cr0)) )
        return -DBGV_EINVAL;
    if ( (rc = vcpu_ok(req.vcpu)) || (rc = domu_ok(req.domid)) )
        return rc;
    return hv_ctl_gdbg_set_regs(&req);
}

static int do_gdbg_get_regs_arm64(const uint8_t *p, uint32_t len, uint32_t *rlen)
{
    struct dbgv_ctl_gdbg_vcpu req;
    struct dbgv_gdbg_regs_arm64 rep;
    int rc;

    if ( !hv_ctl_gdbg_get_regs_arm64 )
        return -DBGV_ENOSYS;
    TAKE(req, p, len);
    if ( (rc = vcpu_ok(req.vcpu)) || (rc = domu_ok(req.domid)) )
        return rc;
    memset(&rep, 0, sizeof(rep));
    if ( (rc = hv_ctl_gdbg_get_regs_arm64(req.domid, req.vcpu, &rep)) )
        return rc;
    rep.version = DBGV_GDBG_REGS_ARM64_VERSION;
    rep.arch = DBGV_ARCH_ARM64;
    memcpy(TXP, &rep, sizeof(rep));
    *rlen = sizeof(rep);
    return 0;
}

static int do_gdbg_set_regs_arm64(const uint8_t *p, uint32_t len)
{
    struct dbgv_ctl_gdbg_set_regs_arm64 req;
    const struct dbgv_gdbg_regs_arm64 *r = &req.regs;
    int rc;

    if ( !hv_ctl_gdbg_set_regs_arm64 )
        return -DBGV_ENOSYS;
    TAKE(req, p, len);
    if ( req.pad || (req.mask == 0 && req.vmask == 0) || (req.mask & ~DBGV_GDBG_A64_ALL) ||
         r->version != DBGV_GDBG_REGS_ARM64_VERSION || r->arch != DBGV_ARCH_ARM64 )
        return -DBGV_EINVAL;
    /* Unselected fields must be zero: nothing is silently ignored. */
    for ( unsigned int i = 0; i < 31; i++ )
        if ( !(req.mask & (1ull << i)) && r->x[i] )
            return -DBGV_EINVAL;
    for ( unsigned int i = 0; i < 32; i++ )
        if ( !(req.vmask & (1u << i)) && !all_zero(r->v[i], sizeof(r->v[i])) )
            return -DBGV_EINVAL;
    if ( (!(req.mask & DBGV_GDBG_A64_SP) && r->sp) || (!(req.mask & DBGV_GDBG_A64_PC) && r->pc) ||
         (!(req.mask & DBGV_GDBG_A64_PSTATE) && r->pstate) ||
         (!(req.mask & DBGV_GDBG_A64_FPSR) && r->fpsr) ||
         (!(req.mask & DBGV_GDBG_A64_FPCR) && r->fpcr) )
        return -DBGV_EINVAL;
    if ( (rc = vcpu_ok(req.vcpu)) || (rc = domu_ok(req.domid)) )
        return rc;
    return hv_ctl_gdbg_set_regs_arm64(&req);
}

static int do_gdbg_mem(uint16_t type, const uint8_t *p, uint32_t len,
                       uint32_t *rlen)
{
    bool write = type == DBGV_CTL_MSG_GDBG_WRITE_GPA ||
                 type == DBGV_CTL_MSG_GDBG_WRITE_GVA;
    bool virt = type == DBGV_CTL_MSG_GDBG_READ_GVA ||
                type == DBGV_CTL_MSG_GDBG_WRITE_GVA;
    struct dbgv_ctl_gdbg_mem req;
    int rc;

    if ( len < sizeof(req) )
        return -DBGV_EINVAL;
    memcpy(&req, p, sizeof(req));
    if ( req.pad || req.len == 0 || req.len > DBGV_CTL_MEM_CHUNK ||
         req.addr + req.len < req.addr )
        return -DBGV_EINVAL;
    if ( len != sizeof(req) + (write ? req.len : 0) )
        return -DBGV_EINVAL;
    if ( (rc = vcpu_ok(req.vcpu)) || (rc = domu_ok(req.domid)) )
        return rc;
    if ( write )
        return hv_ctl_gdbg_mem_write(req.domid, req.vcpu, req.addr, virt,
                                     p + sizeof(req), req.len);
    if ( (rc = hv_ctl_gdbg_mem_read(req.domid, req.vcpu, req.addr, virt, TXP,
                                    req.len)) )
        return rc;
    *rlen = req.len;
    return 0;
}

static int do_gdbg(uint16_t type, const uint8_t *p, uint32_t len, uint32_t *rlen)
{
    if ( !gdbg_backend() )
        return -DBGV_ENOSYS;
    switch ( type )
    {
    case DBGV_CTL_MSG_GDBG_ATTACH:
    case DBGV_CTL_MSG_GDBG_DETACH:
    case DBGV_CTL_MSG_GDBG_CONTINUE:
        return do_gdbg_domain(type, p, len);
    case DBGV_CTL_MSG_GDBG_SET_BP:
    case DBGV_CTL_MSG_GDBG_CLEAR_BP:
        return do_gdbg_bp(type, p, len);
    case DBGV_CTL_MSG_GDBG_STEP:     return do_gdbg_step(p, len);
    case DBGV_CTL_MSG_GDBG_GET_REGS: return do_gdbg_get_regs(p, len, rlen);
    case DBGV_CTL_MSG_GDBG_SET_REGS: return do_gdbg_set_regs(p, len);
    case DBGV_CTL_MSG_GDBG_GET_REGS_ARM64: return do_gdbg_get_regs_arm64(p, len, rlen);
    case DBGV_CTL_MSG_GDBG_SET_REGS_ARM64: return do_gdbg_set_regs_arm64(p, len);
    case DBGV_CTL_MSG_GDBG_READ_GPA:
    case DBGV_CTL_MSG_GDBG_WRITE_GPA:
    case DBGV_CTL_MSG_GDBG_READ_GVA:
    case DBGV_CTL_MSG_GDBG_WRITE_GVA:
        return do_gdbg_mem(type, p, len, rlen);
    default:
        return -DBGV_ENOSYS;
    }
}

static void dispatch(const struct dbgv_ctl_hdr *h, const uint8_t *p)
{
    uint32_t rlen = 0;
    int rc;

    if ( h->type & DBGV_CTL_REPLY || h->status )
    {
        /* A reply or a status sent to the server is a protocol error. */
        struct ctl_rx_error e = { -DBGV_EPROTO, true, h->type, h->seq };

        send_error(&e);
        return;
    }

    switch ( h->type )
    {
    case DBGV_CTL_MSG_HELLO:         rc = do_hello(p, h->len, &rlen); break;
    case DBGV_CTL_MSG_PHYSINFO:      rc = do_physinfo(p, h->len, &rlen); break;
    case DBGV_CTL_MSG_DOMAIN_LIST:   rc = do_domain_list(p, h->len, &rlen); break;
    case DBGV_CTL_MSG_DOMAIN_INFO:   rc = do_domain_info(p, h->len, &rlen); break;
    case DBGV_CTL_MSG_DOMAIN_CREATE: rc = do_domain_create(p, h->len, &rlen); break;
    case DBGV_CTL_MSG_DOMAIN_PAUSE:
    case DBGV_CTL_MSG_DOMAIN_UNPAUSE:
    case DBGV_CTL_MSG_DOMAIN_DESTROY:
        rc = do_domain_op(h->type, p, h->len);
        break;
    case DBGV_CTL_MSG_DOMAIN_SHUTDOWN: rc = do_domain_shutdown(p, h->len); break;
    case DBGV_CTL_MSG_MEM_WRITE:     rc = do_mem_write(p, h->len); break;
    case DBGV_CTL_MSG_MEM_READ:      rc = do_mem_read(p, h->len, &rlen); break;
    case DBGV_CTL_MSG_VCPU_SET_REGS: rc = do_vcpu_set_regs(p, h->len); break;
    case DBGV_CTL_MSG_VCPU_LIST:     rc = do_vcpu_list(p, h->len, &rlen); break;
    case DBGV_CTL_MSG_DOMAIN_RENAME: rc = do_domain_rename(p, h->len); break;
    case DBGV_CTL_MSG_DOMAIN_MEMINFO: rc = do_domain_meminfo(p, h->len, &rlen); break;
    case DBGV_CTL_MSG_VCPU_SET_AFFINITY: rc = do_vcpu_set_affinity(p, h->len); break;
    case DBGV_CTL_MSG_HVLOG_CLEAR:   rc = do_hvlog_clear(h->len); break;
    case DBGV_CTL_MSG_DEBUG_KEYS:    rc = do_debug_keys(p, h->len); break;
    case DBGV_CTL_MSG_SCHED_PARAMS:  rc = do_sched_params(p, h->len, &rlen); break;
    case DBGV_CTL_MSG_CONSOLE_READ:
    case DBGV_CTL_MSG_HVLOG_READ:
        rc = do_ring_read(h->type, p, h->len, &rlen);
        break;
    case DBGV_CTL_MSG_CONSOLE_WRITE: rc = do_console_write(p, h->len, &rlen); break;
    case DBGV_CTL_MSG_DEBUG_STATE_GET: rc = do_debug_state(p, h->len, &rlen); break;
    case DBGV_CTL_MSG_DEBUG_STATE_LIST: rc = do_debug_state_list(p, h->len, &rlen); break;
    case DBGV_CTL_MSG_DEBUG_SUMMARY_LIST: rc = do_debug_summary_list(p, h->len, &rlen); break;
    case DBGV_CTL_MSG_DEBUG_POLICY_SET: rc = do_debug_policy(p, h->len); break;
    case DBGV_CTL_MSG_EVENTS_READ:   rc = do_events_read(p, h->len, &rlen); break;
    case DBGV_CTL_MSG_GDBG_FIRST ... DBGV_CTL_MSG_GDBG_LAST:
        rc = do_gdbg(h->type, p, h->len, &rlen);
        break;
    default:                         rc = -DBGV_ENOSYS; break;
    }

    /* Errors carry no payload, whatever the handler had started. */
    if ( rc > 0 || rc < -4095 )
        rc = -DBGV_EIO;
    if ( rc )
        rlen = 0;
    srv.stats.frames_ok++;
    send_frame(h->type | DBGV_CTL_REPLY, h->seq, rc, rlen);
}

/* Answer what the held bytes complete, at most *max_replies times. */
static void chan_process(struct ctl_chan *ch, unsigned int *max_replies)
{
    struct ctl_rx_error err;
    enum ctl_rx_result r;

    srv.cur = ch;
    ch->held_back = false;
    for ( ;; )
    {
        if ( !*max_replies )
        {
            ch->held_back = true;      /* more may be held: next call */
            return;
        }
        if ( (r = ctl_rx_step(&ch->rx, &err)) == CTL_RX_MORE )
            return;
        (*max_replies)--;
        if ( r == CTL_RX_ERROR )
            send_error(&err);
        else
            dispatch(ctl_rx_hdr(&ch->rx), ctl_rx_payload(&ch->rx));
    }
}

bool ctl_chan_busy(const struct ctl_chan *ch)
{
    return ch->held_back;
}

size_t ctl_chan_rx(struct ctl_chan *ch, const void *buf, size_t len,
                   unsigned int max_replies)
{
    const uint8_t *p = buf;
    size_t taken = 0;

    if ( len )
        ch->last_rx = srv.now;
    for ( ;; )
    {
        chan_process(ch, &max_replies);
        if ( !max_replies || taken == len )
            return taken;
        size_t n = ctl_rx_push_bytes(&ch->rx, p + taken, len - taken);

        if ( !n )               /* cannot happen after a step said MORE */
            return taken;
        taken += n;
    }
}

void ctl_rx_byte(uint8_t byte)
{
    ctl_chan_rx(&srv.main, &byte, 1, ~0u);
}

void ctl_rx_bytes(const void *buf, size_t len)
{
    ctl_chan_rx(&srv.main, buf, len, ~0u);
}

void ctl_chan_poll(struct ctl_chan *ch, uint64_t now_ns)
{
    if ( ch->rx.have && !ch->rx.frame_out && !ch->held_back &&
         now_ns - ch->last_rx > CTL_RX_STALE_NS )
    {
        srv.stats.stale_drops++;
        ctl_rx_reset(&ch->rx);
    }
}

void ctl_poll(uint64_t now_ns)
{
    srv.now = now_ns;
    ctl_chan_poll(&srv.main, now_ns);
}
