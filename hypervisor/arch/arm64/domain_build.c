/*
 * The boot-time domains on arm64 (setup.c builds one per image of the boot
 * module, common/schedule.c runs them): created by the shared life cycle
 * (common/domain.c, whose arm64 hooks in domain_arch.c map the RAM at IPA
 * 0x40000000 as on QEMU virt behind the domain's stage-2 tables), then loaded:
 * the guest is an arm64 Linux Image entered on vCPU 0 at EL1h with the MMU
 * off, DAIF masked and x0 = the IPA of its device tree (load_dtb: the host's,
 * cut down to what the domain has).
 */
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/policy_names.h>
#include <asm/arm64.h>
#include <asm/boot_bundle.h>
#include <asm/fdt.h>

#define IMAGE_MAGIC       0x644d5241U   /* "ARM\x64" at offset 56 */
#define IMAGE_DEFAULT_TEXT_OFFSET 0x80000ULL
#define SZ_2M             (1ULL << 21)

static int load_image(struct domain *d, const uint8_t *img, uint64_t size, uint64_t *entry)
{
    uint64_t text_offset, image_size;
    uint32_t magic;
    void *dst;

    if (size < 64)
        return -1;
    memcpy(&magic, img + 56, 4);
    memcpy(&text_offset, img + 8, 8);
    memcpy(&image_size, img + 16, 8);
    if (magic != IMAGE_MAGIC)
        return -1;
    if (image_size == 0)                /* booting.rst: old images */
        text_offset = IMAGE_DEFAULT_TEXT_OFFSET;
    *entry = d->arch.ram_ipa + text_offset;
    dst = domain_gpa_to_hva(d, *entry, MAX(size, image_size));
    if (!dst)
        return -1;
    memcpy(dst, img, size);
    return 0;
}

/* Top-level nodes of the host's tree that describe what a domain has: its RAM,
 * PSCI, the PL011 (and the clock it names), the CPUs, the architected timer. */
static bool domain_has_node(const char *name)
{
    static const char *const keep[] = { "memory", "psci", "pl011", "apb-pclk", "cpus", "timer",
                                        "chosen", "aliases" };
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(keep); i++) {
        size_t n = strlen(keep[i]);
        if (strncmp(name, keep[i], n) == 0 && (name[n] == 0 || name[n] == '@'))
            return true;
    }
    return false;
}

/* cpu@0 is kept (cpu-map and the host's other CPUs go); add_cpus copies it
 * for the domain's other vCPUs. */
static bool domain_has_cpu(const char *name)
{
    return strcmp(name, "cpu@0") == 0;
}

/* cpu@1 ... cpu@N-1 as copies of cpu@0 (enable-method psci), reg = MPIDR =
 * the vCPU's id (VMPIDR_EL2, vcpu.c). */
static int add_cpus(void *dtb, unsigned vcpus)
{
    char prev[16], name[16];
    unsigned i;

    /* QEMU names no enable method for a lone CPU; the domain's are started by PSCI. */
    if (vcpus > 1 && fdt_add_child_prop(dtb, (uint32_t)SZ_2M, "cpus", "cpu@0", "enable-method",
                                        "psci", 5) < 0)
        return -1;
    for (i = 1; i < vcpus; i++) {
        uint32_t len;
        uint8_t *reg;

        snprintf(prev, sizeof(prev), "cpu@%x", i - 1);
        snprintf(name, sizeof(name), "cpu@%x", i);
        if (fdt_clone_child(dtb, (uint32_t)SZ_2M, "cpus", prev, name) < 0)
            return -1;
        reg = fdt_child_prop(dtb, "cpus", name, "reg", &len);
        if (!reg || (len != 4 && len != 8))
            return -1;
        fdt_set_cells(reg, len / 4, i);
    }
    return 0;
}

/* The domain's device tree, in the last 2 MiB of its RAM: the host's, with
 * /memory resized to the domain's RAM, a cpu@N per vCPU, and everything the
 * domain does not have removed: other devices (virtio, PCIe, flash, fw_cfg, GPIO, RTC), the GIC
 * (no virtual distributor yet) and the root's reference to it, the host's CPUs,
 * and the host's boot data in /chosen (its initrd, command line, seeds). */
static int load_dtb(struct domain *d, const void *host_dtb, unsigned vcpus, uint64_t *dtb_ipa)
{
    static const char *const host_chosen[] = { "linux,initrd-start", "linux,initrd-end",
                                                "bootargs", "rng-seed", "kaslr-seed" };
    uint32_t size = fdt_size(host_dtb), len;
    void *dst;
    uint8_t *reg;
    unsigned i;

    *dtb_ipa = d->arch.ram_ipa + d->mem_bytes - SZ_2M;
    dst = domain_gpa_to_hva(d, *dtb_ipa, size);
    if (!size || size > SZ_2M || !dst)
        return -1;
    memcpy(dst, host_dtb, size);
    reg = (uint8_t *)fdt_node_prop(dst, "memory", "reg", &len);
    if (!reg || len != 16)              /* QEMU virt: two address and two size cells */
        return -1;
    fdt_set_cells(reg, 2, d->arch.ram_ipa);
    fdt_set_cells(reg + 8, 2, d->mem_bytes);
    fdt_remove_nodes(dst, NULL, domain_has_node);
    fdt_remove_nodes(dst, "cpus", domain_has_cpu);
    if (add_cpus(dst, vcpus) < 0)
        return -1;
    fdt_remove_prop(dst, "", "interrupt-parent");
    for (i = 0; i < ARRAY_SIZE(host_chosen); i++)
        fdt_remove_prop(dst, "chosen", host_chosen[i]);
    return 0;
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
    uint64_t entry, dtb_ipa;
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
    if (load_image(d, spec->image, spec->image_size, &entry) < 0 ||
        load_dtb(d, host_dtb, spec->vcpus, &dtb_ipa) < 0) {
        /* Ended as crashed, as a domain that fails at once: the machine's
         * end and the launcher's status count it. */
        domain_crash(d, "not an arm64 Image, or no usable device tree");
        return d;
    }
    for (i = 0; i < d->nr_vcpus; i++)
        arm64_vcpu_reset(d->vcpus[i], i == 0 ? entry : 0, i == 0 ? dtb_ipa : 0);
    printk("domain %u (%s): %u vCPU%s, %llu MiB, policy %s\n", d->id, d->name, d->nr_vcpus,
           d->nr_vcpus == 1 ? "" : "s", (unsigned long long)(d->mem_bytes >> 20),
           dbgv_policy_name((enum dbgv_debug_policy)policy));
    printk("domain %u (%s): RAM at IPA %#llx, entry %#llx, device tree at %#llx\n", d->id,
           d->name, (unsigned long long)d->arch.ram_ipa, (unsigned long long)entry,
           (unsigned long long)dtb_ipa);
    domain_unpause(d);      /* vCPU 0 runs; the others wait for CPU_ON */
    return d;
}
