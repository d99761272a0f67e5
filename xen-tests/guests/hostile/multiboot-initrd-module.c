/*
 * hostile: policies=trap initrd=multiboot-initrd-module.c native=compare
 *
 * multiboot-initrd-module: a multiboot kernel given a ramdisk (QEMU's
 * -initrd FILE, dbgvisor's ramdisk=FILE, xl's ramdisk=) gets it as a boot
 * module (Multiboot Specification 0.6.96, section 3.3): flags bit 3,
 * mods_count 1, mods_addr pointing at {mod_start, mod_end, string,
 * reserved}, the module's bytes between mod_start and mod_end (page
 * aligned, as QEMU places them) and its string the file's name. The KVM
 * unit tests pass their environment this way. The hypervisor used to refuse
 * a ramdisk for anything but a Linux kernel. The file here is this source.
 */
#include "guest.h"

#define MBI_FLAG_MODS (1u << 3)

struct mb_module { uint32_t start, end, string, reserved; };

static const char *basename_of(const char *s)
{
    const char *b = s;
    for (; *s; s++)
        if (*s == '/')
            b = s + 1;
    return b;
}

int main(void)
{
    const struct mb_module *m;
    const uint8_t *p;
    uint32_t hash = 2166136261u, len, i;
    char first[64];

    bool listed = mb_info && (mb_info->flags & MBI_FLAG_MODS) && mb_info->mods_count == 1;

    report(listed, "the multiboot info lists one module (mods_count %u)",
           mb_info ? mb_info->mods_count : 0);
    if (!listed)
        return report_summary();
    m = (const struct mb_module *)(unsigned long)mb_info->mods_addr;
    len = m->end - m->start;
    p = (const uint8_t *)(unsigned long)m->start;
    for (i = 0; i < len; i++)
        hash = (hash ^ p[i]) * 16777619u;       /* FNV-1a */
    for (i = 0; i < len && i + 1 < sizeof(first) && p[i] != '\n'; i++)
        first[i] = (char)p[i];
    first[i] = 0;
    printf("module: %u bytes, FNV-1a %#x, string '%s'\n", len, hash,
           m->string ? basename_of((const char *)(unsigned long)m->string) : "(none)");
    printf("its first line: %s\n", first);
    report((m->start & 0xfff) == 0 && m->end > m->start, "the module starts on a page boundary");
    report(m->start >= 0x100000, "it lies above 1 MiB, clear of the low memory");
    return report_summary();
}
