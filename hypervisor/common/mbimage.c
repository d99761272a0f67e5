/*
 * Multiboot v1 image parser and loader (see dbgvisor/mbimage.h). Everything
 * read from the image is bounds-checked against its length: the image comes
 * from the user (xl create) or from a boot module.
 */
#include <dbgvisor/le.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/mbimage.h>
#include <public/control.h>

#define EI_CLASS    4
#define EI_DATA     5
#define ELFCLASS32  1
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define ET_EXEC     2
#define EM_386      3
#define EM_X86_64   62
#define PT_LOAD     1

#define FOUR_GB     0x100000000ull
#define MB_KNOWN_FLAGS (MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMORY_INFO | MB_FLAG_VIDEO_MODE)

#define FAIL(code, msg) do { rc = (code); reason = (msg); goto out; } while ( 0 )

static int add_seg(struct mbimage *mb, uint64_t paddr, uint64_t offset,
                   uint64_t filesz, uint64_t memsz, size_t len,
                   const char **reason)
{
    struct mbimage_seg *s;

    if ( memsz == 0 )
        return 0;
    if ( filesz > memsz || offset > len || filesz > len - offset )
    {
        *reason = "segment lies outside the file";
        return -DBGV_EINVAL;
    }
    if ( paddr >= FOUR_GB || memsz > FOUR_GB - paddr )
    {
        *reason = "segment is not below 4 GiB";
        return -DBGV_EINVAL;
    }
    if ( mb->nr_segs == MBIMAGE_MAX_SEGS )
    {
        *reason = "too many loadable segments";
        return -DBGV_E2BIG;
    }
    for ( uint32_t i = 0; i < mb->nr_segs; i++ )
    {
        const struct mbimage_seg *o = &mb->seg[i];

        if ( paddr < o->paddr + o->memsz && o->paddr < paddr + memsz )
        {
            *reason = "loadable segments overlap";
            return -DBGV_EINVAL;
        }
    }
    s = &mb->seg[mb->nr_segs++];
    s->paddr = paddr;
    s->offset = offset;
    s->filesz = filesz;
    s->memsz = memsz;
    if ( mb->nr_segs == 1 || paddr < mb->load_start )
        mb->load_start = paddr;
    if ( paddr + memsz > mb->load_end )
        mb->load_end = paddr + memsz;
    return 0;
}

static int parse_elf(const uint8_t *img, size_t len, struct mbimage *mb,
                     const char **reason)
{
    bool is64 = img[EI_CLASS] == ELFCLASS64;
    size_t ehsize = is64 ? 64 : 52;
    uint64_t phoff, entry;
    uint32_t phentsize, phnum, machine;
    int rc;

    if ( len < ehsize )
    {
        *reason = "truncated ELF header";
        return -DBGV_EINVAL;
    }
    if ( img[EI_DATA] != ELFDATA2LSB || le_rd16(img + 16) != ET_EXEC )
    {
        *reason = "not a little-endian ELF executable";
        return -DBGV_EINVAL;
    }
    machine = le_rd16(img + 18);
    if ( machine != EM_386 && machine != EM_X86_64 )
    {
        *reason = "not an x86 ELF image";
        return -DBGV_EINVAL;
    }
    entry = is64 ? le_rd64(img + 24) : le_rd32(img + 24);
    phoff = is64 ? le_rd64(img + 32) : le_rd32(img + 28);
    phentsize = le_rd16(img + (is64 ? 54 : 42));
    phnum = le_rd16(img + (is64 ? 56 : 44));
    if ( phentsize < (is64 ? 56u : 32u) || phnum == 0 || phoff > len ||
         (uint64_t)phentsize * phnum > len - phoff )
    {
        *reason = "bad ELF program header table";
        return -DBGV_EINVAL;
    }

    mb->elf_class = is64 ? 2 : 1;
    for ( uint32_t i = 0; i < phnum; i++ )
    {
        const uint8_t *ph = img + phoff + (uint64_t)i * phentsize;
        uint64_t off, paddr, filesz, memsz;

        if ( le_rd32(ph) != PT_LOAD )
            continue;
        if ( is64 )
        {
            off = le_rd64(ph + 8); paddr = le_rd64(ph + 24);
            filesz = le_rd64(ph + 32); memsz = le_rd64(ph + 40);
        }
        else
        {
            off = le_rd32(ph + 4); paddr = le_rd32(ph + 12);
            filesz = le_rd32(ph + 16); memsz = le_rd32(ph + 20);
        }
        if ( (rc = add_seg(mb, paddr, off, filesz, memsz, len, reason)) )
            return rc;
    }
    if ( mb->nr_segs == 0 )
    {
        *reason = "no loadable segments";
        return -DBGV_EINVAL;
    }

    /* The entry may be virtual: translate through the segment holding it. */
    for ( uint32_t i = 0; i < phnum; i++ )
    {
        const uint8_t *ph = img + phoff + (uint64_t)i * phentsize;
        uint64_t vaddr = is64 ? le_rd64(ph + 16) : le_rd32(ph + 8);
        uint64_t paddr = is64 ? le_rd64(ph + 24) : le_rd32(ph + 12);
        uint64_t memsz = is64 ? le_rd64(ph + 40) : le_rd32(ph + 20);

        if ( le_rd32(ph) == PT_LOAD && vaddr != paddr &&
             entry >= vaddr && entry - vaddr < memsz )
        {
            entry = entry - vaddr + paddr;
            break;
        }
    }
    if ( entry >= FOUR_GB )
    {
        *reason = "entry point is not below 4 GiB";
        return -DBGV_EINVAL;
    }
    mb->entry = (uint32_t)entry;
    return 0;
}

/* a.out kludge: the multiboot header says where to load what. */
static int parse_aout(const uint8_t *img, size_t len, size_t hdr_off,
                      struct mbimage *mb, const char **reason)
{
    const uint8_t *h = img + hdr_off;
    uint32_t header_addr, load_addr, load_end, bss_end, entry;
    uint64_t off, filesz, memsz;

    if ( len - hdr_off < 32 )
    {
        *reason = "truncated multiboot header";
        return -DBGV_EINVAL;
    }
    header_addr = le_rd32(h + 12);
    load_addr = le_rd32(h + 16);
    load_end = le_rd32(h + 20);
    bss_end = le_rd32(h + 24);
    entry = le_rd32(h + 28);
    if ( header_addr < load_addr || header_addr - load_addr > hdr_off )
    {
        *reason = "multiboot load address inconsistent with header";
        return -DBGV_EINVAL;
    }
    off = hdr_off - (header_addr - load_addr);
    filesz = load_end ? (uint64_t)load_end - load_addr : len - off;
    if ( load_end && load_end < load_addr )
    {
        *reason = "multiboot load_end_addr below load_addr";
        return -DBGV_EINVAL;
    }
    memsz = bss_end ? (uint64_t)bss_end - load_addr : filesz;
    if ( bss_end && bss_end < load_addr + filesz )
    {
        *reason = "multiboot bss_end_addr below load_end_addr";
        return -DBGV_EINVAL;
    }
    mb->elf_class = 0;
    mb->entry = entry;
    return add_seg(mb, load_addr, off, filesz, memsz, len, reason);
}

int mbimage_parse(const void *image, size_t len, struct mbimage *mb,
                  const char **why)
{
    const uint8_t *img = image;
    const char *reason = NULL;
    size_t hdr_off = 0, search = MIN(len, (size_t)MB_SEARCH_LEN);
    bool found = false;
    uint32_t flags = 0;
    int rc = 0;

    memset(mb, 0, sizeof(*mb));
    for ( size_t o = 0; o + 12 <= search; o += 4 )
    {
        if ( le_rd32(img + o) == MB_HEADER_MAGIC &&
             (uint32_t)(le_rd32(img + o) + le_rd32(img + o + 4) + le_rd32(img + o + 8)) == 0 )
        {
            hdr_off = o;
            flags = le_rd32(img + o + 4);
            found = true;
            break;
        }
    }
    if ( !found )
        FAIL(-DBGV_EINVAL, "no multiboot header in the first 8 KiB");
    /* Bits 0-15 are requirements: refuse what we do not provide. */
    if ( flags & 0xffff & ~MB_KNOWN_FLAGS )
        FAIL(-DBGV_EOPNOTSUPP, "multiboot header requires unsupported features");
    mb->mb_flags = flags;

    if ( flags & MB_FLAG_AOUT_KLUDGE )
        rc = parse_aout(img, len, hdr_off, mb, &reason);
    else if ( len >= 16 && img[0] == 0x7f && img[1] == 'E' && img[2] == 'L' &&
              img[3] == 'F' &&
              (img[EI_CLASS] == ELFCLASS32 || img[EI_CLASS] == ELFCLASS64) )
        rc = parse_elf(img, len, mb, &reason);
    else
        FAIL(-DBGV_EINVAL, "neither ELF nor multiboot a.out kludge");

 out:
    if ( why )
        *why = rc ? reason : NULL;
    return rc;
}

/* Multiboot info layout (v1), the fields we fill. */
#define MBI_SIZE       120u
#define MBI_OFF_FLAGS  0
#define MBI_OFF_LOWER  4
#define MBI_OFF_UPPER  8
#define MBI_OFF_CMD    16
#define MBI_OFF_MODSC  20
#define MBI_OFF_MODSA  24
#define MBI_OFF_MMAPL  44
#define MBI_OFF_MMAPA  48
#define MMAP_ENTRY     24u   /* size(4) base(8) len(8) type(4) */

static void mmap_entry(uint8_t *p, uint64_t base, uint64_t len, uint32_t type)
{
    le_wr32(p, MMAP_ENTRY - 4);     /* size excludes itself */
    le_wr64(p + 4, base);
    le_wr64(p + 12, len);
    le_wr32(p + 20, type);
}

/* The module list and the modules (multiboot 1 section 3.3: mod_start,
 * mod_end, string, reserved per entry) at gpa, which is past the info and
 * the command line: entries, then strings, then each module's bytes on a
 * page boundary. Returns one past the last byte, or 0 if they do not fit
 * below mem_top (checked before anything is written). */
#define MOD_ENTRY 16u
static uint64_t place_modules(const struct mbimage_module *mods, unsigned nr, uint64_t gpa,
                              uint64_t mem_top, uint64_t *data_gpa)
{
    uint64_t p = gpa + (uint64_t)nr * MOD_ENTRY;

    for ( unsigned i = 0; i < nr; i++ )
    {
        size_t sl = mods[i].string ? strlen(mods[i].string) : 0;

        if ( sl > 4096 )
            return 0;
        p += sl + 1;
    }
    for ( unsigned i = 0; i < nr; i++ )
    {
        p = ALIGN_UP(p, 4096ull);
        data_gpa[i] = p;
        if ( mods[i].len > mem_top || p > mem_top - mods[i].len )
            return 0;
        p += mods[i].len;
    }
    return p <= mem_top ? p : 0;
}

static int write_modules(const struct mbimage_module *mods, unsigned nr, uint64_t gpa,
                         const uint64_t *data_gpa, mbimage_write_fn write, void *opaque)
{
    uint64_t str = gpa + (uint64_t)nr * MOD_ENTRY;
    int rc;

    for ( unsigned i = 0; i < nr; i++ )
    {
        uint8_t e[MOD_ENTRY] = { 0 };
        size_t sl = mods[i].string ? strlen(mods[i].string) : 0;

        le_wr32(e, (uint32_t)data_gpa[i]);
        le_wr32(e + 4, (uint32_t)(data_gpa[i] + mods[i].len));
        le_wr32(e + 8, (uint32_t)str);
        if ( (rc = write(opaque, gpa + (uint64_t)i * MOD_ENTRY, e, MOD_ENTRY)) ||
             (sl && (rc = write(opaque, str, mods[i].string, sl))) ||
             (rc = write(opaque, str + sl, NULL, 1)) ||
             (mods[i].len && (rc = write(opaque, data_gpa[i], mods[i].data, mods[i].len))) )
            return rc;
        str += sl + 1;
    }
    return 0;
}

int mbimage_load(const struct mbimage *mb, const void *image, size_t len,
                 uint64_t mem_bytes, const char *kernel_path, const char *cmdline,
                 const struct mbimage_module *mods, unsigned nr_mods,
                 mbimage_write_fn write, void *opaque,
                 struct mbimage_boot *boot, const char **why)
{
    const uint8_t *img = image;
    uint8_t info[MBI_SIZE + 2 * MMAP_ENTRY];
    const char *reason = NULL;
    uint64_t info_gpa, cmd_gpa, mods_gpa, end, mem_top, data_gpa[MBIMAGE_MAX_MODULES];
    size_t pathlen = kernel_path ? strlen(kernel_path) : 0;
    size_t argslen = cmdline ? strlen(cmdline) : 0;
    /* As GRUB and QEMU do, the kernel's path is the first word (argv[0]). */
    size_t sep = pathlen && argslen ? 1 : 0;
    size_t cmdlen = pathlen + sep + argslen;
    int rc = 0;

    /* RAM above 4 GiB is invisible to a 32-bit multiboot kernel. */
    mem_top = MIN(mem_bytes, FOUR_GB);
    if ( mem_top < 0x100000 )
        FAIL(-DBGV_EINVAL, "guest needs at least 1 MiB of memory");
    if ( nr_mods > MBIMAGE_MAX_MODULES )
        FAIL(-DBGV_E2BIG, "too many modules");
    for ( uint32_t i = 0; i < mb->nr_segs; i++ )
    {
        const struct mbimage_seg *s = &mb->seg[i];

        if ( s->paddr + s->memsz > mem_top )
            FAIL(-DBGV_E2BIG, "image does not fit in guest memory");
        if ( s->offset > len || s->filesz > len - s->offset )
            FAIL(-DBGV_EINVAL, "segment lies outside the file");
    }

    info_gpa = ALIGN_UP(mb->load_end, 4096ull);
    if ( info_gpa >= 0xa0000 && info_gpa < 0x100000 )  /* skip the VGA/BIOS hole */
        info_gpa = 0x100000;
    cmd_gpa = info_gpa + sizeof(info);
    if ( pathlen > 4096 || argslen > 4096 || cmd_gpa + cmdlen + 1 > mem_top )
        FAIL(-DBGV_E2BIG, "no room for the multiboot info");
    mods_gpa = ALIGN_UP(cmd_gpa + cmdlen + 1, 16ull);
    end = nr_mods ? place_modules(mods, nr_mods, mods_gpa, mem_top, data_gpa) : cmd_gpa + cmdlen + 1;
    if ( !end )
        FAIL(-DBGV_E2BIG, "the modules do not fit in guest memory");

    for ( uint32_t i = 0; i < mb->nr_segs; i++ )
    {
        const struct mbimage_seg *s = &mb->seg[i];

        if ( s->filesz &&
             (rc = write(opaque, s->paddr, img + s->offset, s->filesz)) )
            FAIL(rc, "writing an image segment failed");
        if ( s->memsz > s->filesz &&
             (rc = write(opaque, s->paddr + s->filesz, NULL,
                         s->memsz - s->filesz)) )
            FAIL(rc, "zeroing BSS failed");
    }

    memset(info, 0, sizeof(info));
    le_wr32(info + MBI_OFF_FLAGS,
         MBINFO_F_MEM | MBINFO_F_CMDLINE | MBINFO_F_MODS | MBINFO_F_MMAP);
    le_wr32(info + MBI_OFF_LOWER, 640);
    le_wr32(info + MBI_OFF_UPPER, (uint32_t)((mem_top - 0x100000) / 1024));
    le_wr32(info + MBI_OFF_CMD, (uint32_t)cmd_gpa);
    le_wr32(info + MBI_OFF_MODSC, nr_mods);
    le_wr32(info + MBI_OFF_MODSA, (uint32_t)mods_gpa); /* valid even with no entries */
    le_wr32(info + MBI_OFF_MMAPL, 2 * MMAP_ENTRY);
    le_wr32(info + MBI_OFF_MMAPA, (uint32_t)info_gpa + MBI_SIZE);
    mmap_entry(info + MBI_SIZE, 0, 640 * 1024, 1);
    mmap_entry(info + MBI_SIZE + MMAP_ENTRY, 0x100000, mem_top - 0x100000, 1);

    if ( (rc = write(opaque, info_gpa, info, sizeof(info))) )
        FAIL(rc, "writing the multiboot info failed");
    if ( pathlen && (rc = write(opaque, cmd_gpa, kernel_path, pathlen)) )
        FAIL(rc, "writing the command line failed");
    if ( sep && (rc = write(opaque, cmd_gpa + pathlen, " ", 1)) )
        FAIL(rc, "writing the command line failed");
    if ( argslen && (rc = write(opaque, cmd_gpa + pathlen + sep, cmdline, argslen)) )
        FAIL(rc, "writing the command line failed");
    if ( (rc = write(opaque, cmd_gpa + cmdlen, NULL, 1)) )
        FAIL(rc, "writing the command line failed");
    if ( nr_mods && (rc = write_modules(mods, nr_mods, mods_gpa, data_gpa, write, opaque)) )
        FAIL(rc, "writing the modules failed");

    boot->eip = mb->entry;
    boot->eax = MB_BOOTLOADER_MAGIC;
    boot->ebx = (uint32_t)info_gpa;
    boot->info_end = (uint32_t)end;

 out:
    if ( why )
        *why = rc ? reason : NULL;
    return rc;
}
