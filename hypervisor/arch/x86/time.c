/*
 * TSC calibration against PIT channel 2 (gated through port 0x61), the
 * classic method: count TSC ticks across a known PIT interval. Under
 * `-icount shift=0` both advance with executed instructions, so the result
 * is deterministic.
 */
#include <asm/x86.h>
#include <dbgvisor/time.h>

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
    uint64_t start0, start1, prev, now;

    outb(0x61, (inb(0x61) & ~0x02) | 0x01);   /* gate on, speaker off */
    outb(0x43, 0xB0);                          /* ch2, lo/hi, mode 0 */
    outb(0x42, count & 0xff);
    start0 = rdtsc();
    outb(0x42, count >> 8);
    start1 = prev = rdtsc();
    while (!(inb(0x61) & 0x20)) {
        prev = rdtsc();
        cpu_relax();
    }
    now = rdtsc();
    *uncertainty = (start1 - start0) + (now - prev);
    return (now + prev) / 2 - (start0 + start1) / 2;
}

/*
 * Under QEMU TCG without -icount, the PIT and the TSC both follow real time,
 * but the vCPU thread can be descheduled at any moment on a loaded host:
 * inside a countdown that costs nothing, both clocks run on; between the
 * TSC read and the port access that start or end the countdown it shifts
 * one end by the time away. Each run says how long that window was; the run
 * with the narrowest one wins. (A median of five plain countdowns still came
 * out 10-25% high with eight jobs on two cores; one countdown alone had been
 * 6x high, and guest time, vPIT and APIC timers, ran that much slower.)
 */
void time_init(void)
{
    uint64_t best = 0, best_uncertainty = UINT64_MAX;

    tsc_at_boot = rdtsc();
    for (unsigned i = 0; i < CALIBRATE_RUNS; i++) {
        uint64_t uncertainty, ticks = pit_measure_tsc(&uncertainty);

        if (uncertainty < best_uncertainty) {
            best = ticks;
            best_uncertainty = uncertainty;
        }
    }
    if (best > 1000)
        khz = best / CALIBRATE_MS;
}

uint64_t tsc_khz(void) { return khz; }

uint64_t now_ns(void)
{
    uint64_t t = rdtsc() - tsc_at_boot;
    /* Split so no 128-bit division is needed: (t % khz) * 1e6 fits in 64 bits. */
    return (t / khz) * 1000000u + (t % khz) * 1000000u / khz;
}

void udelay(uint64_t us)
{
    uint64_t end = now_ns() + us * 1000;
    while (now_ns() < end)
        cpu_relax();
}
