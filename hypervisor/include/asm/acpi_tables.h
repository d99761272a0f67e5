/*
 * The firmware tables of a domain's PC platform (ACPI 6.3): RSDP, RSDT/XSDT,
 * FADT with FACS and a DSDT whose only object is \_S5, and a MADT with one
 * enabled local APIC per vCPU, the I/O APIC, the ISA overrides and LINT1 as
 * NMI. The builder is pure (hosted unit tests run it); hvm/acpi_pm.c
 * emulates the PM1a blocks and the PM timer the FADT announces.
 */
#ifndef ASM_ACPI_TABLES_H
#define ASM_ACPI_TABLES_H

#include <stddef.h>
#include <stdint.h>
#include <public/platform.h>

/* Where the tables live (public/platform.h): the BIOS area, which OSes scan for
 * "RSD PTR " on 16-byte boundaries and which the bzImage loader's e820 does not
 * report as RAM. */
#define ACPI_TABLES_GPA      DBGV_ACPI_TABLES_GPA
#define ACPI_TABLES_SIZE     DBGV_ACPI_TABLES_SIZE
#define ACPI_RSDP_GPA        DBGV_ACPI_RSDP_GPA

/* The fixed hardware the FADT announces (QEMU's PIIX4/ICH9 use the same base). */
#define ACPI_PM_BASE         0x600u
#define ACPI_PM1A_EVT        (ACPI_PM_BASE + 0)  /* PM1_STS (2 bytes), PM1_EN (2 bytes) */
#define ACPI_PM1A_CNT        (ACPI_PM_BASE + 4)  /* PM1_CNT (2 bytes) */
#define ACPI_PM_TMR          (ACPI_PM_BASE + 8)  /* 24-bit PM timer (4 bytes) */
#define ACPI_PM_PORTS        12u
#define ACPI_SCI_IRQ         9u
#define ACPI_SLP_TYP_S5      5u                  /* \_S5 in the DSDT */
#define ACPI_RESET_PORT      0xCF9u              /* the reset control register */
#define ACPI_RESET_VALUE     0x06u               /* full reset (bit 1) + reset CPU (bit 2) */
#define ACPI_CENTURY_CMOS    0x32u               /* CMOS byte holding the century */

/* Interrupt controllers the MADT describes. */
#define ACPI_LAPIC_GPA       0xFEE00000u
#define ACPI_IOAPIC_GPA      0xFEC00000u
#define ACPI_IOAPIC_ID       0u
#define ACPI_IOAPIC_PINS     24u

/* Writes the tables into buf, which the guest sees at gpa (below 4 GiB);
 * returns the bytes used, or 0 if len is too small or nr_cpus is 0 or above 255. */
size_t acpi_build_tables(uint8_t *buf, size_t len, uint32_t gpa, unsigned nr_cpus);

#endif
