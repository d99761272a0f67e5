/* The device tree the builder writes for each domain (dtb_build.c). */
#ifndef ASM_ARM64_DTB_BUILD_H
#define ASM_ARM64_DTB_BUILD_H

#include <stdint.h>

struct dtb_domain {
    uint64_t ram_ipa, ram_bytes;
    unsigned vcpus;
    const char *bootargs;           /* the domain's own command line ("" for none) */
    uint64_t initrd_start, initrd_end;  /* IPAs; equal: no ramdisk */
    const void *host_dtb;           /* for what the domain's CPUs are (their compatible) */
};

/* Writes the domain's tree into buf (cap bytes); its size, or 0 if it does not fit. */
uint32_t dtb_build_domain(void *buf, uint32_t cap, const struct dtb_domain *d);

#endif
