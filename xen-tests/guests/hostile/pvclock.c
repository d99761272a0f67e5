/*
 * hostile: vcpus=1 native=no
 *
 * pvclock: KVM's paravirtual clock as dbgvisor offers it (hvm/pvclock.c),
 * read the way Linux's kvmclock reads it. CPUID 0x40000100 names KVM and
 * offers CLOCKSOURCE2 and the stable bit; the record the system-time MSR
 * points at is complete (even version, the stable flag, a mul of full
 * precision) and its time runs at the rate of the ACPI PM timer, an
 * independent model, to 0.1%; a TSC write rewrites it with the time
 * continuing; turned off, it is left alone; the wall clock is a plausible
 * date. Hostile values: addresses beyond RAM, across its end and in the
 * PCI hole are stored and read back, nothing is written and the domain goes
 * on. Not run natively: bare QEMU TCG offers no KVM leaves.
 */
#include "guest.h"

#define MSR_WALL_CLOCK  0x4b564d00u
#define MSR_SYSTEM_TIME 0x4b564d01u
#define MSR_TSC         0x10u
#define PM_TIMER_PORT   0x608
#define PM_TIMER_HZ     3579545ull

struct time_info {
    uint32_t version, pad0;
    uint64_t tsc_timestamp, system_time;
    uint32_t mul;
    int8_t shift;
    uint8_t flags, pad[2];
} __attribute__((packed));

struct wall_clock { uint32_t version, sec, nsec; } __attribute__((packed));

static volatile struct time_info rec __attribute__((aligned(64)));
static volatile struct wall_clock wall __attribute__((aligned(64)));

static inline uint32_t inl(uint16_t p) { uint32_t v; asm volatile("inl %1,%0" : "=a"(v) : "Nd"(p)); return v; }

/* The guest's time, as Linux's pvclock_clocksource_read computes it. */
static uint64_t clock_ns(void)
{
    uint32_t v;
    uint64_t ns;

    do {
        v = rec.version;
        asm volatile("" ::: "memory");
        uint64_t delta = rdtsc() - rec.tsc_timestamp;
        delta = rec.shift < 0 ? delta >> -rec.shift : delta << rec.shift;
        ns = rec.system_time + (uint64_t)(((unsigned __int128)delta * rec.mul) >> 32);
        asm volatile("" ::: "memory");
    } while ((v & 1) || v != rec.version);
    return ns;
}

/* ns the PM timer (24 bits) counted between two reads. */
static uint64_t pm_ns(uint32_t a, uint32_t b)
{
    return ((b - a) & 0xffffffu) * 1000000000ull / PM_TIMER_HZ;
}

/* One window of about ms: pvclock ns and PM-timer ns across it; each PM
 * read is taken between two clock reads, so that their distance bounds how
 * far apart the two clocks' ends can be (a descheduled vCPU widens it). */
static uint64_t measure(unsigned ms, uint64_t *pv, uint64_t *pm)
{
    uint64_t c0 = clock_ns(), c1;
    uint32_t p0 = inl(PM_TIMER_PORT), p1;
    uint64_t c0b = clock_ns();

    for (uint64_t t0 = rdtsc(), khz = cpuid(0x40000010, 0).a; rdtsc() - t0 < ms * khz;)
        ;
    c1 = clock_ns();
    p1 = inl(PM_TIMER_PORT);
    uint64_t c1b = clock_ns();
    *pv = (c1 + c1b) / 2 - (c0 + c0b) / 2;
    *pm = pm_ns(p0, p1);
    return (c0b - c0) + (c1b - c1);
}

static void hostile_address(uint64_t gpa, const char *where)
{
    uint64_t got = 0;
    int w = try_wrmsr(MSR_SYSTEM_TIME, gpa | 1), r = try_rdmsr(MSR_SYSTEM_TIME, &got);
    int ww = try_wrmsr(MSR_WALL_CLOCK, gpa);

    report(w == -1 && r == -1 && got == (gpa | 1) && ww == -1,
           "system time and wall clock at %#llx (%s): stored, read back", (unsigned long long)gpa, where);
}

int main(void)
{
    struct cpuid_regs base = cpuid(0x40000100, 0), feat = cpuid(0x40000101, 0);
    char sig[13];
    uint64_t pv = 0, pm = 0, unc = ~0ull, before, after, got = 0;

    memcpy(sig, &base.b, 4);
    memcpy(sig + 4, &base.c, 4);
    memcpy(sig + 8, &base.d, 4);
    sig[12] = 0;
    bool kvm = true;
    for (unsigned i = 0; i < 12; i++)
        kvm = kvm && sig[i] == "KVMKVMKVM\0\0\0"[i];
    report(kvm && base.a >= 0x40000101,
           "leaf 0x40000100 names KVM and reaches 0x40000101 (%#x)", base.a);
    report(feat.a == ((1u << 3) | (1u << 24)) && feat.d == 0,
           "leaf 0x40000101: CLOCKSOURCE2 and the stable bit only, no hints (%#x, %#x)", feat.a, feat.d);

    wrmsr(MSR_SYSTEM_TIME, (uint64_t)(uintptr_t)&rec | 1);
    report(rdmsr(MSR_SYSTEM_TIME) == ((uint64_t)(uintptr_t)&rec | 1), "the system-time MSR reads back");
    report(rec.version && !(rec.version & 1) && (rec.flags & 1) && rec.mul >= 1u << 31 &&
           rec.tsc_timestamp <= rdtsc(),
           "the record: even version %u, stable flag, mul %#x shift %d", rec.version, rec.mul, rec.shift);
    /* The best of ten windows: the clocks agree within 0.1% plus the window's
     * own uncertainty (under 0.05% when the vCPU ran through both ends). */
    for (unsigned i = 0; i < 10 && unc * 2000 > pv; i++) {
        uint64_t p, q, u = measure(200, &p, &q);
        if (u < unc) {
            unc = u;
            pv = p;
            pm = q;
        }
    }
    printf("# 200 ms: pvclock %llu ns, PM timer %llu ns, ends seen within %llu ns\n",
           (unsigned long long)pv, (unsigned long long)pm, (unsigned long long)unc);
    report(pm > 100000000ull && (pv > pm ? pv - pm : pm - pv) <= pm / 1000 + unc,
           "pvclock time runs at the PM timer's rate, within 0.1%% and the ends' uncertainty");

    /* A TSC write moves tsc_timestamp with it: the time goes on. */
    before = clock_ns();
    wrmsr(MSR_TSC, rdtsc() + (1ull << 40));
    after = clock_ns();
    /* 2^40 ticks are minutes at any TSC rate; 10 s allows any deschedule. */
    report(after >= before && after - before < 10000000000ull,
           "after a TSC write of +2^40 the time continues (%llu ns later)",
           (unsigned long long)(after - before));

    /* Turned off: the record is left as it was. */
    uint32_t version = rec.version;
    wrmsr(MSR_SYSTEM_TIME, 0);
    wrmsr(MSR_TSC, rdtsc() + (1ull << 40));
    report(rec.version == version && rdmsr(MSR_SYSTEM_TIME) == 0, "turned off, the record is not written");

    wrmsr(MSR_WALL_CLOCK, (uint64_t)(uintptr_t)&wall);
    printf("# wall clock at system time 0: %u.%09u\n", wall.sec, wall.nsec);
    report(wall.version && !(wall.version & 1) && wall.sec > 1700000000u && wall.nsec < 1000000000u,
           "the wall clock: even version, a date after 2023");

    hostile_address(mem_upper_bytes(), "the end of RAM");
    hostile_address(mem_upper_bytes() - 16, "across the end of RAM");
    hostile_address(0xc0000000ull, "the PCI hole");
    hostile_address(~1ull, "the top of the address space");
    report(try_rdmsr(MSR_WALL_CLOCK, &got) == -1 && got == ~1ull, "the wall-clock MSR reads back");
    return report_summary();
}
