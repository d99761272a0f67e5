/*
 * Where `xl list`'s time goes once the process runs: opening the
 * connection (transport, shared-memory session and HELLO), the DOMAIN_LIST
 * round trip(s), and formatting the rows as xl prints them, each the median
 * of RUNS tries, in one process (so without exec and dynamic linking, which
 * `xl help` measures on its own).
 *
 *   listtime [RUNS]   (DBGCTL_URI selects the hypervisor)
 *
 * Prints: "listtime domains=N open_ms=A list_ms=B print_ms=C".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <debugctl.h>

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, n, sizeof(*v), cmp);
    return v[n / 2];
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 21;
    double *open_ms = calloc(runs, sizeof(double)), *list_ms = calloc(runs, sizeof(double)),
           *print_ms = calloc(runs, sizeof(double));
    unsigned int nr = 0;
    FILE *out = fopen("/dev/null", "w");

    if ( runs < 1 || !open_ms || !list_ms || !print_ms || !out )
        return 1;
    for ( int i = 0; i < runs; i++ )
    {
        struct dbgv_ctl_dominfo *d = NULL;
        dbgctl *h;
        double t0 = now_ms(), t1, t2;
        int rc = dbgctl_open(NULL, &h);

        t1 = now_ms();
        if ( rc || (rc = dbgctl_domain_list(h, &d, &nr)) )
        {
            fprintf(stderr, "listtime: %s\n", dbgctl_strerror(rc));
            return 1;
        }
        t2 = now_ms();
        /* xl list's row (tools/xl/xl_info.c). */
        fprintf(out, "%-40s %5s %5s %5s     %s %8s\n", "Name", "ID", "Mem", "VCPUs", "State",
                "Time(s)");
        for ( unsigned int k = 0; k < nr; k++ )
        {
            char st[7] = "------";

            st[0] = d[k].state == DBGV_DOMSTATE_RUNNING ? 'r' : '-';
            fprintf(out, "%-40s %5u %5llu %5u     %s %8.1f\n", d[k].name, d[k].domid,
                    (unsigned long long)(d[k].mem_bytes >> 20), d[k].nr_vcpus, st,
                    d[k].cpu_time_ns / 1e9);
        }
        fflush(out);
        free(d);
        dbgctl_close(h);
        open_ms[i] = t1 - t0;
        list_ms[i] = t2 - t1;
        print_ms[i] = now_ms() - t2;
    }
    printf("listtime domains=%u open_ms=%.2f list_ms=%.2f print_ms=%.3f\n", nr,
           median(open_ms, runs), median(list_ms, runs), median(print_ms, runs));
    return 0;
}
