/* Hypervisor memory accounting under domain churn (issue 13, item 6).
 * Creates and destroys ITERATIONS domains, BATCH at a time (1 MiB of RAM,
 * 1 or 2 vCPUs, every policy in turn), through libdebugctl directly so that
 * 1,000 cycles take seconds. Checks, with every domain listed:
 *   - the accounting identity: free + sum over domains (RAM + overhead, from
 *     DOMAIN_MEMINFO), Domain-0's overhead being the hypervisor's own pages,
 *     equals total; meminfo's RAM agrees with dominfo's;
 *   - every new domain has a nonzero overhead (NPT, VMCB, XSAVE area);
 *   - after each batch is destroyed, free memory is exactly where it started.
 * Usage: memacct ITERATIONS BATCH   (exit 0: all held; 1: a check failed)
 * ITERATIONS 0 only checks the identity and prints the free memory (the
 * soak's before/after). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <debugctl.h>

#define PAGE 4096ull

static dbgctl *h;
static unsigned failures;

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fputs("FAIL: ", stdout);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    failures++;
    return -1;
}

/* Free memory, after checking the identity over all listed domains. */
static int snapshot(uint64_t *free_mem, uint64_t *dom_overhead_pages, uint64_t *hv_pages)
{
    struct dbgv_ctl_physinfo pi;
    struct dbgv_ctl_dominfo *doms;
    struct dbgv_ctl_meminfo mi;
    unsigned int nr;
    uint64_t held = 0;
    int rc;

    if ((rc = dbgctl_physinfo(h, &pi)) < 0 || (rc = dbgctl_domain_list(h, &doms, &nr)) < 0)
        return fail("physinfo/list: %s", dbgctl_strerror(rc));
    *dom_overhead_pages = 0;
    for (unsigned int i = 0; i < nr; i++) {
        if ((rc = dbgctl_domain_meminfo(h, doms[i].domid, &mi)) < 0) {
            free(doms);
            return fail("meminfo %u: %s", doms[i].domid, dbgctl_strerror(rc));
        }
        if (mi.ram_bytes != doms[i].mem_bytes)
            fail("domain %u: meminfo RAM %" PRIu64 " != dominfo %" PRIu64, doms[i].domid,
                 mi.ram_bytes, doms[i].mem_bytes);
        held += mi.ram_bytes + mi.overhead_bytes;
        if (doms[i].domid == 0)
            *hv_pages = mi.overhead_bytes / PAGE;
        else
            *dom_overhead_pages += mi.overhead_bytes / PAGE;
    }
    free(doms);
    /* Physinfo and the list are two requests: nothing else may create or
     * destroy domains while this runs (a running guest allocates nothing). */
    if (pi.free_mem + held != pi.total_mem)
        return fail("free %" PRIu64 " + held %" PRIu64 " = %" PRIu64 " != total %" PRIu64,
                    pi.free_mem, held, pi.free_mem + held, pi.total_mem);
    *free_mem = pi.free_mem;
    return 0;
}

int main(int argc, char **argv)
{
    unsigned iterations = argc > 1 ? (unsigned)atoi(argv[1]) : 1000;
    unsigned batch = argc > 2 ? (unsigned)atoi(argv[2]) : 8;
    uint64_t free0, free_now, ovh, hv0, hv, max_ovh = 0, min_ovh = UINT64_MAX;
    uint32_t ids[64];
    unsigned done = 0, batches = 0;
    int rc;

    if (batch < 1 || batch > 64)
        return 2;
    if ((rc = dbgctl_open(NULL, &h)) < 0) {
        printf("FAIL: open: %s\n", dbgctl_strerror(rc));
        return 1;
    }
    if (snapshot(&free0, &ovh, &hv0) < 0)
        return 1;
    printf("start: free %" PRIu64 " KiB, hypervisor's own %" PRIu64 " KiB\n", free0 >> 10, hv0 * 4);
    if (iterations == 0) {
        dbgctl_close(h);
        return 0;
    }
    while (done < iterations && failures < 5) {
        unsigned n = 0;

        for (; n < batch && done + n < iterations; n++) {
            char name[32];
            unsigned vcpus = 1 + (done + n) % 2, policy = (done + n) % DBGV_POLICY_COUNT;
            struct dbgv_ctl_meminfo di;

            snprintf(name, sizeof(name), "memacct-%u", done + n);
            if ((rc = dbgctl_domain_create(h, name, 1, vcpus, policy, 0, &ids[n])) < 0) {
                fail("create %s: %s", name, dbgctl_strerror(rc));
                break;
            }
            if ((rc = dbgctl_domain_meminfo(h, ids[n], &di)) < 0) {
                fail("info %s: %s", name, dbgctl_strerror(rc));
                n++;
                break;
            }
            if (di.overhead_bytes == 0)
                fail("%s: overhead 0 (NPT, VMCB and XSAVE pages not counted)", name);
            max_ovh = di.overhead_bytes / PAGE > max_ovh ? di.overhead_bytes / PAGE : max_ovh;
            min_ovh = di.overhead_bytes / PAGE < min_ovh ? di.overhead_bytes / PAGE : min_ovh;
        }
        snapshot(&free_now, &ovh, &hv);
        for (unsigned i = 0; i < n; i++)
            if ((rc = dbgctl_domain_destroy(h, ids[i])) < 0)
                fail("destroy %u: %s", ids[i], dbgctl_strerror(rc));
        done += n;
        batches++;
        if (snapshot(&free_now, &ovh, &hv) == 0 && free_now != free0)
            fail("after %u domains: free %" PRIu64 " bytes, started at %" PRIu64 " (%+" PRId64 " pages)",
                 done, free_now, free0, (int64_t)(free_now - free0) / (int64_t)PAGE);
        if (hv != hv0)
            fail("hypervisor's own pages %" PRIu64 " -> %" PRIu64, hv0, hv);
        if (n < batch && done < iterations)
            break;
    }
    printf("domains created and destroyed: %u in %u batches of up to %u\n", done, batches, batch);
    printf("overhead per domain: %" PRIu64 "-%" PRIu64 " KiB (1 MiB of RAM asked, 2 MiB given)\n",
           min_ovh * 4, max_ovh * 4);
    printf("end: free %" PRIu64 " KiB (start %" PRIu64 " KiB)\n", free_now >> 10, free0 >> 10);
    printf("%s\n", failures ? "memacct: FAILED" : "memacct: free memory back to its start");
    dbgctl_close(h);
    return failures ? 1 : 0;
}
