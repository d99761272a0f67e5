/* libdebugctl: names of enumerated values and error messages. */
#include <errno.h>
#include <string.h>
#include "private.h"
#include <dbgvisor/policy_names.h>

/* The names are the hypervisor's own (hypervisor/common/policy_names.c). */

/* A NUL-terminated name through the hypervisor's (name, length) parser:
 * its number, or -EINVAL. */
static int parse_name(int (*parse)(const char *name, unsigned len), const char *s)
{
    int v = s ? parse(s, (unsigned)strlen(s)) : -1;

    return v < 0 ? -EINVAL : v;
}

DBGCTL_EXPORT const char *dbgctl_policy_name(unsigned int policy)
{
    return dbgv_policy_name(policy);
}

DBGCTL_EXPORT int dbgctl_policy_parse(const char *s)
{
    return parse_name(dbgv_policy_parse, s);
}

DBGCTL_EXPORT const char *dbgctl_unbacked_access_name(unsigned int mode)
{
    return dbgv_unbacked_access_name(mode);
}

DBGCTL_EXPORT int dbgctl_unbacked_access_parse(const char *s)
{
    return parse_name(dbgv_unbacked_access_parse, s);
}

DBGCTL_EXPORT const char *dbgctl_timer_mode_name(unsigned int mode)
{
    return dbgv_timer_mode_name(mode);
}

DBGCTL_EXPORT int dbgctl_timer_mode_parse(const char *s)
{
    return parse_name(dbgv_timer_mode_parse, s);
}

DBGCTL_EXPORT const char *dbgctl_shutdown_reason_name(unsigned int reason)
{
    return dbgv_shutdown_reason_name(reason);
}

DBGCTL_EXPORT const char *dbgctl_lazy_state_name(unsigned int state)
{
    return dbgv_lazy_state_name(state);
}

static const char *const domstate_names[DBGV_DOMSTATE_COUNT] = {
    "running", "blocked", "paused", "shutdown", "crashed", "dying",
};

DBGCTL_EXPORT const char *dbgctl_domstate_name(unsigned int state)
{
    return state < DBGV_DOMSTATE_COUNT ? domstate_names[state] : "unknown";
}

DBGCTL_EXPORT char dbgctl_domstate_letter(unsigned int state)
{
    return state < DBGV_DOMSTATE_COUNT ? "rbpscd"[state] : '?';
}

DBGCTL_EXPORT const char *dbgctl_vcpustate_name(unsigned int state)
{
    static const char *const n[] = {
        "running", "runnable", "blocked", "paused", "offline",
    };

    return state < sizeof(n) / sizeof(n[0]) ? n[state] : "unknown";
}

DBGCTL_EXPORT const char *dbgctl_owner_name(unsigned int owner)
{
    static const char *const n[] = { "free", "guest", "host" };

    return owner < sizeof(n) / sizeof(n[0]) ? n[owner] : "unknown";
}

DBGCTL_EXPORT const char *dbgctl_event_name(unsigned int type)
{
    switch ( type )
    {
    case DBGV_EV_BREAKPOINT:       return "breakpoint";
    case DBGV_EV_WATCHPOINT:       return "watchpoint";
    case DBGV_EV_STEP_DONE:        return "step";
    case DBGV_EV_DOMAIN_CRASHED:   return "crashed";
    case DBGV_EV_DOMAIN_SHUTDOWN:  return "shutdown";
    case DBGV_EV_DOMAIN_CREATED:   return "created";
    case DBGV_EV_DOMAIN_DESTROYED: return "destroyed";
    default:                       return "unknown";
    }
}

/* Where the hypervisor's meaning is more specific than libc's text. */
DBGCTL_EXPORT const char *dbgctl_strerror(int err)
{
    if ( err < 0 )
        err = -err;
    switch ( err )
    {
    case 0:               return "success";
    case ENOENT:
    case ECONNREFUSED:    return "no hypervisor at the control socket";
    case ETIMEDOUT:       return "hypervisor did not answer in time";
    case ECONNRESET:
    case EPIPE:           return "connection to the hypervisor lost";
    case ESRCH:           return "no such domain or vCPU";
    case EEXIST:          return "a domain with that name already exists";
    case EPERM:           return "operation not permitted on this domain";
    case EFAULT:          return "address outside the domain's memory";
    case EPROTO:          return "control protocol error (version mismatch?)";
    case EBADMSG:         return "corrupted control frame";
    case EMSGSIZE:        return "control frame too large";
    case ENOSYS:          return "operation not supported by the hypervisor";
    case EPROTONOSUPPORT: return "URI scheme not supported (use unix:/path)";
    case EBUSY:           return "domain or vCPU busy (pause it first?)";
    case ENOMEM:          return "out of memory";
    default:              return strerror(err);
    }
}
