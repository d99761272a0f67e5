/* Names of the public ABI's enumerated values (see policy_names.h): the one
 * table of each, compiled into the hypervisor and libdebugctl. */
#include <public/control.h>
#include <public/debug.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/policy_names.h>

static const char *const names[DBGV_POLICY_COUNT] = {
    [DBGV_POLICY_TRAP] = "trap",
    [DBGV_POLICY_LAZY_EXIT] = "lazy-exit",
    [DBGV_POLICY_LAZY_SCHED] = "lazy-sched",
    [DBGV_POLICY_ADAPTIVE] = "adaptive",
};

static const char *const unbacked_names[DBGV_UNBACKED_COUNT] = {
    [DBGV_UNBACKED_IGNORE] = "ignore",
    [DBGV_UNBACKED_CRASH] = "crash",
};

/* Xen's xl.cfg names, by enum dbgv_timer_mode; 0 (the default) has the
 * name of the mode it stands for. */
static const char *const timer_mode_names[DBGV_TIMER_MODE_COUNT] = {
    [DBGV_TIMER_MODE_DEFAULT] = "no_delay_for_missed_ticks",
    [DBGV_TIMER_MODE_NO_DELAY_FOR_MISSED_TICKS] = "no_delay_for_missed_ticks",
    [DBGV_TIMER_MODE_NO_MISSED_TICKS_PENDING] = "no_missed_ticks_pending",
    [DBGV_TIMER_MODE_ONE_MISSED_TICK_PENDING] = "one_missed_tick_pending",
};

/* By enum dbgv_shutdown_reason (Xen's SHUTDOWN_* names). */
static const char *const shutdown_reason_names[] = {
    [DBGV_SHUTDOWN_POWEROFF] = "poweroff", [DBGV_SHUTDOWN_REBOOT] = "reboot",
    [DBGV_SHUTDOWN_SUSPEND] = "suspend",   [DBGV_SHUTDOWN_CRASH] = "crash",
    [DBGV_SHUTDOWN_WATCHDOG] = "watchdog",
};

/* By enum dbgv_lazy_state. */
static const char *const lazy_state_names[] = {
    [DBGV_LAZY_TRAPPING] = "trapping", [DBGV_LAZY_PASSTHROUGH] = "passthrough",
};

#define NR_NAMES(table) (sizeof(table) / sizeof((table)[0]))

static int lookup(const char *const *table, unsigned n, const char *name, unsigned len)
{
    for (unsigned i = 0; name && i < n; i++)
        if (strlen(table[i]) == len && !strncmp(name, table[i], len))
            return (int)i;
    return -1;
}

const char *dbgv_policy_name(unsigned policy)
{
    return policy < DBGV_POLICY_COUNT ? names[policy] : "unknown";
}

int dbgv_policy_parse(const char *name, unsigned len)
{
    return lookup(names, DBGV_POLICY_COUNT, name, len);
}

const char *dbgv_unbacked_access_name(unsigned mode)
{
    return mode < DBGV_UNBACKED_COUNT ? unbacked_names[mode] : "unknown";
}

int dbgv_unbacked_access_parse(const char *name, unsigned len)
{
    return lookup(unbacked_names, DBGV_UNBACKED_COUNT, name, len);
}

const char *dbgv_timer_mode_name(unsigned mode)
{
    return mode < DBGV_TIMER_MODE_COUNT ? timer_mode_names[mode] : "unknown";
}

int dbgv_timer_mode_parse(const char *name, unsigned len)
{
    /* From 1: a name stands for its own mode, not for "the default". */
    int m = lookup(timer_mode_names + 1, DBGV_TIMER_MODE_COUNT - 1, name, len);

    return m < 0 ? -1 : m + 1;
}

const char *dbgv_shutdown_reason_name(unsigned reason)
{
    return reason < NR_NAMES(shutdown_reason_names) ? shutdown_reason_names[reason] : "unknown";
}

const char *dbgv_lazy_state_name(unsigned state)
{
    return state < NR_NAMES(lazy_state_names) ? lazy_state_names[state] : "unknown";
}
