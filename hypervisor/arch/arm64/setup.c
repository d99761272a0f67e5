/*
 * arm64 start of day (from head.S, at EL2 with the MMU on): console from the
 * DTB, memory, the GIC, every pCPU, then the domains of the boot module (the
 * initrd the DTB names) and the shared scheduler (common/schedule.c) on every
 * pCPU until all domains have ended. The boot module is either a boot bundle
 * (several domains, asm/boot_bundle.h) or one arm64 Image, named by the
 * hypervisor's command line (/chosen bootargs): "domain=NAME mem=MiB
 * vcpus=N policy=trap quiet=N" (the debug core's policy, default trap, and
 * adaptive's quiet switch-outs, docs/arm64.md). "selftest=fault" takes an
 * exception at EL2 on purpose (the fault report is tested);
 * "selftest=lifecycle" creates, loads, starts and destroys every domain of
 * the boot module three times before the real boot (common/domain.c's
 * life cycle on arm64: every page must come back). "exit=keep" keeps the
 * hypervisor up once every domain has ended (dbgvisor start: the control
 * channel, arch/arm64/control_channel.c, serves the toolstack); with it the
 * boot module may be absent (no domains at boot).
 */
#include <dbgvisor/console.h>
#include <dbgvisor/control_channel.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/page_alloc.h>
#include <dbgvisor/percpu.h>
#include <dbgvisor/policy_names.h>
#include <dbgvisor/sched.h>
#include <asm/arm64.h>
#include <asm/boot_bundle.h>
#include <asm/control_uart.h>
#include <asm/el1_context.h>
#include <asm/fpsimd.h>
#include <asm/fdt.h>
#include <asm/gicv3.h>
#include <asm/pmu.h>
#include <asm/sysreg.h>
#include <asm/uart.h>
#include <asm/vdebug.h>

extern char __hv_start[], __hv_end[];

/* "key=value" from a space-separated command line, copied into out. */
static bool cmdline_get(const char *cmdline, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    const char *p = cmdline;

    while (p && *p) {
        while (*p == ' ')
            p++;
        if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
            size_t n = 0;
            p += klen + 1;
            while (p[n] && p[n] != ' ' && n + 1 < size) {
                out[n] = p[n];
                n++;
            }
            out[n] = 0;
            return true;
        }
        p = strchr(p, ' ');
    }
    return false;
}

static void console_from_dtb(const void *dtb)
{
    uint32_t len;
    const void *reg = fdt_compatible_prop(dtb, "arm,pl011", "reg", &len);

    if (reg && len >= 8)
        uart_init(UART_COM1, fdt_cells(reg, 2));
}

/* RAM from the DTB's memory node, minus the hypervisor, the DTB and the module. */
static bool memory_from_dtb(const void *dtb, const struct boot_module *m)
{
    uint32_t len;
    const void *reg = fdt_node_prop(dtb, "memory", "reg", &len);
    uint64_t base, size;

    if (!reg || len < 16)
        return false;
    base = fdt_cells(reg, 2);
    size = fdt_cells((const uint8_t *)reg + 8, 2);
    palloc_init();
    palloc_add_free(base, base + size);
    palloc_reserve((uint64_t)__hv_start, (uint64_t)__hv_end);
    palloc_reserve((uint64_t)dtb, (uint64_t)dtb + fdt_size(dtb));
    palloc_reserve(m->start, m->end);
    printk("RAM %#llx-%#llx, %zu KiB free\n", (unsigned long long)base,
           (unsigned long long)(base + size), palloc_free_pages() * 4);
    return true;
}

static bool module_from_dtb(const void *dtb, struct boot_module *m)
{
    uint32_t ls, le;
    const void *s = fdt_node_prop(dtb, "chosen", "linux,initrd-start", &ls);
    const void *e = fdt_node_prop(dtb, "chosen", "linux,initrd-end", &le);

    if (!s || !e)
        return false;
    m->start = fdt_cells(s, ls / 4);
    m->end = fdt_cells(e, le / 4);
    return m->end > m->start;
}

/* The single-Image case: one domain named by the hypervisor's command line. */
static bool domain_from_bootargs(const char *bootargs, const struct boot_module *m,
                                 struct boot_domain *b)
{
    static const char *const keys[] = { "name", "mem", "vcpus", "policy", "quiet", "hostbp" };
    static const char *const args[] = { "domain", "mem", "vcpus", "policy", "quiet", "hostbp" };
    char value[BOOT_CMDLINE_LEN];
    const char *err;
    unsigned i;

    boot_domain_defaults(b);
    b->image = (const uint8_t *)m->start;
    b->image_size = m->end - m->start;
    for (i = 0; bootargs && i < ARRAY_SIZE(keys); i++)
        if (cmdline_get(bootargs, args[i], value, sizeof(value)) &&
            !boot_domain_set(b, keys[i], value, &err)) {
            pr_err("%s=%s: %s\n", args[i], value, err);
            return false;
        }
    return true;
}

/* The boot module's domains into doms; how many, 0 on an error (reported). */
static unsigned boot_domains(const void *dtb, const struct boot_module *m,
                             struct boot_domain *doms)
{
    const char *bootargs, *err;
    uint32_t len;
    unsigned i, n = 1;
    int parsed;

    bootargs = fdt_node_prop(dtb, "chosen", "bootargs", &len);
    if (bundle_is((const void *)m->start, m->end - m->start)) {
        parsed = bundle_parse((const void *)m->start, m->end - m->start, doms,
                              BUNDLE_MAX_DOMAINS, &err);
        if (parsed < 0) {
            pr_err("boot bundle: %s\n", err);
            return 0;
        }
        n = (unsigned)parsed;
        printk("boot bundle: %u domain%s\n", n, n == 1 ? "" : "s");
    } else if (!domain_from_bootargs(bootargs, m, &doms[0])) {
        return 0;
    }
    for (i = 0; i < n; i++)
        if (dbgv_policy_parse(doms[i].policy, (unsigned)strlen(doms[i].policy)) < 0) {
            pr_err("domain %s: debug-register policy '%s': trap, lazy-exit, lazy-sched or "
                   "adaptive\n", doms[i].name, doms[i].policy);
            return 0;
        }
    return n;
}

#define LIFECYCLE_ROUNDS 3

/* Each round builds every domain and destroys it again; the free pages after
 * must equal those before (RAM, stage-2 tables, ZA buffers returned). */
static void selftest_lifecycle(const struct boot_domain *doms, unsigned n, const void *dtb)
{
    size_t before = palloc_free_pages();
    unsigned round, i;

    for (round = 0; round < LIFECYCLE_ROUNDS; round++)
        for (i = 0; i < n; i++) {
            struct domain *d = arm64_build_domain(&doms[i], dtb);
            if (d)
                domain_destroy(d);
        }
    printk("selftest: %u create/destroy rounds of %u domain%s: %zu pages free before, %zu after\n",
           LIFECYCLE_ROUNDS, n, n == 1 ? "" : "s", before, palloc_free_pages());
}

void arm64_start(const void *dtb)
{
    static struct boot_domain doms[BUNDLE_MAX_DOMAINS];
    struct boot_module module = { 0, 0 };
    const char *bootargs;
    char selftest[16], exit_opt[8];
    bool keep;
    uint32_t len;
    unsigned i, n = 0, built = 0;

    pcpus[0].id = 0;
    pcpus[0].online = true;
    nr_pcpus = 1;
    pcpu_set_current(&pcpus[0]);
    if (fdt_size(dtb))
        console_from_dtb(dtb);
    printk("dbgvisor (arm64) at EL%llu, DTB at %p\n",
           (unsigned long long)(read_sysreg(CurrentEL) >> 2), dtb);
    if (!fdt_size(dtb)) {
        pr_err("no device tree in x0\n");
        host_system_off();
    }
    bootargs = fdt_node_prop(dtb, "chosen", "bootargs", &len);
    keep = bootargs && cmdline_get(bootargs, "exit", exit_opt, sizeof(exit_opt)) &&
           strcmp(exit_opt, "keep") == 0;
    if (!module_from_dtb(dtb, &module) && !keep) {
        pr_err("no boot module: give the domain's Image (or a boot bundle) as the initrd (-initrd)\n");
        host_system_off();
    }
    if (!memory_from_dtb(dtb, &module)) {
        pr_err("no memory node in the device tree\n");
        host_system_off();
    }
    if (bootargs && cmdline_get(bootargs, "selftest", selftest, sizeof(selftest)) &&
        strcmp(selftest, "fault") == 0)
        __asm__ volatile("udf #0");
    if (module.end > module.start) {
        n = boot_domains(dtb, &module, doms);
        if (!n)
            host_system_off();
    }
    control_uart_probe(dtb);
    arm64_keep_host_dtb(dtb);   /* for the domains the toolstack creates */
    vdebug_probe();
    el1_context_probe();
    fpsimd_probe();
    pmu_probe();
    if (!gicv3_init(dtb))
        host_system_off();
    smp_boot_secondaries(dtb);
    /* Stale translations of any VMID from before we ran (the firmware's). */
    __asm__ volatile("tlbi alle1is; dsb ish; isb" ::: "memory");
    if (bootargs && cmdline_get(bootargs, "selftest", selftest, sizeof(selftest)) &&
        strcmp(selftest, "lifecycle") == 0)
        selftest_lifecycle(doms, n, dtb);
    for (i = 0; i < n; i++)
        built += arm64_build_domain(&doms[i], dtb) != NULL;
    /* Nothing would ever end the machine, unless the toolstack is to. */
    if (!built && !keep) {
        pr_err("no domain could be created\n");
        host_system_off();
    }
    control_channel_init();
    sched_init(!keep);
    smp_release_secondaries();
    sched_run();
}

/* An exception taken at EL2: a hypervisor bug. Report and stop the machine. */
void hv_fault(uint64_t kind, uint64_t sp)
{
    pr_err("hypervisor exception (kind %llu): ESR_EL2 %#llx ELR_EL2 %#llx FAR_EL2 %#llx SP %#llx\n",
           (unsigned long long)kind, (unsigned long long)read_sysreg(esr_el2),
           (unsigned long long)read_sysreg(elr_el2), (unsigned long long)read_sysreg(far_el2),
           (unsigned long long)sp);
    host_system_off();
}
