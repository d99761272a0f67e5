/*
 * The boot-time domain on arm64 (first slice: one domain, one vCPU, run to its
 * end on the boot CPU). Its RAM is one contiguous host block mapped at IPA
 * 0x40000000 as on QEMU virt; the guest is an arm64 Linux Image from a boot
 * module, entered at EL1h with the MMU off, DAIF masked and x0 = the IPA of
 * its device tree (load_dtb: the host's, cut down to what the domain has).
 * The life cycle here (end and crash reports) is the arm64 stand-in for
 * common/domain.c until that file's arch hooks are split (docs/arm64.md).
 */
#include <dbgvisor/console.h>
#include <dbgvisor/control.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/page_alloc.h>
#include <dbgvisor/policy_names.h>
#include <asm/arm64.h>
#include <asm/fdt.h>
#include <asm/sysreg.h>
#include <asm/vgic.h>
#include <asm/vtimer.h>

#define GUEST_RAM_IPA     0x40000000ULL
#define IMAGE_MAGIC       0x644d5241U   /* "ARM\x64" at offset 56 */
#define IMAGE_DEFAULT_TEXT_OFFSET 0x80000ULL
#define SZ_2M             (1ULL << 21)
#define SCTLR_EL1_RESET   0x30d00800ULL /* RES1 bits; MMU, caches off */
/* Nothing trapped: FP/SIMD, SVE and SME are the guest's at EL1 as on bare
 * hardware (CPTR_EL2 nVHE RES1 bits only), their vector lengths not capped at
 * EL2. The hypervisor never touches them (built -mgeneral-regs-only) and runs
 * one vCPU per pCPU today; with vCPUs sharing a pCPU their state must be
 * switched, as x86's xstate.c does. */
#define CPTR_EL2_VALUE    0x000022ffULL
#define ZCR_LEN_MAX       0xfULL                  /* capped to the implemented maximum */
#define SMCR_FA64         (1ULL << 31)
#define SMCR_EZT0         (1ULL << 30)
/* HCRX_EL2: what EL1 may use without EL2 in the way (MOPS, TCR2, SCTLR2). */
#define HCRX_MSCEN        (1ULL << 11)
#define HCRX_TCR2EN       (1ULL << 14)
#define HCRX_SCTLR2EN     (1ULL << 15)
/* CNTHCTL_EL2 with HCR_EL2.E2H = 0: the physical counter and timer open to
 * EL1 as without EL2; EL1TVT/EL1TVCT (FEAT_ECV) clear, so the virtual timer
 * and counter are the guest's, offset by CNTVOFF_EL2 (vtimer.c). */
#define CNTHCTL_EL1PCTEN  (1ULL << 0)
#define CNTHCTL_EL1PCEN   (1ULL << 1)

struct domain domains[MAX_DOMAINS];
static struct vcpu boot_vcpu;

void *arm64_gpa_to_hva(struct domain *d, uint64_t ipa, uint64_t len)
{
    uint64_t off = ipa - d->arch.ram_ipa;

    if (ipa < d->arch.ram_ipa || off >= d->mem_bytes || len > d->mem_bytes - off)
        return NULL;
    return (void *)(d->ram_hpa + off);
}

static int load_image(struct domain *d, const struct boot_module *m, uint64_t *entry)
{
    const uint8_t *img = (const uint8_t *)m->start;
    uint64_t size = m->end - m->start, text_offset, image_size;
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

/* One vCPU: cpu@0 only (cpu-map goes with the others). */
static bool domain_has_cpu(const char *name)
{
    return strcmp(name, "cpu@0") == 0;
}

/* The domain's device tree, in the last 2 MiB of its RAM: the host's, with
 * /memory resized to the domain's RAM and everything the domain does not have
 * removed: other devices (virtio, PCIe, flash, fw_cfg, GPIO, RTC), the GIC
 * (no virtual distributor yet) and the root's reference to it, other CPUs,
 * and the host's boot data in /chosen (its initrd, command line, seeds). */
static int load_dtb(struct domain *d, const void *host_dtb, uint64_t *dtb_ipa)
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
    fdt_remove_prop(dst, "", "interrupt-parent");
    for (i = 0; i < ARRAY_SIZE(host_chosen); i++)
        fdt_remove_prop(dst, "chosen", host_chosen[i]);
    return 0;
}

struct domain *arm64_build_domain(const char *name, const struct boot_module *image,
                                  const void *host_dtb, uint64_t mem_bytes,
                                  enum dbgv_debug_policy policy, uint32_t quiet_switches)
{
    struct domain *d = &domains[1];
    struct vcpu *v = &boot_vcpu;
    uint64_t entry, dtb_ipa;

    memset(d, 0, sizeof(*d));
    d->id = 1;
    snprintf(d->name, sizeof(d->name), "%s", name);
    d->mem_bytes = mem_bytes;
    d->arch.ram_ipa = GUEST_RAM_IPA;
    ctl_ring_init(&d->console, d->console_buf, sizeof(d->console_buf));   /* `xl console` */
    d->ram_hpa = palloc_alloc(mem_bytes / PAGE_SIZE, SZ_2M / PAGE_SIZE);
    if (!d->ram_hpa || stage2_init(d) < 0 ||
        stage2_map_ram(d, d->arch.ram_ipa, d->ram_hpa, mem_bytes) < 0) {
        pr_err("domain %s: out of memory\n", name);
        return NULL;
    }
    memset((void *)d->ram_hpa, 0, mem_bytes);
    if (load_image(d, image, &entry) < 0 || load_dtb(d, host_dtb, &dtb_ipa) < 0) {
        pr_err("domain %s: not an arm64 Image, or no usable device tree\n", name);
        return NULL;
    }
    d->nr_vcpus = 1;
    d->vcpus[0] = v;
    d->state = DOMAIN_ACTIVE;
    memset(v, 0, sizeof(*v));
    v->domain = d;
    v->arch.regs.x[0] = dtb_ipa;
    v->arch.regs.elr = entry;
    v->arch.regs.spsr = PSR_DAIF | PSR_MODE_EL1H;
    d->debug_policy = (uint8_t)policy;
    d->quiet_switches = quiet_switches;
    dbg_init(&v->dbg, 0, policy, quiet_switches, false);
    vtimer_domain_init(d);
    printk("domain %u (%s): 1 vCPU, %llu MiB, policy %s\n", d->id, d->name,
           (unsigned long long)(mem_bytes >> 20), dbgv_policy_name(policy));
    printk("domain %u (%s): RAM at IPA %#llx, entry %#llx, device tree at %#llx\n", d->id,
           d->name, (unsigned long long)d->arch.ram_ipa, (unsigned long long)entry,
           (unsigned long long)dtb_ipa);
    return d;
}

/* Pointer authentication (any of APA, API, APA3 implemented): the guest's keys
 * and PAC instructions are its own, as without EL2 (Linux signs return
 * addresses with them). The hypervisor does not use them. */
static uint64_t pauth_controls(void)
{
    uint64_t isar1 = read_sysreg(id_aa64isar1_el1);
    uint64_t isar2 = read_sysreg(id_aa64isar2_el1);

    if (((isar1 >> 4) & 0xf) || ((isar1 >> 8) & 0xf) || ((isar2 >> 12) & 0xf))
        return HCR_API | HCR_APK;
    return 0;
}

/* The EL1 state of a vCPU out of reset, and the EL2 controls it runs under. */
static void vcpu_enter_reset_state(struct vcpu *v)
{
    write_sysreg(sctlr_el1, SCTLR_EL1_RESET);
    write_sysreg(vbar_el1, 0);
    write_sysreg(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
    write_sysreg(cptr_el2, CPTR_EL2_VALUE);
    isb();
    if ((read_sysreg(id_aa64pfr0_el1) >> 32) & 0xf)            /* SVE */
        write_sysreg(s3_4_c1_c2_0, ZCR_LEN_MAX);                /* ZCR_EL2 */
    if ((read_sysreg(id_aa64pfr1_el1) >> 24) & 0xf)            /* SME */
        write_sysreg(s3_4_c1_c2_6, SMCR_FA64 | SMCR_EZT0 | ZCR_LEN_MAX);   /* SMCR_EL2 */
    if ((read_sysreg(id_aa64mmfr1_el1) >> 40) & 0xf)           /* FEAT_HCX */
        write_sysreg(s3_4_c1_c2_2, HCRX_MSCEN | HCRX_TCR2EN | HCRX_SCTLR2EN);  /* HCRX_EL2 */
    write_sysreg(hcr_el2, HCR_VM | HCR_SWIO | HCR_RW | HCR_TSC | HCR_TWI | HCR_IMO | HCR_FMO |
                          HCR_AMO | pauth_controls());
    stage2_activate(v->domain);
    dbg_on_schedule(&v->dbg);       /* the debug core programs this pCPU's registers */
    vtimer_load(v);
    vgic_vcpu_reset(v);
    vgic_load(v);
    isb();
}

void arm64_run_vcpu(struct vcpu *v)
{
    vcpu_enter_reset_state(v);
    for (;;) {
        uint64_t kind;

        dbg_before_vmentry(&v->dbg);
        kind = guest_enter(&v->arch.regs);
        v->arch.esr = read_sysreg(esr_el2);
        v->arch.far = read_sysreg(far_el2);
        v->arch.hpfar = read_sysreg(hpfar_el2);
        dbg_after_vmexit(&v->dbg);
        if (!arm64_handle_exit(v, kind) || domain_is_ended(v->domain))
            break;
    }
    dbg_on_deschedule(&v->dbg);
}

/* --- life cycle (stand-in for common/domain.c, same messages) --------------------- */

bool domain_is_ended(const struct domain *d)
{
    return d->state == DOMAIN_SHUTDOWN || d->state == DOMAIN_CRASHED;
}

/* The x86 line's shape (common/domain.c), from the same counters type. */
static void log_debug_counters(struct domain *d)
{
    const struct dbgv_debug_counters *c = &d->vcpus[0]->dbg.counters;

    printk("debug counters %s: dr-exits=%llu db-exits=%llu dr-loads=%llu dr-saves=%llu\n",
           d->name, (unsigned long long)c->dr_access_exits, (unsigned long long)c->db_exits,
           (unsigned long long)c->dr_loads, (unsigned long long)c->dr_saves);
}

void domain_shutdown_reason(struct domain *d, enum dbgv_shutdown_reason why, int code)
{
    if (domain_is_ended(d))
        return;
    d->state = DOMAIN_SHUTDOWN;
    d->exit_code = code;
    d->shutdown_reason = (uint8_t)why;
    if (why == DBGV_SHUTDOWN_POWEROFF)
        printk("domain %u (%s) exited with code %d\n", d->id, d->name, code);
    else
        printk("domain %u (%s) shut down: reason %d\n", d->id, d->name, (int)why);
    log_debug_counters(d);
    printk("domain %u (%s): %llu WFI blocked\n", d->id, d->name,
           (unsigned long long)d->vcpus[0]->arch.wfi_blocks);
}

void domain_shutdown(struct domain *d, int code)
{
    domain_shutdown_reason(d, DBGV_SHUTDOWN_POWEROFF, code);
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
    va_list ap;

    if (domain_is_ended(d))
        return;
    va_start(ap, fmt);
    vsnprintf(d->crash_reason, sizeof(d->crash_reason), fmt, ap);
    va_end(ap);
    d->state = DOMAIN_CRASHED;
    d->exit_code = -1;
    d->shutdown_reason = DBGV_SHUTDOWN_CRASH;
    pr_err("domain %u (%s) crashed: %s\n", d->id, d->name, d->crash_reason);
}
