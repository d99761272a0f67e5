/*
 * Fake hypervisor backend: the hv_ctl_* functions over an in-memory model
 * of domains, so the real server code can be tested hosted. On unpause it
 * checks the multiboot hand-over the toolstack prepared and reports it on
 * the domain console, which makes the domain builder testable end to end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fake_backend.h"

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif

#define RING_SIZE 4096
#define EVQ_SIZE  64

struct fvcpu {
    struct dbgv_ctl_vcpu_regs regs;
    uint8_t state;
    uint64_t time;
    struct dbgv_vcpu_debug_state dbg;
};

struct fdom {
    int used;
    struct dbgv_ctl_dominfo info;
    uint8_t *mem;
    uint64_t memsz;
    struct ctl_ring con;
    uint8_t conbuf[RING_SIZE];
    uint32_t overruns;          /* console input beyond the receiver's room */
    uint64_t dirty_lo, dirty_hi; /* the bytes of mem ever written */
    struct fvcpu vcpu[CTL_MAX_VCPUS];
};

static struct fdom doms[FAKE_MAX_DOMS];
/* Slots used since the last reset: fake_reset() clears only those (the
 * fuzz harness resets once per input; 64 whole slots are 1.3 MB). */
static uint64_t slots_used;

/* Memory of destroyed domains, kept for the next domain of the same size
 * with the range written so far: taking it back zeroes only that range
 * instead of allocating (and, under ASan, mapping and poisoning) again. */
#define MEM_CACHE 8
static struct {
    uint8_t *mem;
    uint64_t size, dirty_lo, dirty_hi;
} mem_cache[MEM_CACHE];
static struct ctl_ring hvlog;
static uint8_t hvlogbuf[RING_SIZE];
static struct ctl_evq evq;
static struct dbgv_ctl_event evbuf[EVQ_SIZE];
static uint64_t now_ns;

static struct fdom *find(uint32_t domid)
{
    if ( domid >= FAKE_MAX_DOMS || !doms[domid].used )
        return NULL;
    return &doms[domid];
}

/* Zeroed memory of size bytes for a new domain. */
static uint8_t *mem_get(uint64_t size)
{
    for ( int i = 0; i < MEM_CACHE; i++ )
        if ( mem_cache[i].mem && mem_cache[i].size == size )
        {
            uint8_t *mem = mem_cache[i].mem;

            memset(mem + mem_cache[i].dirty_lo, 0,
                   mem_cache[i].dirty_hi - mem_cache[i].dirty_lo);
            mem_cache[i].mem = NULL;
            return mem;
        }
    return calloc(1, size);
}

/* Ends a slot's domain: its memory to the cache (or freed), the slot zeroed. */
static void slot_clear(struct fdom *d)
{
    int i;

    for ( i = 0; i < MEM_CACHE && mem_cache[i].mem; i++ )
        ;
    if ( d->mem && i < MEM_CACHE )
    {
        mem_cache[i].mem = d->mem;
        mem_cache[i].size = d->memsz;
        mem_cache[i].dirty_lo = d->dirty_lo;
        mem_cache[i].dirty_hi = d->dirty_hi;
    }
    else
        free(d->mem);
    memset(d, 0, sizeof(*d));
}

void fake_reset(void)
{
    for ( int i = 0; i < FAKE_MAX_DOMS; i++ )
        if ( slots_used & (1ull << i) )
            slot_clear(&doms[i]);
    slots_used = 1;
    ctl_ring_init(&hvlog, hvlogbuf, RING_SIZE);
    ctl_evq_init(&evq, evbuf, EVQ_SIZE);
    now_ns = 0;
    doms[0].used = 1;
    doms[0].info.domid = 0;
    doms[0].info.state = DBGV_DOMSTATE_RUNNING;
    doms[0].info.nr_vcpus = 0;
    doms[0].info.mem_bytes = doms[0].info.max_mem_bytes = 0;
    strcpy(doms[0].info.name, "Domain-0");
    ctl_ring_init(&doms[0].con, doms[0].conbuf, RING_SIZE);
    fake_console_write(~0u, "(XEN) fake dbgvisor started\n");
}

void fake_console_write(uint32_t domid, const char *s)
{
    struct fdom *d = find(domid);

    if ( domid == ~0u )
        ctl_ring_write(&hvlog, s, strlen(s));
    else if ( d )
        ctl_ring_write(&d->con, s, strlen(s));
}

void fake_post_event(uint32_t domid, uint16_t type, int32_t code)
{
    struct dbgv_ctl_event ev = {
        .time_ns = now_ns, .domid = domid, .type = type, .code = code,
    };

    ctl_evq_push(&evq, &ev);
}

void fake_tick(uint64_t ns)
{
    now_ns += ns;
    for ( int i = 1; i < FAKE_MAX_DOMS; i++ )
    {
        struct fdom *d = &doms[i];

        if ( !d->used || d->info.state != DBGV_DOMSTATE_RUNNING )
            continue;
        for ( uint32_t v = 0; v < d->info.nr_vcpus; v++ )
        {
            d->vcpu[v].time += ns;
            d->vcpu[v].dbg.counters.dr_access_exits += 3;
            d->vcpu[v].dbg.counters.db_exits += 1;
        }
        d->info.cpu_time_ns += ns * d->info.nr_vcpus;
    }
}

int fake_domain_exit(uint32_t domid, int32_t code, int crashed)
{
    struct fdom *d = find(domid);

    if ( !d || domid == 0 )
        return -DBGV_ESRCH;
    d->info.state = crashed ? DBGV_DOMSTATE_CRASHED : DBGV_DOMSTATE_SHUTDOWN;
    d->info.exit_code = code;
    d->info.shutdown_reason = crashed ? DBGV_SHUTDOWN_CRASH : DBGV_SHUTDOWN_POWEROFF;
    fake_post_event(domid, crashed ? DBGV_EV_DOMAIN_CRASHED : DBGV_EV_DOMAIN_SHUTDOWN,
                    code);
    return 0;
}

/* ---- the backend ------------------------------------------------------- */

void hv_ctl_hello(struct dbgv_ctl_hello_rep *rep)
{
    snprintf(rep->hv_version, sizeof(rep->hv_version), "dbgvisor 0.1-fake");
}

int hv_ctl_physinfo(struct dbgv_ctl_physinfo *out)
{
    uint64_t used = 0;

    for ( int i = 0; i < FAKE_MAX_DOMS; i++ )
        if ( doms[i].used )
        {
            out->nr_domains++;
            used += doms[i].memsz;
        }
    out->nr_cpus = 2;
    out->max_cpu_id = 1;
    out->cpu_khz = 2000000;
    out->total_mem = 512ull << 20;
    out->free_mem = out->total_mem > used ? out->total_mem - used : 0;
    out->uptime_ns = now_ns;
    out->hv_major = 0;
    out->hv_minor = 1;
    out->caps = DBGV_CAP_HVM | DBGV_CAP_HAP;
    snprintf(out->hv_version, sizeof(out->hv_version), "dbgvisor 0.1-fake");
    snprintf(out->hv_extra, sizeof(out->hv_extra), "-fake");
    return 0;
}

int hv_ctl_domain_list(uint32_t start, struct dbgv_ctl_dominfo *out,
                       uint32_t max, uint32_t *count, uint32_t *total)
{
    *count = *total = 0;
    for ( uint32_t i = 0; i < FAKE_MAX_DOMS; i++ )
    {
        if ( !doms[i].used )
            continue;
        (*total)++;
        if ( i >= start && *count < max )
            out[(*count)++] = doms[i].info;
    }
    return 0;
}

int hv_ctl_domain_info(uint32_t domid, struct dbgv_ctl_dominfo *out)
{
    struct fdom *d = find(domid);

    if ( !d )
        return -DBGV_ESRCH;
    *out = d->info;
    return 0;
}

int hv_ctl_domain_create(const struct dbgv_ctl_domain_create *req,
                         uint32_t *domid)
{
    uint64_t used = 0;
    struct fdom *d = NULL;
    uint32_t id;

    for ( int i = 0; i < FAKE_MAX_DOMS; i++ )
        if ( doms[i].used )
        {
            if ( !strcmp(doms[i].info.name, req->name) )
                return -DBGV_EEXIST;
            used += doms[i].memsz;
        }
    if ( used + ((uint64_t)req->memory_mib << 20) > (512ull << 20) )
        return -DBGV_ENOMEM;
    for ( id = 1; id < FAKE_MAX_DOMS; id++ )
        if ( !doms[id].used )
        {
            d = &doms[id];
            break;
        }
    if ( !d )
        return -DBGV_ENOSPC;

    /* A free slot is all zero (slot_clear). */
    d->mem = mem_get((uint64_t)req->memory_mib << 20);
    if ( !d->mem )
        return -DBGV_ENOMEM;
    d->memsz = (uint64_t)req->memory_mib << 20;
    slots_used |= 1ull << id;
    d->used = 1;
    d->info.domid = id;
    d->info.state = DBGV_DOMSTATE_PAUSED;
    d->info.debug_policy = req->debug_policy;
    d->info.quiet_switches = req->quiet_switches ? req->quiet_switches
                                                 : DBGV_ADAPTIVE_QUIET_SWITCHES_DEFAULT;
    d->info.nr_vcpus = req->nr_vcpus;
    d->info.mem_bytes = d->info.max_mem_bytes = d->memsz;
    memcpy(d->info.name, req->name, sizeof(d->info.name));
    ctl_ring_init(&d->con, d->conbuf, RING_SIZE);
    for ( uint32_t v = 0; v < req->nr_vcpus; v++ )
    {
        d->vcpu[v].state = v ? DBGV_VCPUSTATE_OFFLINE : DBGV_VCPUSTATE_PAUSED;
        d->vcpu[v].dbg.vcpu_id = v;
        d->vcpu[v].dbg.policy = req->debug_policy;
        d->vcpu[v].dbg.quiet_switches = d->info.quiet_switches;
        d->vcpu[v].dbg.guest_dr6 = 0xffff0ff0;
        d->vcpu[v].dbg.guest_dr7 = 0x400;
    }
    *domid = id;
    fake_post_event(id, DBGV_EV_DOMAIN_CREATED, 0);
    return 0;
}

/* What a real multiboot guest would find: report it on its console. */
static void check_handover(struct fdom *d)
{
    const struct dbgv_ctl_vcpu_regs *r = &d->vcpu[0].regs;
    uint32_t mbi[12];
    char line[256], cmd[128] = "";

    if ( r->rax != 0x2BADB002 || d->memsz < sizeof(mbi) || r->rbx > d->memsz - sizeof(mbi) )
    {
        fake_console_write(d->info.domid, "no multiboot hand-over\n");
        return;
    }
    memcpy(mbi, d->mem + r->rbx, sizeof(mbi));
    if ( mbi[4] < d->memsz )
        snprintf(cmd, sizeof(cmd), "%.*s",
                 (int)strnlen((char *)d->mem + mbi[4],
                              MIN(sizeof(cmd) - 1, d->memsz - mbi[4])),
                 (char *)d->mem + mbi[4]);
    snprintf(line, sizeof(line),
             "boot: entry=%#llx flags=%#x mem_lower=%u mem_upper=%u cmdline='%s'\n",
             (unsigned long long)r->rip, mbi[0], mbi[1], mbi[2], cmd);
    fake_console_write(d->info.domid, line);
    if ( d->memsz >= 4 && r->rip <= d->memsz - 4 )
    {
        snprintf(line, sizeof(line), "code at entry: %02x %02x %02x %02x\n",
                 d->mem[r->rip], d->mem[r->rip + 1], d->mem[r->rip + 2],
                 d->mem[r->rip + 3]);
        fake_console_write(d->info.domid, line);
    }
}

int hv_ctl_domain_pause(uint32_t domid)
{
    struct fdom *d = find(domid);

    if ( !d )
        return -DBGV_ESRCH;
    if ( d->info.state == DBGV_DOMSTATE_RUNNING ||
         d->info.state == DBGV_DOMSTATE_BLOCKED )
        d->info.state = DBGV_DOMSTATE_PAUSED;
    return 0;
}

int hv_ctl_domain_unpause(uint32_t domid)
{
    struct fdom *d = find(domid);

    if ( !d )
        return -DBGV_ESRCH;
    if ( d->info.state != DBGV_DOMSTATE_PAUSED )
        return d->info.state == DBGV_DOMSTATE_RUNNING ? 0 : -DBGV_EINVAL;
    if ( d->vcpu[0].state == DBGV_VCPUSTATE_PAUSED && d->vcpu[0].time == 0 &&
         d->info.cpu_time_ns == 0 )
        check_handover(d);
    d->info.state = DBGV_DOMSTATE_RUNNING;
    d->vcpu[0].state = DBGV_VCPUSTATE_RUNNING;
    return 0;
}

int hv_ctl_domain_destroy(uint32_t domid)
{
    struct fdom *d = find(domid);

    if ( !d )
        return -DBGV_ESRCH;
    slot_clear(d);
    fake_post_event(domid, DBGV_EV_DOMAIN_DESTROYED, 0);
    return 0;
}

int hv_ctl_domain_shutdown(uint32_t domid, uint32_t reason)
{
    struct fdom *d = find(domid);

    if ( !d )
        return -DBGV_ESRCH;
    d->info.state = DBGV_DOMSTATE_SHUTDOWN;
    d->info.shutdown_reason = reason;
    fake_post_event(domid, DBGV_EV_DOMAIN_SHUTDOWN, 0);
    return 0;
}

int hv_ctl_mem_write(uint32_t domid, uint64_t gpa, const void *data,
                     uint32_t len)
{
    struct fdom *d = find(domid);

    if ( !d )
        return -DBGV_ESRCH;
    if ( gpa >= d->memsz || len > d->memsz - gpa )
        return -DBGV_EFAULT;
    memcpy(d->mem + gpa, data, len);
    if ( d->dirty_lo == d->dirty_hi )
        d->dirty_lo = gpa;
    d->dirty_lo = MIN(d->dirty_lo, gpa);
    d->dirty_hi = d->dirty_hi > gpa + len ? d->dirty_hi : gpa + len;
    return 0;
}

int hv_ctl_mem_read(uint32_t domid, uint64_t gpa, void *data, uint32_t len)
{
    struct fdom *d = find(domid);

    if ( !d )
        return -DBGV_ESRCH;
    if ( gpa >= d->memsz || len > d->memsz - gpa )
        return -DBGV_EFAULT;
    memcpy(data, d->mem + gpa, len);
    return 0;
}

int hv_ctl_vcpu_set_regs(const struct dbgv_ctl_vcpu_regs *regs)
{
    struct fdom *d = find(regs->domid);
    struct dbgv_ctl_vcpu_regs *r;

    if ( !d || regs->vcpu >= d->info.nr_vcpus )
        return -DBGV_ESRCH;
    if ( d->info.state != DBGV_DOMSTATE_PAUSED )
        return -DBGV_EBUSY;
    r = &d->vcpu[regs->vcpu].regs;
#define SET(bit, f) if ( regs->mask & (bit) ) r->f = regs->f
    SET(DBGV_REG_RIP, rip); SET(DBGV_REG_RFLAGS, rflags);
    SET(DBGV_REG_RSP, rsp); SET(DBGV_REG_RBP, rbp);
    SET(DBGV_REG_RAX, rax); SET(DBGV_REG_RBX, rbx);
    SET(DBGV_REG_RCX, rcx); SET(DBGV_REG_RDX, rdx);
    SET(DBGV_REG_RSI, rsi); SET(DBGV_REG_RDI, rdi);
#undef SET
    return 0;
}

int hv_ctl_vcpu_list(uint32_t domid, uint32_t start,
                     struct dbgv_ctl_vcpuinfo *out, uint32_t max,
                     uint32_t *count, uint32_t *total)
{
    struct fdom *d = find(domid);

    if ( !d )
        return -DBGV_ESRCH;
    *total = d->info.nr_vcpus;
    *count = 0;
    for ( uint32_t v = start; v < d->info.nr_vcpus && *count < max; v++ )
    {
        struct dbgv_ctl_vcpuinfo *o = &out[(*count)++];

        o->vcpu = v;
        o->state = d->info.state == DBGV_DOMSTATE_PAUSED && v == 0
                   ? DBGV_VCPUSTATE_PAUSED : d->vcpu[v].state;
        o->pcpu = d->vcpu[v].time ? (int32_t)(v % 2) : -1;
        o->cpu_time_ns = d->vcpu[v].time;
        o->rip = d->vcpu[v].regs.rip;
    }
    return 0;
}

int hv_ctl_console_read(uint32_t domid, uint64_t offset, void *data,
                        uint32_t max, struct dbgv_ctl_ring_rep *rep)
{
    struct fdom *d = find(domid);

    if ( !d )
        return -DBGV_ESRCH;
    ctl_ring_read(&d->con, offset, data, max, rep);
    return 0;
}

/* The fake domain's guest echoes its console input at once, so its receiver
 * (16 bytes, as the 16550A's FIFO) is always empty again: `xl console` input
 * comes back as output, which the end-to-end tests check. */
#define FAKE_RX_FIFO 16

int hv_ctl_console_write(uint32_t domid, const void *data, uint32_t len,
                         struct dbgv_ctl_console_write_rep *rep)
{
    struct fdom *d = find(domid);

    if ( !d )
        return -DBGV_ESRCH;
    rep->accepted = MIN(len, FAKE_RX_FIFO);
    d->overruns += len - rep->accepted;
    ctl_ring_write(&d->con, data, rep->accepted);
    rep->room = FAKE_RX_FIFO;
    return 0;
}

uint32_t fake_console_overruns(uint32_t domid)
{
    struct fdom *d = find(domid);

    return d ? d->overruns : 0;
}

int hv_ctl_hvlog_read(uint64_t offset, void *data, uint32_t max,
                      struct dbgv_ctl_ring_rep *rep)
{
    ctl_ring_read(&hvlog, offset, data, max, rep);
    return 0;
}

int hv_ctl_debug_state(uint32_t domid, uint32_t start,
                       struct dbgv_vcpu_debug_state *out, uint32_t max,
                       uint32_t *count, uint32_t *total)
{
    struct fdom *d = find(domid);

    if ( !d )
        return -DBGV_ESRCH;
    *total = d->info.nr_vcpus;
    *count = 0;
    for ( uint32_t v = start; v < d->info.nr_vcpus && *count < max; v++ )
        out[(*count)++] = d->vcpu[v].dbg;
    return 0;
}

int hv_ctl_debug_state_list(uint32_t domid, uint32_t start,
                            struct dbgv_ctl_dom_debug_state *out, uint32_t max,
                            uint32_t *count, uint32_t *total)
{
    *count = *total = 0;
    for ( uint32_t i = domid ? domid : 1; i < FAKE_MAX_DOMS; i++ )
        for ( uint32_t v = i == domid ? start : 0;
              doms[i].used && v < doms[i].info.nr_vcpus; v++ )
        {
            if ( *count < max )
            {
                out[*count].domid = i;
                out[*count].st = doms[i].vcpu[v].dbg;
                (*count)++;
            }
            (*total)++;
        }
    return 0;
}

int hv_ctl_debug_policy_set(uint32_t domid, uint32_t policy, bool set_quiet,
                            uint32_t quiet_switches)
{
    struct fdom *d = find(domid);

    if ( !d )
        return -DBGV_ESRCH;
    d->info.debug_policy = policy;
    if ( set_quiet )
        d->info.quiet_switches = quiet_switches;
    for ( uint32_t v = 0; v < d->info.nr_vcpus; v++ )
    {
        d->vcpu[v].dbg.policy = policy;
        d->vcpu[v].dbg.quiet_switches = d->info.quiet_switches;
        d->vcpu[v].dbg.counters.policy_switches++;
    }
    return 0;
}

int hv_ctl_events_read(uint64_t since_seq, uint32_t domid,
                       struct dbgv_ctl_event *out, uint32_t max,
                       struct dbgv_ctl_events_rep *rep)
{
    ctl_evq_read(&evq, since_seq, domid, out, max, rep);
    return 0;
}
