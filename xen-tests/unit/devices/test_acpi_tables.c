/*
 * The ACPI table builder (hypervisor/arch/x86/hvm/acpi_tables.c): found
 * the way Linux finds it (scan for "RSD PTR " on 16-byte boundaries), every
 * checksum, the XSDT/RSDT lists, one enabled MADT local APIC per vCPU, the
 * I/O APIC, the ISA overrides and LINT1 NMI, the FADT's fixed hardware and
 * reset register, \_S5 in the DSDT; and iasl -d disassembles every table
 * without errors.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/acpi_tables.h>
#include <dbgvisor/le.h>
#include "tests.h"

static uint8_t mem[ACPI_TABLES_SIZE];

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;

    while (n--)
        s += *p++;
    return s;
}

static const uint8_t *at(uint64_t gpa)
{
    CU_ASSERT_FATAL(gpa >= ACPI_TABLES_GPA && gpa < ACPI_TABLES_GPA + sizeof(mem));
    return mem + (gpa - ACPI_TABLES_GPA);
}

static const uint8_t *find_rsdp(void)
{
    for (size_t off = 0; off + 36 <= sizeof(mem); off += 16)
        if (!memcmp(mem + off, "RSD PTR ", 8))
            return mem + off;
    return NULL;
}

static const uint8_t *table(const uint8_t *p, const char *sig)
{
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT(memcmp(p, sig, 4) == 0);
    CU_ASSERT_EQUAL(sum(p, le_rd32(p + 4)), 0);
    return p;
}

/* The XSDT entry with signature sig. */
static const uint8_t *xsdt_find(const char *sig)
{
    const uint8_t *rsdp = find_rsdp(), *xsdt = table(at(le_rd64(rsdp + 24)), "XSDT");

    for (uint32_t off = 36; off < le_rd32(xsdt + 4); off += 8)
        if (!memcmp(at(le_rd64(xsdt + off)), sig, 4))
            return table(at(le_rd64(xsdt + off)), sig);
    CU_FAIL("table not in the XSDT");
    return NULL;
}

static void build(unsigned nr_cpus)
{
    memset(mem, 0xcc, sizeof(mem));
    CU_ASSERT_FATAL(acpi_build_tables(mem, sizeof(mem), ACPI_TABLES_GPA, nr_cpus) > 0);
}

static void test_rsdp_found_and_checksums(void)
{
    const uint8_t *rsdp;

    build(2);
    rsdp = find_rsdp();
    CU_ASSERT_FATAL(rsdp != NULL);
    CU_ASSERT_EQUAL((size_t)(rsdp - mem) + ACPI_TABLES_GPA, ACPI_RSDP_GPA);
    CU_ASSERT_EQUAL(sum(rsdp, 20), 0);
    CU_ASSERT_EQUAL(sum(rsdp, 36), 0);
    CU_ASSERT_EQUAL(rsdp[15], 2);
    CU_ASSERT_EQUAL(le_rd32(rsdp + 20), 36);
    table(at(le_rd32(rsdp + 16)), "RSDT");
    table(at(le_rd64(rsdp + 24)), "XSDT");
}

static void test_rsdt_and_xsdt_list_the_same_tables(void)
{
    const uint8_t *rsdp, *rsdt, *xsdt;

    build(1);
    rsdp = find_rsdp();
    rsdt = at(le_rd32(rsdp + 16));
    xsdt = at(le_rd64(rsdp + 24));
    CU_ASSERT_EQUAL(le_rd32(rsdt + 4), 36 + 2 * 4);
    CU_ASSERT_EQUAL(le_rd32(xsdt + 4), 36 + 2 * 8);
    for (unsigned i = 0; i < 2; i++)
        CU_ASSERT_EQUAL(le_rd32(rsdt + 36 + 4 * i), le_rd64(xsdt + 36 + 8 * i));
    xsdt_find("FACP");
    xsdt_find("APIC");
}

static void check_madt(unsigned nr_cpus)
{
    const uint8_t *madt;
    unsigned lapics = 0, ioapics = 0, nmis = 0;
    bool irq0_to_gsi2 = false, sci_level_high = false;

    build(nr_cpus);
    madt = xsdt_find("APIC");
    CU_ASSERT_EQUAL(le_rd32(madt + 36), 0xFEE00000u);
    CU_ASSERT_EQUAL(le_rd32(madt + 40) & 1, 1);         /* PCAT_COMPAT: 8259s present */
    for (uint32_t off = 44; off < le_rd32(madt + 4); off += madt[off + 1]) {
        const uint8_t *e = madt + off;

        CU_ASSERT_FATAL(e[1] >= 2);
        switch (e[0]) {
        case 0:
            CU_ASSERT_EQUAL(e[3], lapics);               /* APIC ID = vCPU number */
            CU_ASSERT_EQUAL(le_rd32(e + 4) & 1, 1);      /* enabled */
            lapics++;
            break;
        case 1:
            CU_ASSERT_EQUAL(le_rd32(e + 4), 0xFEC00000u);
            CU_ASSERT_EQUAL(le_rd32(e + 8), 0);
            ioapics++;
            break;
        case 2:
            if (e[3] == 0 && le_rd32(e + 4) == 2 && le_rd16(e + 8) == 0)
                irq0_to_gsi2 = true;
            if (e[3] == 9 && le_rd32(e + 4) == 9 && le_rd16(e + 8) == 0x0d)
                sci_level_high = true;
            break;
        case 4:
            CU_ASSERT_EQUAL(e[2], 0xff);
            CU_ASSERT_EQUAL(e[5], 1);                    /* LINT1 */
            nmis++;
            break;
        default:
            CU_FAIL("unexpected MADT entry type");
        }
    }
    CU_ASSERT_EQUAL(lapics, nr_cpus);
    CU_ASSERT_EQUAL(ioapics, 1);
    CU_ASSERT_EQUAL(nmis, 1);
    CU_ASSERT(irq0_to_gsi2);
    CU_ASSERT(sci_level_high);
}

static void test_madt_one_lapic_per_vcpu(void)
{
    static const unsigned counts[] = { 1, 2, 3, 8, 64, 255 };

    for (unsigned i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
        check_madt(counts[i]);
}

static void test_fadt_fixed_hardware(void)
{
    const uint8_t *fadt, *dsdt, *facs;

    build(2);
    fadt = xsdt_find("FACP");
    CU_ASSERT_EQUAL(le_rd32(fadt + 4), 276);
    CU_ASSERT_EQUAL(fadt[8], 6);
    CU_ASSERT_EQUAL(le_rd16(fadt + 46), ACPI_SCI_IRQ);
    CU_ASSERT_EQUAL(le_rd32(fadt + 48), 0);                  /* no SMI_CMD: always ACPI mode */
    CU_ASSERT_EQUAL(le_rd32(fadt + 56), ACPI_PM1A_EVT);
    CU_ASSERT_EQUAL(le_rd32(fadt + 64), ACPI_PM1A_CNT);
    CU_ASSERT_EQUAL(le_rd32(fadt + 76), ACPI_PM_TMR);
    CU_ASSERT_EQUAL(fadt[88], 4);
    CU_ASSERT_EQUAL(fadt[89], 2);
    CU_ASSERT_EQUAL(fadt[91], 4);
    CU_ASSERT_EQUAL(fadt[108], 0x32);                        /* century */
    CU_ASSERT_EQUAL(le_rd16(fadt + 109) & 2, 0);             /* no 8042 to probe */
    CU_ASSERT_EQUAL(le_rd16(fadt + 109) & 4, 4);             /* no VGA */
    CU_ASSERT_EQUAL(le_rd32(fadt + 112) & (1u << 10), 1u << 10);   /* reset register */
    CU_ASSERT_EQUAL(le_rd32(fadt + 112) & (1u << 20), 0);    /* not hardware-reduced */
    CU_ASSERT_EQUAL(fadt[116], 1);                           /* reset register in I/O space */
    CU_ASSERT_EQUAL(le_rd64(fadt + 120), ACPI_RESET_PORT);
    CU_ASSERT_EQUAL(fadt[128], ACPI_RESET_VALUE);
    CU_ASSERT_EQUAL(le_rd64(fadt + 140), le_rd32(fadt + 40));   /* X_DSDT = DSDT */
    CU_ASSERT_EQUAL(le_rd32(fadt + 36), 0);                  /* FACS only in X_FIRMWARE_CTRL */
    CU_ASSERT_EQUAL(le_rd64(fadt + 148 + 4), ACPI_PM1A_EVT);
    CU_ASSERT_EQUAL(le_rd64(fadt + 172 + 4), ACPI_PM1A_CNT);
    CU_ASSERT_EQUAL(le_rd64(fadt + 208 + 4), ACPI_PM_TMR);
    facs = at(le_rd64(fadt + 132));
    CU_ASSERT(memcmp(facs, "FACS", 4) == 0);
    CU_ASSERT_EQUAL(le_rd32(facs + 4), 64);
    CU_ASSERT_EQUAL(le_rd64(fadt + 132) % 64, 0);
    dsdt = table(at(le_rd32(fadt + 40)), "DSDT");
    {
        static const uint8_t s5[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04,
                                      0x0a, ACPI_SLP_TYP_S5, 0x0a, ACPI_SLP_TYP_S5 };
        /* The PCI root bridge: Device (PCI0) { Name (_HID, EisaId ("PNP0A03")) ... } */
        static const uint8_t pci0[] = { 'P', 'C', 'I', '0', 0x08, '_', 'H', 'I', 'D',
                                        0x0c, 0x41, 0xd0, 0x0a, 0x03 };
        CU_ASSERT(memmem(dsdt + 36, le_rd32(dsdt + 4) - 36, s5, sizeof(s5)) != NULL);
        CU_ASSERT(memmem(dsdt + 36, le_rd32(dsdt + 4) - 36, pci0, sizeof(pci0)) != NULL);
    }
}

static void test_refuses_what_does_not_fit(void)
{
    CU_ASSERT_EQUAL(acpi_build_tables(mem, sizeof(mem), ACPI_TABLES_GPA, 0), 0);
    CU_ASSERT_EQUAL(acpi_build_tables(mem, sizeof(mem), ACPI_TABLES_GPA, 256), 0);
    CU_ASSERT_EQUAL(acpi_build_tables(mem, 512, ACPI_TABLES_GPA, 1), 0);
    CU_ASSERT(acpi_build_tables(mem, sizeof(mem), ACPI_TABLES_GPA, 255) <= ACPI_TABLES_SIZE);
}

/* Each table through `iasl -d`, which checks checksums, lengths and the AML. */
static void test_iasl_disassembles_every_table(void)
{
    static const char *const sigs[] = { "FACP", "APIC", "DSDT" };
    char dir[] = "/tmp/acpi-tables-XXXXXX", cmd[512];
    const uint8_t *fadt;

    build(4);
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    fadt = xsdt_find("FACP");
    for (unsigned i = 0; i < 3; i++) {
        const uint8_t *t = i == 2 ? at(le_rd32(fadt + 40)) : xsdt_find(sigs[i]);
        char path[256];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s.dat", dir, sigs[i]);
        f = fopen(path, "wb");
        CU_ASSERT_FATAL(f != NULL);
        fwrite(t, 1, le_rd32(t + 4), f);
        fclose(f);
        /* iasl exits 0 even on a bad checksum: its remarks in the listing say so.
         * Then the listing must compile back without errors or warnings. */
        snprintf(cmd, sizeof(cmd),
                 "cd %s && iasl -d %s.dat >%s.log 2>&1 && "
                 "! grep -qi 'incorrect\\|invalid\\|error\\|warning' %s.dsl && "
                 "iasl -p %s-again %s.dsl >>%s.log 2>&1 && grep -q ' 0 Errors, 0 Warnings' %s.log",
                 dir, sigs[i], sigs[i], sigs[i], sigs[i], sigs[i], sigs[i], sigs[i]);
        if (system(cmd) != 0) {
            snprintf(cmd, sizeof(cmd), "cat %s/%s.log", dir, sigs[i]);
            (void)!system(cmd);
            CU_FAIL("iasl -d reports a problem");
        }
    }
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    (void)!system(cmd);
}

void register_acpi_tables_tests(void)
{
    static const struct unit_test tests[] = {
        { "RSDP found by the BIOS-area scan, checksums", test_rsdp_found_and_checksums },
        { "RSDT and XSDT list FADT and MADT", test_rsdt_and_xsdt_list_the_same_tables },
        { "MADT: one enabled local APIC per vCPU, I/O APIC, overrides, NMI",
          test_madt_one_lapic_per_vcpu },
        { "FADT: PM1a, PM timer, SCI 9, reset register, FACS, DSDT with \\_S5 and PCI0",
          test_fadt_fixed_hardware },
        { "refuses 0 or 256 CPUs and a short buffer", test_refuses_what_does_not_fit },
        { "iasl -d disassembles FADT, MADT and DSDT", test_iasl_disassembles_every_table },
    };

    add_suite("acpi tables", tests, sizeof(tests) / sizeof(tests[0]));
}
