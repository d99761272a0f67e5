/*
 * hostile: vcpus=1 native=no
 *
 * cpuid-hypervisor-timing-leaf: the frequencies dbgvisor offers in CPUID
 * leaf 0x40000010 (the hypervisor timing leaf VMware proposed and KVM,
 * ACRN and others implement: EAX the TSC in kHz, EBX the local APIC
 * timer's input in kHz), checked against what the guest measures with the
 * PC's own reference, PIT channel 2 gated by port 0x61 (the APIC timer against
 * the TSC so measured, across its own two reads): a kernel that
 * trusts the leaf instead of calibrating must get the same answer. Also
 * the leaf range: 0x40000000 names dbgvisor and reaches 0x40000010, and
 * the leaves in between are zero. Not run natively: bare QEMU TCG offers
 * no hypervisor leaves.
 */
#include "guest.h"

#define PIT_HZ        1193182u
#define WINDOW_MS     50
#define APIC_TMCCT    0x390
#define APIC_TDCR     0x3E0
#define APIC_LVTT     0x320

static uint32_t apic_count(void) { return apic_read(APIC_TMCCT); }

/* One 50 ms countdown of PIT channel 2: TSC ticks in it, and how tightly its
 * start and end were seen (TSC ticks): the start between the TSC reads
 * around the count's last byte, the end between the start of the last poll
 * that saw OUT2 low and the end of the first that saw it high (a vCPU
 * descheduled between two polls widens it). The APIC timer is read at both
 * ends too, each read between two TSC reads: its counts against the TSC
 * ticks between the middles of those reads, with their widths added to the
 * uncertainty (an APIC read is an exit, which a loaded host can stretch). */
struct window { uint64_t tsc, unc, apic_counts, apic_tsc; };

static struct window measure(void)
{
    uint16_t count = PIT_HZ * WINDOW_MS / 1000;
    uint64_t start0, start1, before_low, before, now, a0, a0b, a1, a1b;
    uint32_t apic0, apic1;
    struct window w;

    outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
    outb(0x43, 0xb0);
    outb(0x42, (uint8_t)count);
    start0 = rdtsc();
    outb(0x42, (uint8_t)(count >> 8));
    start1 = before_low = rdtsc();
    a0 = rdtsc();
    apic0 = apic_count();
    a0b = rdtsc();
    /* OUT2 rose after the last read that saw it low began and before the
     * first that saw it high ended. */
    for (;;) {
        before = rdtsc();
        if (inb(0x61) & 0x20)
            break;
        before_low = before;
    }
    now = rdtsc();
    a1 = rdtsc();
    apic1 = apic_count();
    a1b = rdtsc();
    w.apic_counts = apic0 - apic1;
    w.apic_tsc = (a1 + a1b) / 2 - (a0 + a0b) / 2;
    w.unc = (start1 - start0) + (now - before_low) + (a0b - a0) + (a1b - a1);
    w.tsc = (now + before_low) / 2 - (start0 + start1) / 2;
    return w;
}

static bool within_percent(uint64_t a, uint64_t b, unsigned pct)
{
    uint64_t diff = a > b ? a - b : b - a;

    return diff * 100 <= b * pct;
}

int main(void)
{
    struct cpuid_regs base = cpuid(0x40000000, 0), timing;
    char sig[13];
    bool zero = true;
    struct window best = { .unc = ~0ull };

    memcpy(sig, &base.b, 4);
    memcpy(sig + 4, &base.c, 4);
    memcpy(sig + 8, &base.d, 4);
    sig[12] = 0;
    report(strncmp(sig, "dbgvisor    ", 12) == 0, "leaf 0x40000000 names dbgvisor");
    report(base.a >= 0x40000010, "leaf 0x40000000 reaches the timing leaf (max %#x)", base.a);
    for (uint32_t leaf = 0x40000001; leaf < 0x40000010; leaf++) {
        struct cpuid_regs r = cpuid(leaf, 0);
        zero = zero && !r.a && !r.b && !r.c && !r.d;
    }
    report(zero, "leaves 0x40000001-0x4000000f are zero");
    timing = cpuid(0x40000010, 0);

    apic_init();
    apic_write(APIC_TDCR, 0xB);                 /* divide by 1 */
    apic_write(APIC_LVTT, BIT(16));             /* masked, one-shot: counts down */
    /* A window counts when its two ends were seen within 0.5% of it (each
     * end is one exit wide): on a loaded host the vCPU can be descheduled
     * right around a port access. */
    for (unsigned i = 0; i < 10 && best.unc * 200 > best.tsc; i++) {
        apic_write(APIC_TMICT, 0xffffffffu);    /* 4.29 s at 1 GHz: outlasts the window */
        struct window w = measure();
        if (w.unc < best.unc)
            best = w;
    }
    report(best.unc * 200 <= best.tsc, "a 50 ms PIT window seen within 0.5%% (of 10 tries)");
    apic_write(APIC_TMICT, 0);
    uint64_t apic_khz = best.apic_tsc ? best.apic_counts * (best.tsc / WINDOW_MS) / best.apic_tsc : 0;
    printf("# leaf 0x40000010: tsc %u kHz, apic %u kHz; measured tsc %llu kHz (PIT), apic %llu kHz (TSC)\n",
           timing.a, timing.b, (unsigned long long)(best.tsc / WINDOW_MS),
           (unsigned long long)apic_khz);
    report(timing.a && within_percent(timing.a, best.tsc / WINDOW_MS, 1),
           "EAX: the TSC frequency, within 1%% of its rate against the PIT");
    /* Against the TSC as measured against the PIT, over the APIC reads' own window. */
    report(timing.b == 1000000 && within_percent(timing.b, apic_khz, 1),
           "EBX: the APIC timer's 1 GHz input, within 1%% of its rate against the TSC");
    return report_summary();
}
