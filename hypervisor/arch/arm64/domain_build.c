/*
 * The boot-time domains on arm64 (setup.c builds one per image of the boot
 * module, common/schedule.c runs them). Each domain's RAM is one contiguous
 * host block mapped at IPA 0x40000000 as on QEMU virt, behind its own stage-2
 * tables and VMID; the guest is an arm64 Linux Image entered on vCPU 0 at
 * EL1h with the MMU off, DAIF masked and x0 = the IPA of its device tree
 * (load_dtb: the host's, cut down to what the domain has).
 * The life cycle here (end and crash reports) is the arm64 stand-in for
 * common/domain.c until that file's arch hooks are split (docs/arm64.md).
 */
#include <dbgvisor/console.h>
#include <dbgvisor/control.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/page_alloc.h>
#include <dbgvisor/policy_names.h>
#include <dbgvisor/sched.h>
#include <asm/arm64.h>
#include <asm/vdebug.h>
#include <asm/boot_bundle.h>
#include <asm/fdt.h>
#include <asm/fpsimd.h>
#include <asm/sysreg.h>
#include <asm/vgic.h>
#include <asm/vtimer.h>

#define GUEST_RAM_IPA     0x40000000ULL
#define IMAGE_MAGIC       0x644d5241U   /* "ARM\x64" at offset 56 */
#define IMAGE_DEFAULT_TEXT_OFFSET 0x80000ULL
#define SZ_2M             (1ULL << 21)
struct domain domains[MAX_DOMAINS];
static unsigned next_domain_id = 1;

void *arm64_gpa_to_hva(struct domain *d, uint64_t ipa, uint64_t len)
{
    uint64_t off = ipa - d->arch.ram_ipa;

    if (ipa < d->arch.ram_ipa || off >= d->mem_bytes || len > d->mem_bytes - off)
        return NULL;
    return (void *)(d->ram_hpa + off);
}

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
    dst = arm64_gpa_to_hva(d, *entry, MAX(size, image_size));
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
    dst = arm64_gpa_to_hva(d, *dtb_ipa, size);
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

static struct vcpu *vcpu_alloc(struct domain *d, unsigned id)
{
    size_t pages = (sizeof(struct vcpu) + PAGE_SIZE - 1) / PAGE_SIZE;
    uint64_t za_bytes = fpsimd_za_bytes();
    struct vcpu *v = (struct vcpu *)palloc_alloc(pages, 1);

    if (!v)
        return NULL;
    memset(v, 0, sizeof(*v));
    if (za_bytes) {
        v->arch.fp.za = (uint8_t *)palloc_alloc((za_bytes + PAGE_SIZE - 1) / PAGE_SIZE, 1);
        if (!v->arch.fp.za)
            return NULL;
    }
    v->domain = d;
    v->id = id;
    v->pcpu = -1;
    v->hard_affinity = sched_all_pcpus();
    return v;
}

struct domain *arm64_build_domain(const struct boot_domain *spec, const void *host_dtb)
{
    struct domain *d;
    uint64_t entry, dtb_ipa, mem_bytes = (uint64_t)spec->mem_mib << 20;
    /* A valid name: setup.c checked every domain's before building any. */
    int policy = dbgv_policy_parse(spec->policy, (unsigned)strlen(spec->policy));
    unsigned i;

    if (next_domain_id >= MAX_DOMAINS) {
        pr_err("domain %s: no domain slot left\n", spec->name);
        return NULL;
    }
    d = &domains[next_domain_id];
    memset(d, 0, sizeof(*d));
    d->id = (uint16_t)next_domain_id++;
    snprintf(d->name, sizeof(d->name), "%s", spec->name);
    snprintf(d->cmdline, sizeof(d->cmdline), "%s", spec->cmdline);
    d->mem_bytes = mem_bytes;
    d->debug_policy = (uint8_t)policy;
    d->quiet_switches = spec->quiet_switches;
    d->arch.ram_ipa = GUEST_RAM_IPA;
    ctl_ring_init(&d->console, d->console_buf, sizeof(d->console_buf));   /* `xl console` */
    d->ram_hpa = palloc_alloc(mem_bytes / PAGE_SIZE, SZ_2M / PAGE_SIZE);
    if (!d->ram_hpa || stage2_init(d) < 0 ||
        stage2_map_ram(d, d->arch.ram_ipa, d->ram_hpa, mem_bytes) < 0) {
        pr_err("domain %s: out of memory\n", spec->name);
        d->end_reported = true;     /* reported above */
        d->state = DOMAIN_CRASHED;
        return NULL;
    }
    memset((void *)d->ram_hpa, 0, mem_bytes);
    if (load_image(d, spec->image, spec->image_size, &entry) < 0 ||
        load_dtb(d, host_dtb, spec->vcpus, &dtb_ipa) < 0) {
        pr_err("domain %s: not an arm64 Image, or no usable device tree\n", spec->name);
        d->end_reported = true;     /* reported above */
        d->state = DOMAIN_CRASHED;
        return NULL;
    }
    for (i = 0; i < spec->vcpus; i++) {
        struct vcpu *v = vcpu_alloc(d, i);
        if (!v) {
            pr_err("domain %s: out of memory for its vCPUs\n", spec->name);
            d->end_reported = true;
            d->state = DOMAIN_CRASHED;
            return NULL;
        }
        d->vcpus[i] = v;
        d->nr_vcpus = i + 1;
        arm64_vcpu_reset(v, entry, dtb_ipa);
        /* The debug core's state of this vCPU: power-on, trapping, the domain's policy. */
        dbg_init(&v->dbg, i, (enum dbgv_debug_policy)policy, spec->quiet_switches, false);
        if (spec->host_bp)
            vdebug_trace(v, spec->host_bp);
        v->state = i == 0 ? VCPU_RUNNABLE : VCPU_OFFLINE;  /* the others wait for CPU_ON */
        v->arch.wait_for_sipi = i != 0;
    }
    vtimer_domain_init(d);
    d->state = DOMAIN_ACTIVE;
    printk("domain %u (%s): %u vCPU%s, %llu MiB, policy %s\n", d->id, d->name, d->nr_vcpus,
           d->nr_vcpus == 1 ? "" : "s", (unsigned long long)(mem_bytes >> 20),
           dbgv_policy_name((enum dbgv_debug_policy)policy));
    printk("domain %u (%s): RAM at IPA %#llx, entry %#llx, device tree at %#llx\n", d->id,
           d->name, (unsigned long long)d->arch.ram_ipa, (unsigned long long)entry,
           (unsigned long long)dtb_ipa);
    return d;
}

/* --- life cycle (stand-in for common/domain.c, same messages) --------------------- */

bool domain_is_ended(const struct domain *d)
{
    return d->state == DOMAIN_SHUTDOWN || d->state == DOMAIN_CRASHED;
}

/* The x86 line's shape (common/domain.c), from the same counters type. */
static void log_debug_counters(struct domain *d)
{
    struct dbgv_debug_counters sum = { 0 };
    uint64_t wfi = 0;
    unsigned i;

    for (i = 0; i < d->nr_vcpus; i++) {
        const struct dbgv_debug_counters *c = &d->vcpus[i]->dbg.counters;
        sum.dr_access_exits += c->dr_access_exits;
        sum.db_exits += c->db_exits;
        sum.dr_loads += c->dr_loads;
        sum.dr_saves += c->dr_saves;
        wfi += d->vcpus[i]->arch.wfi_blocks;
    }
    printk("debug counters %s: dr-exits=%llu db-exits=%llu dr-loads=%llu dr-saves=%llu\n",
           d->name, (unsigned long long)sum.dr_access_exits, (unsigned long long)sum.db_exits,
           (unsigned long long)sum.dr_loads, (unsigned long long)sum.dr_saves);
    printk("domain %u (%s): %llu WFI blocked\n", d->id, d->name, (unsigned long long)wfi);
}

/* The domain's other vCPUs leave their pCPUs (they see the state before
 * their next entry, schedule.c's protocol). */
static void stop_vcpus(struct domain *d)
{
    unsigned i;

    for (i = 0; i < d->nr_vcpus; i++)
        sched_vcpu_kick(d->vcpus[i]);
}

/* The end is reported before the state says so: pCPU 0 powers the machine off
 * as soon as every domain has ended (schedule.c), which cut another pCPU's
 * end lines short. d->lock makes a second vCPU ending the domain wait, then
 * find it ended. */
static void publish_end(struct domain *d, enum domain_state state)
{
    __atomic_store_n(&d->end_reported, true, __ATOMIC_RELAXED);   /* lines printed first */
    __atomic_store_n(&d->state, state, __ATOMIC_RELEASE);
    spin_unlock(&d->lock);
    stop_vcpus(d);
}

void domain_shutdown_reason(struct domain *d, enum dbgv_shutdown_reason why, int code)
{
    spin_lock(&d->lock);
    if (domain_is_ended(d)) {
        spin_unlock(&d->lock);
        return;
    }
    d->exit_code = code;
    d->shutdown_reason = (uint8_t)why;
    if (why == DBGV_SHUTDOWN_POWEROFF)
        printk("domain %u (%s) exited with code %d\n", d->id, d->name, code);
    else
        printk("domain %u (%s) shut down: reason %d\n", d->id, d->name, (int)why);
    log_debug_counters(d);
    publish_end(d, DOMAIN_SHUTDOWN);
}

void domain_shutdown(struct domain *d, int code)
{
    domain_shutdown_reason(d, DBGV_SHUTDOWN_POWEROFF, code);
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
    va_list ap;

    spin_lock(&d->lock);
    if (domain_is_ended(d)) {
        spin_unlock(&d->lock);
        return;
    }
    va_start(ap, fmt);
    vsnprintf(d->crash_reason, sizeof(d->crash_reason), fmt, ap);
    va_end(ap);
    d->exit_code = -1;
    d->shutdown_reason = DBGV_SHUTDOWN_CRASH;
    pr_err("domain %u (%s) crashed: %s\n", d->id, d->name, d->crash_reason);
    publish_end(d, DOMAIN_CRASHED);
}
