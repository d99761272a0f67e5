/*
 * The Linux boot protocol loader (hypervisor/common/bzimage.c) against the
 * real Debian bzImage when present and a synthetic setup header always:
 * boot_params contents, the e820 map, kernel and initrd placement, the
 * entry-state description (including a walk of the identity page tables it
 * wrote), and rejection of malformed headers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dbgvisor/bzimage.h>
#include <public/platform.h>
#include <dbgvisor/le.h>
#include <dbgvisor/mbimage.h>
#include <public/control.h>
#include "tests.h"

#define MiB (1ull << 20)

/* ---- a guest's memory, written through the loader's callback ---------- */

struct guest {
    uint8_t *mem;
    uint64_t size;
    unsigned writes, out_of_range;
};

static int guest_write(void *opaque, uint64_t gpa, const void *data, uint64_t len)
{
    struct guest *g = opaque;

    g->writes++;
    if (gpa > g->size || len > g->size - gpa) {
        g->out_of_range++;
        return -DBGV_EFAULT;
    }
    if (data)
        memcpy(g->mem + gpa, data, len);
    else
        memset(g->mem + gpa, 0, len);
    return 0;
}

static struct guest *guest_new(uint64_t bytes)
{
    struct guest *g = calloc(1, sizeof(*g));

    g->mem = calloc(1, bytes);     /* untouched pages stay unallocated */
    g->size = bytes;
    CU_ASSERT_FATAL(g->mem != NULL);
    return g;
}

static void guest_free(struct guest *g)
{
    free(g->mem);
    free(g);
}

/* ---- images -------------------------------------------------------------- */

#define SYN_SETUP_SECTS 4
#define SYN_PAYLOAD     (64 * 1024)
#define SYN_LEN         ((SYN_SETUP_SECTS + 1) * 512 + SYN_PAYLOAD)

/* A minimal protocol-2.15 header like a current x86-64 kernel's. */
static uint8_t *synthetic(size_t *len)
{
    uint8_t *img = calloc(1, SYN_LEN);

    img[BZ_SETUP_SECTS] = SYN_SETUP_SECTS;
    le_wr32(img + BZ_SYSSIZE, SYN_PAYLOAD / 16);
    le_wr16(img + BZ_BOOT_FLAG, BZ_BOOT_FLAG_MAGIC);
    img[BZ_JUMP] = 0xeb;
    img[BZ_JUMP + 1] = 0x6a;                  /* header ends at 0x26c */
    le_wr32(img + BZ_HEADER, BZ_HDRS_MAGIC);
    le_wr16(img + BZ_VERSION, 0x020f);
    img[BZ_LOADFLAGS] = BZ_LOADED_HIGH;
    le_wr32(img + BZ_CODE32_START, 0x100000);
    le_wr32(img + BZ_INITRD_ADDR_MAX, 0x7fffffff);
    le_wr32(img + BZ_KERNEL_ALIGNMENT, 0x200000);
    img[BZ_RELOCATABLE] = 1;
    img[BZ_MIN_ALIGNMENT] = 21;
    le_wr16(img + BZ_XLOADFLAGS, BZ_XLF_KERNEL_64);
    le_wr32(img + BZ_CMDLINE_SIZE, 2047);
    le_wr64(img + BZ_PREF_ADDRESS, 16 * MiB);
    le_wr32(img + BZ_INIT_SIZE, 4 * MiB);
    for (size_t i = 0; i < SYN_PAYLOAD; i++)
        img[(SYN_SETUP_SECTS + 1) * 512 + i] = (uint8_t)(i * 7 + 3);
    *len = SYN_LEN;
    return img;
}

static uint8_t *read_real(size_t *len)
{
    FILE *f;
    uint8_t *img;
    long n;

    if (!real_bzimage_path || !(f = fopen(real_bzimage_path, "rb")))
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    img = malloc(n);
    if (fread(img, 1, n, f) != (size_t)n) {
        free(img);
        img = NULL;
    }
    fclose(f);
    *len = n;
    return img;
}

static uint8_t *pattern(size_t len, unsigned seed)
{
    uint8_t *p = malloc(len);

    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(i * 13 + seed + (i >> 12));
    return p;
}

/* ---- checks shared by the synthetic and real images ------------------------ */

/* Translate VA through the 4-level tables at CR3 in guest memory; ~0 if unmapped. */
static uint64_t walk(const struct guest *g, uint64_t cr3, uint64_t va)
{
    uint64_t table = cr3 & ~0xfffull;

    for (int level = 3; level >= 0; level--) {
        uint64_t e = le_rd64(g->mem + table + ((va >> (12 + 9 * level)) & 511) * 8);

        if (!(e & 1) || !(e & 2))
            return ~0ull;
        if (level == 1 && (e & 0x80))
            return (e & ~0x1fffffull & 0xfffffffffffull) | (va & 0x1fffff);
        if (level == 0)
            return (e & 0xffffffffff000ull) | (va & 0xfff);
        table = e & 0xffffffffff000ull;
    }
    return ~0ull;
}

static void check_loaded(const uint8_t *img, size_t len, uint64_t mem,
                         const char *cmdline, size_t initrd_len)
{
    struct guest *g = guest_new(mem);
    uint8_t *initrd = initrd_len ? pattern(initrd_len, 5) : NULL;
    struct bzimage bz;
    struct bzimage_boot boot;
    const char *why = NULL;
    const uint8_t *bp;
    int rc;

    CU_ASSERT_EQUAL_FATAL(bzimage_parse(img, len, &bz, &why), 0);
    rc = bzimage_load(&bz, img, len, mem, cmdline, initrd, initrd_len,
                      guest_write, g, &boot, &why);
    if (rc)
        printf("\n  load failed: %s\n", why);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(g->out_of_range, 0);

    /* Kernel at pref_address, byte for byte. */
    CU_ASSERT_EQUAL(boot.kernel_start, bz.pref_address);
    CU_ASSERT(boot.kernel_end >= boot.kernel_start + bz.init_size);
    CU_ASSERT(memcmp(g->mem + boot.kernel_start, img + bz.payload_off, bz.payload_len) == 0);

    /* boot_params: the image's setup header with the loader's fields. */
    bp = g->mem + BZ_BOOT_PARAMS_GPA;
    CU_ASSERT_EQUAL(boot.boot_params, BZ_BOOT_PARAMS_GPA);
    CU_ASSERT_EQUAL(le_rd16(bp + BZ_BOOT_FLAG), BZ_BOOT_FLAG_MAGIC);
    CU_ASSERT_EQUAL(le_rd32(bp + BZ_HEADER), BZ_HDRS_MAGIC);
    CU_ASSERT_EQUAL(le_rd16(bp + BZ_VERSION), bz.version);
    CU_ASSERT_EQUAL(le_rd32(bp + BZ_INIT_SIZE), bz.init_size);
    CU_ASSERT_EQUAL(le_rd64(bp + BZ_PREF_ADDRESS), bz.pref_address);
    CU_ASSERT_EQUAL(bp[BZ_SETUP_SECTS], img[BZ_SETUP_SECTS]);
    CU_ASSERT_EQUAL(bp[BZ_TYPE_OF_LOADER], BZ_LOADER_UNDEFINED);
    CU_ASSERT_EQUAL(bp[BZ_LOADFLAGS], img[BZ_LOADFLAGS]);
    CU_ASSERT_EQUAL(bp[BP_SENTINEL], 0);
    CU_ASSERT_EQUAL(le_rd32(bp + BZ_CODE32_START), boot.kernel_start);
    CU_ASSERT_EQUAL(le_rd32(bp + BP_ALT_MEM_K), (mem - MiB) / 1024);
    /* acpi_rsdp_addr: the RSDP the hypervisor writes, so Linux need not scan. */
    CU_ASSERT_EQUAL(le_rd64(bp + BP_ACPI_RSDP_ADDR), DBGV_ACPI_RSDP_GPA);
    for (unsigned i = 0; i < BP_ALT_MEM_K; i++)
        if (bp[i] && (i < BP_ACPI_RSDP_ADDR || i >= BP_ACPI_RSDP_ADDR + 8)) {
            CU_FAIL("boot_params below alt_mem_k is not zero but for acpi_rsdp_addr");
            break;
        }

    /* Command line. */
    CU_ASSERT_EQUAL(le_rd32(bp + BZ_CMD_LINE_PTR), BZ_CMDLINE_GPA);
    CU_ASSERT_STRING_EQUAL((const char *)g->mem + BZ_CMDLINE_GPA, cmdline ? cmdline : "");

    /* e820: RAM below 640 KiB and from 1 MiB to the end of memory. */
    CU_ASSERT_EQUAL(bp[BP_E820_ENTRIES], 2);
    CU_ASSERT_EQUAL(le_rd64(bp + BP_E820_TABLE), 0);
    CU_ASSERT_EQUAL(le_rd64(bp + BP_E820_TABLE + 8), 0xa0000);
    CU_ASSERT_EQUAL(le_rd32(bp + BP_E820_TABLE + 16), E820_RAM);
    CU_ASSERT_EQUAL(le_rd64(bp + BP_E820_TABLE + 20), MiB);
    CU_ASSERT_EQUAL(le_rd64(bp + BP_E820_TABLE + 28), mem - MiB);
    CU_ASSERT_EQUAL(le_rd32(bp + BP_E820_TABLE + 36), E820_RAM);
    CU_ASSERT_EQUAL(le_rd64(bp + BP_E820_TABLE + 40), 0);

    /* Initrd: page aligned, as high as memory and initrd_addr_max allow, above the kernel. */
    CU_ASSERT_EQUAL(le_rd32(bp + BZ_RAMDISK_IMAGE), boot.initrd_start);
    CU_ASSERT_EQUAL(le_rd32(bp + BZ_RAMDISK_SIZE), initrd_len);
    if (initrd_len) {
        uint64_t limit = mem < (uint64_t)bz.initrd_addr_max + 1 ? mem : (uint64_t)bz.initrd_addr_max + 1;

        CU_ASSERT_EQUAL(boot.initrd_start % 4096, 0);
        CU_ASSERT(boot.initrd_start >= boot.kernel_end);
        CU_ASSERT(boot.initrd_end <= limit);
        CU_ASSERT(limit - boot.initrd_end < 4096);
        CU_ASSERT(memcmp(g->mem + boot.initrd_start, initrd, initrd_len) == 0);
    }

    /* Entry: startup_64 with boot_params in RSI, long mode on identity tables. */
    CU_ASSERT_EQUAL(boot.mode, BZ_ENTRY_64);
    CU_ASSERT_EQUAL(boot.rip, boot.kernel_start + 0x200);
    CU_ASSERT_EQUAL(boot.rsi, BZ_BOOT_PARAMS_GPA);
    CU_ASSERT_EQUAL(boot.cs, 0x10);
    CU_ASSERT_EQUAL(boot.ds, 0x18);
    CU_ASSERT_EQUAL(boot.efer & 0x500, 0x500);
    CU_ASSERT_EQUAL(boot.cr0 & 0x80000001, 0x80000001);
    CU_ASSERT_EQUAL(boot.cr4 & 0x20, 0x20);
    CU_ASSERT_EQUAL(boot.gdt_base, BZ_GDT_GPA);
    CU_ASSERT_EQUAL(boot.gdt_limit, 31);
    {
        uint64_t cs = le_rd64(g->mem + BZ_GDT_GPA + 0x10);
        uint64_t ds = le_rd64(g->mem + BZ_GDT_GPA + 0x18);

        CU_ASSERT(!!(cs & (1ull << 47)));                    /* present */
        CU_ASSERT(!!(cs & (1ull << 53)));                    /* L */
        CU_ASSERT(!(cs & (1ull << 54)));                 /* D clear with L */
        CU_ASSERT_EQUAL((cs >> 40) & 0x1a, 0x1a);        /* code, readable, S */
        CU_ASSERT(!!(ds & (1ull << 47)));
        CU_ASSERT_EQUAL((ds >> 40) & 0x1a, 0x12);        /* data, writable, S */
        CU_ASSERT_EQUAL(cs, boot.gdt[2]);
        CU_ASSERT_EQUAL(ds, boot.gdt[3]);
    }
    {
        const uint64_t where[] = { boot.rip, boot.kernel_start, boot.kernel_end - 1,
                                   BZ_BOOT_PARAMS_GPA, BZ_CMDLINE_GPA, BZ_GDT_GPA,
                                   boot.initrd_end ? boot.initrd_end - 1 : 0, mem - 1 };

        for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++)
            CU_ASSERT_EQUAL(walk(g, boot.cr3, where[i]), where[i]);
    }
    free(initrd);
    guest_free(g);
}

static void test_parse_synthetic(void)
{
    size_t len;
    uint8_t *img = synthetic(&len);
    struct bzimage bz;

    CU_ASSERT(bzimage_probe(img, len));
    CU_ASSERT_EQUAL(bzimage_parse(img, len, &bz, NULL), 0);
    CU_ASSERT_EQUAL(bz.version, 0x020f);
    CU_ASSERT(bz.entry64);
    CU_ASSERT(bz.relocatable);
    CU_ASSERT_EQUAL(bz.payload_off, 5 * 512);
    CU_ASSERT_EQUAL(bz.payload_len, SYN_PAYLOAD);
    CU_ASSERT_EQUAL(bz.header_end, 0x26c);
    CU_ASSERT_EQUAL(bz.min_alignment, 2 * MiB);
    free(img);
}

static void test_parse_real(void)
{
    size_t len;
    uint8_t *img = read_real(&len);
    struct bzimage bz;
    const char *why = NULL;

    if (!img)
        return;
    CU_ASSERT(bzimage_probe(img, len));
    CU_ASSERT_EQUAL(bzimage_parse(img, len, &bz, &why), 0);
    CU_ASSERT(bz.version >= 0x020c);
    CU_ASSERT(bz.entry64);
    CU_ASSERT(bz.relocatable);
    CU_ASSERT_EQUAL(bz.payload_off, ((img[BZ_SETUP_SECTS] ? img[BZ_SETUP_SECTS] : 4) + 1) * 512);
    CU_ASSERT(bz.init_size > bz.payload_len);
    CU_ASSERT(bz.cmdline_size >= 255);
    free(img);
}

/* The builder picks the loader by the image's own headers: each refuses the other's image. */
static void test_multiboot_and_bzimage_tell_apart(void)
{
    uint8_t mb[4096] = { 0 };
    struct mbimage *m = malloc(sizeof(*m));
    size_t len;
    uint8_t *img = synthetic(&len), *real;

    le_wr32(mb, MB_HEADER_MAGIC);
    le_wr32(mb + 4, MB_FLAG_AOUT_KLUDGE);
    le_wr32(mb + 8, -(MB_HEADER_MAGIC + MB_FLAG_AOUT_KLUDGE));
    le_wr32(mb + 12, 0x100000);     /* header_addr */
    le_wr32(mb + 16, 0x100000);     /* load_addr */
    le_wr32(mb + 28, 0x100020);     /* entry */
    CU_ASSERT_EQUAL(mbimage_parse(mb, sizeof(mb), m, NULL), 0);
    CU_ASSERT(!bzimage_probe(mb, sizeof(mb)));
    CU_ASSERT_NOT_EQUAL(mbimage_parse(img, len, m, NULL), 0);
    if ((real = read_real(&len))) {
        CU_ASSERT_NOT_EQUAL(mbimage_parse(real, len, m, NULL), 0);
        free(real);
    }
    free(img);
    free(m);
}

static void test_load_synthetic(void)
{
    size_t len;
    uint8_t *img = synthetic(&len);

    check_loaded(img, len, 256 * MiB, "console=ttyS0 dbgv.run=drtest", 3 * MiB + 123);
    check_loaded(img, len, 64 * MiB, NULL, 0);
    check_loaded(img, len, 2100 * MiB, "x", 4096);   /* three page directories */
    free(img);
}

static void test_load_real(void)
{
    size_t len;
    uint8_t *img = read_real(&len);

    if (!img)
        return;
    check_loaded(img, len, 256 * MiB, "console=ttyS0 quiet panic=-1", 1400 * 1024);
    free(img);
}

/* pref_address too high for the memory (or for the initrd above it): lowest aligned spot. */
static void test_relocates_below_pref_address(void)
{
    size_t len;
    uint8_t *img = synthetic(&len), *real;
    struct bzimage bz;
    struct bzimage_boot boot;
    struct guest *g = guest_new(96 * MiB);

    bzimage_parse(img, len, &bz, NULL);
    CU_ASSERT_EQUAL(bzimage_load(&bz, img, len, 16 * MiB, NULL, NULL, 0, guest_write, g, &boot, NULL), 0);
    CU_ASSERT_EQUAL(boot.kernel_start, 2 * MiB);
    CU_ASSERT_EQUAL(boot.rip, 2 * MiB + 0x200);
    CU_ASSERT(memcmp(g->mem + 2 * MiB, img + bz.payload_off, bz.payload_len) == 0);
    /* Kernel fits at 16 MiB in 21 MiB, a 2 MiB initrd above it does not. */
    {
        uint8_t *rd = pattern(2 * MiB, 1);

        CU_ASSERT_EQUAL(bzimage_load(&bz, img, len, 21 * MiB, NULL, rd, 2 * MiB, guest_write, g, &boot, NULL), 0);
        CU_ASSERT_EQUAL(boot.kernel_start, 2 * MiB);
        CU_ASSERT(boot.initrd_end <= 21 * MiB && boot.initrd_start >= boot.kernel_end);
        free(rd);
    }
    if ((real = read_real(&len))) {
        /* The Debian kernel wants 16 MiB + ~52 MiB; in 64 MiB it moves down. */
        CU_ASSERT_EQUAL(bzimage_parse(real, len, &bz, NULL), 0);
        CU_ASSERT_EQUAL(bzimage_load(&bz, real, len, 64 * MiB, "", NULL, 0, guest_write, g, &boot, NULL), 0);
        CU_ASSERT_EQUAL(boot.kernel_start % bz.kernel_alignment, 0);
        CU_ASSERT(boot.kernel_start < bz.pref_address);
        CU_ASSERT(boot.kernel_end <= 64 * MiB);
        free(real);
    }
    CU_ASSERT_EQUAL(g->out_of_range, 0);
    guest_free(g);
    free(img);
}

static void test_refuses_what_does_not_fit(void)
{
    size_t len;
    uint8_t *img = synthetic(&len), *rd = pattern(8 * MiB, 2), *real;
    struct bzimage bz;
    struct bzimage_boot boot;
    struct guest *g = guest_new(64 * MiB);
    const char *why = NULL;

    bzimage_parse(img, len, &bz, NULL);
    /* Too little memory for init_size even at the lowest spot. */
    g->writes = 0;
    CU_ASSERT_EQUAL(bzimage_load(&bz, img, len, 5 * MiB, NULL, NULL, 0, guest_write, g, &boot, &why), -DBGV_E2BIG);
    CU_ASSERT_EQUAL(g->writes, 0);      /* nothing written before the layout is known */
    CU_ASSERT_PTR_NOT_NULL(why);
    /* Initrd larger than what is left. */
    CU_ASSERT_EQUAL(bzimage_load(&bz, img, len, 12 * MiB, NULL, rd, 8 * MiB, guest_write, g, &boot, &why), -DBGV_E2BIG);
    /* Initrd ceiling below the kernel even at its lowest spot (2-6 MiB). */
    le_wr32(img + BZ_INITRD_ADDR_MAX, 5 * MiB - 1);
    bzimage_parse(img, len, &bz, NULL);
    CU_ASSERT_EQUAL(bzimage_load(&bz, img, len, 64 * MiB, NULL, rd, 4096, guest_write, g, &boot, &why), -DBGV_E2BIG);
    /* A kernel that cannot move is refused where pref_address does not fit. */
    le_wr32(img + BZ_INITRD_ADDR_MAX, 0x7fffffff);
    img[BZ_RELOCATABLE] = 0;
    bzimage_parse(img, len, &bz, NULL);
    CU_ASSERT_EQUAL(bzimage_load(&bz, img, len, 16 * MiB, NULL, NULL, 0, guest_write, g, &boot, &why), -DBGV_E2BIG);
    CU_ASSERT_EQUAL(bzimage_load(&bz, img, len, 64 * MiB, NULL, NULL, 0, guest_write, g, &boot, &why), 0);
    CU_ASSERT_EQUAL(boot.kernel_start, 16 * MiB);
    if ((real = read_real(&len))) {
        CU_ASSERT_EQUAL(bzimage_parse(real, len, &bz, NULL), 0);
        CU_ASSERT_EQUAL(bzimage_load(&bz, real, len, 32 * MiB, "", NULL, 0, guest_write, g, &boot, &why), -DBGV_E2BIG);
        free(real);
    }
    CU_ASSERT_EQUAL(g->out_of_range, 0);
    guest_free(g);
    free(rd);
    free(img);
}

static void test_initrd_below_initrd_addr_max(void)
{
    size_t len;
    uint8_t *img = synthetic(&len), *rd = pattern(MiB + 5, 3);
    struct bzimage bz;
    struct bzimage_boot boot;
    struct guest *g = guest_new(128 * MiB);

    le_wr32(img + BZ_INITRD_ADDR_MAX, 48 * MiB - 1);
    CU_ASSERT_EQUAL(bzimage_parse(img, len, &bz, NULL), 0);
    CU_ASSERT_EQUAL(bzimage_load(&bz, img, len, 128 * MiB, "", rd, MiB + 5, guest_write, g, &boot, NULL), 0);
    CU_ASSERT(boot.initrd_end <= 48 * MiB);
    CU_ASSERT(48 * MiB - boot.initrd_end < 4096);
    CU_ASSERT_EQUAL(boot.initrd_start % 4096, 0);
    CU_ASSERT_EQUAL(le_rd32(g->mem + BZ_BOOT_PARAMS_GPA + BZ_RAMDISK_IMAGE), boot.initrd_start);
    CU_ASSERT(memcmp(g->mem + boot.initrd_start, rd, MiB + 5) == 0);
    guest_free(g);
    free(rd);
    free(img);
}

static void test_cmdline_size_limit(void)
{
    size_t len;
    uint8_t *img = synthetic(&len);
    char *cmd = malloc(4200);
    struct bzimage bz;
    struct bzimage_boot boot;
    struct guest *g = guest_new(64 * MiB);

    memset(cmd, 'a', 4200);
    cmd[2047] = 0;
    bzimage_parse(img, len, &bz, NULL);
    CU_ASSERT_EQUAL(bzimage_load(&bz, img, len, 64 * MiB, cmd, NULL, 0, guest_write, g, &boot, NULL), 0);
    CU_ASSERT_EQUAL(strlen((char *)g->mem + BZ_CMDLINE_GPA), 2047);
    cmd[2047] = 'a';
    cmd[2048] = 0;
    CU_ASSERT_EQUAL(bzimage_load(&bz, img, len, 64 * MiB, cmd, NULL, 0, guest_write, g, &boot, NULL), -DBGV_E2BIG);
    /* The header's own limit counts, and so does the room the layout has. */
    le_wr32(img + BZ_CMDLINE_SIZE, 255);
    bzimage_parse(img, len, &bz, NULL);
    cmd[256] = 0;
    CU_ASSERT_EQUAL(bzimage_load(&bz, img, len, 64 * MiB, cmd, NULL, 0, guest_write, g, &boot, NULL), -DBGV_E2BIG);
    cmd[255] = 0;
    CU_ASSERT_EQUAL(bzimage_load(&bz, img, len, 64 * MiB, cmd, NULL, 0, guest_write, g, &boot, NULL), 0);
    le_wr32(img + BZ_CMDLINE_SIZE, 100000);
    bzimage_parse(img, len, &bz, NULL);
    memset(cmd, 'b', 4200);
    cmd[4096] = 0;
    CU_ASSERT_EQUAL(bzimage_load(&bz, img, len, 64 * MiB, cmd, NULL, 0, guest_write, g, &boot, NULL), -DBGV_E2BIG);
    CU_ASSERT_EQUAL(g->out_of_range, 0);
    guest_free(g);
    free(cmd);
    free(img);
}

/* Kernels without XLF_KERNEL_64 (or before 2.12) get the 32-bit entry. */
static void test_entry32(void)
{
    size_t len;
    uint8_t *img = synthetic(&len);
    struct bzimage bz;
    struct bzimage_boot boot;
    struct guest *g = guest_new(64 * MiB);

    for (int variant = 0; variant < 2; variant++) {
        if (variant == 0)
            le_wr16(img + BZ_VERSION, 0x020a);
        else {
            le_wr16(img + BZ_VERSION, 0x020f);
            le_wr16(img + BZ_XLOADFLAGS, 0);
        }
        CU_ASSERT_EQUAL(bzimage_parse(img, len, &bz, NULL), 0);
        CU_ASSERT(!bz.entry64);
        memset(g->mem, 0, 0x10000);
        CU_ASSERT_EQUAL(bzimage_load(&bz, img, len, 64 * MiB, "", NULL, 0, guest_write, g, &boot, NULL), 0);
        CU_ASSERT_EQUAL(boot.mode, BZ_ENTRY_32);
        CU_ASSERT_EQUAL(boot.rip, boot.kernel_start);
        CU_ASSERT_EQUAL(boot.rsi, BZ_BOOT_PARAMS_GPA);
        CU_ASSERT_EQUAL(boot.cr0 & 0x80000001, 1);
        CU_ASSERT_EQUAL(boot.efer, 0);
        CU_ASSERT(!!(boot.gdt[2] & (1ull << 54)));                  /* 32-bit code */
        CU_ASSERT_EQUAL(le_rd64(g->mem + BZ_PT_GPA), 0);        /* no page tables */
        CU_ASSERT_EQUAL(le_rd32(g->mem + BZ_BOOT_PARAMS_GPA + BZ_CODE32_START), boot.kernel_start);
    }
    guest_free(g);
    free(img);
}

struct mutation {
    const char *what;
    size_t off;
    unsigned width;     /* 1, 2, 4, 8 bytes; 0: truncate the file to off bytes */
    uint64_t value;
    int expect;
};

static void test_rejects_malformed_headers(void)
{
    static const struct mutation m[] = {
        { "boot flag",              BZ_BOOT_FLAG,        2, 0x55aa,      -DBGV_EINVAL },
        { "HdrS magic",             BZ_HEADER,           4, 0x53726449,  -DBGV_EINVAL },
        { "protocol 2.09",          BZ_VERSION,          2, 0x0209,      -DBGV_EOPNOTSUPP },
        { "zImage (no LOADED_HIGH)", BZ_LOADFLAGS,       1, 0,           -DBGV_EOPNOTSUPP },
        { "header too short",       BZ_JUMP + 1,         1, 0x50,        -DBGV_EINVAL },
        { "header too long",        BZ_JUMP + 1,         1, 0x9f,        -DBGV_EINVAL },
        { "setup beyond the file",  BZ_SETUP_SECTS,      1, 200,         -DBGV_EINVAL },
        { "syssize beyond the file", BZ_SYSSIZE,         4, SYN_PAYLOAD / 16 + 1, -DBGV_EINVAL },
        { "syssize zero",           BZ_SYSSIZE,          4, 0,           -DBGV_EINVAL },
        { "kernel_alignment 3 MiB", BZ_KERNEL_ALIGNMENT, 4, 0x300000,    -DBGV_EINVAL },
        { "kernel_alignment 0",     BZ_KERNEL_ALIGNMENT, 4, 0,           -DBGV_EINVAL },
        { "min_alignment 2^40",     BZ_MIN_ALIGNMENT,    1, 40,          -DBGV_EINVAL },
        { "min above kernel_alignment", BZ_MIN_ALIGNMENT, 1, 22,         -DBGV_EINVAL },
        { "init_size below syssize", BZ_INIT_SIZE,       4, 4096,        -DBGV_EINVAL },
        { "pref_address unaligned", BZ_PREF_ADDRESS,     8, 16 * MiB + 4096, -DBGV_EINVAL },
        { "pref_address at 4 GiB",  BZ_PREF_ADDRESS,     8, 1ull << 32,  -DBGV_EINVAL },
        { "pref_address below 1 MiB", BZ_PREF_ADDRESS,   8, 0x80000,     -DBGV_EINVAL },
        { "init_size past 4 GiB",   BZ_INIT_SIZE,        4, 0xfff00000,  -DBGV_EINVAL },
        { "cmdline_size zero",      BZ_CMDLINE_SIZE,     4, 0,           -DBGV_EINVAL },
        { "file of 0x100 bytes",    0x100,               0, 0,           -DBGV_EINVAL },
        { "file ends in the header", 0x240,              0, 0,           -DBGV_EINVAL },
        { "file ends after setup",  5 * 512,             0, 0,           -DBGV_EINVAL },
    };

    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        size_t len;
        uint8_t *img = synthetic(&len);
        struct bzimage bz;
        const char *why = NULL;
        int rc;

        switch (m[i].width) {
        case 0: len = m[i].off; break;
        case 1: img[m[i].off] = (uint8_t)m[i].value; break;
        case 2: le_wr16(img + m[i].off, (uint32_t)m[i].value); break;
        case 4: le_wr32(img + m[i].off, (uint32_t)m[i].value); break;
        case 8: le_wr64(img + m[i].off, m[i].value); break;
        }
        rc = bzimage_parse(img, len, &bz, &why);
        if (rc != m[i].expect)
            printf("\n  %s: got %d (%s), expected %d\n", m[i].what, rc, why ? why : "-", m[i].expect);
        CU_ASSERT_EQUAL(rc, m[i].expect);
        CU_ASSERT_PTR_NOT_NULL(why);
        free(img);
    }
}

/* Random header damage: parse either refuses or the load stays inside the guest. */
static void test_random_headers_stay_in_bounds(void)
{
    size_t len0;
    uint8_t *base = synthetic(&len0), *rd = pattern(300000, 9);
    struct guest *g = guest_new(40 * MiB);
    unsigned accepted = 0;

    srand(12345);
    for (int it = 0; it < 20000; it++) {
        uint8_t img[SYN_LEN];
        size_t len = len0;
        struct bzimage bz;
        struct bzimage_boot boot;
        int n = 1 + rand() % 6;

        memcpy(img, base, len0);
        for (int k = 0; k < n; k++)
            img[BZ_SETUP_SECTS + rand() % (BZ_HDR_LIMIT - BZ_SETUP_SECTS)] = (uint8_t)rand();
        if (rand() % 8 == 0)
            len = rand() % len0;
        if (bzimage_parse(img, len, &bz, NULL))
            continue;
        accepted++;
        if (bzimage_load(&bz, img, len, 40 * MiB, "console=ttyS0", rd, 300000,
                         guest_write, g, &boot, NULL) == 0) {
            CU_ASSERT(boot.kernel_end <= 40 * MiB);
            CU_ASSERT(boot.initrd_end <= (uint64_t)bz.initrd_addr_max + 1);
            CU_ASSERT(boot.initrd_start >= boot.kernel_end);
        }
    }
    CU_ASSERT(accepted > 100);          /* the mutations did not all just fail parsing */
    CU_ASSERT_EQUAL(g->out_of_range, 0);
    guest_free(g);
    free(rd);
    free(base);
}

void register_bzimage_tests(void)
{
    static const struct unit_test tests[] = {
        { "parse: synthetic protocol-2.15 header", test_parse_synthetic },
        { "parse: the real Debian bzImage (if fetched)", test_parse_real },
        { "multiboot and bzImage loaders refuse each other's images", test_multiboot_and_bzimage_tell_apart },
        { "load: synthetic, boot_params/e820/initrd/entry/page tables", test_load_synthetic },
        { "load: the real Debian bzImage (if fetched)", test_load_real },
        { "load: relocates below pref_address when it must", test_relocates_below_pref_address },
        { "load: refuses kernels and initrds that do not fit", test_refuses_what_does_not_fit },
        { "load: initrd ends at initrd_addr_max", test_initrd_below_initrd_addr_max },
        { "load: command line within cmdline_size", test_cmdline_size_limit },
        { "load: 32-bit entry without XLF_KERNEL_64", test_entry32 },
        { "parse: malformed headers are refused", test_rejects_malformed_headers },
        { "parse+load: random header damage stays in bounds", test_random_headers_stay_in_bounds },
    };

    add_suite("bzimage", tests, sizeof(tests) / sizeof(tests[0]));
}
