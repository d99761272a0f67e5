/* xl debug-state and debug-policy: the debug core's per-vCPU state. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xl.h"
#include "xl_cfg.h"
#include "xl_json.h"

/* arm64 (public/debug.h DBGV_ARM64_*): the pairs the CPU has, MDSCR_EL1, the OS lock. */
static void arm64_pairs_json(yajl_gen g, const struct dbgv_vcpu_debug_state *s,
                             const char *key, unsigned int first, unsigned int ctl)
{
    xl_json_key(g, key);
    yajl_gen_array_open(g);
    for ( unsigned int n = 0; n < DBGV_ARM64_MAX_BP; n++ )
    {
        if ( !(s->slots_present & (1u << (first + n))) )
            continue;
        yajl_gen_map_open(g);
        xl_json_str(g, "owner", dbgctl_owner_name(s->owner[first + n]));
        xl_json_hex(g, "value", s->regs[first + n]);
        xl_json_hex(g, "control", s->regs[ctl + n]);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

static void arm64_regs_json(yajl_gen g, const struct dbgv_vcpu_debug_state *s)
{
    xl_json_str(g, "arch", "arm64");
    arm64_pairs_json(g, s, "breakpoints", DBGV_ARM64_BVR(0), DBGV_ARM64_BCR(0));
    arm64_pairs_json(g, s, "watchpoints", DBGV_ARM64_WVR(0), DBGV_ARM64_WCR(0));
    xl_json_hex(g, "mdscr_el1", s->control);
    xl_json_hex(g, "oslsr_el1", s->regs[DBGV_ARM64_OSLSR]);
    xl_json_hex(g, "osdlr_el1", s->regs[DBGV_ARM64_OSDLR]);
    xl_json_hex(g, "claim", s->regs[DBGV_ARM64_CLAIM]);
    xl_json_hex(g, "mdccint_el1", s->regs[DBGV_ARM64_MDCCINT]);
}

/* x86: the four slots, DR6 and DR7 (version 1's fields, the output tests compare). */
static void x86_regs_json(yajl_gen g, const struct dbgv_vcpu_debug_state *s)
{
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
}

static void state_json(yajl_gen g, const struct dbgv_vcpu_debug_state *s)
{
    const struct dbgv_debug_counters *c = &s->counters;

    yajl_gen_map_open(g);
    xl_json_u64(g, "vcpu", s->vcpu_id);
    xl_json_str(g, "policy", dbgctl_policy_name(s->policy));
    xl_json_str(g, "lazy_state", dbgctl_lazy_state_name(s->lazy_state));
    xl_json_bool(g, "dirty", s->dirty);
    xl_json_str(g, "step_owner", dbgctl_owner_name(s->step_owner));
    xl_json_u64(g, "quiet_switches", s->quiet_switches);
    if ( s->arch == DBGV_ARCH_ARM64 )
        arm64_regs_json(g, s);
    else
        x86_regs_json(g, s);
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

/* Owner letters of the slots: x86 "gg--"; arm64 the breakpoints the CPU has, '/',
 * its watchpoints ("gggggg/gggg"). */
static void slot_letters(const struct dbgv_vcpu_debug_state *s, char *out)
{
    unsigned int k = 0;

    if ( s->arch != DBGV_ARCH_ARM64 )
    {
        for ( int i = 0; i < DBGV_NR_SLOTS; i++ )
            out[k++] = owner_letter(s->slot_owner[i]);
        out[k] = '\0';
        return;
    }
    for ( unsigned int n = 0; n < s->nr_slots && n < DBGV_MAX_SLOTS; n++ )
    {
        if ( n == DBGV_ARM64_WVR(0) )
            out[k++] = '/';
        if ( s->slots_present & (1u << n) )
            out[k++] = owner_letter(s->owner[n]);
    }
    out[k] = '\0';
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
    bool arm64;

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
    /* A domain's vCPUs share its arch: arm64 has no status register, MDSCR_EL1 for DR7. */
    arm64 = nr && st[0].arch == DBGV_ARCH_ARM64;
    printf("%4s %-10s %-11s %-5s %*s %4s %10s %10s %10s %10s %10s %10s %-18s %-18s\n",
           "VCPU", "Policy", "Lazy", "Dirty", arm64 ? 33 : 5, "Slots", "Step", "DR-exits",
           "#DB-exits", "#DB-refl", "Host-ev", "DR-loads", "DR-saves", arm64 ? "OSLSR" : "DR6",
           arm64 ? "MDSCR" : "DR7");
    for ( unsigned int i = 0; i < nr; i++ )
    {
        const struct dbgv_vcpu_debug_state *s = &st[i];
        char slots[DBGV_MAX_SLOTS + 2];

        slot_letters(s, slots);
        printf("%4u %-10s %-11s %-5s %*s %4c %10" PRIu64 " %10" PRIu64 " %10" PRIu64
               " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %#-18" PRIx64 " %#-18" PRIx64 "\n",
               s->vcpu_id, dbgctl_policy_name(s->policy),
               dbgctl_lazy_state_name(s->lazy_state),
               s->dirty ? "dirty" : "clean", arm64 ? 33 : 5, slots, owner_letter(s->step_owner),
               s->counters.dr_access_exits, s->counters.db_exits,
               s->counters.db_reflected, s->counters.db_host_events,
               s->counters.dr_loads, s->counters.dr_saves,
               arm64 ? s->regs[DBGV_ARM64_OSLSR] : s->guest_dr6,
               arm64 ? s->control : s->guest_dr7);
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
    char *end, names[XL_NAME_LIST_LEN];

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
        return xl_err("unknown policy '%s' (%s)", argv[optind + 1],
                      xl_name_list(names, sizeof(names), dbgctl_policy_name, 0, DBGV_POLICY_COUNT));
    if ( (rc = xl_find_domain(argv[optind], &domid)) )
        return rc;
    if ( domid == 0 )
        return xl_err("Domain-0 has no virtualized debug state");
    if ( (rc = dbgctl_debug_policy_set(xl_ctx(), domid, policy, quiet)) )
        return xl_err("%s", dbgctl_strerror(rc));
    return EXIT_SUCCESS;
}
