/*
 * The boot-time domains on arm64 (setup.c builds one per image of the boot
 * module, common/schedule.c runs them). Each domain's RAM is one contiguous
 * host block mapped at IPA 0x40000000 as on QEMU virt, behind its own stage-2
 * tables and VMID; the guest is an arm64 Linux Image entered on vCPU 0 at
 * EL1h with the MMU off, DAIF masked and x0 = the IPA of its device tree
 * (dtb_build.c: what the domain has, at QEMU virt's addresses).
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
#include <asm/boot_bundle.h>
#include <asm/dtb_build.h>
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

static int load_image(struct domain *d, const uint8_t *img, uint64_t size, uint64_t *entry,
                      uint64_t *end)
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
    *end = *entry + MAX(size, image_size);
    return 0;
}

/* The domain's boot data: its device tree (written by dtb_build.c) in the last
 * 2 MiB of its RAM, its ramdisk (if any) page-aligned right below that, above
 * the Image (which ends at image_end). */
static int load_boot_data(struct domain *d, const struct boot_domain *spec, uint64_t image_end,
                          const void *host_dtb, uint64_t *dtb_ipa)
{
    struct dtb_domain t = { .ram_ipa = d->arch.ram_ipa, .ram_bytes = d->mem_bytes,
                            .vcpus = spec->vcpus, .bootargs = spec->cmdline,
                            .host_dtb = host_dtb };
    void *dst;

    *dtb_ipa = d->arch.ram_ipa + d->mem_bytes - SZ_2M;
    if (spec->ramdisk_size) {
        uint64_t start = (*dtb_ipa - spec->ramdisk_size) & ~(uint64_t)(PAGE_SIZE - 1);
        if (spec->ramdisk_size > *dtb_ipa - image_end || start < image_end)
            return -1;
        dst = arm64_gpa_to_hva(d, start, spec->ramdisk_size);
        if (!dst)
            return -1;
        memcpy(dst, spec->ramdisk, spec->ramdisk_size);
        t.initrd_start = start;
        t.initrd_end = start + spec->ramdisk_size;
    }
    dst = arm64_gpa_to_hva(d, *dtb_ipa, SZ_2M);
    if (!dst || !dtb_build_domain(dst, (uint32_t)SZ_2M, &t))
        return -1;
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
    uint64_t entry, image_end, dtb_ipa, mem_bytes = (uint64_t)spec->mem_mib << 20;
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
    if (load_image(d, spec->image, spec->image_size, &entry, &image_end) < 0 ||
        load_boot_data(d, spec, image_end, host_dtb, &dtb_ipa) < 0) {
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
