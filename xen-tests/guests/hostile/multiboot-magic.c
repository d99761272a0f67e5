/*
 * hostile: flavour=32 policies=trap native=compare
 *
 * multiboot-magic: a multiboot v1 loader enters the kernel with EAX =
 * 0x2BADB002 and EBX = the physical address of the multiboot information
 * (Multiboot Specification 0.6.96, section 3.2, "Machine state"); a kernel
 * may refuse to run without the magic (issue 9, finding 3). The library's
 * entry code stores EAX into mb_magic as its first act; EBX becomes mb_info.
 * QEMU's own multiboot loader gives both. The hypervisor used to write the
 * magic into the VMCB's RAX, which the world switch then overwrote with the
 * saved RAX (0): the guest saw EAX = 0.
 */
#include "guest.h"

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u
#define MBI_FLAG_CMDLINE (1u << 2)

int main(void)
{
    report(mb_magic == MULTIBOOT_BOOTLOADER_MAGIC, "EAX at entry is the multiboot magic");
    report(mb_info != NULL, "EBX at entry points to a multiboot information structure");
    report(mb_info && (mb_info->flags & MBI_FLAG_CMDLINE) &&
           cmdline_uint("copy", 99) == 0,
           "the information structure carries our command line");
    return report_summary();
}
