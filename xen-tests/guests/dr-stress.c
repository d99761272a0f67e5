/* dr-stress: keep all four breakpoint registers (and DR7) live with values
 * derived from the seed, sleep on the APIC timer so the vCPU is descheduled,
 * and check after every wake-up that nothing was lost or leaked in (DR6
 * must stay clean). With sse=1 it also keeps a secret in every XMM register
 * (the hostile corpus's canary: nothing of another domain's FPU state may
 * show up here). With smp=1 every vCPU fw_cfg reports runs the same loop
 * with DRs of its own (seed + cpu), so a value from another vCPU of the
 * domain shows as a mismatch too; lines of vCPU n > 0 say "cpu n". Exit 0
 * iff every check passed. */
#include "guest.h"

#define DR6_FIXED 0xffff0ff0UL
/* Breakpoint addresses land in RAM this guest never touches. */
#define AREA_BASE 0x2000000UL
#define AREA_SIZE 0x1000000UL

static uint64_t rngs[MAX_CPUS];
static unsigned long iterations, every, delay, rotate, seed;
static volatile unsigned long ap_bad[MAX_CPUS], ap_done[MAX_CPUS];
static char cpu_tag[MAX_CPUS][8];   /* "" for the BSP, "cpu N " for the others */

static uint64_t next_for(unsigned cpu)
{
    uint64_t *rng = &rngs[cpu];

    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    return *rng;
}
static uint64_t next(void) { return next_for(0); }

struct drset { unsigned long dr[4], dr7; };

static void generate(struct drset *s, unsigned cpu)
{
    static const int rws[3] = { DR_RW_EXEC, DR_RW_WRITE, DR_RW_RW };
    static const int lens[4] = { DR_LEN_1, DR_LEN_2, DR_LEN_4, DR_LEN_8 };

    s->dr7 = 0x400;
    for (int n = 0; n < 4; n++) {
        uint64_t r = next_for(cpu);
        int rw = rws[r % 3];
        int len = rw == DR_RW_EXEC ? DR_LEN_1 : lens[(r >> 8) % 4];
        s->dr[n] = AREA_BASE + ((r >> 16) % AREA_SIZE & ~7UL);
        s->dr7 |= ((r >> 40) & 1 ? DR7_G(n) : DR7_L(n)) | DR7_RW(n, rw) | DR7_LEN(n, len);
    }
}

static void load(const struct drset *s)
{
    write_dr7(0);
    for (int n = 0; n < 4; n++)
        write_dr(n, s->dr[n]);
    write_dr6(0);
    write_dr7(s->dr7);
}

static int verify(const struct drset *s, unsigned long iter, unsigned cpu)
{
    int bad = 0;
    for (int n = 0; n < 4; n++) {
        unsigned long v = read_dr(n);
        if (v != s->dr[n]) {
            printf("dr-stress: %siteration %lu: dr%d=%#lx expected %#lx\n", cpu_tag[cpu], iter, n, v,
                   s->dr[n]);
            bad++;
        }
    }
    unsigned long v7 = read_dr7(), v6 = read_dr6();
    if (v7 != s->dr7) {
        printf("dr-stress: %siteration %lu: dr7=%#lx expected %#lx\n", cpu_tag[cpu], iter, v7, s->dr7);
        bad++;
    }
    if (v6 != DR6_FIXED) {
        printf("dr-stress: %siteration %lu: dr6=%#lx expected %#lx\n", cpu_tag[cpu], iter, v6,
               DR6_FIXED);
        bad++;
    }
    return bad;
}

static uint64_t sse_secret[16][2];

static int sse_verify(unsigned long iter)
{
    uint64_t now[16][2];
    int bad = 0;

    sse_store_all(now);
    for (unsigned n = 0; n < SSE_NREGS; n++)
        if (now[n][0] != sse_secret[n][0] || now[n][1] != sse_secret[n][1]) {
            printf("dr-stress: iteration %lu: xmm%u=%#llx:%#llx expected %#llx:%#llx\n", iter, n,
                   (unsigned long long)now[n][1], (unsigned long long)now[n][0],
                   (unsigned long long)sse_secret[n][1], (unsigned long long)sse_secret[n][0]);
            bad++;
        }
    return bad;
}

/* The loop of one vCPU from its first DR set on; returns its mismatches. */
static int stress(unsigned cpu, bool sse, struct drset *s)
{
    int bad = 0;

    for (unsigned long i = 1; iterations == 0 || i <= iterations; i++) {
        sleep_ticks(delay);
        bad += verify(s, i, cpu);
        if (sse)
            bad += sse_verify(i);
        if (bad > 20)
            break;
        if (every && i % every == 0)
            printf("dr-stress: %siteration %lu ok=%s dr0=%#lx dr7=%#lx\n", cpu_tag[cpu], i,
                   bad ? "no" : "yes", s->dr[0], s->dr7);
        if (rotate && i % rotate == 0) {
            generate(s, cpu);
            load(s);
        }
    }
    write_dr7(0);
    return bad;
}

static void ap_main(unsigned int cpu)
{
    struct drset s;

    generate(&s, cpu);
    load(&s);
    ap_bad[cpu] = (unsigned long)stress(cpu, false, &s);
    ap_done[cpu] = 1;
}

int main(void)
{
    bool sse = cmdline_uint("sse", 0), smp = cmdline_uint("smp", 0);
    unsigned ncpus = smp ? fwcfg_cpu_count() : 1;
    struct drset s;
    int bad = 0;

    seed = cmdline_uint("seed", 1);
    iterations = cmdline_uint("iterations", 100);
    every = cmdline_uint("every", 25);
    delay = cmdline_uint("delay", 20000);
    rotate = cmdline_uint("rotate", 8);
    if (ncpus < 1 || ncpus > MAX_CPUS)
        ncpus = 1;
    for (unsigned cpu = 0; cpu < ncpus; cpu++) {
        rngs[cpu] = (seed + cpu) * 0x9E3779B97F4A7C15ULL + 1;
        if (cpu)
            snprintf(cpu_tag[cpu], sizeof(cpu_tag[cpu]), "cpu %u ", cpu);
    }
    printf("dr-stress: seed=%lu iterations=%lu delay=%lu rotate=%lu\n", seed, iterations, delay, rotate);
    generate(&s, 0);
    load(&s);
    if (sse) {
        sse_enable();
        for (unsigned n = 0; n < SSE_NREGS; n++) {
            sse_secret[n][0] = next();
            sse_secret[n][1] = next();
        }
        sse_load_all(sse_secret);
    }
    printf("dr-stress: dr0=%#lx dr1=%#lx dr2=%#lx dr3=%#lx dr7=%#lx\n", s.dr[0], s.dr[1], s.dr[2],
           s.dr[3], s.dr7);
    for (unsigned cpu = 1; cpu < ncpus; cpu++)
        if (smp_start_ap(cpu, ap_main)) {
            printf("dr-stress: cpu %u did not start\n", cpu);
            bad++;
        }
    bad += stress(0, sse, &s);
    for (unsigned cpu = 1; cpu < ncpus; cpu++) {
        for (unsigned long waited = 0; !ap_done[cpu] && waited <= iterations + 1000; waited++)
            sleep_ticks(delay);
        if (!ap_done[cpu])
            printf("dr-stress: cpu %u did not finish\n", cpu);
        bad += ap_done[cpu] ? (int)ap_bad[cpu] : 1;
    }
    printf("dr-stress: %s, %d mismatches\n", bad ? "FAILED" : "all values survived", bad);
    if (sse && !bad)
        printf("dr-stress: sse secret intact\n");
    return bad ? 1 : 0;
}
