/*
 * Several domains from one boot module (QEMU virt gives one -initrd): the
 * arm64 boot bundle (docs/arm64.md, "Boot bundle"). A text header of at most
 * BUNDLE_HEADER_MAX bytes,
 *
 *     dbgvisor-arm64-bundle 1
 *     domain name=NAME size=BYTES [ramdisk=BYTES] [mem=MIB] [vcpus=N] [policy=P] [quiet=N] [cmdline=TEXT]
 *     ...
 *     (an empty line)
 *
 * NUL-padded to BUNDLE_ALIGN, then each domain's arm64 Image in the order of
 * its line, each starting at the next BUNDLE_ALIGN boundary, followed (at the
 * next boundary) by its ramdisk if its line gives one. cmdline takes the rest
 * of its line (the domain's DTB carries it as /chosen bootargs). The launcher (dbgvisor run --arch arm64) and
 * scripts/arm64-bundle.sh write it; boot_bundle.c reads it (hosted unit tests
 * in xen-tests/unit/arm64).
 */
#ifndef ASM_ARM64_BOOT_BUNDLE_H
#define ASM_ARM64_BOOT_BUNDLE_H

#include <stdbool.h>
#include <stdint.h>

#define BUNDLE_MAGIC        "dbgvisor-arm64-bundle 1\n"
#define BUNDLE_ALIGN        4096u
#define BUNDLE_HEADER_MAX   BUNDLE_ALIGN
#define BUNDLE_MAX_DOMAINS  16
#define BOOT_NAME_LEN       32
#define BOOT_CMDLINE_LEN    256
#define BOOT_DEFAULT_MEM_MIB 64
#define BOOT_MAX_MEM_MIB    1024
#define BOOT_MAX_VCPUS      8

/* One boot-time domain: from a bundle's line, or from the hypervisor's own
 * command line when the boot module is a single Image. */
struct boot_domain {
    char name[BOOT_NAME_LEN];
    char cmdline[BOOT_CMDLINE_LEN];
    char policy[16];                /* the debug core's: trap, lazy-exit, lazy-sched, adaptive */
    unsigned quiet_switches;        /* adaptive's quiet switch-outs before it traps again */
    unsigned mem_mib;               /* even (2 MiB stage-2 blocks) */
    unsigned vcpus;
    uint64_t host_bp;               /* hostbp=: a host breakpoint traced from boot (0 none) */
    bool paused;                    /* paused=1: built paused, for a debugger to attach */
    const uint8_t *image;
    uint64_t image_size;
    const uint8_t *ramdisk;         /* NULL: none (linux,initrd-* in the domain's DTB) */
    uint64_t ramdisk_size;
};

/* The blob starts with the bundle's magic line. */
bool bundle_is(const void *blob, uint64_t len);
/* Fills out[0..n) from the bundle in blob (len bytes); n, or -1 with *err
 * saying what is wrong. Images are checked to lie inside the blob. */
int bundle_parse(const void *blob, uint64_t len, struct boot_domain *out, unsigned max,
                 const char **err);
/* Defaults for a domain: name "guest", 64 MiB, 1 vCPU, policy trap, adaptive's
 * default quiet switch-outs. */
void boot_domain_defaults(struct boot_domain *b);
/* One "key=value" of a domain (name, mem, vcpus, policy, quiet, hostbp, paused, cmdline); false with
 * *err if the key is unknown or the value out of range. */
bool boot_domain_set(struct boot_domain *b, const char *key, const char *value,
                     const char **err);

#endif
