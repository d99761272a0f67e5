/* Boot-time domains from multiboot modules (Xen's dom0less style). */
#ifndef DBGVISOR_BOOT_DOMAINS_H
#define DBGVISOR_BOOT_DOMAINS_H

struct multiboot_info;

/*
 * Each module's string is "<image path> [name=N] [vcpus=V] [mem=MiB]
 * [policy=P] [quiet=N] [unbacked_access=ignore|crash] [-- guest command line]". A module that cannot be
 * built is reported and skipped; the others still start. The image is a
 * multiboot kernel or a Linux bzImage (told by its header); a module
 * "<initrd path> ramdisk" right after a bzImage is that kernel's initrd.
 */
void boot_domains_create(const struct multiboot_info *mbi);

#endif
