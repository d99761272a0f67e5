/*
 * vCPUs as Xen's tools/xl/xl_vcpu.c handles them: vcpu-list (Xen's printf
 * formats), vcpu-pin (hard affinity, honoured by the scheduler), vcpu-set.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xl.h"
#include "xl_utils.h"

static unsigned int host_cpus(void)
{
    struct dbgv_ctl_physinfo pi;

    if ( dbgctl_physinfo(ctx, &pi) )
    {
        fprintf(stderr, "libxl_physinfo failed.\n");
        exit(EXIT_FAILURE);
    }
    return pi.nr_cpus;
}

/* ---- vcpu-list -------------------------------------------------------- */

static void print_vcpuinfo(const struct dbgv_ctl_dominfo *d, const struct dbgv_ctl_vcpuinfo *v,
                           unsigned int nr_cpus)
{
    uint32_t all = nr_cpus >= 32 ? UINT32_MAX : (1u << nr_cpus) - 1;
    bool online = v->state != DBGV_VCPUSTATE_OFFLINE;

    /*      NAME  ID  VCPU */
    printf("%-32s %5u %5u", d->name, d->domid, v->vcpu);
    if ( !online || v->pcpu < 0 )
        printf("%5c %3c%cp ", '-', '-', '-');
    else
        printf("%5u %3c%c- ", (unsigned int)v->pcpu,
               v->state == DBGV_VCPUSTATE_RUNNING ? 'r' : '-',
               v->state == DBGV_VCPUSTATE_BLOCKED ? 'b' : '-');
    printf("%9.1f  ", (float)v->cpu_time_ns / 1e9);
    /* hard affinity; 0 from a server that does not report it: every pCPU */
    xl_print_bitmap(v->hard_affinity ? v->hard_affinity : all, nr_cpus, stdout);
    printf(" / ");
    xl_print_bitmap(all, nr_cpus, stdout);     /* no soft affinity: all */
    printf("\n");
}

int main_vcpulist(int argc, char **argv)
{
    struct dbgv_ctl_dominfo *doms = NULL;
    unsigned int nr = 0, nr_cpus;
    int rc;

    optind = 0;
    while ( xl_getopt(argc, argv, "", NULL, "vcpu-list", 0) != -1 )
        ;
    nr_cpus = host_cpus();
    printf("%-32s %5s %5s %5s %5s %9s %s\n", "Name", "ID", "VCPU", "CPU", "State", "Time(s)",
           "Affinity (Hard / Soft)");
    if ( (rc = xl_select_domains(argc - optind, argv + optind, &doms, &nr)) )
        return rc;
    for ( unsigned int i = 0; i < nr; i++ )
    {
        struct dbgv_ctl_vcpuinfo *v = NULL;
        unsigned int nv = 0;

        if ( doms[i].domid == 0 || dbgctl_vcpu_list(ctx, doms[i].domid, &v, &nv) )
            continue;               /* Domain-0 has no vCPUs here; gone meanwhile */
        for ( unsigned int k = 0; k < nv; k++ )
            print_vcpuinfo(&doms[i], &v[k], nr_cpus);
        free(v);
    }
    free(doms);
    return EXIT_SUCCESS;
}

/* ---- vcpu-pin --------------------------------------------------------- */

int main_vcpupin(int argc, char **argv)
{
    static const struct option opts[] = {
        { "force", no_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *vcpu, *hard_str, *soft_str;
    unsigned int nr_cpus;
    uint32_t domid, hard = 0, soft = 0, vcpuid;
    bool force = false;
    char *end;
    long id;
    int opt, rc;

    optind = 0;
    while ( (opt = xl_getopt(argc, argv, "f", opts, "vcpu-pin", 3)) != -1 )
        if ( opt == 'f' )
            force = true;
    domid = xl_find_domain_or_exit(argv[optind]);
    vcpu = argv[optind + 1];
    hard_str = argv[optind + 2];
    soft_str = argc > optind + 3 ? argv[optind + 3] : NULL;

    id = strtol(vcpu, &end, 10);
    if ( vcpu == end || id < 0 )
    {
        if ( strcmp(vcpu, "all") )
        {
            fprintf(stderr, "Error: Invalid argument %s as VCPU.\n", vcpu);
            return EXIT_FAILURE;
        }
        if ( force )
        {
            fprintf(stderr, "Error: --force and 'all' as VCPU not allowed.\n");
            return EXIT_FAILURE;
        }
        vcpuid = DBGV_VCPU_ALL;
    }
    else
        vcpuid = (uint32_t)id;

    nr_cpus = host_cpus();
    if ( strcmp(hard_str, "-") && xl_parse_cpurange(hard_str, nr_cpus, &hard) )
        return EXIT_FAILURE;
    if ( soft_str && strcmp(soft_str, "-") )
    {
        if ( xl_parse_cpurange(soft_str, nr_cpus, &soft) )
            return EXIT_FAILURE;
        /* The scheduler has no preferences, only where a vCPU may run. */
        if ( xl_verbose )
            fprintf(stderr, "xl vcpu-pin: soft affinity is not used by dbgvisor's "
                    "scheduler; ignored\n");
    }

    if ( xl_dryrun )
    {
        printf("cpumap: ");
        if ( strcmp(hard_str, "-") )
            xl_print_bitmap(hard, nr_cpus, stdout);
        else
            printf("-");
        if ( soft_str && strcmp(soft_str, "-") )
        {
            printf(" ");
            xl_print_bitmap(soft, nr_cpus, stdout);
        }
        printf("\n");
        return EXIT_SUCCESS;
    }
    if ( !strcmp(hard_str, "-") )
        return EXIT_SUCCESS;        /* hard affinity left alone */
    rc = hard ? dbgctl_vcpu_set_affinity(ctx, domid, vcpuid, hard) : -EINVAL;
    if ( rc )
    {
        if ( vcpuid == DBGV_VCPU_ALL )
            fprintf(stderr, "Could not set affinity.\n");
        else
            fprintf(stderr, "Could not set affinity for vcpu `%ld'.\n", id);
        if ( xl_verbose )
            xl_err("%s", hard ? dbgctl_strerror(rc) : "an empty cpumap");
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}

/* ---- vcpu-set --------------------------------------------------------- */

/*
 * Xen brings vCPUs on- and offline through the guest (ACPI CPU hotplug or
 * PV vcpu events). dbgvisor has no hotplug path: a domain has the vCPUs it
 * was created with, started by the guest itself (INIT-SIPI). So a request
 * for the count the domain has is honoured (nothing to do), any other fails
 * with Xen's message after saying why.
 */
int main_vcpuset(int argc, char **argv)
{
    static const struct option opts[] = {
        { "ignore-host", no_argument, NULL, 'i' }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct dbgv_ctl_dominfo di;
    const char *nr_vcpus;
    unsigned int max_vcpus, cpus;
    bool check_host = true;
    uint32_t domid;
    char *end;
    int opt;

    optind = 0;
    while ( (opt = xl_getopt(argc, argv, "i", opts, "vcpu-set", 2)) != -1 )
        if ( opt == 'i' )
            check_host = false;
    domid = xl_find_domain_or_exit(argv[optind]);
    nr_vcpus = argv[optind + 1];
    max_vcpus = (unsigned int)strtoul(nr_vcpus, &end, 10);
    if ( end == nr_vcpus )
    {
        fprintf(stderr, "Error: Invalid argument.\n");
        return EXIT_FAILURE;
    }
    if ( dbgctl_domain_info(ctx, domid, &di) )
    {
        fprintf(stderr, "Domain %u does not exist.\n", domid);
        return EXIT_FAILURE;
    }
    cpus = host_cpus();
    if ( check_host && max_vcpus > di.nr_vcpus && max_vcpus > cpus )
    {
        fprintf(stderr, "You are overcommmitting! You have %d physical CPUs and want %d "
                "vCPUs! Aborting, use --ignore-host to continue\n", cpus, max_vcpus);
        return EXIT_FAILURE;
    }
    if ( domid != 0 && max_vcpus == di.nr_vcpus )
        return EXIT_SUCCESS;
    if ( max_vcpus > di.nr_vcpus )
        fprintf(stderr, "Requested %u VCPUs, however maxcpus is %u!\n", max_vcpus, di.nr_vcpus);
    else
        fprintf(stderr, "xl vcpu-set: not supported: dbgvisor cannot take vCPUs from a "
                "running guest (no CPU hotplug); a domain keeps the vcpus= it was created "
                "with\n");
    fprintf(stderr, "libxl_set_vcpuonline failed domid=%u max_vcpus=%d, rc: %d\n", domid,
            max_vcpus, XL_ERROR_FAIL);
    return EXIT_FAILURE;
}
