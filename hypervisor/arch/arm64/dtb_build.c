/*
 * The device tree of a domain, written from scratch by the builder: what the
 * domain has and nothing else, at the addresses QEMU's virt machine uses, so
 * a guest built for virt (Linux included) finds its devices as on bare QEMU:
 *
 *   /memory@...      the domain's RAM
 *   /cpus/cpu@N      one per vCPU, reg = its MPIDR (= N, VMPIDR_EL2), PSCI enable method
 *   /psci            PSCI 1.x through HVC, the conduit a domain gets (vpsci.c; bare
 *                    QEMU without EL2 names the same)
 *   /intc@8000000    GICv3: the emulated distributor and one redistributor frame per
 *                    vCPU in one region (vgic.c; GICR_TYPER.Last ends it)
 *   /timer           the architected timer's PPIs (the guest at EL1 uses the virtual one, 27)
 *   /pmu             PMUv3, each vCPU's own (pmu.c), overflow PPI 23 as on QEMU virt
 *   /pl011@9000000   the emulated PL011 (vpl011.c) and the fixed clock it names
 *   /chosen          bootargs (the domain's command line, if it has one), stdout-path, the
 *                    ramdisk's linux,initrd-start/end when there is one
 *
 * Interrupt specifiers are the GICv3 binding's: <type number flags>, type 0
 * SPI, 1 PPI; flags 4 = level high (QEMU virt's values).
 */
#include <dbgvisor/lib.h>
#include <asm/dtb_build.h>
#include <asm/fdt.h>
#include <asm/vgic.h>
#include <asm/vpl011.h>

#define PHANDLE_GIC      1
#define PHANDLE_APB_CLK  2
#define GIC_SPI          0
#define GIC_PPI          1
#define IRQ_LEVEL_HIGH   4
#define APB_CLK_HZ       24000000u      /* QEMU virt's fixed 24 MHz clock */

/* reg: { address, size } pairs, each value two cells (the root's
 * #address-cells and #size-cells are 2). */
static void write_reg(struct fdt_writer *w, const uint64_t *values, unsigned n)
{
    uint32_t cells[16];
    unsigned i;

    for (i = 0; i < n && i < ARRAY_SIZE(cells) / 2; i++) {
        cells[2 * i] = (uint32_t)(values[i] >> 32);
        cells[2 * i + 1] = (uint32_t)values[i];
    }
    fdt_write_prop_cells(w, "reg", cells, 2 * i);
}

/* A list of NUL-separated strings (compatible lists). */
static void write_strings(struct fdt_writer *w, const char *name, const char *const *list,
                          unsigned n)
{
    char buf[128];
    uint32_t len = 0;
    unsigned i;

    for (i = 0; i < n; i++) {
        size_t l = strlen(list[i]) + 1;
        if (l > sizeof(buf) - len) {
            w->failed = true;
            return;
        }
        memcpy(buf + len, list[i], l);
        len += (uint32_t)l;
    }
    fdt_write_prop(w, name, buf, len);
}

/* The host CPU's compatible (the domain runs on the same CPUs: VPIDR_EL2 is
 * the host's MIDR), or the generic one. */
struct cpu_compat {
    char value[64];
    uint32_t len;
};

static void take_compatible(void *ctx, const void *val, uint32_t len)
{
    struct cpu_compat *c = ctx;

    if (c->len == 0 && len > 0 && len <= sizeof(c->value) && ((const char *)val)[len - 1] == 0) {
        memcpy(c->value, val, len);
        c->len = len;
    }
}

static void write_cpus(struct fdt_writer *w, const struct dtb_domain *d)
{
    struct cpu_compat compat = { "arm,armv8", sizeof("arm,armv8") };
    struct cpu_compat host = { { 0 }, 0 };
    char name[16];
    unsigned i;

    if (d->host_dtb) {
        fdt_for_each_child_prop(d->host_dtb, "cpus", "compatible", take_compatible, &host);
        if (host.len)
            compat = host;
    }
    fdt_write_begin_node(w, "cpus");
    fdt_write_prop_u32(w, "#address-cells", 1);
    fdt_write_prop_u32(w, "#size-cells", 0);
    for (i = 0; i < d->vcpus; i++) {
        snprintf(name, sizeof(name), "cpu@%x", i);
        fdt_write_begin_node(w, name);
        fdt_write_prop_string(w, "device_type", "cpu");
        fdt_write_prop(w, "compatible", compat.value, compat.len);
        fdt_write_prop_u32(w, "reg", i);
        fdt_write_prop_string(w, "enable-method", "psci");
        fdt_write_end_node(w);
    }
    fdt_write_end_node(w);
}

static void write_gic(struct fdt_writer *w, const struct dtb_domain *d)
{
    char name[32];
    const uint64_t reg[] = { VGICD_IPA, VGICD_SIZE, VGICR_IPA, VGICR_FRAME * d->vcpus };

    snprintf(name, sizeof(name), "intc@%llx", (unsigned long long)VGICD_IPA);
    fdt_write_begin_node(w, name);
    fdt_write_prop_string(w, "compatible", "arm,gic-v3");
    fdt_write_prop_u32(w, "#interrupt-cells", 3);
    fdt_write_prop(w, "interrupt-controller", NULL, 0);
    fdt_write_prop_u32(w, "#redistributor-regions", 1);
    write_reg(w, reg, ARRAY_SIZE(reg));
    fdt_write_prop_u32(w, "phandle", PHANDLE_GIC);
    fdt_write_end_node(w);
}

static void write_timer(struct fdt_writer *w)
{
    static const char *const compat[] = { "arm,armv8-timer", "arm,armv7-timer" };
    /* secure physical, non-secure physical, virtual, hypervisor: PPIs 29, 30, 27, 26 */
    const uint32_t irqs[] = { GIC_PPI, 13, IRQ_LEVEL_HIGH, GIC_PPI, 14, IRQ_LEVEL_HIGH,
                              GIC_PPI, 11, IRQ_LEVEL_HIGH, GIC_PPI, 10, IRQ_LEVEL_HIGH };

    fdt_write_begin_node(w, "timer");
    write_strings(w, "compatible", compat, ARRAY_SIZE(compat));
    fdt_write_prop_cells(w, "interrupts", irqs, ARRAY_SIZE(irqs));
    fdt_write_end_node(w);
}

/* The performance monitors: the vCPU's own (pmu.c switches the whole set).
 * Their overflow interrupt, PPI 7 (INTID 23), is named as QEMU virt names it;
 * it is not delivered yet (docs/arm64.md). */
static void write_pmu(struct fdt_writer *w)
{
    const uint32_t irq[] = { GIC_PPI, 7, IRQ_LEVEL_HIGH };

    fdt_write_begin_node(w, "pmu");
    fdt_write_prop_string(w, "compatible", "arm,armv8-pmuv3");
    fdt_write_prop_cells(w, "interrupts", irq, ARRAY_SIZE(irq));
    fdt_write_end_node(w);
}

static void write_uart(struct fdt_writer *w, char *path, size_t path_size)
{
    static const char *const compat[] = { "arm,pl011", "arm,primecell" };
    static const char *const clock_names[] = { "uartclk", "apb_pclk" };
    const uint64_t reg[] = { VPL011_IPA, VPL011_SIZE };
    const uint32_t irq[] = { GIC_SPI, VPL011_SPI, IRQ_LEVEL_HIGH };
    const uint32_t clocks[] = { PHANDLE_APB_CLK, PHANDLE_APB_CLK };

    fdt_write_begin_node(w, "apb-pclk");
    fdt_write_prop_string(w, "compatible", "fixed-clock");
    fdt_write_prop_u32(w, "#clock-cells", 0);
    fdt_write_prop_u32(w, "clock-frequency", APB_CLK_HZ);
    fdt_write_prop_string(w, "clock-output-names", "clk24mhz");
    fdt_write_prop_u32(w, "phandle", PHANDLE_APB_CLK);
    fdt_write_end_node(w);

    snprintf(path, path_size, "pl011@%llx", (unsigned long long)VPL011_IPA);
    fdt_write_begin_node(w, path);
    write_strings(w, "compatible", compat, ARRAY_SIZE(compat));
    write_reg(w, reg, ARRAY_SIZE(reg));
    fdt_write_prop_cells(w, "interrupts", irq, ARRAY_SIZE(irq));
    fdt_write_prop_cells(w, "clocks", clocks, ARRAY_SIZE(clocks));
    write_strings(w, "clock-names", clock_names, ARRAY_SIZE(clock_names));
    fdt_write_end_node(w);
}

static void write_chosen(struct fdt_writer *w, const struct dtb_domain *d, const char *uart)
{
    char path[48];
    const uint32_t start[] = { (uint32_t)(d->initrd_start >> 32), (uint32_t)d->initrd_start };
    const uint32_t end[] = { (uint32_t)(d->initrd_end >> 32), (uint32_t)d->initrd_end };

    snprintf(path, sizeof(path), "/%s", uart);
    fdt_write_begin_node(w, "chosen");
    if (d->bootargs && d->bootargs[0])
        fdt_write_prop_string(w, "bootargs", d->bootargs);
    fdt_write_prop_string(w, "stdout-path", path);
    if (d->initrd_end > d->initrd_start) {
        fdt_write_prop_cells(w, "linux,initrd-start", start, 2);
        fdt_write_prop_cells(w, "linux,initrd-end", end, 2);
    }
    fdt_write_end_node(w);
}

uint32_t dtb_build_domain(void *buf, uint32_t cap, const struct dtb_domain *d)
{
    static const char *const psci_compat[] = { "arm,psci-1.0", "arm,psci-0.2", "arm,psci" };
    struct fdt_writer w;
    char name[32], uart[32];
    const uint64_t mem[] = { d->ram_ipa, d->ram_bytes };

    fdt_write_init(&w, buf, cap);
    fdt_write_begin_node(&w, "");
    fdt_write_prop_u32(&w, "#address-cells", 2);
    fdt_write_prop_u32(&w, "#size-cells", 2);
    fdt_write_prop_string(&w, "compatible", "linux,dummy-virt");
    fdt_write_prop_string(&w, "model", "dbgvisor arm64 domain");
    fdt_write_prop_u32(&w, "interrupt-parent", PHANDLE_GIC);

    snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)d->ram_ipa);
    fdt_write_begin_node(&w, name);
    fdt_write_prop_string(&w, "device_type", "memory");
    write_reg(&w, mem, ARRAY_SIZE(mem));
    fdt_write_end_node(&w);

    write_cpus(&w, d);

    fdt_write_begin_node(&w, "psci");
    write_strings(&w, "compatible", psci_compat, ARRAY_SIZE(psci_compat));
    fdt_write_prop_string(&w, "method", "hvc");
    fdt_write_end_node(&w);

    write_gic(&w, d);
    write_timer(&w);
    write_pmu(&w);
    write_uart(&w, uart, sizeof(uart));
    write_chosen(&w, d, uart);
    fdt_write_end_node(&w);
    return fdt_write_finish(&w);
}
