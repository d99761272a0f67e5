/*
 * dbgvisor public ABI: where a domain's platform firmware lives in its
 * memory (docs/pc-platform.md). The hypervisor writes the ACPI tables there
 * when it creates the domain; domain builders (the bzImage loader of the
 * hypervisor and the toolstack) keep the area out of the RAM they report and
 * may pass the RSDP's address to the kernel (boot_params.acpi_rsdp_addr);
 * Linux also finds it by scanning the BIOS area.
 */
#ifndef DBGVISOR_PUBLIC_PLATFORM_H
#define DBGVISOR_PUBLIC_PLATFORM_H

#define DBGV_ACPI_TABLES_GPA 0xE0000u      /* in the BIOS area 0xE0000-0xFFFFF */
#define DBGV_ACPI_TABLES_SIZE 0x1000u
#define DBGV_ACPI_RSDP_GPA   DBGV_ACPI_TABLES_GPA   /* the RSDP comes first */

#endif
