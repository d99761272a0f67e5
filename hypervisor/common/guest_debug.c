/*
 * Guest debugging from the host: the backend of the GDBG_* control messages
 * (public/control.h, docs/guest-debug.md). The server has validated every
 * field; here we check that the domain and vCPU exist, that a debugger is
 * attached and that the domain is paused, then drive the debug core's host
 * breakpoints and hidden single-step (common/debug/slots.c, route.c).
 *
 * A debug event (svm_debug.c: report_to_host) posts BREAKPOINT, WATCHPOINT or
 * STEP_DONE and pauses the whole domain; the debugger inspects it and
 * CONTINUEs or STEPs. Runs in pCPU 0's control loop.
 */
#include <dbgvisor/console.h>
#include <dbgvisor/control.h>
#include <dbgvisor/debug.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/guest_debug.h>
#include <dbgvisor/lib.h>

/* Per domain slot: the id of the domain a debugger is attached to, 0 none.
 * Domain ids are never reused, so a stale entry never matches. */
static uint32_t attached_id[MAX_DOMAINS];

static unsigned slot_of(const struct domain *d)
{
    return (unsigned)(d - domains);
}

bool gdbg_attached(const struct domain *d)
{
    return d->id && attached_id[slot_of(d)] == d->id;
}

/* The domain, if it exists, has not ended and has a debugger attached. */
static struct domain *attached_domain(uint32_t domid, int *rc)
{
    struct domain *d = domain_by_id(domid);

    if (!d || domain_is_ended(d)) {
        *rc = -DBGV_ESRCH;
        return NULL;
    }
    if (!gdbg_attached(d)) {
        *rc = -DBGV_EPERM;
        return NULL;
    }
    *rc = 0;
    return d;
}

/* Paused, and none of its vCPUs still on a pCPU. */
static int require_paused(struct domain *d)
{
    return domain_wait_stopped(d) < 0 ? -DBGV_EBUSY : 0;
}

static struct vcpu *vcpu_of(struct domain *d, uint32_t vcpu, int *rc)
{
    if (vcpu >= d->nr_vcpus) {
        *rc = -DBGV_ESRCH;
        return NULL;
    }
    return d->vcpus[vcpu];
}

static void clear_host_debug(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        for (unsigned id = 0; id < DBG_MAX_HOST_BP; id++)
            dbg_host_clear_bp(&v->dbg, id);
        dbg_host_single_step(&v->dbg, false, false);
        arch_gdbg_reset(v);
        arch_gdbg_bps_changed(v);      /* opens every protected page */
    }
}

int hv_ctl_gdbg_attach(uint32_t domid)
{
    struct domain *d = domain_by_id(domid);

    if (!d || domain_is_ended(d))
        return -DBGV_ESRCH;
    if (gdbg_attached(d))
        return -DBGV_EBUSY;
    domain_pause(d);                  /* not started yet: stays so */
    if (require_paused(d))
        return -DBGV_EBUSY;
    attached_id[slot_of(d)] = d->id;
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        arch_gdbg_reset(d->vcpus[i]);
    printk("domain %u (%s): debugger attached\n", d->id, d->name);
    return 0;
}

int hv_ctl_gdbg_detach(uint32_t domid)
{
    struct domain *d = domain_by_id(domid);

    if (!d)
        return -DBGV_ESRCH;
    if (!gdbg_attached(d))
        return -DBGV_EPERM;
    attached_id[slot_of(d)] = 0;
    if (domain_is_ended(d))
        return 0;
    /* Stop it while the host's breakpoints come out, then let it run. */
    domain_pause(d);
    if (require_paused(d) == 0)
        clear_host_debug(d);
    if (d->state == DOMAIN_PAUSED)     /* not one that has not started */
        domain_unpause(d);
    printk("domain %u (%s): debugger detached\n", d->id, d->name);
    return 0;
}

static void to_core_bp(const struct dbgv_ctl_gdbg_bp *req, struct dbg_bp *bp)
{
    static const uint8_t type[] = {
        [DBGV_GDBG_BP_EXEC] = DBG_BP_EXEC, [DBGV_GDBG_BP_WRITE] = DBG_BP_WRITE,
        /* x86 has no read-only watchpoint: watch both, the debugger filters. */
        [DBGV_GDBG_BP_READ] = DBG_BP_RW, [DBGV_GDBG_BP_RW] = DBG_BP_RW,
    };

    bp->addr = req->addr;
    bp->type = type[req->type & 3];
    bp->len = req->len;
    bp->enabled = true;
}

static int bp_op(const struct dbgv_ctl_gdbg_bp *req, bool set)
{
    struct domain *d;
    struct dbg_bp bp;
    unsigned first, last;
    int rc;

    if (!(d = attached_domain(req->domid, &rc)))
        return rc;
    if ((rc = require_paused(d)))
        return rc;
    if (req->vcpu == DBGV_GDBG_ALL_VCPUS) {
        first = 0;
        last = d->nr_vcpus - 1;
    } else {
        if (!vcpu_of(d, req->vcpu, &rc))
            return rc;
        first = last = req->vcpu;
    }
    if (set)
        to_core_bp(req, &bp);
    for (unsigned i = first; i <= last; i++) {
        struct vcpu *v = d->vcpus[i];
        if (set) {
            if (!dbg_host_set_bp(&v->dbg, req->id, &bp))
                return -DBGV_EINVAL;
        } else {
            dbg_host_clear_bp(&v->dbg, req->id);
        }
        arch_gdbg_bps_changed(v);
    }
    return 0;
}

int hv_ctl_gdbg_set_bp(const struct dbgv_ctl_gdbg_bp *req)
{
    return bp_op(req, true);
}

int hv_ctl_gdbg_clear_bp(const struct dbgv_ctl_gdbg_bp *req)
{
    return bp_op(req, false);
}

int hv_ctl_gdbg_step(const struct dbgv_ctl_gdbg_step *req)
{
    struct domain *d;
    int rc;

    if (!(d = attached_domain(req->domid, &rc)))
        return rc;
    if (!vcpu_of(d, req->vcpu, &rc))
        return rc;
    if ((rc = require_paused(d)))
        return rc;
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        dbg_host_single_step(&d->vcpus[i]->dbg, i == req->vcpu,
                             i == req->vcpu && (req->flags & DBGV_GDBG_STEP_IRQS));
    return domain_unpause(d) < 0 ? -DBGV_EBUSY : 0;
}

int hv_ctl_gdbg_continue(uint32_t domid)
{
    struct domain *d;
    int rc;

    if (!(d = attached_domain(domid, &rc)))
        return rc;
    if ((rc = require_paused(d)))
        return rc;
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        dbg_host_single_step(&d->vcpus[i]->dbg, false, false);
    return domain_unpause(d) < 0 ? -DBGV_EBUSY : 0;
}

/* Each architecture has its register layout: the other's hooks are absent. */
#pragma weak arch_gdbg_get_regs
#pragma weak arch_gdbg_set_regs
#pragma weak arch_gdbg_get_regs_arm64
#pragma weak arch_gdbg_set_regs_arm64

/* The vCPU whose registers a debugger reads or writes: of an attached,
 * paused domain (else NULL and *rc says why). */
static struct vcpu *stopped_vcpu(uint32_t domid, uint32_t vcpu, int *rc)
{
    struct domain *d;
    struct vcpu *v;

    if (!(d = attached_domain(domid, rc)) || !(v = vcpu_of(d, vcpu, rc)))
        return NULL;
    return (*rc = require_paused(d)) ? NULL : v;
}

int hv_ctl_gdbg_get_regs(uint32_t domid, uint32_t vcpu, struct dbgv_gdbg_regs *out)
{
    struct vcpu *v;
    int rc;

    if (!arch_gdbg_get_regs)
        return -DBGV_ENOSYS;
    if (!(v = stopped_vcpu(domid, vcpu, &rc)))
        return rc;
    arch_gdbg_get_regs(v, out);
    return 0;
}

int hv_ctl_gdbg_set_regs(const struct dbgv_ctl_gdbg_set_regs *req)
{
    struct vcpu *v;
    int rc;

    if (!arch_gdbg_set_regs)
        return -DBGV_ENOSYS;
    if (!(v = stopped_vcpu(req->domid, req->vcpu, &rc)))
        return rc;
    return arch_gdbg_set_regs(v, req->mask, &req->regs) < 0 ? -DBGV_EINVAL : 0;
}

int hv_ctl_gdbg_get_regs_arm64(uint32_t domid, uint32_t vcpu, struct dbgv_gdbg_regs_arm64 *out)
{
    struct vcpu *v;
    int rc;

    if (!arch_gdbg_get_regs_arm64)
        return -DBGV_ENOSYS;
    if (!(v = stopped_vcpu(domid, vcpu, &rc)))
        return rc;
    arch_gdbg_get_regs_arm64(v, out);
    return 0;
}

int hv_ctl_gdbg_set_regs_arm64(const struct dbgv_ctl_gdbg_set_regs_arm64 *req)
{
    struct vcpu *v;
    int rc;

    if (!arch_gdbg_set_regs_arm64)
        return -DBGV_ENOSYS;
    if (!(v = stopped_vcpu(req->domid, req->vcpu, &rc)))
        return rc;
    return arch_gdbg_set_regs_arm64(v, req->mask, req->vmask, &req->regs) < 0 ? -DBGV_EINVAL : 0;
}

/* Copy len bytes between the debugger and guest memory, page by page for
 * linear addresses (each page translated on its own). */
static int mem_op(uint32_t domid, uint32_t vcpu, uint64_t addr, bool virt, void *buf,
                  uint32_t len, bool write)
{
    struct domain *d;
    struct vcpu *v;
    uint32_t done = 0;
    int rc;

    if (!(d = attached_domain(domid, &rc)) || !(v = vcpu_of(d, vcpu, &rc)))
        return rc;
    /* Page tables and memory only hold still while the domain is paused. */
    if ((rc = require_paused(d)))
        return rc;
    while (done < len) {
        uint64_t a = addr + done, gpa = a;
        uint32_t chunk = len - done;
        if (virt) {
            uint32_t room = 0x1000u - (uint32_t)(a & 0xfff);
            if (chunk > room)
                chunk = room;
            if (arch_gdbg_virt_to_phys(v, a, &gpa) < 0)
                return -DBGV_EFAULT;
        }
        rc = write ? domain_write_gpa(d, gpa, (uint8_t *)buf + done, chunk)
                   : domain_read_gpa(d, gpa, (uint8_t *)buf + done, chunk);
        if (rc < 0)
            return -DBGV_EFAULT;
        done += chunk;
    }
    return 0;
}

int hv_ctl_gdbg_mem_read(uint32_t domid, uint32_t vcpu, uint64_t addr, bool virt,
                         void *data, uint32_t len)
{
    return mem_op(domid, vcpu, addr, virt, data, len, false);
}

int hv_ctl_gdbg_mem_write(uint32_t domid, uint32_t vcpu, uint64_t addr, bool virt,
                          const void *data, uint32_t len)
{
    return mem_op(domid, vcpu, addr, virt, (void *)data, len, true);
}
