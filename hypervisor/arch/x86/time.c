/*
 * TSC calibration. The reference is the host's ACPI PM timer (3.579545 MHz,
 * its port from the firmware's FADT), read directly: two readings 50 ms
 * apart, each taken between two TSC reads. Without one, PIT channel 2
 * (gated through port 0x61), the classic method: count TSC ticks across a
 * known PIT interval. Under `-icount shift=0` every clock advances with
 * executed instructions, so the result is deterministic.
 *
 * Why the PM timer first: under QEMU TCG on a loaded host the vCPU thread
 * is descheduled at any moment, and a countdown's end is only known between
 * two polls of OUT2, so a descheduled poll widens it by the time away; a PM
 * timer reading is one port access between two TSC reads, and the
 * narrowest of several wins. Every guest clock (vPIT, RTC, PM timer, APIC
 * timer) derives from this calibration: the median of plain PIT countdowns
 * it replaces came out 2.93-3.34 GHz for this host's 2.695 GHz TSC with
 * eight jobs on two cores, and guest time ran up to 24% slow.
 */
#include <stdbool.h>
#include <asm/tsc_time.h>
#include <asm/x86.h>
#include <dbgvisor/le.h>
#include <dbgvisor/time.h>

#define PM_TIMER_HZ     3579545u
#define PM_TIMER_MASK   0xffffffu         /* 24 bits at least (FADT TMR_VAL_EXT: 32) */
#define PM_WINDOW_TICKS (PM_TIMER_HZ / 20) /* 50 ms */
#define PM_SAMPLES      16
#define FADT_PM_TMR_BLK 76
#define BIOS_AREA       0xE0000u
#define BIOS_AREA_END   0x100000u

#define PIT_HZ 1193182u
#define CALIBRATE_MS 50                 /* the longest mode 0 countdown is 54.9 ms */
#define CALIBRATE_RUNS 5

static uint64_t khz = 1000000;   /* assume 1 GHz until calibrated */
static uint64_t tsc_at_boot;

/* One CALIBRATE_MS countdown of PIT channel 2: its length in TSC ticks, and
 * the uncertainty, the TSC ticks around the two moments that bound it: the
 * count's last byte written (the countdown starts) and the OUT2 edge (seen
 * between two polls). */
static uint64_t pit_measure_tsc(uint64_t *uncertainty)
{
    uint16_t count = PIT_HZ * CALIBRATE_MS / 1000;
    uint64_t start0, start1, before_low, before, now;

    outb(0x61, (inb(0x61) & ~0x02) | 0x01);   /* gate on, speaker off */
    outb(0x43, 0xB0);                          /* ch2, lo/hi, mode 0 */
    outb(0x42, count & 0xff);
    start0 = rdtsc();
    outb(0x42, count >> 8);
    start1 = before_low = rdtsc();
    /* OUT2 rose after the last poll that saw it low began, before the first
     * that saw it high ended. */
    for (;;) {
        before = rdtsc();
        if (inb(0x61) & 0x20)
            break;
        before_low = before;
        cpu_relax();
    }
    now = rdtsc();
    *uncertainty = (start1 - start0) + (now - before_low);
    return (now + before_low) / 2 - (start0 + start1) / 2;
}

/* Firmware tables, through the identity map of the low 4 GiB. */
static const uint8_t *phys(uint64_t pa) { return (const uint8_t *)(uintptr_t)pa; }

static bool checksum_ok(const uint8_t *p, uint32_t len)
{
    uint8_t sum = 0;

    while (len--)
        sum += *p++;
    return sum == 0;
}

static bool signature(const uint8_t *p, const char *sig, unsigned len)
{
    for (unsigned i = 0; i < len; i++)
        if (p[i] != (uint8_t)sig[i])
            return false;
    return true;
}

/* The firmware's PM timer port: RSDP in the BIOS area (identity-mapped),
 * its RSDT, the FADT's PM_TMR_BLK; 0 if any of them is missing or broken. */
static uint16_t host_pm_timer_port(void)
{
    for (uint32_t pa = BIOS_AREA; pa < BIOS_AREA_END; pa += 16) {
        const uint8_t *rsdp = phys(pa), *rsdt;

        if (!signature(rsdp, "RSD PTR ", 8) || !checksum_ok(rsdp, 20))
            continue;
        rsdt = phys(le_rd32(rsdp + 16));
        if (!signature(rsdt, "RSDT", 4) || !checksum_ok(rsdt, le_rd32(rsdt + 4)))
            return 0;
        for (uint32_t off = 36; off + 4 <= le_rd32(rsdt + 4); off += 4) {
            const uint8_t *t = phys(le_rd32(rsdt + off));

            if (signature(t, "FACP", 4) && checksum_ok(t, le_rd32(t + 4)))
                return (uint16_t)le_rd32(t + FADT_PM_TMR_BLK);
        }
        return 0;
    }
    return 0;
}

struct pm_reading {
    uint64_t tsc;           /* the middle of the two TSC reads around it */
    uint32_t ticks;
};

/* Of PM_SAMPLES readings in a row, the one whose TSC reads were closest. */
static struct pm_reading pm_read(uint16_t port)
{
    struct pm_reading best = { 0, 0 };
    uint64_t best_width = UINT64_MAX;

    for (unsigned i = 0; i < PM_SAMPLES; i++) {
        uint64_t t0 = rdtsc();
        uint32_t ticks = inl(port) & PM_TIMER_MASK;
        uint64_t t1 = rdtsc();

        if (t1 - t0 < best_width) {
            best_width = t1 - t0;
            best = (struct pm_reading){ t0 + (t1 - t0) / 2, ticks };
        }
    }
    return best;
}

/* TSC kHz against the PM timer at port, or 0 if it does not count. */
static uint64_t pm_timer_khz(uint16_t port)
{
    struct pm_reading a = pm_read(port), b;
    uint32_t elapsed = 0;

    for (unsigned long spins = 0; elapsed < PM_WINDOW_TICKS; spins++) {
        if (spins > 100000000ul)
            return 0;                       /* not a timer */
        elapsed = ((inl(port) & PM_TIMER_MASK) - a.ticks) & PM_TIMER_MASK;
        cpu_relax();
    }
    b = pm_read(port);
    elapsed = (b.ticks - a.ticks) & PM_TIMER_MASK;
    if (elapsed < PM_WINDOW_TICKS)
        return 0;
    return (b.tsc - a.tsc) * PM_TIMER_HZ / elapsed / 1000;
}

/*
 * Without a PM timer: PIT channel 2, of CALIBRATE_RUNS countdowns the one
 * whose start and end were seen most narrowly (a descheduled vCPU thread
 * only matters around those two moments).
 */
static uint64_t pit_khz(void)
{
    uint64_t best = 0, best_uncertainty = UINT64_MAX;

    for (unsigned i = 0; i < CALIBRATE_RUNS; i++) {
        uint64_t uncertainty, ticks = pit_measure_tsc(&uncertainty);

        if (uncertainty < best_uncertainty) {
            best = ticks;
            best_uncertainty = uncertainty;
        }
    }
    return best / CALIBRATE_MS;
}

void time_init(void)
{
    uint16_t port = host_pm_timer_port();
    uint64_t measured = port ? pm_timer_khz(port) : 0;

    tsc_at_boot = rdtsc();
    if (!measured)
        measured = pit_khz();
    if (measured > 1)
        khz = measured;
}

uint64_t tsc_khz(void) { return khz; }

uint64_t tsc_to_ns(uint64_t tsc) { return tsc_ticks_to_ns(tsc - tsc_at_boot, khz); }

uint64_t now_ns(void) { return tsc_to_ns(rdtsc()); }

uint64_t tsc_reaching_ns(uint64_t ns)
{
    uint64_t ticks = tsc_ticks_reaching_ns(ns, khz), tsc;

    return __builtin_add_overflow(tsc_at_boot, ticks, &tsc) ? UINT64_MAX : tsc;
}

void udelay(uint64_t us)
{
    uint64_t end = now_ns() + us * 1000;
    while (now_ns() < end)
        cpu_relax();
}
