/*
 * The control server's backend (dbgvisor/control.h): answers the toolstack's
 * requests from the domain table (the life cycle and guest memory are in
 * control_backend_domain.c). The server has validated every field;
 * here we check existence and state. Runs on pCPU 0's scheduler loop.
 */
#include <asm/control_arch.h>
#include <dbgvisor/console.h>
#include <dbgvisor/debug_arch.h>
#include <dbgvisor/control.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/events.h>
#include <dbgvisor/lib.h>
#include "control_backend.h"
#include <dbgvisor/page_alloc.h>
#include <dbgvisor/keyhandler.h>
#include <dbgvisor/percpu.h>
#include <dbgvisor/sched.h>
#include <dbgvisor/time.h>

#define HV_VERSION_STRING "dbgvisor 0.1"

void hv_ctl_hello(struct dbgv_ctl_hello_rep *rep)
{
    snprintf(rep->hv_version, sizeof(rep->hv_version), "%s", HV_VERSION_STRING);
}

static unsigned live_domains(void)
{
    unsigned n = 0;
    for (int i = 0; i < MAX_DOMAINS; i++)
        n += domains[i].state != DOMAIN_FREE;
    return n;
}

int hv_ctl_physinfo(struct dbgv_ctl_physinfo *out)
{
    out->nr_cpus = nr_pcpus;
    out->max_cpu_id = nr_pcpus - 1;
    out->cpu_khz = (uint32_t)tsc_khz();
    out->nr_domains = live_domains() + 1;
    out->total_mem = (uint64_t)palloc_total_pages() * PAGE_SIZE;
    out->free_mem = (uint64_t)palloc_free_pages() * PAGE_SIZE;
    out->uptime_ns = now_ns();
    out->hv_major = 0;
    out->hv_minor = 1;
    out->caps = ARCH_CTL_CAPS | dbg_arch_platform_caps();
    snprintf(out->hv_version, sizeof(out->hv_version), "%s", HV_VERSION_STRING);
    snprintf(out->hv_extra, sizeof(out->hv_extra), "%s", ARCH_CTL_EXTRA);
    return 0;
}

static uint8_t domain_state_code(const struct domain *d)
{
    switch (d->state) {
    case DOMAIN_BUILDING:
    case DOMAIN_PAUSED:   return DBGV_DOMSTATE_PAUSED;
    case DOMAIN_SHUTDOWN: return DBGV_DOMSTATE_SHUTDOWN;
    case DOMAIN_CRASHED:  return DBGV_DOMSTATE_CRASHED;
    default:
        for (unsigned i = 0; i < d->nr_vcpus; i++)
            if (d->vcpus[i]->state == VCPU_RUNNING || d->vcpus[i]->state == VCPU_RUNNABLE)
                return DBGV_DOMSTATE_RUNNING;
        return DBGV_DOMSTATE_BLOCKED;
    }
}

/* Domain-0 is the control domain: the toolstack itself, with no vCPUs here. */
static void fill_dom0(struct dbgv_ctl_dominfo *out)
{
    memset(out, 0, sizeof(*out));
    out->domid = 0;
    out->state = DBGV_DOMSTATE_RUNNING;
    out->uptime_s = (uint32_t)MIN(now_ns() / 1000000000ull, (uint64_t)UINT32_MAX);
    snprintf(out->name, sizeof(out->name), "Domain-0");
}

static void fill_dominfo(const struct domain *d, struct dbgv_ctl_dominfo *out)
{
    memset(out, 0, sizeof(*out));
    out->domid = d->id;
    out->state = domain_state_code(d);
    out->debug_policy = d->debug_policy;
    out->shutdown_reason = d->shutdown_reason;
    out->exit_code = d->exit_code;
    out->nr_vcpus = d->nr_vcpus;
    out->mem_bytes = out->max_mem_bytes = d->mem_bytes;
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        out->cpu_time_ns += sched_vcpu_time_ns(d->vcpus[i]);
    out->quiet_switches = d->quiet_switches;
    out->unbacked_access = d->unbacked_access;
    out->unbacked_accesses = (uint32_t)MIN(d->unbacked_accesses, (uint64_t)UINT32_MAX);
    out->reexecuted_insns = (uint32_t)MIN(d->reexecuted_insns, (uint64_t)UINT32_MAX);
    out->uptime_s = (uint32_t)MIN((now_ns() - d->created_ns) / 1000000000ull, (uint64_t)UINT32_MAX);
    snprintf(out->name, sizeof(out->name), "%s", d->name);
}

int hv_ctl_domain_meminfo(uint32_t domid, struct dbgv_ctl_meminfo *out)
{
    struct domain *d;
    int rc;

    if (domid == 0) {
        out->overhead_bytes = (uint64_t)palloc_hypervisor.pages * PAGE_SIZE;
        return 0;
    }
    if (!(d = ctl_backend_lookup(domid, &rc)))
        return rc;
    /* RAM is charged to the domain from its creation on (domain.c). */
    out->ram_bytes = d->mem_bytes;
    out->overhead_bytes = (uint64_t)d->pages.pages * PAGE_SIZE - d->mem_bytes;
    return 0;
}

/* The live domain with the smallest id >= from, or NULL. */
static struct domain *next_domain(uint32_t from)
{
    struct domain *best = NULL;

    for (int i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = &domains[i];
        if (d->state != DOMAIN_FREE && d->id >= from && (!best || d->id < best->id))
            best = d;
    }
    return best;
}

struct domain *ctl_backend_lookup(uint32_t domid, int *rc)
{
    struct domain *d = domain_by_id(domid);

    *rc = d ? 0 : -DBGV_ESRCH;
    return d;
}

int hv_ctl_domain_list(uint32_t start, struct dbgv_ctl_dominfo *out, uint32_t max,
                       uint32_t *count, uint32_t *total)
{
    *count = 0;
    *total = 0;
    if (start == 0) {
        if (*count < max)
            fill_dom0(&out[(*count)++]);
        (*total)++;
    }
    for (struct domain *d = next_domain(MAX(start, 1u)); d; d = next_domain(d->id + 1u)) {
        if (*count < max)
            fill_dominfo(d, &out[(*count)++]);
        (*total)++;
    }
    return 0;
}

int hv_ctl_domain_info(uint32_t domid, struct dbgv_ctl_dominfo *out)
{
    struct domain *d;
    int rc;

    if (domid == 0) {
        fill_dom0(out);
        return 0;
    }
    if (!(d = ctl_backend_lookup(domid, &rc)))
        return rc;
    fill_dominfo(d, out);
    return 0;
}

static uint8_t vcpu_state_code(const struct vcpu *v)
{
    if (v->domain->state == DOMAIN_PAUSED || v->domain->state == DOMAIN_BUILDING)
        return DBGV_VCPUSTATE_PAUSED;
    if (domain_is_ended(v->domain))
        return DBGV_VCPUSTATE_OFFLINE;
    switch (v->state) {
    case VCPU_RUNNING:  return DBGV_VCPUSTATE_RUNNING;
    case VCPU_RUNNABLE: return DBGV_VCPUSTATE_RUNNABLE;
    case VCPU_BLOCKED:  return DBGV_VCPUSTATE_BLOCKED;
    default:            return DBGV_VCPUSTATE_OFFLINE;
    }
}

int hv_ctl_vcpu_list(uint32_t domid, uint32_t start, struct dbgv_ctl_vcpuinfo *out,
                     uint32_t max, uint32_t *count, uint32_t *total)
{
    int rc;
    struct domain *d = ctl_backend_lookup(domid, &rc);
    if (!d)
        return rc;
    *count = 0;
    *total = d->nr_vcpus;
    for (uint32_t i = start; i < d->nr_vcpus && *count < max; i++) {
        struct vcpu *v = d->vcpus[i];
        struct dbgv_ctl_vcpuinfo *o = &out[(*count)++];
        memset(o, 0, sizeof(*o));
        o->vcpu = i;
        o->state = vcpu_state_code(v);
        o->pcpu = v->pcpu;
        o->hard_affinity = v->hard_affinity;
        o->cpu_time_ns = sched_vcpu_time_ns(v);
        o->rip = arch_ctl_vcpu_pc(v);
    }
    return 0;
}

int hv_ctl_vcpu_set_affinity(uint32_t domid, uint32_t vcpu, uint32_t cpumap)
{
    int rc;
    struct domain *d = ctl_backend_lookup(domid, &rc);
    if (!d)
        return rc;
    if (cpumap & ~sched_all_pcpus())
        return -DBGV_EINVAL;          /* a pCPU that does not exist */
    if (vcpu != DBGV_VCPU_ALL && vcpu >= d->nr_vcpus)
        return -DBGV_ESRCH;
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (vcpu == DBGV_VCPU_ALL || vcpu == i)
            sched_vcpu_set_affinity(d->vcpus[i], cpumap);
    return 0;
}

int hv_ctl_console_read(uint32_t domid, uint64_t offset, void *data, uint32_t max,
                        struct dbgv_ctl_ring_rep *rep)
{
    int rc;
    struct domain *d = ctl_backend_lookup(domid, &rc);
    if (!d)
        return rc;
    spin_lock(&d->console_lock);
    ctl_ring_read(&d->console, offset, data, max, rep);
    spin_unlock(&d->console_lock);
    return 0;
}

int hv_ctl_hvlog_read(uint64_t offset, void *data, uint32_t max, struct dbgv_ctl_ring_rep *rep)
{
    console_log_read(offset, data, max, rep);
    return 0;
}

int hv_ctl_hvlog_clear(void)
{
    console_log_clear();
    return 0;
}

int hv_ctl_debug_keys(const char *keys, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        keyhandler_handle(keys[i]);
    return 0;
}

int hv_ctl_sched_params(bool set, uint32_t tslice_us, struct dbgv_ctl_sched_params *out)
{
    if (set) {
        sched_set_slice_ns((uint64_t)tslice_us * 1000);
        printk("scheduler: time slice %u us\n", tslice_us);
    }
    out->flags = 0;
    out->tslice_us = (uint32_t)(sched_slice_ns() / 1000);
    return 0;
}

int hv_ctl_debug_state(uint32_t domid, uint32_t start, struct dbgv_vcpu_debug_state *out,
                       uint32_t max, uint32_t *count, uint32_t *total)
{
    int rc;
    struct domain *d = ctl_backend_lookup(domid, &rc);
    if (!d)
        return rc;
    *count = 0;
    *total = d->nr_vcpus;
    for (uint32_t i = start; i < d->nr_vcpus && *count < max; i++)
        dbg_snapshot(&d->vcpus[i]->dbg, &out[(*count)++]);
    return 0;
}

int hv_ctl_debug_state_list(uint32_t domid, uint32_t start,
                            struct dbgv_ctl_dom_debug_state *out, uint32_t max,
                            uint32_t *count, uint32_t *total)
{
    *count = 0;
    *total = 0;
    for (struct domain *d = next_domain(MAX(domid, 1u)); d; d = next_domain(d->id + 1u)) {
        for (uint32_t i = d->id == domid ? start : 0; i < d->nr_vcpus; i++) {
            if (*count < max) {
                out[*count].domid = d->id;
                dbg_snapshot(&d->vcpus[i]->dbg, &out[*count].st);
                (*count)++;
            }
            (*total)++;
        }
    }
    return 0;
}

int hv_ctl_debug_policy_set(uint32_t domid, uint32_t policy, bool set_quiet, uint32_t quiet)
{
    int rc;
    struct domain *d = ctl_backend_lookup(domid, &rc);
    if (!d)
        return rc;
    d->debug_policy = (uint8_t)policy;
    if (set_quiet)
        d->quiet_switches = quiet;
    /* Each vCPU applies the request at its next VM entry. */
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (!dbg_set_policy(&d->vcpus[i]->dbg, (enum dbgv_debug_policy)policy, d->quiet_switches))
            return -DBGV_EINVAL;
    printk("domain %u (%s): debug policy %u\n", d->id, d->name, policy);
    return 0;
}

int hv_ctl_events_read(uint64_t since_seq, uint32_t domid, struct dbgv_ctl_event *out,
                       uint32_t max, struct dbgv_ctl_events_rep *rep)
{
    events_read(since_seq, domid, out, max, rep);
    return 0;
}
