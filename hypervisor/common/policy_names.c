/* Policy and unbacked-access names (see policy_names.h); compiled into the hypervisor and libdebugctl. */
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
