/*
 * The arm64 Linux Image header (Documentation/arch/arm64/booting.rst), read
 * by the hypervisor's boot-time builder (arch/arm64/domain_build.c) and the
 * toolstack's (libdebugctl's dbgctl_domain_build), hosted or freestanding.
 */
#ifndef DBGVISOR_ARM64_IMAGE_H
#define DBGVISOR_ARM64_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARM64_IMAGE_MAGIC       0x644d5241U   /* "ARM\x64" at offset 56 */
#define ARM64_IMAGE_DEFAULT_TEXT_OFFSET 0x80000ULL
/* QEMU virt's RAM, where a domain's RAM starts (docs/arm64.md). */
#define ARM64_VIRT_RAM_BASE     0x40000000ULL
/* The last 2 MiB of a domain's RAM hold its device tree. */
#define ARM64_DTB_RESERVE       (2ULL << 20)

struct arm64_image {
    uint64_t text_offset;   /* load at RAM base + this; entry there too */
    uint64_t span;          /* bytes from there the kernel occupies (>= file size) */
};

/* true if img is an arm64 Image; its placement in *out. */
static inline bool arm64_image_parse(const void *img, size_t size, struct arm64_image *out)
{
    uint64_t text_offset, image_size;
    uint32_t magic;

    if (size < 64)
        return false;
    __builtin_memcpy(&magic, (const uint8_t *)img + 56, 4);
    __builtin_memcpy(&text_offset, (const uint8_t *)img + 8, 8);
    __builtin_memcpy(&image_size, (const uint8_t *)img + 16, 8);
    if (magic != ARM64_IMAGE_MAGIC)
        return false;
    if (image_size == 0)                /* booting.rst: old images */
        text_offset = ARM64_IMAGE_DEFAULT_TEXT_OFFSET;
    out->text_offset = text_offset;
    out->span = image_size > size ? image_size : size;
    return true;
}

/* Where a ramdisk of size bytes goes in a domain's RAM (ram_base, ram_bytes):
 * page-aligned right below the device tree, above the Image's end
 * (image_end); 0 if it does not fit there. The boot-time builder and the
 * toolstack's place it alike. */
static inline uint64_t arm64_initrd_place(uint64_t ram_base, uint64_t ram_bytes,
                                          uint64_t image_end, uint64_t size)
{
    uint64_t dtb, start;

    if (ram_bytes < ARM64_DTB_RESERVE)
        return 0;
    dtb = ram_base + ram_bytes - ARM64_DTB_RESERVE;
    if (size == 0 || image_end > dtb || size > dtb - image_end)
        return 0;
    start = (dtb - size) & ~0xfffULL;
    return start < image_end ? 0 : start;
}

#endif
