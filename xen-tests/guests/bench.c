/* bench: workloads for `make bench`. Under -icount shift=0 the TSC counts
 * executed instructions, so the numbers are deterministic.
 *   mode=compute  arithmetic only: no exits, the pure cost of running nested
 *   mode=io       OUT to port 0x80: one intercepted instruction per iteration
 *   mode=cpuid    CPUID leaf 1: one intercepted instruction per iteration
 *   mode=msr      RDMSR of IA32_APIC_BASE: one intercepted instruction per iteration
 *   mode=dr       rewrite DR0-3/DR7 and read DR6 back-to-back (a debugger-heavy guest)
 *   mode=drsleep  the same, with a timer sleep between rounds so the vCPU is
 *                 descheduled (what the lazy-switch policies are about);
 *                 only the debug-register block is timed
 *   mode=burst    iters rounds of DR use with sleeps, then DR7 cleared and
 *                 iters more sleeps without touching a debug register: what a
 *                 policy costs once the guest has gone quiet (see the
 *                 hypervisor's load/save counters)
 *   mode=sparse   iters sleeps; every third one is followed by rewriting DR0-3
 *                 (a guest that uses its registers now and then)
 *   mode=rate     the compute loop without end: every period=C TSC cycles
 *                 (default 50000000) one line "rate N iterations=I cycles=C",
 *                 the work done in that window (throughput as the guest sees
 *                 it, for measuring what others cost it: run-bench 6)
 * iters=N (default 2000). Prints one line: "bench MODE iters=N cycles=C per_iter=P". */
#include "guest.h"

static unsigned long dr_round(unsigned long i)
{
    write_dr0(0x2000000 + i * 8);
    write_dr1(0x2100000 + i * 8);
    write_dr2(0x2200000 + i * 8);
    write_dr3(0x2300000 + i * 8);
    write_dr7(0x400 | 0xff | (0x5555UL << 16));   /* all four armed as write watchpoints */
    return read_dr6() ^ read_dr7();
}

/* Whether the command line contains word w. */
static bool has(const char *w)
{
    size_t n = strlen(w);
    for (const char *c = cmdline(); *c; c++) {
        size_t i = 0;
        while (i < n && c[i] == w[i])
            i++;
        if (i == n && (c[n] == ' ' || c[n] == 0))
            return true;
    }
    return false;
}

enum mode { COMPUTE, IO, DR, DRSLEEP, BURST, SPARSE, CPUID, MSR };
static const char *const names[] = { "compute", "io", "dr", "drsleep", "burst", "sparse", "cpuid", "msr" };

/* mode=rate: compute work per window of guest TSC, forever. */
static void rate_loop(uint64_t period)
{
    volatile unsigned long sink = 0;

    for (unsigned long n = 1;; n++) {
        uint64_t t0 = rdtsc(), t;
        unsigned long done = 0;

        do {
            for (unsigned long i = 0; i < 1000; i++)
                sink += i * 2654435761UL ^ (sink >> 3);
            done += 1000;
        } while ((t = rdtsc()) - t0 < period);
        printf("rate %lu iterations=%lu cycles=%llu\n", n, done, (unsigned long long)(t - t0));
    }
}

int main(void)
{
    unsigned long iters = cmdline_uint("iters", 2000);
    enum mode mode = has("mode=compute") ? COMPUTE : has("mode=io") ? IO :
                     has("mode=cpuid") ? CPUID : has("mode=msr") ? MSR :
                     has("mode=drsleep") ? DRSLEEP : has("mode=burst") ? BURST :
                     has("mode=sparse") ? SPARSE : DR;
    volatile unsigned long sink = 0;
    uint64_t cycles = 0, t0;

    if (has("mode=rate"))
        rate_loop(cmdline_uint("period", 50000000));
    if (mode == SPARSE) {
        for (unsigned long i = 0; i < iters; i++) {
            sleep_ticks(2000);
            if (i % 3)
                continue;
            t0 = rdtsc();
            write_dr0(0x2000000 + i * 8);
            write_dr1(0x2100000 + i * 8);
            write_dr2(0x2200000 + i * 8);
            write_dr3(0x2300000 + i * 8);
            cycles += rdtsc() - t0;
        }
    } else if (mode == BURST) {
        for (unsigned long i = 0; i < iters; i++) {
            sink += dr_round(i);
            sleep_ticks(2000);
        }
        write_dr7(0x400);
        t0 = rdtsc();
        for (unsigned long i = 0; i < iters; i++)
            sleep_ticks(2000);
        cycles = rdtsc() - t0;
    } else if (mode == DRSLEEP) {
        for (unsigned long i = 0; i < iters; i++) {
            t0 = rdtsc();
            sink += dr_round(i);
            cycles += rdtsc() - t0;
            sleep_ticks(2000);
        }
    } else {
        t0 = rdtsc();
        for (unsigned long i = 0; i < iters; i++) {
            if (mode == COMPUTE)
                sink += i * 2654435761UL ^ (sink >> 3);
            else if (mode == IO)
                outb(0x80, (uint8_t)i);
            else if (mode == CPUID)
                sink += cpuid(1, 0).a;
            else if (mode == MSR)
                sink += rdmsr(0x1b);
            else
                sink += dr_round(i);
        }
        cycles = rdtsc() - t0;
    }
    write_dr7(0x400);
    printf("bench %s iters=%lu cycles=%llu per_iter=%llu\n", names[mode], iters,
           (unsigned long long)cycles, (unsigned long long)(cycles / iters));
    return 0;
}
