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

static uint64_t khz = 1000000;   /* assume 1 GHz until calibrated */
static uint64_t tsc_at_boot;

void time_init(void)
{
    uint16_t count = PIT_HZ * CALIBRATE_MS / 1000;

    outb(0x61, (inb(0x61) & ~0x02) | 0x01);   /* gate on, speaker off */
    outb(0x43, 0xB0);                          /* ch2, lo/hi, mode 0 */
    outb(0x42, count & 0xff);
    outb(0x42, count >> 8);
    uint64_t start = rdtsc();
    while (!(inb(0x61) & 0x20))
        cpu_relax();
    uint64_t delta = rdtsc() - start;
    if (delta > 1000)
        khz = delta / CALIBRATE_MS;
    tsc_at_boot = start;
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
