/*
 * arm64 start of day (from head.S, at EL2 with the MMU on): console from the
 * DTB, memory, the domain from the boot module (the initrd the DTB names),
 * run it, power off. The hypervisor's command line (/chosen bootargs) names
 * the domain: "domain=NAME mem=MiB policy=trap quiet=N" (the debug core's
 * policy, default trap, and adaptive's quiet switch-outs, docs/arm64.md);
 * "selftest=fault" takes an exception at
 * EL2 on purpose (the fault report is tested).
 */
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/page_alloc.h>
#include <dbgvisor/policy_names.h>
#include <asm/arm64.h>
#include <asm/fdt.h>
#include <asm/gicv3.h>
#include <asm/sysreg.h>
#include <asm/uart.h>
#include <asm/vdebug.h>

#define DEFAULT_MEM_MIB 64
#define MAX_MEM_MIB     1024

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

static unsigned parse_uint(const char *s)
{
    unsigned v = 0;

    while (*s >= '0' && *s <= '9')
        v = v * 10 + (unsigned)(*s++ - '0');
    return v;
}

static void console_from_dtb(const void *dtb)
{
    uint32_t len;
    const void *reg = fdt_compatible_prop(dtb, "arm,pl011", "reg", &len);

    if (reg && len >= 8)
        uart_init(fdt_cells(reg, 2));
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

void arm64_start(const void *dtb)
{
    struct boot_module module = { 0, 0 };
    const char *bootargs;
    char name[DOMAIN_NAME_LEN] = "guest", mem[16], selftest[16], policy[16] = "trap", quiet[16];
    unsigned mem_mib = DEFAULT_MEM_MIB, quiet_switches = DBGV_ADAPTIVE_QUIET_SWITCHES_DEFAULT;
    int policy_nr;
    uint32_t len;
    struct domain *d;

    if (fdt_size(dtb))
        console_from_dtb(dtb);
    printk("dbgvisor (arm64) at EL%llu, DTB at %p\n",
           (unsigned long long)(read_sysreg(CurrentEL) >> 2), dtb);
    if (!fdt_size(dtb)) {
        pr_err("no device tree in x0\n");
        host_system_off();
    }
    if (!module_from_dtb(dtb, &module)) {
        pr_err("no boot module: give the domain's Image as the initrd (-initrd)\n");
        host_system_off();
    }
    if (!memory_from_dtb(dtb, &module)) {
        pr_err("no memory node in the device tree\n");
        host_system_off();
    }
    bootargs = fdt_node_prop(dtb, "chosen", "bootargs", &len);
    if (bootargs) {
        cmdline_get(bootargs, "domain", name, sizeof(name));
        if (cmdline_get(bootargs, "mem", mem, sizeof(mem)) && parse_uint(mem))
            mem_mib = MIN(parse_uint(mem), MAX_MEM_MIB);
        cmdline_get(bootargs, "policy", policy, sizeof(policy));
        if (cmdline_get(bootargs, "quiet", quiet, sizeof(quiet)))
            quiet_switches = parse_uint(quiet);
        if (cmdline_get(bootargs, "selftest", selftest, sizeof(selftest)) &&
            strcmp(selftest, "fault") == 0)
            __asm__ volatile("udf #0");
    }
    mem_mib = ALIGN_UP(mem_mib, 2u);
    policy_nr = dbgv_policy_parse(policy, (unsigned)strlen(policy));
    if (policy_nr < 0) {
        pr_err("debug-register policy '%s': trap, lazy-exit, lazy-sched or adaptive\n",
               policy);
        host_system_off();
    }
    vdebug_probe();
    if (!gicv3_init(dtb))
        host_system_off();
    smp_boot_secondaries(dtb);
    d = arm64_build_domain(name, &module, dtb, (uint64_t)mem_mib << 20,
                           (enum dbgv_debug_policy)policy_nr, quiet_switches);
    if (d)
        arm64_run_vcpu(d->vcpus[0]);
    printk("all domains have ended\n");
    host_system_off();
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
