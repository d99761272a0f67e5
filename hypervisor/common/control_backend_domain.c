/*
 * The control backend's domain life cycle and memory (dbgvisor/control.h):
 * create, pause, unpause, destroy, shut down, guest memory, entry registers,
 * and rename, on common/domain.c. The server validated every
 * field; here we check existence and state. Runs on pCPU 0's scheduler loop.
 */
#include <asm/control_arch.h>
#include <dbgvisor/console.h>
#include <dbgvisor/control.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/events.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/policy_names.h>
#include "control_backend.h"

static struct vcpu *lookup_vcpu(uint32_t domid, uint32_t vcpu, int *rc)
{
    struct domain *d = ctl_backend_lookup(domid, rc);
    if (!d)
        return NULL;
    if (vcpu >= d->nr_vcpus) {
        *rc = -DBGV_ESRCH;
        return NULL;
    }
    return d->vcpus[vcpu];
}

int hv_ctl_domain_create(const struct dbgv_ctl_domain_create *req, uint32_t *domid)
{
    struct domain *d;
    struct domain_config cfg = {
        .name = req->name, .mem_bytes = (uint64_t)req->memory_mib << 20,
        .vcpus = req->nr_vcpus, .debug_policy = req->debug_policy,
        .unbacked_access = req->unbacked_access,
        .quiet_switches = req->quiet_switches ? req->quiet_switches
                                              : DBGV_ADAPTIVE_QUIET_SWITCHES_DEFAULT,
        .cmdline = "",
    };
    int rc = domain_create(&cfg, &d);

    if (rc < 0)
        return rc;
    *domid = d->id;
    printk("domain %u (%s) created by the toolstack\n", d->id, d->name);
    if (req->timer_mode != DBGV_TIMER_MODE_DEFAULT && arch_ctl_set_timer_mode(d, req->timer_mode))
        printk("domain %u (%s): timer_mode %s\n", d->id, d->name,
               dbgv_timer_mode_name(req->timer_mode));
    events_post_domain(d->id, DBGV_EV_DOMAIN_CREATED, 0);
    return 0;
}


int hv_ctl_domain_pause(uint32_t domid)
{
    int rc;
    struct domain *d = ctl_backend_lookup(domid, &rc);
    return d ? (domain_pause(d) < 0 ? -DBGV_EBUSY : 0) : rc;
}

int hv_ctl_domain_unpause(uint32_t domid)
{
    int rc;
    struct domain *d = ctl_backend_lookup(domid, &rc);
    return d ? (domain_unpause(d) < 0 ? -DBGV_EBUSY : 0) : rc;
}

int hv_ctl_domain_destroy(uint32_t domid)
{
    int rc;
    struct domain *d = ctl_backend_lookup(domid, &rc);
    if (!d)
        return rc;
    domain_destroy(d);
    events_post_domain(domid, DBGV_EV_DOMAIN_DESTROYED, 0);
    return 0;
}

int hv_ctl_domain_shutdown(uint32_t domid, uint32_t reason)
{
    int rc;
    struct domain *d = ctl_backend_lookup(domid, &rc);
    if (!d)
        return rc;
    /* reason validated by the server */
    if (reason & DBGV_SHUTDOWN_F_NOW)
        domain_shutdown_reason(d, reason & ~DBGV_SHUTDOWN_F_NOW, 0);
    else
        domain_request_shutdown(d, reason);
    return 0;
}

int hv_ctl_mem_write(uint32_t domid, uint64_t gpa, const void *data, uint32_t len)
{
    int rc;
    struct domain *d = ctl_backend_lookup(domid, &rc);
    if (!d)
        return rc;
    return domain_write_gpa(d, gpa, data, len) < 0 ? -DBGV_EFAULT : 0;
}

int hv_ctl_mem_read(uint32_t domid, uint64_t gpa, void *data, uint32_t len)
{
    int rc;
    struct domain *d = ctl_backend_lookup(domid, &rc);
    if (!d)
        return rc;
    return domain_read_gpa(d, gpa, data, len) < 0 ? -DBGV_EFAULT : 0;
}


int hv_ctl_vcpu_set_regs(const struct dbgv_ctl_vcpu_regs *regs)
{
    int rc;
    struct vcpu *v = lookup_vcpu(regs->domid, regs->vcpu, &rc);
    if (!v)
        return rc;
    /* Paused from a vCPU (a debug event), it may still be on a pCPU. */
    if (domain_wait_stopped(v->domain) < 0)
        return -DBGV_EBUSY;
    return arch_ctl_vcpu_set_regs(v, regs);
}


int hv_ctl_domain_rename(uint32_t domid, const char *name)
{
    int rc;
    struct domain *d = ctl_backend_lookup(domid, &rc);
    return d ? domain_rename(d, name) : rc;
}
