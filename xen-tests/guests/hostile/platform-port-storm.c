/*
 * hostile: vcpus=2 pcpus=2 policies=trap,adaptive native=no
 *
 * platform-port-storm: two vCPUs write and read random values of every width
 * to the PC platform's devices at once (RTC/CMOS index and data, the ACPI PM
 * blocks, PCI configuration mechanism #1, the 8042) and to random ports with
 * nothing behind them, including wide accesses that straddle a device's
 * ports. Only what would end the machine is left out (SLP_EN, 0xCF9 bit 2,
 * 8042 pulses and output-port writes). Hardware keeps such devices working:
 * afterwards the RTC counts again once A and B are set to normal values, the
 * PCI host bridge still answers with its IDs (and absent devices with
 * all-ones), the PM timer runs, the 8042 passes its
 * self test. The hypervisor must serialise the devices (one platform lock
 * per domain) and log at most 64 distinct empty ports per domain.
 * Not run natively: random configuration writes would reprogram QEMU's real
 * i440FX/PIIX3 (PAM, PM base).
 */
#include "guest.h"

#define ITERATIONS 6000

static inline uint16_t inw(uint16_t p) { uint16_t v; asm volatile("inw %1,%0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; asm volatile("inl %1,%0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint8_t inb_dx(uint16_t p) { uint8_t v; asm volatile("inb %1,%0" : "=a"(v) : "d"(p)); return v; }

static volatile int ap_done;

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Ports the storm must not touch: the console, the exit port, the interrupt
 * controllers and timer the guest library relies on. */
static bool reserved(uint32_t p)
{
    return (p >= 0x3f8 && p <= 0x3ff) || (p >= 0xf4 && p <= 0xf7) || p == 0x20 || p == 0x21 ||
           p == 0xa0 || p == 0xa1 || (p >= 0x40 && p <= 0x43) || p == 0x61 || p == 0x4d0 ||
           p == 0x4d1 || p == 0x60 || p == 0x64 || p == 0x70 || p == 0x71 ||
           (p >= 0x600 && p < 0x60c) || (p >= 0xcf8 && p <= 0xcff);
}

static void access(uint16_t port, unsigned size, uint32_t val, bool write)
{
    for (unsigned i = 0; i < size; i++) {
        if (port + i == 0x605)
            val &= ~(0x20u << (8 * i));                 /* no SLP_EN */
        if (port + i == 0xcf9)
            val &= ~(0x04u << (8 * i));                 /* no reset */
    }
    if (write) {
        if (size == 1)
            outb(port, (uint8_t)val);
        else if (size == 2)
            outw(port, (uint16_t)val);
        else
            outl(port, val);
    } else {
        if (size == 1)
            (void)inb_dx(port);
        else if (size == 2)
            (void)inw(port);
        else
            (void)inl(port);
    }
}

static void storm(uint64_t seed)
{
    static const unsigned sizes[] = { 1, 2, 4 };

    for (unsigned n = 0; n < ITERATIONS; n++) {
        uint64_t r = next(&seed);
        unsigned size = sizes[(r >> 8) % 3];
        bool write = (r >> 12) & 1;
        uint32_t val = (uint32_t)(r >> 32);
        uint16_t port;

        switch (r % 6) {
        case 0:
            outb(0x70, (uint8_t)(r >> 16));
            port = 0x71;
            size = 1;
            break;
        case 1:
            port = (uint16_t)(0x600 + (r >> 16) % 12);
            break;
        case 2:
            port = (uint16_t)(0xcf8 + (r >> 16) % 8);
            break;
        case 3:
            port = (r >> 16) & 1 ? 0x64 : 0x60;
            size = 1;
            if (port == 0x64 && ((val & 0xff) == 0xd1 || (val & 0xf0) == 0xf0))
                val = 0x20;                             /* no reset commands */
            break;
        case 4:
            port = (uint16_t)(r >> 16);
            if (reserved(port) || reserved(port + size - 1u))
                continue;
            break;
        default:                                        /* straddle device edges */
            port = (uint16_t[]){ 0x6e, 0x6f, 0x5fe, 0x606, 0x60a, 0xcf6, 0xcfe, 0x62 }[(r >> 16) % 8];
            size = 4;
            write = false;
            break;
        }
        access(port, size, val, write);
    }
}

static void ap_main(unsigned int cpu)
{
    storm(0x9e3779b97f4a7c15ull * (cpu + 1));
    ap_done = 1;
    halt_forever();
}

static uint8_t cmos(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

int main(void)
{
    uint32_t t0, t1;
    uint8_t s0, s;
    unsigned long spins = 0;

    cli();
    report(smp_start_ap(1, ap_main) == 0, "second vCPU started");
    storm(0x2545f4914f6cdd1dull);
    while (!ap_done)
        pause();
    report(true, "%u random platform accesses on each of two vCPUs", ITERATIONS);

    outb(0x70, 0x0a);
    outb(0x71, 0x26);                                   /* divider running */
    outb(0x70, 0x0b);
    outb(0x71, 0x02);                                   /* 24 h, BCD, SET clear */
    outb(0x70, 0x00);
    outb(0x71, 0x00);                                   /* second 0 */
    s0 = cmos(0x00);
    do
        s = cmos(0x00);
    while (s == s0 && ++spins < 10000000);
    report(s != s0, "the RTC counts again once A and B are normal (%#x -> %#x)", s0, s);

    outl(0xcf8, 0x80000000u);
    report(inl(0xcf8) == 0x80000000u && inl(0xcfc) == 0x12378086u,
           "the PCI bridge still reads back its address and its read-only IDs");
    outl(0xcf8, 0x80000800u);
    report(inl(0xcfc) == 0xffffffffu, "00:01.0 still reads all-ones");
    t0 = inl(0x608) & 0xffffff;
    for (volatile int i = 0; i < 100000; i++)
        ;
    t1 = inl(0x608) & 0xffffff;
    report(t0 != t1, "the PM timer runs");
    for (unsigned i = 0; i < 64 && (inb(0x64) & 1); i++)
        inb(0x60);
    outb(0x64, 0xaa);
    report((inb(0x64) & 1) && inb(0x60) == 0x55, "the 8042 passes its self test");
    return report_summary();
}
