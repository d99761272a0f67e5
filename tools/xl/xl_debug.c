/* xl debug-state and debug-policy: the debug core's per-vCPU state. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xl.h"
#include "xl_json.h"

static void state_json(yajl_gen g, const struct dbgv_vcpu_debug_state *s)
{
    const struct dbgv_debug_counters *c = &s->counters;

    yajl_gen_map_open(g);
    xl_json_u64(g, "vcpu", s->vcpu_id);
    xl_json_str(g, "policy", dbgctl_policy_name(s->policy));
    xl_json_str(g, "lazy_state", s->lazy_state == DBGV_LAZY_PASSTHROUGH
                                 ? "passthrough" : "trapping");
    xl_json_bool(g, "dirty", s->dirty);
    xl_json_str(g, "step_owner", dbgctl_owner_name(s->step_owner));
    xl_json_u64(g, "quiet_switches", s->quiet_switches);
    xl_json_key(g, "slots");
    yajl_gen_array_open(g);
    for ( int i = 0; i < DBGV_NR_SLOTS; i++ )
    {
        yajl_gen_map_open(g);
        xl_json_str(g, "owner", dbgctl_owner_name(s->slot_owner[i]));
        xl_json_hex(g, "guest_dr", s->guest_dr[i]);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    xl_json_hex(g, "guest_dr6", s->guest_dr6);
    xl_json_hex(g, "guest_dr7", s->guest_dr7);
    xl_json_hex(g, "last_dr6_seen", s->last_dr6_seen);
    xl_json_hex(g, "last_dr7_seen", s->last_dr7_seen);
    xl_json_key(g, "counters");
    yajl_gen_map_open(g);
    xl_json_u64(g, "dr_access_exits", c->dr_access_exits);
    xl_json_u64(g, "db_exits", c->db_exits);
    xl_json_u64(g, "db_reflected", c->db_reflected);
    xl_json_u64(g, "db_host_events", c->db_host_events);
    xl_json_u64(g, "dr_loads", c->dr_loads);
    xl_json_u64(g, "dr_saves", c->dr_saves);
    xl_json_u64(g, "policy_switches", c->policy_switches);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
}

static char owner_letter(unsigned int o)
{
    return o == DBGV_OWNER_GUEST ? 'g' : o == DBGV_OWNER_HOST ? 'h' : '-';
}

int main_debug_state(int argc, char **argv)
{
    static const struct option opts[] = {
        { "long", no_argument, NULL, 'l' }, { NULL, 0, NULL, 0 },
    };
    struct dbgv_vcpu_debug_state *st = NULL;
    struct dbgv_ctl_dominfo di;
    unsigned int nr = 0;
    uint32_t domid;
    int c, rc, json = 0;

    optind = 0;   /* 0: glibc re-initialises getopt (ordering mode too) */
    opterr = 0;
    while ( (c = getopt_long(argc, argv, "+l", opts, NULL)) != -1 )
    {
        if ( c != 'l' )
            return xl_usage_err("debug-state", "unknown option");
        json = 1;
    }
    if ( argc - optind != 1 )
        return xl_usage_err("debug-state", "expected one domain");
    if ( (rc = xl_find_domain(argv[optind], &domid)) )
        return rc;
    if ( domid == 0 )
        return xl_err("Domain-0 has no virtualized debug state");
    if ( (rc = dbgctl_domain_info(xl_ctx(), domid, &di)) ||
         (rc = dbgctl_debug_state(xl_ctx(), domid, &st, &nr)) )
    {
        rc = xl_err("reading debug state: %s", dbgctl_strerror(rc));
        goto out;
    }

    if ( json )
    {
        yajl_gen g = xl_json_open();

        if ( !g )
        {
            rc = xl_err("out of memory");
            goto out;
        }
        yajl_gen_map_open(g);
        xl_json_u64(g, "domid", domid);
        xl_json_str(g, "name", di.name);
        xl_json_str(g, "policy", dbgctl_policy_name(di.debug_policy));
        xl_json_u64(g, "quiet_switches", di.quiet_switches);
        xl_json_key(g, "vcpus");
        yajl_gen_array_open(g);
        for ( unsigned int i = 0; i < nr; i++ )
            state_json(g, &st[i]);
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
        rc = xl_json_close(g);
        goto out;
    }

    printf("Domain %s (id %u): policy %s, quiet switches %u\n", di.name, domid,
           dbgctl_policy_name(di.debug_policy), di.quiet_switches);
    printf("%4s %-10s %-11s %-5s %5s %4s %10s %10s %10s %10s %10s %10s %-18s %-18s\n",
           "VCPU", "Policy", "Lazy", "Dirty", "Slots", "Step", "DR-exits", "#DB-exits",
           "#DB-refl", "Host-ev", "DR-loads", "DR-saves", "DR6", "DR7");
    for ( unsigned int i = 0; i < nr; i++ )
    {
        const struct dbgv_vcpu_debug_state *s = &st[i];
        char slots[DBGV_NR_SLOTS + 1];

        for ( int k = 0; k < DBGV_NR_SLOTS; k++ )
            slots[k] = owner_letter(s->slot_owner[k]);
        slots[DBGV_NR_SLOTS] = '\0';
        printf("%4u %-10s %-11s %-5s %5s %4c %10" PRIu64 " %10" PRIu64 " %10" PRIu64
               " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %#-18" PRIx64 " %#-18" PRIx64 "\n",
               s->vcpu_id, dbgctl_policy_name(s->policy),
               s->lazy_state == DBGV_LAZY_PASSTHROUGH ? "passthrough" : "trapping",
               s->dirty ? "dirty" : "clean", slots, owner_letter(s->step_owner),
               s->counters.dr_access_exits, s->counters.db_exits,
               s->counters.db_reflected, s->counters.db_host_events,
               s->counters.dr_loads, s->counters.dr_saves,
               s->guest_dr6, s->guest_dr7);
    }
    rc = EXIT_SUCCESS;
 out:
    free(st);
    return rc;
}

int main_debug_policy(int argc, char **argv)
{
    static const struct option opts[] = {
        { "quiet-switches", required_argument, NULL, 'q' }, { NULL, 0, NULL, 0 },
    };
    int64_t quiet = -1;
    uint32_t domid;
    int c, rc, policy;
    char *end;

    optind = 0;   /* 0: glibc re-initialises getopt (ordering mode too) */
    opterr = 0;
    /* GNU permutation: --quiet-switches may follow the policy. */
    while ( (c = getopt_long(argc, argv, "q:", opts, NULL)) != -1 )
    {
        if ( c != 'q' )
            return xl_usage_err("debug-policy", "unknown option or missing value");
        errno = 0;
        quiet = strtoll(optarg, &end, 10);
        if ( errno || *end || quiet < 1 || quiet > UINT32_MAX )
            return xl_err("--quiet-switches must be a number from 1 to %u", UINT32_MAX);
    }
    if ( argc - optind != 2 )
        return xl_usage_err("debug-policy", "expected a domain and a policy");
    policy = dbgctl_policy_parse(argv[optind + 1]);
    if ( policy < 0 )
        return xl_err("unknown policy '%s' (trap, lazy-exit, lazy-sched, adaptive)",
                      argv[optind + 1]);
    if ( (rc = xl_find_domain(argv[optind], &domid)) )
        return rc;
    if ( domid == 0 )
        return xl_err("Domain-0 has no virtualized debug state");
    if ( (rc = dbgctl_debug_policy_set(xl_ctx(), domid, policy, quiet)) )
        return xl_err("%s", dbgctl_strerror(rc));
    return EXIT_SUCCESS;
}
