/*
 * Multiboot v1 image parser and loader, shared by the hypervisor (boot-time
 * domains from multiboot modules) and libdebugctl (xl create): one
 * implementation compiled twice. Freestanding; guest memory is written
 * through a callback.
 */
#ifndef DBGVISOR_MBIMAGE_H
#define DBGVISOR_MBIMAGE_H

#include <stddef.h>
#include <stdint.h>

#define MB_HEADER_MAGIC      0x1BADB002u
#define MB_BOOTLOADER_MAGIC  0x2BADB002u
#define MB_SEARCH_LEN        8192u
#define MBIMAGE_MAX_SEGS     16

/* Multiboot header flags we honour. */
#define MB_FLAG_PAGE_ALIGN   (1u << 0)
#define MB_FLAG_MEMORY_INFO  (1u << 1)
#define MB_FLAG_VIDEO_MODE   (1u << 2)   /* accepted, no video info given */
#define MB_FLAG_AOUT_KLUDGE  (1u << 16)

/* Multiboot info flags we provide. */
#define MBINFO_F_MEM         (1u << 0)
#define MBINFO_F_CMDLINE     (1u << 2)
#define MBINFO_F_MODS        (1u << 3)
#define MBINFO_F_MMAP        (1u << 6)

struct mbimage_seg {
    uint64_t paddr;     /* guest-physical load address */
    uint64_t offset;    /* in the image file */
    uint64_t filesz;    /* bytes copied from the file */
    uint64_t memsz;     /* bytes occupied; memsz - filesz are zeroed (BSS) */
};

struct mbimage {
    uint32_t entry;      /* guest-physical entry point */
    uint32_t mb_flags;   /* from the multiboot header */
    uint32_t elf_class;  /* 0: a.out kludge, 1: ELF32, 2: ELF64 */
    uint32_t nr_segs;
    uint64_t load_start; /* lowest and one past the highest loaded byte */
    uint64_t load_end;
    struct mbimage_seg seg[MBIMAGE_MAX_SEGS];
};

/* Where the loader placed things and the registers to start with. */
struct mbimage_boot {
    uint32_t eip;
    uint32_t eax;        /* MB_BOOTLOADER_MAGIC */
    uint32_t ebx;        /* guest-physical address of the multiboot info */
    uint32_t info_end;   /* one past the info, cmdline, memory map and modules */
};

/* A boot module for the kernel (what QEMU's -initrd gives a multiboot
 * kernel: one module per file, its string the file's name). */
struct mbimage_module {
    const void *data;
    uint64_t len;
    const char *string;  /* the module's command line; NULL: empty */
};
#define MBIMAGE_MAX_MODULES 8

/* Write len bytes at guest-physical gpa; data NULL means zeros.
 * Returns 0 or a negative error code, which the loader passes back. */
typedef int (*mbimage_write_fn)(void *opaque, uint64_t gpa, const void *data,
                                uint64_t len);

/*
 * Validate an image (ELF32 or ELF64 program headers, or the a.out kludge)
 * and its multiboot header. Returns 0 or -DBGV_EINVAL / -DBGV_EOPNOTSUPP /
 * -DBGV_E2BIG; *why (if not NULL) names the problem in a short phrase.
 */
int mbimage_parse(const void *img, size_t len, struct mbimage *mb,
                  const char **why);

/*
 * Load the parsed image into a guest of mem_bytes of RAM from GPA 0:
 * segments with BSS zeroed, then the multiboot info (mem_lower=640,
 * mem_upper, cmdline, the module list, a memory map) on the first page
 * boundary after the image, the module strings after it and each module's
 * bytes on a page boundary after those. Fills *boot. The guest's command
 * line is "kernel_path cmdline", as GRUB and QEMU pass it (kernels such as
 * the KVM unit tests take its first word as argv[0]); either may be NULL
 * (empty). mods[0..nr_mods) (at most MBIMAGE_MAX_MODULES) may be NULL/0.
 */
int mbimage_load(const struct mbimage *mb, const void *img, size_t len,
                 uint64_t mem_bytes, const char *kernel_path, const char *cmdline,
                 const struct mbimage_module *mods, unsigned nr_mods,
                 mbimage_write_fn write, void *opaque,
                 struct mbimage_boot *boot, const char **why);

#endif
