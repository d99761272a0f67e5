/*
 * Linux/x86 boot protocol loader (see dbgvisor/bzimage.h and the kernel's
 * Documentation/arch/x86/boot.rst). Everything read from the image is
 * bounds-checked against its length: the image comes from the user.
 */
#include <dbgvisor/bzimage.h>
#include <dbgvisor/le.h>
#include <dbgvisor/lib.h>
#include <public/control.h>
#include <public/platform.h>

#define ONE_MB      0x100000ull
#define LOW_RAM_END 0xa0000ull      /* 640 KiB: the legacy VGA/BIOS hole above */
#define FOUR_GB     0x100000000ull
#define PAGE        4096ull
#define ONE_GB      0x40000000ull
#define TWO_MB      0x200000ull

/* Page-table entry bits, control-register bits, descriptors. */
#define PTE_P       (1ull << 0)
#define PTE_RW      (1ull << 1)
#define PTE_PS      (1ull << 7)
#define CR0_PE      (1ull << 0)
#define CR0_ET      (1ull << 4)
#define CR0_PG      (1ull << 31)
#define CR4_PAE     (1ull << 5)
#define EFER_LME    (1ull << 8)
#define EFER_LMA    (1ull << 10)
#define DESC_CODE64 0x00af9b000000ffffull   /* G, L, P, DPL0, exec/read, accessed */
#define DESC_CODE32 0x00cf9b000000ffffull   /* G, D, P, DPL0, exec/read, accessed */
#define DESC_DATA   0x00cf93000000ffffull   /* G, D/B, P, DPL0, read/write, accessed */

/* The part of boot_params the loader fills from a local buffer: acpi_rsdp_addr up to
 * the end of the setup header's room. */
#define BP_PATCH_START BP_ACPI_RSDP_ADDR
#define BP_PATCH_LEN   (BZ_HDR_LIMIT - BP_PATCH_START)

#define FAIL(code, msg) do { rc = (code); reason = (msg); goto out; } while ( 0 )

static bool is_pow2(uint64_t x)
{
    return x && !(x & (x - 1));
}

bool bzimage_probe(const void *image, size_t len)
{
    const uint8_t *img = image;

    return len >= BZ_HEADER + 4 &&
           le_rd16(img + BZ_BOOT_FLAG) == BZ_BOOT_FLAG_MAGIC &&
           le_rd32(img + BZ_HEADER) == BZ_HDRS_MAGIC;
}

int bzimage_parse(const void *image, size_t len, struct bzimage *bz,
                  const char **why)
{
    const uint8_t *img = image;
    const char *reason = NULL;
    uint32_t setup_sects, min_align_log2;
    uint64_t syssize_bytes;
    int rc = 0;

    memset(bz, 0, sizeof(*bz));
    if ( !bzimage_probe(img, len) )
        FAIL(-DBGV_EINVAL, "no Linux setup header (boot flag 0xAA55 and \"HdrS\")");
    if ( len < BZ_VERSION + 2 )     /* the probe saw "HdrS", not the version after it */
        FAIL(-DBGV_EINVAL, "setup header runs past the end of the file");
    bz->version = le_rd16(img + BZ_VERSION);
    if ( bz->version < BZ_MIN_VERSION )
        FAIL(-DBGV_EOPNOTSUPP, "Linux boot protocol older than 2.10");
    bz->header_end = BZ_HEADER + img[BZ_JUMP + 1];
    if ( bz->header_end < BZ_INIT_SIZE + 4 )
        FAIL(-DBGV_EINVAL, "setup header shorter than its protocol version needs");
    if ( bz->header_end > BZ_HDR_LIMIT )
        FAIL(-DBGV_EINVAL, "setup header longer than boot_params has room for");
    if ( bz->header_end > len )
        FAIL(-DBGV_EINVAL, "setup header runs past the end of the file");

    bz->loadflags = img[BZ_LOADFLAGS];
    if ( !(bz->loadflags & BZ_LOADED_HIGH) )
        FAIL(-DBGV_EOPNOTSUPP, "zImage (kernel not loaded high)");

    /* setup_sects 0 means 4; the boot sector comes before them. */
    setup_sects = img[BZ_SETUP_SECTS] ? img[BZ_SETUP_SECTS] : 4;
    bz->payload_off = (setup_sects + 1) * 512;
    if ( bz->payload_off >= len )
        FAIL(-DBGV_EINVAL, "setup code runs past the end of the file");
    bz->payload_len = (uint32_t)MIN((uint64_t)len - bz->payload_off, (uint64_t)UINT32_MAX);
    syssize_bytes = (uint64_t)le_rd32(img + BZ_SYSSIZE) * 16;
    if ( syssize_bytes == 0 || syssize_bytes > bz->payload_len )
        FAIL(-DBGV_EINVAL, "truncated kernel (syssize beyond the file)");

    bz->initrd_addr_max = le_rd32(img + BZ_INITRD_ADDR_MAX);
    bz->kernel_alignment = le_rd32(img + BZ_KERNEL_ALIGNMENT);
    bz->relocatable = img[BZ_RELOCATABLE] != 0;
    min_align_log2 = img[BZ_MIN_ALIGNMENT];
    bz->cmdline_size = le_rd32(img + BZ_CMDLINE_SIZE);
    bz->pref_address = le_rd64(img + BZ_PREF_ADDRESS);
    bz->init_size = le_rd32(img + BZ_INIT_SIZE);
    if ( bz->version >= BZ_VERSION_64BIT )
        bz->xloadflags = le_rd16(img + BZ_XLOADFLAGS);
    bz->entry64 = bz->xloadflags & BZ_XLF_KERNEL_64;

    if ( bz->relocatable )
    {
        if ( min_align_log2 < 12 || min_align_log2 > 30 )
            FAIL(-DBGV_EINVAL, "min_alignment outside 4 KiB..1 GiB");
        bz->min_alignment = 1u << min_align_log2;
        if ( !is_pow2(bz->kernel_alignment) || bz->kernel_alignment > ONE_GB ||
             bz->kernel_alignment < bz->min_alignment )
            FAIL(-DBGV_EINVAL, "kernel_alignment is not a power of two at least min_alignment");
    }
    if ( bz->init_size < syssize_bytes )
        FAIL(-DBGV_EINVAL, "init_size smaller than the kernel it must hold");
    if ( bz->entry64 && bz->init_size <= BZ_STARTUP_64_OFF )
        FAIL(-DBGV_EINVAL, "64-bit entry point (startup_64) beyond init_size");
    if ( bz->pref_address < ONE_MB || bz->pref_address % PAGE ||
         bz->pref_address >= FOUR_GB || bz->init_size > FOUR_GB - bz->pref_address )
        FAIL(-DBGV_EINVAL, "pref_address not a page-aligned address between 1 MiB and 4 GiB");
    if ( bz->relocatable && bz->pref_address % bz->min_alignment )
        FAIL(-DBGV_EINVAL, "pref_address not aligned to min_alignment");
    if ( bz->cmdline_size == 0 )
        FAIL(-DBGV_EINVAL, "cmdline_size is zero");

 out:
    if ( why )
        *why = rc ? reason : NULL;
    return rc;
}

/*
 * Place the kernel at START and the initrd under it all; false if they do
 * not fit in mem_top.
 */
static bool place(const struct bzimage *bz, uint64_t start, uint64_t mem_top,
                  size_t initrd_len, struct bzimage_boot *boot)
{
    uint64_t limit;

    boot->kernel_start = start;
    /* The file may carry a few bytes past syssize; they are loaded too. */
    boot->kernel_end = start + MAX((uint64_t)bz->init_size, (uint64_t)bz->payload_len);
    if ( boot->kernel_end > mem_top )
        return false;
    if ( !initrd_len )
    {
        boot->initrd_start = boot->initrd_end = 0;
        return true;
    }
    limit = MIN(mem_top, (uint64_t)bz->initrd_addr_max + 1);
    if ( limit < initrd_len )
        return false;
    boot->initrd_start = (limit - initrd_len) & ~(PAGE - 1);
    boot->initrd_end = boot->initrd_start + initrd_len;
    return boot->initrd_start >= boot->kernel_end;
}

/* Identity map [0, mem_top rounded up to 1 GiB) with 2 MiB pages. */
static int write_page_tables(uint64_t mem_top, mbimage_write_fn write,
                             void *opaque)
{
    uint64_t pml4_gpa = BZ_PT_GPA, pdpt_gpa = BZ_PT_GPA + PAGE;
    uint64_t nr_pd = (ALIGN_UP(mem_top, ONE_GB)) / ONE_GB;
    uint8_t chunk[512];     /* 64 entries per write, small enough for any stack */
    int rc;

    le_wr64(chunk, pdpt_gpa | PTE_P | PTE_RW);
    if ( (rc = write(opaque, pml4_gpa, chunk, 8)) )
        return rc;
    for ( uint64_t g = 0; g < nr_pd; g++ )
    {
        uint64_t pd_gpa = BZ_PT_GPA + 2 * PAGE + g * PAGE;

        le_wr64(chunk, pd_gpa | PTE_P | PTE_RW);
        if ( (rc = write(opaque, pdpt_gpa + g * 8, chunk, 8)) )
            return rc;
        for ( uint64_t e = 0; e < 512; e += 64 )
        {
            for ( uint64_t i = 0; i < 64; i++ )
                le_wr64(chunk + i * 8,
                        (g * ONE_GB + (e + i) * TWO_MB) | PTE_P | PTE_RW | PTE_PS);
            if ( (rc = write(opaque, pd_gpa + e * 8, chunk, sizeof(chunk))) )
                return rc;
        }
    }
    return 0;
}

static void describe_entry(const struct bzimage *bz, struct bzimage_boot *boot)
{
    boot->mode = bz->entry64 ? BZ_ENTRY_64 : BZ_ENTRY_32;
    boot->rsi = BZ_BOOT_PARAMS_GPA;
    boot->gdt_base = BZ_GDT_GPA;
    boot->gdt_limit = sizeof(boot->gdt) - 1;
    boot->cs = BZ_BOOT_CS;
    boot->ds = BZ_BOOT_DS;
    boot->gdt[0] = boot->gdt[1] = 0;
    boot->gdt[3] = DESC_DATA;
    if ( boot->mode == BZ_ENTRY_64 )
    {
        boot->rip = boot->kernel_start + BZ_STARTUP_64_OFF;
        boot->gdt[2] = DESC_CODE64;
        boot->cr0 = CR0_PE | CR0_ET | CR0_PG;
        boot->cr3 = BZ_PT_GPA;
        boot->cr4 = CR4_PAE;
        boot->efer = EFER_LME | EFER_LMA;
    }
    else
    {
        boot->rip = boot->kernel_start;   /* code32_start */
        boot->gdt[2] = DESC_CODE32;
        boot->cr0 = CR0_PE | CR0_ET;
        boot->cr3 = boot->cr4 = boot->efer = 0;
    }
}

/* The setup header copied from the image, with what the loader owns filled in. */
static void build_header(const struct bzimage *bz, const uint8_t *img,
                         const struct bzimage_boot *boot, uint64_t mem_top,
                         uint8_t *patch)
{
#define AT(off) (patch + (off) - BP_PATCH_START)
    memset(patch, 0, BP_PATCH_LEN);
    memcpy(AT(BZ_SETUP_SECTS), img + BZ_SETUP_SECTS, bz->header_end - BZ_SETUP_SECTS);
    *AT(BZ_TYPE_OF_LOADER) = BZ_LOADER_UNDEFINED;
    le_wr32(AT(BZ_CODE32_START), (uint32_t)boot->kernel_start);
    le_wr32(AT(BZ_RAMDISK_IMAGE), (uint32_t)boot->initrd_start);
    le_wr32(AT(BZ_RAMDISK_SIZE), (uint32_t)(boot->initrd_end - boot->initrd_start));
    le_wr32(AT(BZ_CMD_LINE_PTR), (uint32_t)boot->cmdline);
    le_wr32(AT(BP_ALT_MEM_K), (uint32_t)((mem_top - ONE_MB) / 1024));
    /* The hypervisor writes the ACPI tables into every domain: the kernel
     * takes the RSDP from here instead of scanning the BIOS area. */
    le_wr64(AT(BP_ACPI_RSDP_ADDR), DBGV_ACPI_RSDP_GPA);
    *AT(BP_E820_ENTRIES) = (uint8_t)boot->e820_entries;
    *AT(BP_SENTINEL) = 0;   /* fields above were cleared by the loader */
#undef AT
}

int bzimage_load(const struct bzimage *bz, const void *image, size_t len,
                 uint64_t mem_bytes, const char *cmdline,
                 const void *initrd, size_t initrd_len,
                 mbimage_write_fn write, void *opaque,
                 struct bzimage_boot *boot, const char **why)
{
    const uint8_t *img = image;
    uint8_t patch[BP_PATCH_LEN];
    uint8_t e820[E820_ENTRY_SIZE * ARRAY_SIZE(boot->e820)];
    uint8_t gdt[sizeof(boot->gdt)];
    const char *reason = NULL;
    size_t cmdlen = cmdline ? strlen(cmdline) : 0;
    uint64_t mem_top = MIN(mem_bytes, FOUR_GB);
    int rc = 0;

    memset(boot, 0, sizeof(*boot));
    if ( (uint64_t)bz->payload_off + bz->payload_len > len || bz->header_end > len )
        FAIL(-DBGV_EINVAL, "image shorter than its parsed header says");
    if ( mem_top < 2 * ONE_MB )
        FAIL(-DBGV_E2BIG, "guest needs at least 2 MiB of memory");
    if ( !initrd )
        initrd_len = 0;
    if ( cmdlen > MIN(bz->cmdline_size, BZ_CMDLINE_MAX) )
        FAIL(-DBGV_E2BIG, "command line longer than the kernel accepts");

    /* pref_address if everything fits there, else the lowest aligned spot. */
    if ( !place(bz, bz->pref_address, mem_top, initrd_len, boot) &&
         (!bz->relocatable ||
          !place(bz, ALIGN_UP(ONE_MB, (uint64_t)bz->kernel_alignment), mem_top,
                 initrd_len, boot)) )
        FAIL(-DBGV_E2BIG, boot->kernel_end > mem_top
                          ? "kernel (init_size) does not fit in guest memory"
                          : "no room for the initrd above the kernel and below initrd_addr_max");

    boot->boot_params = BZ_BOOT_PARAMS_GPA;
    boot->cmdline = BZ_CMDLINE_GPA;
    boot->e820_entries = 2;
    boot->e820[0] = (struct bzimage_e820){ 0, LOW_RAM_END, E820_RAM };
    boot->e820[1] = (struct bzimage_e820){ ONE_MB, mem_top - ONE_MB, E820_RAM };
    describe_entry(bz, boot);

    if ( (rc = write(opaque, boot->kernel_start, img + bz->payload_off, bz->payload_len)) )
        FAIL(rc, "writing the kernel failed");
    if ( initrd_len && (rc = write(opaque, boot->initrd_start, initrd, initrd_len)) )
        FAIL(rc, "writing the initrd failed");

    build_header(bz, img, boot, mem_top, patch);
    memset(e820, 0, sizeof(e820));
    for ( uint32_t i = 0; i < boot->e820_entries; i++ )
    {
        le_wr64(e820 + i * E820_ENTRY_SIZE, boot->e820[i].addr);
        le_wr64(e820 + i * E820_ENTRY_SIZE + 8, boot->e820[i].size);
        le_wr32(e820 + i * E820_ENTRY_SIZE + 16, boot->e820[i].type);
    }
    if ( (rc = write(opaque, BZ_BOOT_PARAMS_GPA, NULL, BP_SIZE)) ||
         (rc = write(opaque, BZ_BOOT_PARAMS_GPA + BP_PATCH_START, patch, sizeof(patch))) ||
         (rc = write(opaque, BZ_BOOT_PARAMS_GPA + BP_E820_TABLE, e820,
                     boot->e820_entries * E820_ENTRY_SIZE)) )
        FAIL(rc, "writing boot_params failed");

    if ( (cmdlen && (rc = write(opaque, BZ_CMDLINE_GPA, cmdline, cmdlen))) ||
         (rc = write(opaque, BZ_CMDLINE_GPA + cmdlen, NULL, 1)) )
        FAIL(rc, "writing the command line failed");

    for ( size_t i = 0; i < ARRAY_SIZE(boot->gdt); i++ )
        le_wr64(gdt + i * 8, boot->gdt[i]);
    if ( (rc = write(opaque, BZ_GDT_GPA, gdt, sizeof(gdt))) )
        FAIL(rc, "writing the GDT failed");
    if ( boot->mode == BZ_ENTRY_64 &&
         (rc = write_page_tables(mem_top, write, opaque)) )
        FAIL(rc, "writing the page tables failed");

 out:
    if ( why )
        *why = rc ? reason : NULL;
    return rc;
}
