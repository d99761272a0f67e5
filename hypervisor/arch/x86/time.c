/*
 * TSC calibration against PIT channel 2 (gated through port 0x61), the
 * classic method: count TSC ticks across a known PIT interval. Under
 * `-icount shift=0` both advance with executed instructions, so the result
 * is deterministic.
 */
#include <asm/x86.h>
#include <dbgvisor/time.h>

#define PIT_HZ 1193182u
#define CALIBRATE_MS 10
#define CALIBRATE_RUNS 5

static uint64_t khz = 1000000;   /* assume 1 GHz until calibrated */
static uint64_t tsc_at_boot;

/* TSC ticks during one CALIBRATE_MS countdown of PIT channel 2. */
static uint64_t pit_measure_tsc(void)
{
    uint16_t count = PIT_HZ * CALIBRATE_MS / 1000;

    outb(0x61, (inb(0x61) & ~0x02) | 0x01);   /* gate on, speaker off */
    outb(0x43, 0xB0);                          /* ch2, lo/hi, mode 0 */
    outb(0x42, count & 0xff);
    outb(0x42, count >> 8);
    uint64_t start = rdtsc();
    while (!(inb(0x61) & 0x20))
        cpu_relax();
    return rdtsc() - start;
}

/*
 * The median of CALIBRATE_RUNS measurements: under QEMU TCG on a loaded
 * host the vCPU thread can be descheduled inside one countdown, which made a
 * single measurement several times too high (16 GHz seen for a 2.7 GHz TSC);
 * guest time (vPIT, APIC timers) runs that much slower and Linux then finds
 * "IO-APIC + timer doesn't work".
 */
void time_init(void)
{
    uint64_t d[CALIBRATE_RUNS];

    tsc_at_boot = rdtsc();
    for (unsigned i = 0; i < CALIBRATE_RUNS; i++) {
        uint64_t v = pit_measure_tsc(), j = i;
        for (; j > 0 && d[j - 1] > v; j--)
            d[j] = d[j - 1];
        d[j] = v;
    }
    if (d[CALIBRATE_RUNS / 2] > 1000)
        khz = d[CALIBRATE_RUNS / 2] / CALIBRATE_MS;
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
