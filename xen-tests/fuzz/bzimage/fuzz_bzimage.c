/*
 * Linux boot-protocol loader (hypervisor/common/bzimage.c). Input: guest
 * memory size (u16, 64 KiB units), the write to fail (u8), command line
 * length (u8) and text, initrd length (u16), then the image (setup header
 * and payload).
 *
 * Invariants:
 *  - a parsed header's payload lies inside the file, alignments are powers
 *    of two, pref_address is page aligned between 1 MiB and 4 GiB;
 *  - the loader writes only inside the guest memory it was given;
 *  - a refused image writes nothing; a failed write is passed back;
 *  - the kernel (init_size) and the initrd lie in RAM above 1 MiB, inside
 *    initrd_addr_max, and overlap neither each other nor the GDT, page
 *    tables, boot_params and command line below 1 MiB.
 */
#include <dbgvisor/bzimage.h>
#include <public/control.h>
#include "guestmem.h"

#define ONE_MB (1ull << 20)

static bool pow2(uint64_t v) { return v && !(v & (v - 1)); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t initrd_bytes[65536];
    struct fuzz_in in = { data, size };
    struct guestmem g;
    struct bzimage bz;
    struct bzimage_boot boot;
    const uint8_t *img;
    char cmdline[256];
    const char *why = NULL;
    size_t cmdlen = guestmem_take_setup(&in, &g, cmdline), len, initrd_len;
    int rc;

    initrd_len = fuzz_u16(&in);
    len = fuzz_bytes(&in, in.left, &img);

    FUZZ_CHECK(bzimage_probe(img, len) || bzimage_parse(img, len, &bz, &why) != 0,
               "parsed without a setup header");
    rc = bzimage_parse(img, len, &bz, &why);
    FUZZ_CHECK(rc == 0 || rc == -DBGV_EINVAL || rc == -DBGV_EOPNOTSUPP, "parse result %d", rc);
    FUZZ_CHECK(!rc == !why, "parse %d with reason %s", rc, why ? why : "(none)");
    if ( rc )
        return 0;
    FUZZ_CHECK((uint64_t)bz.payload_off + bz.payload_len <= len && bz.header_end <= len,
               "payload or header outside the file");
    FUZZ_CHECK(bz.pref_address >= ONE_MB && bz.pref_address < (1ull << 32) &&
               !(bz.pref_address & 0xfff), "pref_address %#llx",
               (unsigned long long)bz.pref_address);
    if ( bz.relocatable )
        FUZZ_CHECK(pow2(bz.kernel_alignment) && pow2(bz.min_alignment), "alignments");

    rc = bzimage_load(&bz, img, len, g.size, cmdline, initrd_len ? initrd_bytes : NULL,
                      initrd_len, guestmem_write, &g, &boot, &why);
    if ( !guestmem_loaded(&g, rc, why) )
        return 0;

    uint64_t mem_top = g.size < (1ull << 32) ? g.size : (1ull << 32);
    uint64_t low_end = BZ_CMDLINE_GPA + cmdlen + 1;

    FUZZ_CHECK(boot.kernel_start >= ONE_MB && boot.kernel_start < boot.kernel_end &&
               boot.kernel_end <= mem_top, "kernel [%#llx, %#llx) in %#llx bytes",
               (unsigned long long)boot.kernel_start, (unsigned long long)boot.kernel_end,
               (unsigned long long)mem_top);
    FUZZ_CHECK(boot.kernel_end - boot.kernel_start >= bz.init_size, "kernel smaller than init_size");
    FUZZ_CHECK(!ranges_overlap(boot.kernel_start, boot.kernel_end, BZ_GDT_GPA, low_end),
               "kernel overlaps the boot structures");
    if ( initrd_len )
    {
        FUZZ_CHECK(boot.initrd_end - boot.initrd_start == initrd_len, "initrd size");
        FUZZ_CHECK(boot.initrd_start >= ONE_MB && boot.initrd_end <= mem_top &&
                   boot.initrd_end - 1 <= bz.initrd_addr_max,
                   "initrd [%#llx, %#llx) outside RAM or initrd_addr_max %#x",
                   (unsigned long long)boot.initrd_start, (unsigned long long)boot.initrd_end,
                   bz.initrd_addr_max);
        FUZZ_CHECK(!ranges_overlap(boot.initrd_start, boot.initrd_end,
                                   boot.kernel_start, boot.kernel_end), "initrd overlaps the kernel");
    }
    FUZZ_CHECK(boot.rip >= boot.kernel_start && boot.rip < boot.kernel_end, "entry outside the kernel");
    return 0;
}
