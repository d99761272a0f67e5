/*
 * The boot-time domains on arm64 (setup.c builds one per image of the boot
 * module, common/schedule.c runs them): created by the shared life cycle
 * (common/domain.c, whose arm64 hooks in domain_arch.c map the RAM at IPA
 * 0x40000000 as on QEMU virt behind the domain's stage-2 tables), then loaded:
 * the guest is an arm64 Linux Image entered on vCPU 0 at EL1h with the MMU
 * off, DAIF masked and x0 = the IPA of its device tree (dtb_build.c: what
 * the domain has, at QEMU virt's addresses), its ramdisk below the tree.
 */
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/policy_names.h>
#include <asm/arm64.h>
#include <asm/vdebug.h>
#include <asm/boot_bundle.h>
#include <asm/dtb_build.h>
#include <dbgvisor/arm64_image.h>

static int load_image(struct domain *d, const uint8_t *img, uint64_t size, uint64_t *entry,
                      uint64_t *end)
{
    struct arm64_image hdr;
    void *dst;

    if (!arm64_image_parse(img, size, &hdr))
        return -1;
    *entry = d->arch.ram_ipa + hdr.text_offset;
    dst = domain_gpa_to_hva(d, *entry, hdr.span);
    if (!dst)
        return -1;
    memcpy(dst, img, size);
    *end = *entry + hdr.span;
    return 0;
}

/* The domain's device tree (written by dtb_build.c: its RAM, vCPUs, devices,
 * its command line as bootargs, its ramdisk at [initrd_start, initrd_end) if
 * the range is not empty) in the last 2 MiB of its RAM. */
static int write_dtb(struct domain *d, uint64_t initrd_start, uint64_t initrd_end,
                     const void *host_dtb, uint64_t *dtb_ipa)
{
    struct dtb_domain t = { .ram_ipa = d->arch.ram_ipa, .ram_bytes = d->mem_bytes,
                            .vcpus = d->nr_vcpus, .bootargs = d->cmdline,
                            .initrd_start = initrd_start, .initrd_end = initrd_end,
                            .host_dtb = host_dtb };
    void *dst;

    *dtb_ipa = d->arch.ram_ipa + d->mem_bytes - ARM64_DTB_RESERVE;
    dst = domain_gpa_to_hva(d, *dtb_ipa, ARM64_DTB_RESERVE);
    if (!dst || !dtb_build_domain(dst, (uint32_t)ARM64_DTB_RESERVE, &t))
        return -1;
    return 0;
}

/* A boot-time domain's ramdisk (if any: ramdisk_size bytes) where
 * arm64_initrd_place puts it, above the Image (which ends at image_end), then
 * its device tree. */
static int load_boot_data(struct domain *d, const uint8_t *ramdisk, uint64_t ramdisk_size,
                          uint64_t image_end, const void *host_dtb, uint64_t *dtb_ipa)
{
    uint64_t start = 0;
    void *dst;

    if (ramdisk_size) {
        start = arm64_initrd_place(d->arch.ram_ipa, d->mem_bytes, image_end, ramdisk_size);
        dst = start ? domain_gpa_to_hva(d, start, ramdisk_size) : NULL;
        if (!dst)
            return -1;
        memcpy(dst, ramdisk, ramdisk_size);
    }
    return write_dtb(d, start, start + ramdisk_size, host_dtb, dtb_ipa);
}

static const void *host_tree;

void arm64_keep_host_dtb(const void *host_dtb)
{
    host_tree = host_dtb;
}

int arm64_domain_dtb(struct domain *d, uint64_t initrd_start, uint64_t initrd_end,
                     uint64_t *dtb_ipa)
{
    return host_tree ? write_dtb(d, initrd_start, initrd_end, host_tree, dtb_ipa) : -1;
}

struct domain *arm64_build_domain(const struct boot_domain *spec, const void *host_dtb)
{
    /* A valid name: setup.c checked every domain's before building any. */
    int policy = dbgv_policy_parse(spec->policy, (unsigned)strlen(spec->policy));
    struct domain_config cfg = {
        .name = spec->name, .mem_bytes = (uint64_t)spec->mem_mib << 20, .vcpus = spec->vcpus,
        .debug_policy = (uint8_t)policy, .quiet_switches = spec->quiet_switches,
        .cmdline = spec->cmdline,
    };
    uint64_t entry, image_end, dtb_ipa;
    struct domain *d;
    unsigned i;
    int rc = domain_create(&cfg, &d);

    if (rc < 0) {
        pr_err("domain %s: cannot create: %s\n", spec->name,
               rc == -DBGV_EEXIST ? "name in use" :
               rc == -DBGV_EINVAL ? "bad vcpus, memory size or policy" :
               "out of memory or domain slots");
        return NULL;
    }
    if (load_image(d, spec->image, spec->image_size, &entry, &image_end) < 0 ||
        load_boot_data(d, spec->ramdisk, spec->ramdisk_size, image_end, host_dtb,
                       &dtb_ipa) < 0) {
        /* Ended as crashed, as a domain that fails at once: the machine's
         * end and the launcher's status count it. */
        domain_crash(d, "not an arm64 Image, or no usable device tree");
        return d;
    }
    for (i = 0; i < d->nr_vcpus; i++) {
        arm64_vcpu_reset(d->vcpus[i], i == 0 ? entry : 0, i == 0 ? dtb_ipa : 0);
        if (spec->host_bp)
            vdebug_trace(d->vcpus[i], spec->host_bp);
    }
    printk("domain %u (%s): %u vCPU%s, %llu MiB, policy %s\n", d->id, d->name, d->nr_vcpus,
           d->nr_vcpus == 1 ? "" : "s", (unsigned long long)(d->mem_bytes >> 20),
           dbgv_policy_name((enum dbgv_debug_policy)policy));
    printk("domain %u (%s): RAM at IPA %#llx, entry %#llx, device tree at %#llx\n", d->id,
           d->name, (unsigned long long)d->arch.ram_ipa, (unsigned long long)entry,
           (unsigned long long)dtb_ipa);
    if (spec->paused)       /* until the toolstack unpauses it (a debugger attaches first) */
        printk("domain %u (%s): paused\n", d->id, d->name);
    else
        domain_unpause(d);  /* vCPU 0 runs; the others wait for CPU_ON */
    return d;
}
