/*
 * Scheduler parameters in the shape of Xen's tools/xl/xl_sched.c.
 * dbgvisor has one scheduler, "rr": fair round-robin of every runnable vCPU
 * across all pCPUs with a fixed slice, no weights or caps (docs/xl.md).
 * `xl sched-rr` shows it; `xl sched-credit` answers as Xen's does on a host
 * whose only pool runs another scheduler.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "xl.h"
#include "xl_utils.h"

#define SCHED_NAME     "rr"

/* Xen's sched_credit_pool_output() line for the one pool. */
static int pool_output(uint32_t set_ms)
{
    uint32_t us;
    int rc = dbgctl_sched_params(ctx, set_ms * 1000, &us);

    if ( rc )
    {
        if ( set_ms )
            fprintf(stderr, "libxl_sched_rr_params_set failed.\n");
        else
            printf("Cpupool Pool-0: [sched params unavailable]\n");
        if ( xl_verbose || rc != -EINVAL )
            xl_err("%s", dbgctl_strerror(rc));
        return EXIT_FAILURE;
    }
    if ( !set_ms )
        printf("Cpupool Pool-0: sched=RR tslice=%ums\n", us / 1000);
    return EXIT_SUCCESS;
}

static void domain_output(const struct dbgv_ctl_dominfo *d)
{
    if ( !d )
        printf("%-33s %4s %5s\n", "Name", "ID", "VCPUs");
    else
        printf("%-33s %4u %5u\n", d->name, d->domid, d->nr_vcpus);
}

/*
 * As Xen's sched-credit: nothing, every pool and its domains; -d one domain;
 * -s the pool's parameters, -s -t MS sets the time slice (Xen's tslice_ms,
 * 1..1000 ms). There are no per-domain parameters to set.
 */
int main_sched_rr(int argc, char **argv)
{
    static const struct option opts[] = {
        { "domain", required_argument, NULL, 'd' },
        { "schedparam", no_argument, NULL, 's' },
        { "tslice_ms", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct dbgv_ctl_dominfo *doms = NULL;
    const char *dom = NULL;
    unsigned int nr = 0;
    bool opt_s = false, opt_t = false;
    long tslice = 0;
    char *end;
    int opt, rc;

    optind = 0;
    while ( (opt = xl_getopt(argc, argv, "d:st:", opts, "sched-rr", 0)) != -1 )
    {
        if ( opt == 'd' )
            dom = optarg;
        else if ( opt == 's' )
            opt_s = true;
        else if ( opt == 't' )
        {
            tslice = strtol(optarg, &end, 10);
            opt_t = true;
            if ( end == optarg || *end || tslice < DBGV_SCHED_TSLICE_MIN_US / 1000 ||
                 tslice > DBGV_SCHED_TSLICE_MAX_US / 1000 )
            {
                fprintf(stderr, "xl sched-rr: the time slice is %u..%u ms\n",
                        DBGV_SCHED_TSLICE_MIN_US / 1000, DBGV_SCHED_TSLICE_MAX_US / 1000);
                return EXIT_FAILURE;
            }
        }
    }
    if ( opt_s && dom )
    {
        fprintf(stderr, "Specifying a cpupool or schedparam is not allowed with domain "
                "options.\n");
        return EXIT_FAILURE;
    }
    if ( !opt_s && opt_t )
    {
        fprintf(stderr, "Must specify schedparam to set schedule parameter values.\n");
        return EXIT_FAILURE;
    }
    if ( opt_s )
        return pool_output((uint32_t)tslice);
    if ( (rc = xl_select_domains(dom ? 1 : 0, (char **)&dom, &doms, &nr)) )
        return rc;
    if ( !dom && (rc = pool_output(0)) )
        goto out;
    domain_output(NULL);
    for ( unsigned int i = 0; i < nr; i++ )
        domain_output(&doms[i]);
    rc = EXIT_SUCCESS;
 out:
    free(doms);
    return rc;
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
