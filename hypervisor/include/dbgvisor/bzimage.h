/*
 * Linux/x86 boot protocol loader (bzImage), shared like mbimage.c by the
 * hypervisor (boot modules) and libdebugctl (xl create): one implementation
 * compiled twice. Freestanding; guest memory is written through the same
 * callback type as the multiboot loader.
 *
 * bzimage_load() lays a domain out as follows (guest-physical):
 *   0x1000  GDT: null, null, __BOOT_CS (0x10, flat 64-bit code), __BOOT_DS (0x18, flat data)
 *   0x2000  identity page tables for the 64-bit entry: PML4, PDPT, 4 PDs of
 *           2 MiB pages (0-4 GiB)
 *   0x8000  boot_params ("zero page")
 *   0x9000  command line
 *   kernel  the protected-mode kernel at pref_address, or (relocatable and
 *           pref_address too high) the lowest kernel_alignment boundary above
 *           1 MiB; init_size bytes reserved from there
 *   initrd  as high as initrd_addr_max and the memory allow, page aligned
 * and describes the entry state in struct bzimage_boot: the builder programs
 * the vCPU from it.
 */
#ifndef DBGVISOR_BZIMAGE_H
#define DBGVISOR_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <dbgvisor/mbimage.h>   /* mbimage_write_fn */

/* Setup header fields (offsets in the image and in boot_params alike). */
#define BZ_SETUP_SECTS      0x1f1
#define BZ_SYSSIZE          0x1f4
#define BZ_BOOT_FLAG        0x1fe   /* 0xAA55 */
#define BZ_JUMP             0x200   /* byte 0x201 gives the header's end */
#define BZ_HEADER           0x202   /* "HdrS" */
#define BZ_VERSION          0x206
#define BZ_TYPE_OF_LOADER   0x210
#define BZ_LOADFLAGS        0x211
#define BZ_CODE32_START     0x214
#define BZ_RAMDISK_IMAGE    0x218
#define BZ_RAMDISK_SIZE     0x21c
#define BZ_CMD_LINE_PTR     0x228
#define BZ_INITRD_ADDR_MAX  0x22c
#define BZ_KERNEL_ALIGNMENT 0x230
#define BZ_RELOCATABLE      0x234
#define BZ_MIN_ALIGNMENT    0x235
#define BZ_XLOADFLAGS       0x236
#define BZ_CMDLINE_SIZE     0x238
#define BZ_PREF_ADDRESS     0x258
#define BZ_INIT_SIZE        0x260
#define BZ_HDR_LIMIT        0x290   /* end of the setup header's room in boot_params */

#define BZ_BOOT_FLAG_MAGIC  0xaa55u
#define BZ_HDRS_MAGIC       0x53726448u   /* "HdrS" */
#define BZ_MIN_VERSION      0x020a        /* 2.10: init_size, pref_address */
#define BZ_VERSION_64BIT    0x020c        /* 2.12: xloadflags, 64-bit entry */
#define BZ_LOADED_HIGH      (1u << 0)
#define BZ_XLF_KERNEL_64    (1u << 0)
#define BZ_LOADER_UNDEFINED 0xff

/* boot_params fields outside the setup header. */
#define BP_SIZE             4096u
#define BP_ACPI_RSDP_ADDR   0x070         /* u64 (zero-page.rst; not the burnt 2.14 header field) */
#define BP_ALT_MEM_K        0x1e0
#define BP_E820_ENTRIES     0x1e8
#define BP_SENTINEL         0x1ef
#define BP_E820_TABLE       0x2d0
#define BP_E820_MAX         128u
#define E820_ENTRY_SIZE     20u           /* addr(8) size(8) type(4) */
#define E820_RAM            1u

/* Fixed low-memory layout (see above). */
#define BZ_GDT_GPA          0x1000ull
#define BZ_PT_GPA           0x2000ull     /* PML4; PDPT +0x1000; PDs +0x2000.. */
#define BZ_PT_SIZE          0x6000ull
#define BZ_BOOT_PARAMS_GPA  0x8000ull
#define BZ_CMDLINE_GPA      0x9000ull
#define BZ_CMDLINE_MAX      4095u
#define BZ_BOOT_CS          0x10          /* the kernel's __BOOT_CS/__BOOT_DS */
#define BZ_BOOT_DS          0x18
#define BZ_STARTUP_64_OFF   0x200         /* startup_64 from the load address */

/* What bzimage_parse() found in the setup header. */
struct bzimage {
    uint16_t version;
    uint8_t  loadflags;
    uint16_t xloadflags;          /* 0 before 2.12 */
    bool     relocatable;
    bool     entry64;             /* the 64-bit entry is offered */
    uint32_t header_end;          /* 0x202 + byte 0x201 */
    uint32_t payload_off;         /* protected-mode kernel in the file */
    uint32_t payload_len;
    uint32_t initrd_addr_max;
    uint32_t kernel_alignment;
    uint32_t min_alignment;       /* bytes (the header gives a power of two) */
    uint32_t cmdline_size;
    uint32_t init_size;
    uint64_t pref_address;
};

struct bzimage_e820 {
    uint64_t addr, size;
    uint32_t type;
};

enum bzimage_entry_mode { BZ_ENTRY_32 = 32, BZ_ENTRY_64 = 64 };

/*
 * The entry state the builder must give vCPU 0 (Documentation/arch/x86/boot.rst,
 * "32-bit/64-bit boot protocol"): interrupts off (RFLAGS 0x2), CS = cs and
 * DS/ES/SS = ds, both flat 4 GiB from gdt; 64-bit: long mode with paging on
 * cr3 (identity map covering the kernel, boot_params, command line and initrd);
 * 32-bit: protected mode, paging off, EBX/EDI/EBP zero. RSI/ESI = boot_params.
 */
struct bzimage_boot {
    enum bzimage_entry_mode mode;
    uint64_t rip;
    uint64_t rsi;
    uint64_t cr0, cr3, cr4, efer;
    uint64_t gdt_base;
    uint16_t gdt_limit;
    uint16_t cs, ds;
    uint64_t gdt[4];              /* the descriptors written at gdt_base */
    /* Where things went. */
    uint64_t kernel_start, kernel_end;      /* end: start + MAX(init_size, loaded) */
    uint64_t initrd_start, initrd_end;      /* equal when no initrd */
    uint64_t boot_params, cmdline;
    uint32_t e820_entries;
    struct bzimage_e820 e820[4];
};

/* True when the image carries a Linux setup header (boot flag and "HdrS"). */
bool bzimage_probe(const void *img, size_t len);

/*
 * Validate the setup header: boot flag, "HdrS", protocol >= 2.10, a bzImage
 * (LOADED_HIGH), a payload inside the file, sane alignments and init_size.
 * Returns 0 or -DBGV_EINVAL / -DBGV_EOPNOTSUPP; *why names the problem.
 */
int bzimage_parse(const void *img, size_t len, struct bzimage *bz,
                  const char **why);

/*
 * Load into a guest with mem_bytes of RAM from GPA 0 (the e820 map says
 * exactly that: RAM below 640 KiB and from 1 MiB to mem_bytes): the kernel,
 * the initrd (initrd may be NULL), boot_params with the image's setup header,
 * the command line (NULL = empty), the GDT and identity page tables. Prefers
 * the 64-bit entry when the kernel offers it. Fills *boot.
 */
int bzimage_load(const struct bzimage *bz, const void *img, size_t len,
                 uint64_t mem_bytes, const char *cmdline,
                 const void *initrd, size_t initrd_len,
                 mbimage_write_fn write, void *opaque,
                 struct bzimage_boot *boot, const char **why);

#endif
