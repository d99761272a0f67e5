/*
 * ACPI table builder (see asm/acpi_tables.h). Layouts from the ACPI 6.3
 * specification: 5.2.5.3 RSDP, 5.2.6 header, 5.2.9 FADT, 5.2.10 FACS,
 * 5.2.12 MADT. Checksums make each table's bytes sum to zero.
 */
#include <asm/acpi_tables.h>
#include <dbgvisor/le.h>
#include <dbgvisor/lib.h>

#define HDR_LEN          36
#define RSDP_LEN         36
#define RSDP_V1_LEN      20
#define FACS_LEN         64
#define FADT_LEN         276         /* revision 6, minor 3 */
#define OEM_ID           "DBGVSR"
#define OEM_TABLE_ID     "DBGVISOR"
#define CREATOR_ID       "DBGV"

/* Generic Address Structure: system I/O space. */
#define GAS_IO           1
#define GAS_LEN          12
#define GAS_ACCESS_BYTE  1

/* FADT fields (byte offsets). */
#define FADT_DSDT            40
#define FADT_SCI_INT         46
#define FADT_PM1A_EVT_BLK    56
#define FADT_PM1A_CNT_BLK    64
#define FADT_PM_TMR_BLK      76
#define FADT_PM1_EVT_LEN     88
#define FADT_PM1_CNT_LEN     89
#define FADT_PM_TMR_LEN      91
#define FADT_P_LVL2_LAT      96
#define FADT_P_LVL3_LAT      98
#define FADT_CENTURY         108
#define FADT_IAPC_BOOT_ARCH  109
#define FADT_FLAGS           112
#define FADT_RESET_REG       116
#define FADT_RESET_VALUE     128
#define FADT_MINOR_VERSION   131
#define FADT_X_FIRMWARE_CTRL 132
#define FADT_X_DSDT          140
#define FADT_X_PM1A_EVT_BLK  148
#define FADT_X_PM1A_CNT_BLK  172
#define FADT_X_PM_TMR_BLK    208

/* IA-PC boot architecture flags: ISA devices exist; no VGA; no MSI. The 8042
 * flag stays clear: the controller is there for its reset line, with no
 * keyboard behind it, so the OS need not probe it. */
#define BOOT_LEGACY_DEVICES  (1u << 0)
#define BOOT_VGA_ABSENT      (1u << 2)
#define BOOT_MSI_ABSENT      (1u << 3)

/* FADT flags. */
#define FADT_WBINVD          (1u << 0)
#define FADT_PROC_C1         (1u << 2)
#define FADT_PWR_BUTTON      (1u << 4)   /* no fixed-feature power button */
#define FADT_SLP_BUTTON      (1u << 5)   /* no fixed-feature sleep button */
#define FADT_FIX_RTC         (1u << 6)   /* no RTC wake status in PM1 */
#define FADT_RESET_REG_SUP   (1u << 10)
#define FADT_HEADLESS        (1u << 12)

/* MADT. */
#define MADT_FLAGS_PCAT_COMPAT 1u        /* an 8259 pair is present */
#define MADT_LAPIC           0
#define MADT_LAPIC_LEN       8
#define MADT_LAPIC_ENABLED   1u
#define MADT_IOAPIC          1
#define MADT_IOAPIC_LEN      12
#define MADT_ISO             2
#define MADT_ISO_LEN         10
#define MADT_LAPIC_NMI       4
#define MADT_LAPIC_NMI_LEN   6
#define MADT_ALL_PROCESSORS  0xFF
#define MPS_ACTIVE_HIGH      1u
#define MPS_LEVEL            (3u << 2)

/* AML encodings (ACPI 6.3, 20.2): a two-byte PkgLength of N bytes (itself
 * included), little-endian words and dwords inside resource descriptors. */
#define AML_PKGLEN2(n)  (uint8_t)(0x40 | ((n) & 0x0f)), (uint8_t)((n) >> 4)
#define AML_W(v)        (uint8_t)(v), (uint8_t)((v) >> 8)
#define AML_D(v)        AML_W(v), AML_W((v) >> 16)

/* \_SB.PCI0's _CRS (6.4 resource descriptors): what the host bridge
 * (pci_host.c) decodes. Bus numbers 0-255; the configuration ports
 * 0xCF8-0xCFF consumed; I/O windows below and above them; memory windows
 * at the VGA hole and from 3 GiB (the most RAM a domain has) up to the
 * I/O APIC. */
#define PCI0_CRS_LEN    110
#define PCI0_BUF_PKG    (2 + 2 + PCI0_CRS_LEN)                  /* PkgLength, BytePrefix size, bytes */
#define PCI0_DEV_PKG    (2 + 4 + 10 + 6 + 5 + 1 + PCI0_BUF_PKG) /* PkgLength, name, _HID, _UID, _CRS */
#define SB_SCOPE_PKG    (2 + 4 + 2 + PCI0_DEV_PKG)              /* PkgLength, \_SB_, DeviceOp */

/* DSDT body: Name (\_S5, Package (4) { SLP_TYP a, SLP_TYP b, 0, 0 }), and
 * the PCI root bridge Linux enumerates bus 0 from (an ACPI system scans only
 * the roots the namespace declares). */
static const uint8_t dsdt_aml[] = {
    0x08, '\\', '_', 'S', '5', '_',         /* NameOp, \_S5_ */
    0x12, 0x08, 0x04,                       /* PackageOp, PkgLength 8, 4 elements */
    0x0A, ACPI_SLP_TYP_S5,                  /* BytePrefix SLP_TYPa */
    0x0A, ACPI_SLP_TYP_S5,                  /* BytePrefix SLP_TYPb */
    0x00, 0x00,                             /* ZeroOp, ZeroOp (reserved) */
    0x10, AML_PKGLEN2(SB_SCOPE_PKG), '_', 'S', 'B', '_',       /* Scope (\_SB) */
    0x5B, 0x82, AML_PKGLEN2(PCI0_DEV_PKG), 'P', 'C', 'I', '0', /* Device (PCI0) */
    0x08, '_', 'H', 'I', 'D', 0x0C, 0x41, 0xD0, 0x0A, 0x03,    /* Name (_HID, EisaId ("PNP0A03")) */
    0x08, '_', 'U', 'I', 'D', 0x00,                            /* Name (_UID, Zero) */
    0x08, '_', 'C', 'R', 'S',                                  /* Name (_CRS, Buffer (110) {...}) */
    0x11, AML_PKGLEN2(PCI0_BUF_PKG), 0x0A, PCI0_CRS_LEN,
    /* WordBusNumber: producer, MinFixed, MaxFixed; 0-0xFF */
    0x88, AML_W(13), 0x02, 0x0C, 0x00, AML_W(0), AML_W(0), AML_W(0xFF), AML_W(0), AML_W(0x100),
    /* IO (Decode16, 0xCF8, 0xCF8, 1, 8) */
    0x47, 0x01, AML_W(0xCF8), AML_W(0xCF8), 0x01, 0x08,
    /* WordIO: producer, MinFixed, MaxFixed, EntireRange; 0-0xCF7 and 0xD00-0xFFFF */
    0x88, AML_W(13), 0x01, 0x0C, 0x03, AML_W(0), AML_W(0), AML_W(0xCF7), AML_W(0), AML_W(0xCF8),
    0x88, AML_W(13), 0x01, 0x0C, 0x03, AML_W(0), AML_W(0xD00), AML_W(0xFFFF), AML_W(0), AML_W(0xF300),
    /* DWordMemory: producer, MinFixed, MaxFixed; the VGA hole (cacheable,
     * read-write) and 0xC0000000-0xFEBFFFFF (non-cacheable, read-write) */
    0x87, AML_W(23), 0x00, 0x0C, 0x03, AML_D(0), AML_D(0xA0000), AML_D(0xBFFFF), AML_D(0), AML_D(0x20000),
    0x87, AML_W(23), 0x00, 0x0C, 0x01, AML_D(0), AML_D(0xC0000000u), AML_D(0xFEBFFFFFu), AML_D(0),
    AML_D(0x3EC00000u),
    0x79, 0x00,                             /* EndTag, checksum 0 (none) */
};
_Static_assert(sizeof(dsdt_aml) == 15 + 1 + SB_SCOPE_PKG, "PkgLengths match the AML");

static uint8_t checksum(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;

    for (size_t i = 0; i < len; i++)
        sum += p[i];
    return (uint8_t)-sum;
}

static void put_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
    memcpy(t, sig, 4);
    le_wr32(t + 4, len);
    t[8] = rev;
    memcpy(t + 10, OEM_ID, 6);
    memcpy(t + 16, OEM_TABLE_ID, 8);
    le_wr32(t + 24, 1);                     /* OEM revision */
    memcpy(t + 28, CREATOR_ID, 4);
    le_wr32(t + 32, 1);                     /* creator revision */
}

static void seal(uint8_t *t)
{
    t[9] = 0;
    t[9] = checksum(t, le_rd32(t + 4));
}

static void put_gas_io(uint8_t *g, uint8_t bits, uint8_t access, uint16_t port)
{
    g[0] = GAS_IO;
    g[1] = bits;
    g[2] = 0;
    g[3] = access;
    le_wr64(g + 4, port);
}

static size_t build_facs(uint8_t *t)
{
    memcpy(t, "FACS", 4);
    le_wr32(t + 4, FACS_LEN);
    t[32] = 2;                              /* version */
    return FACS_LEN;
}

static size_t build_dsdt(uint8_t *t)
{
    put_header(t, "DSDT", HDR_LEN + sizeof(dsdt_aml), 2);   /* 2: 64-bit integers */
    memcpy(t + HDR_LEN, dsdt_aml, sizeof(dsdt_aml));
    seal(t);
    return HDR_LEN + sizeof(dsdt_aml);
}

static size_t build_fadt(uint8_t *t, uint64_t facs, uint32_t dsdt)
{
    put_header(t, "FACP", FADT_LEN, 6);
    /* The FACS only in X_FIRMWARE_CTRL: ACPI 6 wants FIRMWARE_CTRL zero then
     * (Linux installs the FACS twice when both are set). */
    le_wr32(t + FADT_DSDT, dsdt);
    le_wr16(t + FADT_SCI_INT, ACPI_SCI_IRQ);
    /* SMI_CMD 0: the platform is always in ACPI mode (SCI_EN reads 1). */
    le_wr32(t + FADT_PM1A_EVT_BLK, ACPI_PM1A_EVT);
    le_wr32(t + FADT_PM1A_CNT_BLK, ACPI_PM1A_CNT);
    le_wr32(t + FADT_PM_TMR_BLK, ACPI_PM_TMR);
    t[FADT_PM1_EVT_LEN] = 4;
    t[FADT_PM1_CNT_LEN] = 2;
    t[FADT_PM_TMR_LEN] = 4;
    le_wr16(t + FADT_P_LVL2_LAT, 101);      /* > 100: no C2 */
    le_wr16(t + FADT_P_LVL3_LAT, 1001);     /* > 1000: no C3 */
    t[FADT_CENTURY] = ACPI_CENTURY_CMOS;
    le_wr16(t + FADT_IAPC_BOOT_ARCH, BOOT_LEGACY_DEVICES | BOOT_VGA_ABSENT | BOOT_MSI_ABSENT);
    le_wr32(t + FADT_FLAGS, FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON | FADT_SLP_BUTTON |
                            FADT_FIX_RTC | FADT_RESET_REG_SUP | FADT_HEADLESS);
    put_gas_io(t + FADT_RESET_REG, 8, GAS_ACCESS_BYTE, ACPI_RESET_PORT);
    t[FADT_RESET_VALUE] = ACPI_RESET_VALUE;
    t[FADT_MINOR_VERSION] = 3;
    le_wr64(t + FADT_X_FIRMWARE_CTRL, facs);
    le_wr64(t + FADT_X_DSDT, dsdt);
    put_gas_io(t + FADT_X_PM1A_EVT_BLK, 32, 0, ACPI_PM1A_EVT);
    put_gas_io(t + FADT_X_PM1A_CNT_BLK, 16, 0, ACPI_PM1A_CNT);
    put_gas_io(t + FADT_X_PM_TMR_BLK, 32, 0, ACPI_PM_TMR);
    seal(t);
    return FADT_LEN;
}

static size_t madt_len(unsigned nr_cpus)
{
    return HDR_LEN + 8 + nr_cpus * MADT_LAPIC_LEN + MADT_IOAPIC_LEN + 2 * MADT_ISO_LEN +
           MADT_LAPIC_NMI_LEN;
}

static uint8_t *put_iso(uint8_t *e, uint8_t isa_irq, uint32_t gsi, uint16_t flags)
{
    e[0] = MADT_ISO;
    e[1] = MADT_ISO_LEN;
    e[2] = 0;                               /* bus: ISA */
    e[3] = isa_irq;
    le_wr32(e + 4, gsi);
    le_wr16(e + 8, flags);
    return e + MADT_ISO_LEN;
}

static size_t build_madt(uint8_t *t, unsigned nr_cpus)
{
    uint8_t *e = t + HDR_LEN + 8;

    put_header(t, "APIC", (uint32_t)madt_len(nr_cpus), 5);
    le_wr32(t + HDR_LEN, ACPI_LAPIC_GPA);
    le_wr32(t + HDR_LEN + 4, MADT_FLAGS_PCAT_COMPAT);
    for (unsigned i = 0; i < nr_cpus; i++, e += MADT_LAPIC_LEN) {
        e[0] = MADT_LAPIC;
        e[1] = MADT_LAPIC_LEN;
        e[2] = (uint8_t)i;                  /* ACPI processor UID */
        e[3] = (uint8_t)i;                  /* APIC ID: the vCPU number */
        le_wr32(e + 4, MADT_LAPIC_ENABLED);
    }
    e[0] = MADT_IOAPIC;
    e[1] = MADT_IOAPIC_LEN;
    e[2] = ACPI_IOAPIC_ID;
    le_wr32(e + 4, ACPI_IOAPIC_GPA);
    le_wr32(e + 8, 0);                      /* GSI base */
    e += MADT_IOAPIC_LEN;
    e = put_iso(e, 0, 2, 0);                /* PIT IRQ0 on pin 2, ISA-conforming */
    e = put_iso(e, ACPI_SCI_IRQ, ACPI_SCI_IRQ, MPS_ACTIVE_HIGH | MPS_LEVEL);
    e[0] = MADT_LAPIC_NMI;
    e[1] = MADT_LAPIC_NMI_LEN;
    e[2] = MADT_ALL_PROCESSORS;
    le_wr16(e + 3, 0);                      /* flags: bus-conforming */
    e[5] = 1;                               /* LINT1 */
    seal(t);
    return madt_len(nr_cpus);
}

static size_t build_sdt(uint8_t *t, const char *sig, unsigned entry_len,
                        const uint32_t *tables, unsigned n)
{
    uint32_t len = HDR_LEN + entry_len * n;

    put_header(t, sig, len, 1);
    for (unsigned i = 0; i < n; i++) {
        if (entry_len == 8)
            le_wr64(t + HDR_LEN + i * 8, tables[i]);
        else
            le_wr32(t + HDR_LEN + i * 4, tables[i]);
    }
    seal(t);
    return len;
}

static void build_rsdp(uint8_t *r, uint32_t rsdt, uint32_t xsdt)
{
    memcpy(r, "RSD PTR ", 8);
    memcpy(r + 9, OEM_ID, 6);
    r[15] = 2;                              /* revision: ACPI 2.0+ (XSDT) */
    le_wr32(r + 16, rsdt);
    le_wr32(r + 20, RSDP_LEN);
    le_wr64(r + 24, xsdt);
    r[8] = checksum(r, RSDP_V1_LEN);
    r[32] = checksum(r, RSDP_LEN);
}

size_t acpi_build_tables(uint8_t *buf, size_t len, uint32_t gpa, unsigned nr_cpus)
{
    /* RSDP, FACS (64-byte aligned), DSDT, FADT, MADT, XSDT, RSDT: each at a
     * 64-byte boundary (the RSDP needs 16, the FACS 64). */
    size_t need = 0, off_facs, off_dsdt, off_fadt, off_madt, off_xsdt, off_rsdt;
    uint32_t listed[2];

    if (nr_cpus == 0 || nr_cpus > 255)
        return 0;
    off_facs = need = ALIGN_UP(need + RSDP_LEN, 64);
    off_dsdt = need = ALIGN_UP(need + FACS_LEN, 64);
    off_fadt = need = ALIGN_UP(need + HDR_LEN + sizeof(dsdt_aml), 64);
    off_madt = need = ALIGN_UP(need + FADT_LEN, 64);
    off_xsdt = need = ALIGN_UP(need + madt_len(nr_cpus), 64);
    off_rsdt = need = ALIGN_UP(need + HDR_LEN + 2 * 8, 64);
    need += HDR_LEN + 2 * 4;
    if (need > len)
        return 0;

    memset(buf, 0, need);
    build_facs(buf + off_facs);
    build_dsdt(buf + off_dsdt);
    build_fadt(buf + off_fadt, gpa + (uint32_t)off_facs, gpa + (uint32_t)off_dsdt);
    build_madt(buf + off_madt, nr_cpus);
    listed[0] = gpa + (uint32_t)off_fadt;
    listed[1] = gpa + (uint32_t)off_madt;
    build_sdt(buf + off_xsdt, "XSDT", 8, listed, 2);
    build_sdt(buf + off_rsdt, "RSDT", 4, listed, 2);
    build_rsdp(buf, gpa + (uint32_t)off_rsdt, gpa + (uint32_t)off_xsdt);
    return need;
}
