/*
 * firmware: the legacy PC platform and firmware tables an OS (Linux) looks
 * for, used the way it uses them; run natively on QEMU and under dbgvisor
 * by xen-tests/integration/test_firmware.sh. The checks hold on both where
 * the platforms agree; hv=1 adds dbgvisor's own promises (no PCI device but
 * the host bridge).
 *  - CMOS/RTC: read as Linux's mc146818_get_time does (wait while UIP, BCD
 *    per register B), valid date fields with the century byte, the clock
 *    advancing by one second at an update; CMOS RAM with the NMI-mask bit;
 *  - ACPI: the RSDP found by scanning the BIOS area 0xE0000-0xFFFFF on
 *    16-byte boundaries, checksums of RSDP, RSDT/XSDT and every table they
 *    list, the MADT (one enabled local APIC per CPU, the I/O APIC at
 *    0xFEC00000 with GSI base 0, ISA IRQ0 -> GSI 2, LINT1 NMI), the FADT's
 *    PM1a control block and the DSDT's \_S5 package;
 *  - PCI configuration mechanism #1 with the i440FX host bridge at 00:00.0,
 *    port 0x80, a port with nothing behind it;
 *  - the 8042: self test 0xAA -> 0x55, command byte written and read back.
 * Then it ends as end=N says: 0 exit port, 1 8042 pulse 0xFE, 2 8042 output
 * port bit 0 (0xD1), 3 reset control register 0xCF9, 4 the FADT's reset
 * register, 5 S5 through PM1a_CNT with SLP_TYP from \_S5. If the platform
 * ignores the request, it says so and exits with code 7.
 */
#include "guest.h"

#define RTC_INDEX   0x70
#define RTC_DATA    0x71
#define KBC_DATA    0x60
#define KBC_CMD     0x64
#define PCI_ADDR    0xCF8
#define PCI_DATA    0xCFC
#define EMPTY_PORT  0x2A0           /* nothing there on QEMU's PC or dbgvisor */

static inline uint16_t inw(uint16_t p) { uint16_t v; asm volatile("inw %1,%0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; asm volatile("inl %1,%0" : "=a"(v) : "Nd"(p)); return v; }

static uint8_t cmos(uint8_t reg)
{
    outb(RTC_INDEX, reg);
    return inb(RTC_DATA);
}

static int bcd(uint8_t v, uint8_t b)
{
    return (b & 0x04) ? v : (v >> 4) * 10 + (v & 0x0f);
}

static bool valid_bcd(uint8_t v)
{
    return (v & 0x0f) < 10 && (v >> 4) < 10;
}

struct rtc_now { int sec, min, hour, mday, mon, year; };

/* false if an update never ends (no RTC: the port reads all-ones). */
static bool rtc_read(struct rtc_now *t, uint8_t *b)
{
    uint8_t raw[6];
    unsigned spins = 0;

    do {
        while (cmos(0x0a) & 0x80)           /* update in progress */
            if (++spins > 10000)            /* UIP lasts at most 2 ms */
                return false;
        raw[0] = cmos(0x00);
        raw[1] = cmos(0x02);
        raw[2] = cmos(0x04);
        raw[3] = cmos(0x07);
        raw[4] = cmos(0x08);
        raw[5] = cmos(0x09);
    } while (raw[0] != cmos(0x00));
    *b = cmos(0x0b);
    t->sec = bcd(raw[0], *b);
    t->min = bcd(raw[1], *b);
    t->hour = bcd(raw[2] & 0x7f, *b);
    t->mday = bcd(raw[3], *b);
    t->mon = bcd(raw[4], *b);
    t->year = bcd(cmos(0x32), *b) * 100 + bcd(raw[5], *b);
    if (!(*b & 0x04))
        for (int i = 0; i < 6; i++)
            if (!valid_bcd(raw[i] & (i == 2 ? 0x7f : 0xff)))
                t->year = -1;
    return true;
}

static void test_rtc(void)
{
    struct rtc_now a, b;
    uint8_t regb;
    unsigned long spins = 0;

    bool running = rtc_read(&a, &regb);

    report(running, "RTC: an update in progress ends");
    if (!running)
        return;
    report((regb & 0x02) && !(regb & 0x80), "RTC: register B has 24-hour mode, SET clear");
    report(a.year >= 2024 && a.year < 2100 && a.mon >= 1 && a.mon <= 12 && a.mday >= 1 &&
           a.mday <= 31 && a.hour < 24 && a.min < 60 && a.sec < 60,
           "RTC: valid date and time with the century byte");
    printf("# RTC reads %04d-%02d-%02d %02d:%02d:%02d\n", a.year, a.mon, a.mday, a.hour, a.min, a.sec);
    report((cmos(0x0d) & 0x80) && (cmos(0x0a) & 0x70) == 0x20, "RTC: register D valid, divider running");
    do {
        rtc_read(&b, &regb);
    } while (b.sec == a.sec && ++spins < 20000000);
    report(b.sec == (a.sec + 1) % 60, "RTC: the seconds advance by one at an update");

    outb(RTC_INDEX, 0x80 | 0x3c);               /* NMI masked, RAM byte 0x3c */
    outb(RTC_DATA, 0x5a);
    outb(RTC_INDEX, 0x3c);
    report(inb(RTC_DATA) == 0x5a, "CMOS RAM byte written and read back");
}

static uint8_t sum(const volatile uint8_t *p, uint32_t n)
{
    uint8_t s = 0;

    while (n--)
        s += *p++;
    return s;
}

static const volatile uint8_t *phys(uint64_t pa) { return (const volatile uint8_t *)(uintptr_t)pa; }
static uint32_t rd32(const volatile uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t rd16(const volatile uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint64_t rd64(const volatile uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }
static bool sig(const volatile uint8_t *p, const char *s)
{
    return p[0] == s[0] && p[1] == s[1] && p[2] == s[2] && p[3] == s[3];
}

static const volatile uint8_t *fadt, *madt;
static int slp_typ_s5 = -1;

static const volatile uint8_t *find_rsdp(void)
{
    static const char magic[] = "RSD PTR ";

    for (uint64_t pa = 0xE0000; pa < 0x100000; pa += 16) {
        const volatile uint8_t *p = phys(pa);
        int i = 0;

        while (i < 8 && p[i] == (uint8_t)magic[i])
            i++;
        if (i == 8 && sum(p, 20) == 0)
            return p;
    }
    return NULL;
}

/* SLP_TYPa of the \_S5 package: a byte constant, Zero or One. */
static int parse_s5(const volatile uint8_t *dsdt)
{
    uint32_t len = rd32(dsdt + 4);

    for (uint32_t i = 36; i + 8 < len; i++) {
        if (!(dsdt[i] == '_' && dsdt[i + 1] == 'S' && dsdt[i + 2] == '5' && dsdt[i + 3] == '_'))
            continue;
        const volatile uint8_t *p = dsdt + i + 4;
        if (*p++ != 0x12)                       /* PackageOp */
            continue;
        p += 1 + (*p >> 6);                     /* PkgLength: lead byte + follow bytes */
        p++;                                    /* NumElements */
        if (*p == 0x0a)
            return p[1];
        if (*p == 0x00 || *p == 0x01)
            return *p;
    }
    return -1;
}

static void test_acpi(void)
{
    const volatile uint8_t *rsdp = find_rsdp(), *root;
    unsigned entry, n, bad = 0;

    report(rsdp != NULL, "ACPI: RSDP found in the BIOS area, checksum of its first 20 bytes");
    if (!rsdp)
        return;
    if (rsdp[15] >= 2) {
        report(sum(rsdp, rd32(rsdp + 20)) == 0, "ACPI: extended RSDP checksum");
        root = phys(rd64(rsdp + 24));
        entry = 8;
    } else {
        root = phys(rd32(rsdp + 16));
        entry = 4;
    }
    report((sig(root, "XSDT") || sig(root, "RSDT")) && sum(root, rd32(root + 4)) == 0,
           "ACPI: root table checksum");
    n = (rd32(root + 4) - 36) / entry;
    for (unsigned i = 0; i < n; i++) {
        const volatile uint8_t *t = phys(entry == 8 ? rd64(root + 36 + 8 * i) : rd32(root + 36 + 4 * i));

        if (sum(t, rd32(t + 4)) != 0)
            bad++;
        if (sig(t, "FACP"))
            fadt = t;
        if (sig(t, "APIC"))
            madt = t;
    }
    report(bad == 0, "ACPI: every listed table's checksum (%u tables)", n);
    report(fadt && madt, "ACPI: FADT and MADT listed");
    if (!fadt || !madt)
        return;

    unsigned lapics = 0, ioapic_ok = 0, irq0_gsi2 = 0, lint1_nmi = 0;
    for (uint32_t off = 44; off + 2 <= rd32(madt + 4) && madt[off + 1] >= 2; off += madt[off + 1]) {
        const volatile uint8_t *e = madt + off;

        if (e[0] == 0 && (rd32(e + 4) & 1))
            lapics++;
        if (e[0] == 1 && rd32(e + 4) == 0xFEC00000u && rd32(e + 8) == 0)
            ioapic_ok++;
        if (e[0] == 2 && e[2] == 0 && e[3] == 0 && rd32(e + 4) == 2)
            irq0_gsi2++;
        if (e[0] == 4 && e[2] == 0xff && e[5] == 1)
            lint1_nmi++;
    }
    report(lapics == fwcfg_cpu_count(), "MADT: one enabled local APIC per CPU (%u)", lapics);
    report(ioapic_ok == 1, "MADT: I/O APIC at 0xFEC00000, GSI base 0");
    report(irq0_gsi2 == 1, "MADT: ISA IRQ0 overridden to GSI 2");
    report(lint1_nmi == 1, "MADT: NMI on LINT1 of every processor");

    const volatile uint8_t *dsdt = phys(rd32(fadt + 40));
    report(sig(dsdt, "DSDT") && sum(dsdt, rd32(dsdt + 4)) == 0, "FADT: DSDT present, checksum");
    slp_typ_s5 = parse_s5(dsdt);
    report(slp_typ_s5 >= 0 && slp_typ_s5 < 8, "DSDT: \\_S5 package with SLP_TYPa");
    report(rd32(fadt + 64) != 0 && fadt[89] == 2, "FADT: PM1a control block");
    report(rd32(fadt + 56) != 0 && fadt[88] == 4, "FADT: PM1a event block");
    report(rd16(fadt + 46) == 9, "FADT: SCI on IRQ 9");
}

static void test_pci_and_ports(bool hv)
{
    outl(PCI_ADDR, 0x80000000u);
    report(inl(PCI_ADDR) == 0x80000000u, "PCI: CONFIG_ADDRESS reads back");
    uint32_t id = inl(PCI_DATA);
    report(id == 0x12378086u, "PCI: 00:00.0 is the i440FX host bridge (8086:1237)");
    outl(PCI_ADDR, 0x80000008u);                /* revision, class */
    report(inl(PCI_DATA) >> 8 == 0x060000u && inw(PCI_DATA + 2) == 0x0600,
           "PCI: 00:00.0's class is host bridge (what Linux's type-1 probe looks for)");
    if (hv) {
        outl(PCI_ADDR, 0x80000800u);            /* device 1: QEMU has its PIIX3 there */
        report(inl(PCI_DATA) == 0xffffffffu && inw(PCI_DATA + 2) == 0xffff,
               "PCI: device 1 reads all-ones, word access too");
    }
    outl(PCI_ADDR, 0);
    outb(0x80, 0x42);                           /* POST code */
    report(inb(EMPTY_PORT) == 0xff && inw(EMPTY_PORT) == 0xffff && inl(EMPTY_PORT) == 0xffffffffu,
           "a port with nothing behind it reads all-ones");
    outb(EMPTY_PORT, 0x12);
    report(inb(EMPTY_PORT) == 0xff, "... and drops writes");
}

static bool kbc_wait_input(void)
{
    for (unsigned i = 0; i < 10000; i++)
        if (!(inb(KBC_CMD) & 0x02))
            return true;
    return false;
}

static int kbc_read(void)
{
    for (unsigned i = 0; i < 10000; i++)
        if (inb(KBC_CMD) & 0x01)
            return inb(KBC_DATA);
    return -1;
}

static void kbc_cmd(uint8_t c)
{
    kbc_wait_input();
    outb(KBC_CMD, c);
}

static void test_8042(void)
{
    int cb, v;

    for (unsigned i = 0; i < 64 && (inb(KBC_CMD) & 0x01); i++)     /* flush */
        inb(KBC_DATA);
    kbc_cmd(0x20);
    cb = kbc_read();
    report(cb >= 0, "8042: command byte readable");
    kbc_cmd(0x60);
    kbc_wait_input();
    outb(KBC_DATA, (uint8_t)((cb & ~0x03) | 0x04));   /* interrupts off, system flag */
    kbc_cmd(0x20);
    v = kbc_read();
    report(v == ((cb & ~0x03) | 0x04), "8042: command byte written and read back");
    kbc_cmd(0xaa);
    report(kbc_read() == 0x55, "8042: self test answers 0x55");
    report(inb(KBC_CMD) & 0x04, "8042: system flag set");
}

static void acpi_reset_register(void)
{
    if (!fadt || rd32(fadt + 4) < 129 || !(rd32(fadt + 112) & (1u << 10)) || fadt[116] != 1) {
        printf("firmware: no I/O reset register in the FADT\n");
        return;
    }
    outb((uint16_t)rd64(fadt + 120), fadt[128]);
}

int main(void)
{
    unsigned long end = cmdline_uint("end", 0);
    bool hv = cmdline_uint("hv", 0);
    int failed;

    cli();
    test_rtc();
    test_acpi();
    test_pci_and_ports(hv);
    test_8042();
    failed = report_summary();
    if (failed || end == 0)
        return failed;

    printf("firmware: ending by method %lu\n", end);
    switch (end) {
    case 1:
        kbc_cmd(0xfe);
        break;
    case 2:
        kbc_cmd(0xd1);
        kbc_wait_input();
        outb(KBC_DATA, 0xfe);               /* output port: reset low, A20 on */
        break;
    case 3:
        outb(0xcf9, 0x02);
        outb(0xcf9, 0x06);
        break;
    case 4:
        acpi_reset_register();
        break;
    case 5:
        if (fadt && slp_typ_s5 >= 0)
            outw((uint16_t)rd32(fadt + 64), (uint16_t)((slp_typ_s5 << 10) | (1u << 13)));
        break;
    }
    for (volatile int i = 0; i < 1000000; i++)
        ;
    printf("firmware: still running after the request\n");
    return 7;
}
