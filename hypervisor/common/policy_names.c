/* Policy names (see policy_names.h); compiled into the hypervisor and libdebugctl. */
#include <public/debug.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/policy_names.h>

static const char *const names[DBGV_POLICY_COUNT] = {
    [DBGV_POLICY_TRAP] = "trap",
    [DBGV_POLICY_LAZY_EXIT] = "lazy-exit",
    [DBGV_POLICY_LAZY_SCHED] = "lazy-sched",
    [DBGV_POLICY_ADAPTIVE] = "adaptive",
};

const char *dbgv_policy_name(unsigned policy)
{
    return policy < DBGV_POLICY_COUNT ? names[policy] : "unknown";
}

int dbgv_policy_parse(const char *name, unsigned len)
{
    for (unsigned i = 0; name && i < DBGV_POLICY_COUNT; i++)
        if (strlen(names[i]) == len && !strncmp(name, names[i], len))
            return (int)i;
    return -1;
}
