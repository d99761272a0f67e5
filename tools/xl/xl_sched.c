/*
 * Scheduler parameters in the shape of Xen's tools/xl/xl_sched.c.
 * dbgvisor has one scheduler, "rr": fair round-robin of every runnable vCPU
 * across all pCPUs with a fixed slice, no weights or caps (docs/xl.md).
 * `xl sched-rr` shows it; `xl sched-credit` answers as Xen's does on a host
 * whose only pool runs another scheduler.
 */
#include <stdio.h>
#include <stdlib.h>
#include "xl.h"
#include "xl_utils.h"

#define SCHED_NAME     "rr"

static void pool_output(void)
{
    printf("Cpupool Pool-0: sched=RR tslice=%llums\n",
           (unsigned long long)(DBGV_SCHED_SLICE_NS / 1000000));
}

static void domain_output(const struct dbgv_ctl_dominfo *d)
{
    if ( !d )
        printf("%-33s %4s %5s\n", "Name", "ID", "VCPUs");
    else
        printf("%-33s %4u %5u\n", d->name, d->domid, d->nr_vcpus);
}

int main_sched_rr(int argc, char **argv)
{
    static const struct option opts[] = {
        { "domain", required_argument, NULL, 'd' },
        { "schedparam", no_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct dbgv_ctl_dominfo *doms = NULL;
    const char *dom = NULL;
    unsigned int nr = 0;
    bool opt_s = false;
    int opt, rc;

    optind = 0;
    while ( (opt = xl_getopt(argc, argv, "d:s", opts, "sched-rr", 0)) != -1 )
    {
        if ( opt == 'd' )
            dom = optarg;
        else if ( opt == 's' )
            opt_s = true;
    }
    if ( opt_s && dom )
    {
        fprintf(stderr, "Specifying a cpupool or schedparam is not allowed with domain "
                "options.\n");
        return EXIT_FAILURE;
    }
    if ( opt_s )
    {
        pool_output();
        return EXIT_SUCCESS;
    }
    if ( (rc = xl_select_domains(dom ? 1 : 0, (char **)&dom, &doms, &nr)) )
        return rc;
    if ( !dom )
        pool_output();
    domain_output(NULL);
    for ( unsigned int i = 0; i < nr; i++ )
        domain_output(&doms[i]);
    free(doms);
    return EXIT_SUCCESS;
}

int main_sched_credit(int argc, char **argv)
{
    static const struct option opts[] = {
        { "domain", required_argument, NULL, 'd' }, { "weight", required_argument, NULL, 'w' },
        { "cap", required_argument, NULL, 'c' }, { "schedparam", no_argument, NULL, 's' },
        { "tslice_ms", required_argument, NULL, 't' },
        { "ratelimit_us", required_argument, NULL, 'r' },
        { "migration_delay_us", required_argument, NULL, 'm' },
        { "cpupool", required_argument, NULL, 'p' }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *dom = NULL;
    int opt;

    optind = 0;
    while ( (opt = xl_getopt(argc, argv, "d:w:c:p:t:r:m:s", opts, "sched-credit", 0)) != -1 )
        if ( opt == 'd' )
            dom = optarg;
    if ( dom )
    {
        xl_find_domain_or_exit(dom);
        fprintf(stderr, "libxl_domain_sched_params_get returned %s not credit.\n", SCHED_NAME);
        return EXIT_FAILURE;
    }
    /* Xen lists only the pools that run credit: none here. */
    if ( xl_verbose )
        fprintf(stderr, "xl sched-credit: Pool-0 runs the %s scheduler (see xl sched-rr)\n",
                SCHED_NAME);
    return EXIT_SUCCESS;
}
