/*
 * Multiboot loader (hypervisor/common/mbimage.c), as the hypervisor runs it
 * on boot modules and libdebugctl on `xl create` files. Input: guest memory
 * size (u16, 64 KiB units), the write to fail (u8, 0: none), command line
 * length (u8) and text, then the image.
 *
 * Invariants:
 *  - a parsed image's segments lie inside the file, filesz <= memsz, inside
 *    [load_start, load_end), below 4 GiB, and do not overlap;
 *  - the loader writes only inside the guest memory it was given;
 *  - a refused image (validation) writes nothing; a failed write is passed
 *    back unchanged and ends the load;
 *  - a loaded image starts at its entry with the multiboot magic, the info
 *    and command line lie after every segment and inside guest memory.
 */
#include <dbgvisor/mbimage.h>
#include <public/control.h>
#include "guestmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *why = NULL;
    char cmdline[256];
    struct fuzz_in in = { data, size };
    struct guestmem g;
    struct mbimage mb;
    struct mbimage_boot boot;
    const uint8_t *img;
    size_t len;
    int rc;

    guestmem_take_setup(&in, &g, cmdline);
    len = fuzz_bytes(&in, in.left, &img);

    rc = mbimage_parse(img, len, &mb, &why);
    FUZZ_CHECK(rc == 0 || rc == -DBGV_EINVAL || rc == -DBGV_EOPNOTSUPP || rc == -DBGV_E2BIG,
               "parse result %d", rc);
    FUZZ_CHECK(!rc == !why, "parse %d with reason %s", rc, why ? why : "(none)");
    if ( rc )
        return 0;

    FUZZ_CHECK(mb.nr_segs <= MBIMAGE_MAX_SEGS, "%u segments", mb.nr_segs);
    for ( uint32_t i = 0; i < mb.nr_segs; i++ )
    {
        const struct mbimage_seg *s = &mb.seg[i];

        FUZZ_CHECK(s->offset <= len && s->filesz <= len - s->offset,
                   "segment %u: %#llx bytes at file offset %#llx of %zu", i,
                   (unsigned long long)s->filesz, (unsigned long long)s->offset, len);
        FUZZ_CHECK(s->filesz <= s->memsz, "segment %u: filesz > memsz", i);
        FUZZ_CHECK(s->paddr + s->memsz >= s->paddr && s->paddr + s->memsz <= (1ull << 32),
                   "segment %u: %#llx+%#llx wraps or passes 4 GiB", i,
                   (unsigned long long)s->paddr, (unsigned long long)s->memsz);
        FUZZ_CHECK(s->paddr >= mb.load_start && s->paddr + s->memsz <= mb.load_end,
                   "segment %u outside [load_start, load_end)", i);
        for ( uint32_t j = 0; j < i; j++ )
            FUZZ_CHECK(!ranges_overlap(s->paddr, s->paddr + s->memsz, mb.seg[j].paddr,
                                       mb.seg[j].paddr + mb.seg[j].memsz),
                       "segments %u and %u overlap", j, i);
    }

    /* One small module, as QEMU's -initrd gives: placed after the info. */
    static const struct mbimage_module mod = { .data = "A=1\n", .len = 4, .string = "env" };
    rc = mbimage_load(&mb, img, len, g.size, "kernel", cmdline, &mod, 1, guestmem_write, &g,
                      &boot, &why);
    if ( !guestmem_loaded(&g, rc, why) )
        return 0;
    FUZZ_CHECK(boot.eip == mb.entry && boot.eax == MB_BOOTLOADER_MAGIC, "entry state");
    FUZZ_CHECK(boot.ebx >= mb.load_end && boot.info_end > boot.ebx &&
               boot.info_end <= g.size, "info [%#x, %#x) with load_end %#llx, memory %#llx",
               boot.ebx, boot.info_end, (unsigned long long)mb.load_end,
               (unsigned long long)g.size);
    for ( uint32_t i = 0; i < mb.nr_segs; i++ )
        FUZZ_CHECK(!ranges_overlap(boot.ebx, boot.info_end, mb.seg[i].paddr,
                                   mb.seg[i].paddr + mb.seg[i].memsz),
                   "multiboot info overlaps segment %u", i);
    return 0;
}
