/*
 * libdebugctl guest debugging: attach a debugger to a domain, host
 * breakpoints and watchpoints, hidden single-step, registers, guest memory
 * by physical and virtual address, and waiting for debug events
 * (docs/guest-debug.md, GDBG_* in public/control.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "private.h"

static int domain_call(dbgctl *h, uint16_t type, uint32_t domid)
{
    struct dbgv_ctl_domid req = { .domid = domid };

    return dbgctl_call(h, type, &req, sizeof(req), NULL, 0, NULL);
}

DBGCTL_EXPORT int dbgctl_gdbg_attach(dbgctl *h, uint32_t domid)
{
    return domain_call(h, DBGV_CTL_MSG_GDBG_ATTACH, domid);
}

DBGCTL_EXPORT int dbgctl_gdbg_detach(dbgctl *h, uint32_t domid)
{
    return domain_call(h, DBGV_CTL_MSG_GDBG_DETACH, domid);
}

DBGCTL_EXPORT int dbgctl_gdbg_continue(dbgctl *h, uint32_t domid)
{
    return domain_call(h, DBGV_CTL_MSG_GDBG_CONTINUE, domid);
}

DBGCTL_EXPORT int dbgctl_gdbg_pause(dbgctl *h, uint32_t domid)
{
    return dbgctl_domain_pause(h, domid);
}

DBGCTL_EXPORT int dbgctl_gdbg_set_bp(dbgctl *h, uint32_t domid, uint32_t vcpu,
                                     unsigned int id, unsigned int type,
                                     unsigned int len, uint64_t addr)
{
    struct dbgv_ctl_gdbg_bp req = {
        .domid = domid, .vcpu = vcpu, .id = id, .type = (uint8_t)type,
        .len = (uint8_t)len, .addr = addr,
    };

    if ( type > DBGV_GDBG_BP_RW || len > 8 || id >= DBGV_GDBG_MAX_BP )
        return -EINVAL;
    return dbgctl_call(h, DBGV_CTL_MSG_GDBG_SET_BP, &req, sizeof(req), NULL, 0,
                       NULL);
}

DBGCTL_EXPORT int dbgctl_gdbg_clear_bp(dbgctl *h, uint32_t domid,
                                       uint32_t vcpu, unsigned int id)
{
    struct dbgv_ctl_gdbg_bp req = { .domid = domid, .vcpu = vcpu, .id = id };

    if ( id >= DBGV_GDBG_MAX_BP )
        return -EINVAL;
    return dbgctl_call(h, DBGV_CTL_MSG_GDBG_CLEAR_BP, &req, sizeof(req), NULL,
                       0, NULL);
}

DBGCTL_EXPORT int dbgctl_gdbg_step(dbgctl *h, uint32_t domid, uint32_t vcpu,
                                   unsigned int flags)
{
    struct dbgv_ctl_gdbg_step req = {
        .domid = domid, .vcpu = vcpu, .flags = flags,
    };

    return dbgctl_call(h, DBGV_CTL_MSG_GDBG_STEP, &req, sizeof(req), NULL, 0,
                       NULL);
}

DBGCTL_EXPORT int dbgctl_gdbg_get_regs(dbgctl *h, uint32_t domid,
                                       uint32_t vcpu,
                                       struct dbgv_gdbg_regs *out)
{
    struct dbgv_ctl_gdbg_vcpu req = { .domid = domid, .vcpu = vcpu };
    uint32_t got = 0;
    int rc = dbgctl_call(h, DBGV_CTL_MSG_GDBG_GET_REGS, &req, sizeof(req), out,
                         sizeof(*out), &got);

    if ( !rc && got != sizeof(*out) )
        rc = -EPROTO;
    return rc;
}

DBGCTL_EXPORT int dbgctl_gdbg_set_regs(dbgctl *h, uint32_t domid,
                                       uint32_t vcpu, uint32_t mask,
                                       const struct dbgv_gdbg_regs *in)
{
    struct dbgv_ctl_gdbg_set_regs req = {
        .domid = domid, .vcpu = vcpu, .mask = mask,
    };

    if ( mask == 0 || (mask & ~DBGV_GDBG_REG_ALL) )
        return -EINVAL;
    /* Only the selected fields travel; the rest must be zero on the wire. */
    for ( unsigned int i = 0; i < 16; i++ )
        if ( mask & (1u << i) )
            req.regs.gpr[i] = in->gpr[i];
    if ( mask & DBGV_GDBG_REG_RIP )
        req.regs.rip = in->rip;
    if ( mask & DBGV_GDBG_REG_RFLAGS )
        req.regs.rflags = in->rflags;
    return dbgctl_call(h, DBGV_CTL_MSG_GDBG_SET_REGS, &req, sizeof(req), NULL,
                       0, NULL);
}

DBGCTL_EXPORT int dbgctl_gdbg_get_regs_arm64(dbgctl *h, uint32_t domid, uint32_t vcpu,
                                             struct dbgv_gdbg_regs_arm64 *out)
{
    struct dbgv_ctl_gdbg_vcpu req = { .domid = domid, .vcpu = vcpu };
    uint32_t got = 0;
    int rc = dbgctl_call(h, DBGV_CTL_MSG_GDBG_GET_REGS_ARM64, &req, sizeof(req), out,
                         sizeof(*out), &got);

    if ( !rc && (got != sizeof(*out) || out->version != DBGV_GDBG_REGS_ARM64_VERSION ||
                 out->arch != DBGV_ARCH_ARM64) )
        rc = -EPROTO;
    return rc;
}

DBGCTL_EXPORT int dbgctl_gdbg_set_regs_arm64(dbgctl *h, uint32_t domid, uint32_t vcpu,
                                             uint64_t mask, uint32_t vmask,
                                             const struct dbgv_gdbg_regs_arm64 *in)
{
    struct dbgv_ctl_gdbg_set_regs_arm64 req = {
        .domid = domid, .vcpu = vcpu, .mask = mask, .vmask = vmask,
        .regs = { .version = DBGV_GDBG_REGS_ARM64_VERSION, .arch = DBGV_ARCH_ARM64 },
    };

    if ( (mask == 0 && vmask == 0) || (mask & ~DBGV_GDBG_A64_ALL) )
        return -EINVAL;
    /* Only the selected fields travel; the rest must be zero on the wire. */
    for ( unsigned int i = 0; i < 31; i++ )
        if ( mask & (1ull << i) )
            req.regs.x[i] = in->x[i];
    for ( unsigned int i = 0; i < 32; i++ )
        if ( vmask & (1u << i) )
            memcpy(req.regs.v[i], in->v[i], sizeof(req.regs.v[i]));
    if ( mask & DBGV_GDBG_A64_SP )
        req.regs.sp = in->sp;
    if ( mask & DBGV_GDBG_A64_PC )
        req.regs.pc = in->pc;
    if ( mask & DBGV_GDBG_A64_PSTATE )
        req.regs.pstate = in->pstate;
    if ( mask & DBGV_GDBG_A64_FPSR )
        req.regs.fpsr = in->fpsr;
    if ( mask & DBGV_GDBG_A64_FPCR )
        req.regs.fpcr = in->fpcr;
    return dbgctl_call(h, DBGV_CTL_MSG_GDBG_SET_REGS_ARM64, &req, sizeof(req), NULL, 0, NULL);
}

DBGCTL_EXPORT int dbgctl_gdbg_read(dbgctl *h, uint32_t domid, uint32_t vcpu,
                                   uint64_t addr, bool virt, void *data,
                                   size_t len)
{
    struct dbgv_ctl_gdbg_mem req = { .domid = domid, .vcpu = vcpu };
    uint8_t *p = data;
    uint32_t got;
    int rc;

    if ( addr + len < addr )
        return -EINVAL;
    while ( len )
    {
        req.addr = addr;
        req.len = MIN(len, (size_t)DBGV_CTL_MEM_CHUNK);
        rc = dbgctl_call(h, virt ? DBGV_CTL_MSG_GDBG_READ_GVA
                                 : DBGV_CTL_MSG_GDBG_READ_GPA,
                         &req, sizeof(req), p, req.len, &got);
        if ( rc )
            return rc;
        if ( got != req.len )
            return -EPROTO;
        addr += got;
        p += got;
        len -= got;
    }
    return 0;
}

DBGCTL_EXPORT int dbgctl_gdbg_write(dbgctl *h, uint32_t domid, uint32_t vcpu,
                                    uint64_t addr, bool virt, const void *data,
                                    size_t len)
{
    struct dbgv_ctl_gdbg_mem req = { .domid = domid, .vcpu = vcpu };
    const uint8_t *p = data;
    uint8_t *buf;
    int rc = 0;

    if ( addr + len < addr )
        return -EINVAL;
    buf = malloc(sizeof(req) + DBGV_CTL_MEM_CHUNK);
    if ( !buf )
        return -ENOMEM;
    while ( len )
    {
        req.addr = addr;
        req.len = MIN(len, (size_t)DBGV_CTL_MEM_CHUNK);
        memcpy(buf, &req, sizeof(req));
        memcpy(buf + sizeof(req), p, req.len);
        rc = dbgctl_call(h, virt ? DBGV_CTL_MSG_GDBG_WRITE_GVA
                                 : DBGV_CTL_MSG_GDBG_WRITE_GPA,
                         buf, sizeof(req) + req.len, NULL, 0, NULL);
        if ( rc )
            break;
        addr += req.len;
        p += req.len;
        len -= req.len;
    }
    free(buf);
    return rc;
}

static bool wanted(const struct dbgv_ctl_event *e)
{
    switch ( e->type )
    {
    case DBGV_EV_BREAKPOINT:
    case DBGV_EV_WATCHPOINT:
    case DBGV_EV_STEP_DONE:
    case DBGV_EV_DOMAIN_CRASHED:
    case DBGV_EV_DOMAIN_SHUTDOWN:
    case DBGV_EV_DOMAIN_DESTROYED:
        return true;
    default:
        return false;
    }
}

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

DBGCTL_EXPORT int dbgctl_gdbg_event_cursor(dbgctl *h, uint32_t domid,
                                           uint64_t *next)
{
    struct dbgv_ctl_event ev[32];
    uint64_t since = 1;
    unsigned int nr;
    int rc;

    do {
        rc = dbgctl_events_read(h, &since, domid, ev, 32, &nr, NULL);
    } while ( !rc && nr == 32 );
    if ( !rc )
        *next = since;
    return rc;
}

DBGCTL_EXPORT int dbgctl_gdbg_wait(dbgctl *h, uint32_t domid, uint64_t *since,
                                   int timeout_ms, struct dbgv_ctl_event *out)
{
    long long deadline = now_ms() + timeout_ms;
    struct dbgv_ctl_event ev[32];
    unsigned int nr;
    int rc;

    for ( ;; )
    {
        uint64_t from = *since;

        rc = dbgctl_events_read(h, &from, domid, ev, 32, &nr, NULL);
        if ( rc )
            return rc;
        for ( unsigned int i = 0; i < nr; i++ )
        {
            *since = ev[i].seq + 1;
            if ( wanted(&ev[i]) )
            {
                *out = ev[i];
                return 0;
            }
        }
        *since = from;
        if ( nr )
            continue;
        if ( timeout_ms >= 0 && now_ms() >= deadline )
            return -ETIMEDOUT;
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
}
