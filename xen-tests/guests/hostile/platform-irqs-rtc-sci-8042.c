/*
 * hostile: vcpus=1 native=compare
 *
 * platform-irqs-rtc-sci-8042: the interrupts of the PC platform's own
 * devices, which fire by themselves (not as the answer to a port access)
 * and so need the hypervisor's timer poll, counted natively and under
 * dbgvisor. On a PC:
 *  - the MC146818 RTC raises IRQ8 while a flag of register C whose enable
 *    bit is set in register B is up (periodic PF, update-ended UF, alarm AF)
 *    and holds it until C is read: an edge-triggered 8259 or I/O APIC pin
 *    sees one interrupt per read of C. Periodic interrupts at 1024 Hz through
 *    the 8259 pair (slave IR0, cascade on master IR2, LINT0 as ExtINT), the
 *    line held while C is not read, then at 8192 Hz through I/O APIC pin 8;
 *    update-ended interrupts; the alarm with hours and minutes "don't care"
 *    firing at its second;
 *  - the ACPI SCI (GSI 9, level, active high) while an enabled PM1 status bit
 *    is set: TMR_EN, and the PM timer's bit 23 toggling (every 2.34 s) sets
 *    TMR_STS; writing 1 clears it and the line drops;
 *  - the 8042 raises IRQ1 (IRQ12) while its output buffer holds keyboard
 *    (aux) data and the command byte enables that interrupt: commands 0xD2
 *    and 0xD3 put a byte there as if the device sent it.
 * Every count and value printed is the same on hardware, bare QEMU and
 * dbgvisor; waits are HLTs bounded by the local APIC timer, so a missing
 * interrupt fails a check instead of hanging.
 */
#include "guest.h"

#define PIC_VECTOR      0x30            /* master IR0; the slave's IR0 (IRQ8) is 0x38 */
#define RTC_PIC_VECTOR  (PIC_VECTOR + 8)
#define RTC_VECTOR      0x48
#define SCI_VECTOR      0x49
#define KBD_VECTOR      0x51
#define AUX_VECTOR      0x5c
#define IOAPIC_BASE     0xFEC00000UL
#define APIC_LVT0       0x350
#define LVT_MASKED      BIT(16)
#define LVT_EXTINT      (7u << 8)
#define RTE_LEVEL       BIT(15)
#define RTE_MASKED      BIT(16)

#define RTC_A           0x0a
#define RTC_B           0x0b
#define RTC_C           0x0c
#define B_24H           0x02
#define B_UIE           0x10
#define B_AIE           0x20
#define B_PIE           0x40
#define C_UF            0x10
#define C_AF            0x20
#define C_PF            0x40
#define C_IRQF          0x80

#define TMR_STS         0x0001
#define SCI_EN          0x0001
#define FADT_SMI_CMD    48
#define FADT_ACPI_ENABLE 52
#define FADT_PM1A_EVT   56
#define FADT_PM1A_CNT   64

static inline uint16_t inw(uint16_t p) { uint16_t v; asm volatile("inw %1,%0" : "=a"(v) : "d"(p)); return v; }
static inline void outw_dx(uint16_t p, uint16_t v) { asm volatile("outw %0,%1" :: "a"(v), "d"(p)); }

/* The PM1a blocks from the FADT: QEMU's PIIX4 has them at 0xB000, dbgvisor at 0x600. */
static uint16_t pm1_sts, pm1_en, pm1_cnt;

static volatile unsigned long irqs;
static volatile uint8_t c_and, c_or, seconds_at_irq;
static volatile unsigned long kbd_irqs, aux_irqs;
static volatile bool read_c = true;
static volatile uint16_t sci_sts;

static uint8_t cmos(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static void cmos_write(uint8_t reg, uint8_t val)
{
    outb(0x70, reg);
    outb(0x71, val);
}

/* PIT channel 2, mode 0, gated by port 0x61, polled: at most 50 ms. */
static void pit_wait_ms(unsigned ms)
{
    unsigned count = 1193182u * ms / 1000;

    outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
    outb(0x43, 0xb0);
    outb(0x42, (uint8_t)count);
    outb(0x42, (uint8_t)(count >> 8));
    while (!(inb(0x61) & 0x20))
        pause();
}

/* HLT, interrupts on, until irqs reaches target or max_ms (at most 4294)
 * ran out on the local APIC timer (1 GHz before its divider, on QEMU as on
 * dbgvisor); false on timeout. */
static bool wait_irqs(unsigned long target, unsigned max_ms)
{
    unsigned long start = timer_ticks;

    cli();
    apic_timer_oneshot(max_ms * 1000000u);
    while (irqs < target && timer_ticks == start)
        asm volatile("sti; hlt; cli" ::: "memory");
    apic_write(APIC_TMICT, 0);          /* stop it */
    return irqs >= target;
}

static void quiet_ms(unsigned ms)
{
    (void)wait_irqs(~0ul, ms);
}

static void ioapic_write(uint32_t reg, uint32_t val)
{
    *(volatile uint32_t *)IOAPIC_BASE = reg;
    *(volatile uint32_t *)(IOAPIC_BASE + 0x10) = val;
}

static void ioapic_route(unsigned pin, uint32_t low)
{
    ioapic_write(0x11 + 2 * pin, apic_id() << 24);
    ioapic_write(0x10 + 2 * pin, low);
}

static void count_rtc(void)
{
    irqs++;
    if (read_c) {
        uint8_t c = cmos(RTC_C);

        c_and &= c;
        c_or |= c;
    }
}

static void rtc_pic_handler(struct trap_frame *f)
{
    (void)f;
    count_rtc();
    outb(0xa0, 0x20);                   /* EOI the slave, then the master */
    outb(0x20, 0x20);
}

static void rtc_ioapic_handler(struct trap_frame *f)
{
    (void)f;
    count_rtc();
    seconds_at_irq = cmos(0x00);
    apic_eoi();
}

static void sci_handler(struct trap_frame *f)
{
    (void)f;
    irqs++;
    sci_sts = inw(pm1_sts);
    outw_dx(pm1_sts, TMR_STS);          /* write 1 to clear: the level SCI drops */
    apic_eoi();
}

static void kbd_handler(struct trap_frame *f)
{
    (void)f;
    irqs++;
    kbd_irqs++;
    (void)inb(0x60);                    /* empties the output buffer: the line drops */
    apic_eoi();
}

static void aux_handler(struct trap_frame *f)
{
    (void)f;
    irqs++;
    aux_irqs++;
    (void)inb(0x60);
    apic_eoi();
}

static void reset_counts(void)
{
    irqs = 0;
    c_and = 0xff;
    c_or = 0;
}

static void pic_init(void)
{
    outb(0x20, 0x11);                   /* ICW1: edge, cascade, ICW4 */
    outb(0x21, PIC_VECTOR);
    outb(0x21, 0x04);                   /* slave on IR2 */
    outb(0x21, 0x01);
    outb(0xa0, 0x11);
    outb(0xa1, PIC_VECTOR + 8);
    outb(0xa1, 0x02);
    outb(0xa1, 0x01);
}

static void rtc_through_pic(void)
{
    trap_set_handler(RTC_PIC_VECTOR, rtc_pic_handler);
    apic_write(APIC_LVT0, LVT_EXTINT);  /* virtual wire */
    pic_init();
    outb(0x21, 0xfb);                   /* master: only the cascade */
    outb(0xa1, 0xfe);                   /* slave: only IRQ8 */
    cmos_write(RTC_A, 0x26);            /* 32.768 kHz divider, 1024 Hz */
    (void)cmos(RTC_C);
    reset_counts();
    cmos_write(RTC_B, B_24H | B_PIE);
    report(wait_irqs(32, 500), "pic: 32 periodic interrupts (1024 Hz) on IRQ8 through the slave 8259");
    report((c_and & (C_IRQF | C_PF)) == (C_IRQF | C_PF), "pic: each read of C showed IRQF and PF");

    read_c = false;                     /* the handler leaves C alone: IRQ8 stays up */
    reset_counts();
    wait_irqs(1, 100);
    quiet_ms(30);
    report(irqs == 1, "pic: C unread: one interrupt in 30 periods (%lu)", irqs);
    (void)cmos(RTC_C);                  /* the line drops; the next period raises it */
    quiet_ms(30);
    report(irqs == 2, "pic: C read once: exactly one more interrupt (%lu)", irqs);
    read_c = true;

    cmos_write(RTC_B, B_24H);
    (void)cmos(RTC_C);
    reset_counts();
    quiet_ms(20);
    report(irqs == 0, "pic: PIE clear: no interrupt");
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    apic_write(APIC_LVT0, LVT_MASKED | LVT_EXTINT);
}

static void rtc_through_ioapic(void)
{
    uint8_t sec, alarm;

    trap_set_handler(RTC_VECTOR, rtc_ioapic_handler);
    ioapic_route(8, RTC_VECTOR);        /* edge, active high, physical */
    cmos_write(RTC_A, 0x23);            /* 8192 Hz */
    (void)cmos(RTC_C);
    reset_counts();
    cmos_write(RTC_B, B_24H | B_PIE);
    report(wait_irqs(256, 3000), "ioapic: 256 periodic interrupts (8192 Hz) on pin 8");
    cmos_write(RTC_B, B_24H);
    cmos_write(RTC_A, 0x26);
    report((c_or & (C_IRQF | C_PF)) == (C_IRQF | C_PF), "ioapic: C showed IRQF and PF");

    (void)cmos(RTC_C);
    reset_counts();
    cmos_write(RTC_B, B_24H | B_UIE);
    report(wait_irqs(2, 2600), "update-ended: two interrupts, one per second");
    report((c_or & (C_IRQF | C_UF)) == (C_IRQF | C_UF), "update-ended: C showed IRQF and UF");

    /* The alarm two seconds on, hours and minutes "don't care". */
    cmos_write(RTC_B, B_24H);
    while (cmos(RTC_A) & 0x80)          /* UIP: the time registers are about to change */
        ;
    sec = cmos(0x00);
    alarm = (uint8_t)((sec & 0x0f) == 9 ? sec + 7 : sec + 1);     /* BCD + 1 */
    alarm = alarm == 0x60 ? 0x00 : alarm;
    alarm = (uint8_t)((alarm & 0x0f) == 9 ? alarm + 7 : alarm + 1);
    alarm = alarm == 0x60 ? 0x00 : alarm;
    cmos_write(0x01, alarm);
    cmos_write(0x03, 0xc0);
    cmos_write(0x05, 0xc0);
    (void)cmos(RTC_C);
    reset_counts();
    cmos_write(RTC_B, B_24H | B_AIE);
    report(wait_irqs(1, 3500), "alarm: one interrupt");
    report((c_or & (C_IRQF | C_AF)) == (C_IRQF | C_AF), "alarm: C showed IRQF and AF");
    report(seconds_at_irq == alarm, "alarm: at the alarm's second");
    cmos_write(RTC_B, B_24H);
    (void)cmos(RTC_C);
    ioapic_write(0x10 + 2 * 8, RTE_MASKED);
}

static uint32_t le32(const volatile uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

/* The FACP through the RSDT of the RSDP in the BIOS area (both platforms have an RSDT). */
static const volatile uint8_t *fadt(void)
{
    for (uintptr_t pa = 0xE0000; pa < 0x100000; pa += 16) {
        const volatile uint8_t *rsdp = (const volatile uint8_t *)pa, *rsdt;

        if (le32(rsdp) != 0x20445352u || le32(rsdp + 4) != 0x20525450u)   /* "RSD PTR " */
            continue;
        rsdt = (const volatile uint8_t *)(uintptr_t)le32(rsdp + 16);
        for (uint32_t off = 36; off + 4 <= le32(rsdt + 4); off += 4) {
            const volatile uint8_t *t = (const volatile uint8_t *)(uintptr_t)le32(rsdt + off);

            if (le32(t) == 0x50434146u)                                     /* "FACP" */
                return t;
        }
    }
    return NULL;
}

static void sci_pm_timer(void)
{
    const volatile uint8_t *f = fadt();

    report(f != NULL, "sci: the FADT found");
    if (!f)
        return;
    pm1_sts = (uint16_t)le32(f + FADT_PM1A_EVT);
    pm1_en = (uint16_t)(pm1_sts + 2);
    pm1_cnt = (uint16_t)le32(f + FADT_PM1A_CNT);
    /* Linux's step: ACPI_ENABLE to SMI_CMD when there is one (bare QEMU);
     * dbgvisor has none and SCI_EN reads 1 already. */
    if (!(inw(pm1_cnt) & SCI_EN) && le32(f + FADT_SMI_CMD))
        outb((uint16_t)le32(f + FADT_SMI_CMD), f[FADT_ACPI_ENABLE]);
    for (unsigned i = 0; i < 100 && !(inw(pm1_cnt) & SCI_EN); i++)
        pit_wait_ms(1);
    report(inw(pm1_cnt) & SCI_EN, "sci: ACPI mode (SCI_EN)");
    trap_set_handler(SCI_VECTOR, sci_handler);
    outw_dx(pm1_sts, TMR_STS);
    ioapic_route(9, SCI_VECTOR | RTE_LEVEL);
    reset_counts();
    outw_dx(pm1_en, TMR_STS);           /* TMR_EN */
    report(wait_irqs(1, 3000), "sci: the PM timer's overflow interrupts on GSI 9");
    report(sci_sts & TMR_STS, "sci: PM1_STS showed TMR_STS");
    outw_dx(pm1_en, 0);
    quiet_ms(20);
    report(irqs == 1, "sci: cleared in the handler: one interrupt (%lu)", irqs);
    ioapic_write(0x10 + 2 * 9, RTE_MASKED);
}

static void kbc_out(uint8_t cmd, int data)
{
    while (inb(0x64) & 0x02)            /* input buffer full */
        ;
    outb(0x64, cmd);
    if (data >= 0) {
        while (inb(0x64) & 0x02)
            ;
        outb(0x60, (uint8_t)data);
    }
}

static void kbc_irqs(void)
{
    for (unsigned i = 0; i < 16 && (inb(0x64) & 0x01); i++)
        (void)inb(0x60);                /* drain */
    trap_set_handler(KBD_VECTOR, kbd_handler);
    trap_set_handler(AUX_VECTOR, aux_handler);
    kbc_out(0x60, 0x07);                /* command byte: both interrupts, SYS, no translation */
    ioapic_route(1, KBD_VECTOR);
    ioapic_route(12, AUX_VECTOR);
    reset_counts();
    kbc_out(0xd2, 0x5a);                /* as if the keyboard sent 0x5A */
    report(wait_irqs(1, 100) && kbd_irqs == 1, "8042: keyboard data interrupts on IRQ1");
    kbc_out(0xd3, 0xa5);                /* as if the mouse sent 0xA5 */
    report(wait_irqs(2, 100) && aux_irqs == 1, "8042: aux data interrupts on IRQ12");
    quiet_ms(20);
    report(irqs == 2, "8042: one interrupt per byte (%lu)", irqs);
    ioapic_write(0x10 + 2 * 1, RTE_MASKED);
    ioapic_write(0x10 + 2 * 12, RTE_MASKED);
}

int main(void)
{
    apic_init();
    rtc_through_pic();
    rtc_through_ioapic();
    sci_pm_timer();
    kbc_irqs();
    return report_summary();
}
