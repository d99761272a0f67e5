/* Constants shared by the boot assembly files. */
#ifndef BOOT_DEFS_H
#define BOOT_DEFS_H

#define MB_HEADER_MAGIC  0x1BADB002
#define MB_HEADER_FLAGS  0x00000003   /* page-align modules, want memory info */

#define PTE_P   0x001
#define PTE_W   0x002
#define PTE_PS  0x080

#define CR0_PE     0x00000001
#define CR0_MP     0x00000002
#define CR0_EM     0x00000004
#define CR0_PG     0x80000000
#define CR4_PAE    0x00000020
#define CR4_OSFXSR 0x00000200
#define MSR_EFER   0xC0000080
#define EFER_LME   0x00000100
#define EFER_NXE   0x00000800

#define GDT_CS64   0x08
#define GDT_DS     0x10
#define GDT_CS32   0x18

#define BOOT_STACK_SIZE 16384
#define AP_TRAMPOLINE_PA 0x8000

#endif
