/*
 * irq-timers: the interrupt and timer platform a Linux kernel uses, run
 * natively and under the hypervisor (xen-tests/integration/test_irq_timers.sh
 * compares the records line for line, up to the TSC-deadline part, which
 * bare QEMU TCG does not offer).
 *
 *  - PIT channel 2 gated by port 0x61, mode 0, OUT2 polled in port 0x61 bit 5:
 *    the TSC calibration of Linux's pit_calibrate_tsc, cross-checked against
 *    the local APIC timer (1 GHz before its divider on QEMU);
 *  - the 8259A pair initialised as Linux does, PIT channel 0 at 1 kHz on
 *    IRQ0 through LINT0 in ExtINT mode: rate against the TSC, HLT woken by
 *    it, ISR in the handler, the IMR, LINT0 masked, and the APIC
 *    hardware-disabled (the PIC's INT is then the CPU's INTR pin);
 *  - the I/O APIC: version register, IRQ0 on pin 2 to a LAPIC vector,
 *    physical and logical (lowest-priority) destinations, the mask bit;
 *  - the local APIC timer: periodic (rate, current count, stop), one-shot
 *    (once, count 0, on time while the vCPU spins without exits, waking HLT), and
 *    TSC-deadline mode when CPUID.1.ECX[24] offers it.
 * Run it with 1 CPU.
 */
#include "guest.h"

#define PIT_HZ        1193182u
#define PIC_VECTOR    0x30            /* master IRQ0; the slave at 0x38 */
#define IOAPIC_VECTOR 0x50
#define LAPIC_VECTOR  0x41

#define APIC_LDR      0x0D0
#define APIC_DFR      0x0E0
#define APIC_ISR      0x100
#define APIC_TMR      0x180
#define APIC_LVT0     0x350
#define LVT_MASKED    BIT(16)
#define LVT_EXTINT    (7u << 8)
#define LVTT_PERIODIC BIT(17)
#define LVTT_TSC_DEADLINE (2u << 17)
#define MSR_APIC_BASE 0x1B
#define MSR_TSC_DEADLINE 0x6E0

#define IOAPIC_BASE   0xFEC00000UL

static uint64_t tsc_khz;
static volatile unsigned long ticks;
static volatile uint64_t last_tick_tsc;
static volatile uint8_t pic_isr_in_handler;
static volatile uint32_t lapic_isr_in_handler, lapic_tmr_in_handler;

/* ---- time ---- */

static uint64_t tsc_to_us(uint64_t tsc) { return tsc * 1000 / tsc_khz; }

static void spin_us(uint64_t us)
{
    uint64_t end = rdtsc() + us * tsc_khz / 1000;
    while (rdtsc() < end)
        asm volatile("pause");
}

static bool within(uint64_t value, uint64_t expected, unsigned percent)
{
    uint64_t slack = expected * percent / 100;
    return value + slack >= expected && value <= expected + slack;
}

/* Interrupts on until `n` more ticks arrived, halted between them or
 * spinning; returns the TSC between the first and the last of them. Rates
 * are measured spinning: under -icount with sleep=on, QEMU wakes a halted
 * CPU late in virtual time (natively too), so a halted measurement would
 * test QEMU's idle loop. */
static uint64_t wait_ticks_how(unsigned long n, bool halt)
{
    unsigned long start = ticks;
    uint64_t t0 = 0;

    while (ticks - start < n + 1) {
        if (halt)
            asm volatile("sti; hlt; cli" ::: "memory");
        else
            asm volatile("sti; pause; cli" ::: "memory");
        if (ticks - start == 1 && !t0)
            t0 = last_tick_tsc;
    }
    return last_tick_tsc - t0;
}

static uint64_t wait_ticks(unsigned long n) { return wait_ticks_how(n, false); }

/* Interrupts on for `us` while spinning: how many ticks came. */
static unsigned long ticks_during(uint64_t us)
{
    unsigned long start = ticks;
    sti();
    spin_us(us);
    cli();
    return ticks - start;
}

/* ---- PIT channel 2: TSC calibration ---- */

/* Between two polls of a device (each an exit under the hypervisor, so
 * dear under TCG): 20 us at 1 GHz, the error it adds is a fraction of 1%. */
#define POLL_TSC 20000

static void tsc_pause(uint64_t n)
{
    uint64_t end = rdtsc() + n;
    while (rdtsc() < end)
        asm volatile("pause");
}

static uint16_t pit_ch2_read(void)
{
    outb(0x43, 0x80);                 /* latch channel 2 */
    uint16_t v = inb(0x42);
    return v | (uint16_t)inb(0x42) << 8;
}

static void test_pit_ch2_calibration(void)
{
    const uint16_t count = PIT_HZ / 100;         /* 10 ms */

    outb(0x61, (inb(0x61) & ~0x02) | 0x01);      /* gate on, speaker off */
    outb(0x43, 0xB0);                            /* channel 2, LSB then MSB, mode 0 */
    outb(0x42, count & 0xff);
    outb(0x42, count >> 8);
    uint64_t start = rdtsc();
    report(!(inb(0x61) & 0x20), "pit ch2: OUT2 low while mode 0 counts");
    uint16_t c1 = pit_ch2_read(), c2 = c1;
    for (int i = 0; i < 100000 && c2 == c1; i++)
        c2 = pit_ch2_read();
    report(c1 <= count && c2 < c1, "pit ch2: the count goes down");
    while (!(inb(0x61) & 0x20))
        tsc_pause(POLL_TSC);
    uint64_t delta = rdtsc() - start;
    tsc_khz = delta / 10;
    report(tsc_khz > 100000, "pit ch2: OUT2 rose at terminal count; TSC calibrated above 100 MHz");
    report(inb(0x61) & 0x20, "pit ch2: OUT2 stays high after terminal count (mode 0)");
    outb(0x61, inb(0x61) & ~0x03);

    /* The APIC timer counts 10 ms at 1 GHz / 1: the TSC agrees within 2%. */
    apic_write(APIC_TDCR, 0xB);
    apic_write(APIC_LVTT, LVT_MASKED | LAPIC_VECTOR);
    apic_write(APIC_TMICT, 10000000);
    start = rdtsc();
    while (apic_read(APIC_TMCCT))
        tsc_pause(POLL_TSC);
    uint64_t us = tsc_to_us(rdtsc() - start);
    report(within(us, 10000, 2), "pit ch2: calibration agrees with the APIC timer within 2%%");
    if (!within(us, 10000, 2))
        printf("# APIC timer 10 ms measured as %llu us\n", (unsigned long long)us);
}

/* ---- 8259A + PIT channel 0 ---- */

static void pic_handler(struct trap_frame *f)
{
    (void)f;
    if (!ticks) {
        outb(0x20, 0x0B);             /* OCW3: read ISR */
        pic_isr_in_handler = inb(0x20);
        outb(0x20, 0x0A);             /* back to IRR */
    }
    ticks++;
    last_tick_tsc = rdtsc();
    outb(0x20, 0x20);                 /* non-specific EOI */
}

static void pit_ch0_periodic(uint16_t count)
{
    outb(0x43, 0x34);                 /* channel 0, LSB then MSB, mode 2 (rate generator) */
    outb(0x40, count & 0xff);
    outb(0x40, count >> 8);
}

static void test_pic_pit(void)
{
    trap_set_handler(PIC_VECTOR, pic_handler);
    apic_write(APIC_LVT0, LVT_EXTINT);            /* virtual wire: LINT0 takes the PIC's INT */
    pic8259_init(PIC_VECTOR, false, 0xFE);
    report(inb(0x21) == 0xFE, "pic: IMR reads back");
    ticks = 0;
    pit_ch0_periodic(PIT_HZ / 1000);              /* 1 kHz */
    uint64_t us = tsc_to_us(wait_ticks(15));
    report(within(us, 15000, 10), "pic: 15 IRQ0 ticks at 1 kHz through the PIC");
    if (!within(us, 15000, 10))
        printf("# 15 ticks took %llu us\n", (unsigned long long)us);
    report(pic_isr_in_handler == 0x01, "pic: ISR shows IRQ0 in service in the handler");
    wait_ticks_how(3, true);
    report(true, "pic: IRQ0 wakes HLT");

    outb(0x21, 0xFF);
    (void)ticks_during(1000);                     /* one may already be requested */
    report(ticks_during(5000) == 0, "pic: IRQ0 masked in the IMR: no ticks");
    outb(0x21, 0xFE);
    report(ticks_during(5000) >= 3, "pic: unmasked again: ticks resume");

    apic_write(APIC_LVT0, LVT_MASKED | LVT_EXTINT);
    (void)ticks_during(1000);
    report(ticks_during(5000) == 0, "pic: LINT0 masked: the PIC's interrupts do not reach the CPU");
    apic_write(APIC_LVT0, LVT_EXTINT);
    report(ticks_during(5000) >= 3, "pic: LINT0 in ExtINT mode again: ticks resume");

    /* With the APIC hardware-disabled the PIC drives the CPU's INTR pin. */
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) & ~BIT(11));
    report(ticks_during(5000) >= 3, "pic: APIC hardware-disabled: the PIC interrupts the CPU directly");
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | BIT(11));
    apic_write(APIC_SPIV, 0x100 | SPURIOUS_VECTOR);
    apic_write(APIC_LVT0, LVT_MASKED | LVT_EXTINT);
    outb(0x21, 0xFF);
    (void)ticks_during(1000);
}

/* ---- I/O APIC ---- */

static uint32_t ioapic_read(uint8_t reg)
{
    *(volatile uint32_t *)IOAPIC_BASE = reg;
    return *(volatile uint32_t *)(IOAPIC_BASE + 0x10);
}

static void ioapic_write(uint8_t reg, uint32_t val)
{
    *(volatile uint32_t *)IOAPIC_BASE = reg;
    *(volatile uint32_t *)(IOAPIC_BASE + 0x10) = val;
}

static void ioapic_route_pin2(uint32_t low, uint8_t dest)
{
    ioapic_write(0x10 + 2 * 2 + 1, (uint32_t)dest << 24);
    ioapic_write(0x10 + 2 * 2, low);
}

static void ioapic_handler(struct trap_frame *f)
{
    (void)f;
    if (!ticks) {
        lapic_isr_in_handler = apic_read(APIC_ISR + (IOAPIC_VECTOR / 32) * 0x10);
        lapic_tmr_in_handler = apic_read(APIC_TMR + (IOAPIC_VECTOR / 32) * 0x10);
    }
    ticks++;
    last_tick_tsc = rdtsc();
    apic_eoi();
}

static void test_ioapic(void)
{
    uint32_t bit = BIT(IOAPIC_VECTOR % 32);

    report(((ioapic_read(0x01) >> 16) & 0xff) == 23, "ioapic: 24 redirection entries");
    report(ioapic_read(0x10 + 2 * 2) & BIT(16), "ioapic: pin 2 is masked at reset");
    trap_set_handler(IOAPIC_VECTOR, ioapic_handler);
    ticks = 0;
    ioapic_route_pin2(IOAPIC_VECTOR, (uint8_t)apic_id());   /* fixed, physical, edge */
    uint64_t us = tsc_to_us(wait_ticks(15));
    report(within(us, 15000, 10), "ioapic: 15 IRQ0 ticks on pin 2 at 1 kHz to the LAPIC vector");
    if (!within(us, 15000, 10))
        printf("# 15 ticks took %llu us\n", (unsigned long long)us);
    report(lapic_isr_in_handler & bit, "ioapic: the vector is in service in the LAPIC's ISR");
    report(!(lapic_tmr_in_handler & bit), "ioapic: an edge-triggered vector is clear in TMR");
    wait_ticks_how(3, true);
    report(true, "ioapic: IRQ0 through the I/O APIC wakes HLT");

    /* Logical flat destination, lowest priority: the one CPU in the MDA. */
    apic_write(APIC_DFR, 0xFFFFFFFF);
    apic_write(APIC_LDR, 0x01000000);
    ioapic_route_pin2(IOAPIC_VECTOR | (1u << 8) | BIT(11), 0x01);
    report(ticks_during(5000) >= 3, "ioapic: logical destination, lowest priority: ticks arrive");
    ioapic_route_pin2(IOAPIC_VECTOR | BIT(11), 0x02);      /* a CPU that does not exist */
    (void)ticks_during(1000);
    report(ticks_during(5000) == 0, "ioapic: logical destination of no CPU: no ticks");
    ioapic_route_pin2(IOAPIC_VECTOR | BIT(16), 0);
    (void)ticks_during(1000);
    report(ticks_during(5000) == 0, "ioapic: pin masked: no ticks");
    outb(0x43, 0x30);                                       /* channel 0 mode 0: one-shot, stop */
    outb(0x40, 1);
    outb(0x40, 0);
}

/* ---- local APIC timer ---- */

static volatile uint64_t lapic_fired_tsc;
static volatile uint32_t lapic_fired_ccr;

static void lapic_handler(struct trap_frame *f)
{
    (void)f;
    lapic_fired_tsc = rdtsc();
    lapic_fired_ccr = apic_read(APIC_TMCCT);
    ticks++;
    last_tick_tsc = lapic_fired_tsc;
    apic_eoi();
}

/* One-shot timers of 300 us, armed 3 times, the vCPU spinning (no
 * exits of its own: the timer is due in the middle of its slice) or
 * halted: the worst lateness in us. */
static uint64_t oneshot_lateness(bool halt)
{
    uint64_t worst = 0;

    for (int i = 0; i < 3; i++) {
        unsigned long start = ticks;
        apic_write(APIC_LVTT, LAPIC_VECTOR);
        uint64_t armed = rdtsc();
        apic_write(APIC_TMICT, 300000);
        while (ticks == start) {
            if (halt)
                asm volatile("sti; hlt; cli" ::: "memory");
            else
                asm volatile("sti; pause; cli" ::: "memory");
        }
        uint64_t took = tsc_to_us(lapic_fired_tsc - armed);
        uint64_t late = took > 300 ? took - 300 : 0;
        if (late > worst)
            worst = late;
    }
    return worst;
}

static void test_lapic_timer(void)
{
    trap_set_handler(LAPIC_VECTOR, lapic_handler);
    apic_write(APIC_TDCR, 0xB);                   /* divide by 1: 1 ns per count */

    ticks = 0;
    apic_write(APIC_LVTT, LVTT_PERIODIC | LAPIC_VECTOR);
    apic_write(APIC_TMICT, 1000000);              /* 1 ms */
    uint32_t ccr = apic_read(APIC_TMCCT);
    report(ccr > 0 && ccr <= 1000000, "lapic periodic: current count within the period");
    uint64_t us = tsc_to_us(wait_ticks(15));
    report(within(us, 15000, 10), "lapic periodic: 15 interrupts at 1 kHz");
    if (!within(us, 15000, 10))
        printf("# 15 periods took %llu us\n", (unsigned long long)us);
    ccr = apic_read(APIC_TMCCT);
    report(ccr > 0 && ccr <= 1000000, "lapic periodic: current count reloads");
    apic_write(APIC_TMICT, 0);                    /* initial count 0 stops it */
    (void)ticks_during(100);
    report(ticks_during(5000) == 0 && apic_read(APIC_TMCCT) == 0, "lapic periodic: initial count 0 stops it");

    ticks = 0;
    apic_write(APIC_LVTT, LAPIC_VECTOR);
    apic_write(APIC_TMICT, 2000000);
    wait_ticks(0);
    report(ticks == 1 && lapic_fired_ccr == 0, "lapic one-shot: fires once, current count 0");
    report(ticks_during(5000) == 0, "lapic one-shot: does not fire again");

    uint64_t late = oneshot_lateness(false);
    report(late < 1000, "lapic one-shot: on time while the vCPU spins (worst lateness under 1 ms)");
    if (late >= 1000)
        printf("# worst lateness spinning %llu us\n", (unsigned long long)late);
    (void)oneshot_lateness(true);   /* its timing is QEMU's idle loop's (wait_ticks_how) */
    report(true, "lapic one-shot: wakes HLT");
}

static void test_tsc_deadline(void)
{
    printf("# tsc-deadline\n");           /* natively absent on QEMU TCG: compared up to here */
    if (!(cpuid(1, 0).c & BIT(24))) {
        printf("# tsc-deadline: not offered\n");
        return;
    }
    apic_write(APIC_LVTT, LVTT_TSC_DEADLINE | LAPIC_VECTOR);
    apic_write(APIC_TMICT, 1000);
    report(apic_read(APIC_TMICT) == 0 && apic_read(APIC_TMCCT) == 0,
           "tsc-deadline: the initial count is ignored in TSC-deadline mode");
    ticks = 0;
    uint64_t deadline = rdtsc() + 2 * tsc_khz;    /* 2 ms */
    wrmsr(MSR_TSC_DEADLINE, deadline);
    report(rdmsr(MSR_TSC_DEADLINE) == deadline, "tsc-deadline: the MSR reads back while armed");
    wait_ticks(0);
    report(ticks == 1 && lapic_fired_tsc >= deadline, "tsc-deadline: fires once the TSC reached the deadline");
    uint64_t late = tsc_to_us(lapic_fired_tsc - deadline);
    report(late < 1000, "tsc-deadline: on time (lateness under 1 ms)");
    if (late >= 1000)
        printf("# lateness %llu us\n", (unsigned long long)late);
    report(rdmsr(MSR_TSC_DEADLINE) == 0, "tsc-deadline: the MSR reads 0 after it fired");
    report(ticks_during(5000) == 0, "tsc-deadline: does not fire again");

    wrmsr(MSR_TSC_DEADLINE, rdtsc() - 1000);      /* in the past: at once */
    report(ticks_during(200) == 1, "tsc-deadline: a deadline in the past fires at once");
    wrmsr(MSR_TSC_DEADLINE, rdtsc() + 2 * tsc_khz);
    wrmsr(MSR_TSC_DEADLINE, 0);                   /* 0 disarms */
    report(ticks_during(5000) == 0, "tsc-deadline: writing 0 disarms it");
    wrmsr(MSR_TSC_DEADLINE, rdtsc() + 2 * tsc_khz);
    apic_write(APIC_LVTT, LAPIC_VECTOR);          /* leaving the mode disarms it */
    report(rdmsr(MSR_TSC_DEADLINE) == 0 && ticks_during(5000) == 0,
           "tsc-deadline: leaving TSC-deadline mode disarms it and the MSR reads 0");

    /* The deadline is a TSC value: moving the TSC past it fires it now. */
    apic_write(APIC_LVTT, LVTT_TSC_DEADLINE | LAPIC_VECTOR);
    wrmsr(MSR_TSC_DEADLINE, rdtsc() + 5 * tsc_khz);
    wrmsr(0x10, rdtsc() + 10 * tsc_khz);          /* IA32_TSC 10 ms ahead */
    report(ticks_during(200) == 1, "tsc-deadline: a TSC write past the deadline fires it at once");
}

int main(void)
{
    apic_init();
    test_pit_ch2_calibration();
    test_pic_pit();
    test_ioapic();
    test_lapic_timer();
    test_tsc_deadline();
    return report_summary();
}
