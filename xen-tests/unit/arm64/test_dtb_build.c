/*
 * The builder's per-domain device tree (hypervisor/arch/arm64/dtb_build.c on
 * the FDT writer in fdt.c), read back with the hypervisor's own FDT reader:
 * the domain's RAM, one cpu@N per vCPU with reg = N and PSCI, PSCI over HVC,
 * the GICv3 distributor and a redistributor frame per vCPU, the timer's four
 * PPIs, the PL011 with its SPI and its clock, /chosen with the domain's
 * command line and ramdisk; no bootargs or initrd when the domain has none; a buffer too small
 * refused (0), never overrun (the sanitized build checks).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <asm/dtb_build.h>
#include <asm/fdt.h>
#include "tests.h"

static void collect_reg(void *ctx, const void *val, uint32_t len)
{
    uint32_t *regs = ctx;

    if (len == 4 && regs[0] < 8)
        regs[++regs[0]] = (uint32_t)fdt_cells(val, 1);
}

/* A top-level node's string property equals want. */
static void node_string_is(const void *fdt, const char *node, const char *prop, const char *want)
{
    uint32_t len;
    const char *p = fdt_node_prop(fdt, node, prop, &len);

    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(len, strlen(want) + 1);
    CU_ASSERT_STRING_EQUAL(p, want);
}

/* A top-level node's two-cell property equals want. */
static void node_u64_is(const void *fdt, const char *node, const char *prop, uint64_t want)
{
    uint32_t len;
    const void *p = fdt_node_prop(fdt, node, prop, &len);

    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(len, 8);
    CU_ASSERT_EQUAL(fdt_cells(p, 2), want);
}

static void test_two_vcpus_with_ramdisk(void)
{
    const struct dtb_domain d = { .ram_ipa = 0x40000000, .ram_bytes = 160 << 20, .vcpus = 2,
                                  .bootargs = "console=ttyAMA0 quiet",
                                  .initrd_start = 0x49000000, .initrd_end = 0x490f0123 };
    uint32_t size, len, regs[9] = { 0 };
    uint8_t *buf = calloc(1, 8192);
    const uint8_t *p;

    size = dtb_build_domain(buf, 8192, &d);
    CU_ASSERT_FATAL(size > 0 && size <= 8192);
    CU_ASSERT_EQUAL(fdt_size(buf), size);
    p = fdt_node_prop(buf, "memory", "reg", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(len, 16);
    CU_ASSERT_EQUAL(fdt_cells(p, 2), 0x40000000);
    CU_ASSERT_EQUAL(fdt_cells(p + 8, 2), 160 << 20);
    CU_ASSERT_EQUAL(fdt_for_each_child_prop(buf, "cpus", "reg", collect_reg, regs), 2);
    CU_ASSERT_EQUAL(regs[1], 0);
    CU_ASSERT_EQUAL(regs[2], 1);
    node_string_is(buf, "psci", "method", "hvc");
    p = fdt_compatible_prop(buf, "arm,gic-v3", "reg", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(len, 32);
    CU_ASSERT_EQUAL(fdt_cells(p, 2), 0x08000000);
    CU_ASSERT_EQUAL(fdt_cells(p + 8, 2), 0x10000);
    CU_ASSERT_EQUAL(fdt_cells(p + 16, 2), 0x080a0000);
    CU_ASSERT_EQUAL(fdt_cells(p + 24, 2), 2 * 0x20000);     /* one frame per vCPU */
    CU_ASSERT_PTR_NOT_NULL(fdt_compatible_prop(buf, "arm,gic-v3", "interrupt-controller", &len));
    p = fdt_compatible_prop(buf, "arm,armv8-timer", "interrupts", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(len, 48);
    CU_ASSERT_EQUAL(fdt_cells(p + 24, 1), 1);               /* the virtual timer: PPI 11 = INTID 27 */
    CU_ASSERT_EQUAL(fdt_cells(p + 28, 1), 11);
    p = fdt_compatible_prop(buf, "arm,armv8-pmuv3", "interrupts", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(fdt_cells(p + 4, 1), 7);                /* PPI 7 = INTID 23 */
    p = fdt_compatible_prop(buf, "arm,pl011", "reg", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(fdt_cells(p, 2), 0x09000000);
    /* Its interrupt: SPI 1 (INTID 33, the distributor's vgic_dist.c), level high. */
    p = fdt_compatible_prop(buf, "arm,pl011", "interrupts", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(len, 12);
    CU_ASSERT_EQUAL(fdt_cells(p, 1), 0);                    /* GIC_SPI */
    CU_ASSERT_EQUAL(fdt_cells(p + 4, 1), 1);
    CU_ASSERT_EQUAL(fdt_cells(p + 8, 1), 4);                /* IRQ_TYPE_LEVEL_HIGH */
    CU_ASSERT_PTR_NOT_NULL(fdt_compatible_prop(buf, "fixed-clock", "clock-frequency", &len));
    node_string_is(buf, "chosen", "bootargs", "console=ttyAMA0 quiet");
    node_string_is(buf, "chosen", "stdout-path", "/pl011@9000000");
    node_u64_is(buf, "chosen", "linux,initrd-start", 0x49000000);
    node_u64_is(buf, "chosen", "linux,initrd-end", 0x490f0123);
    free(buf);
}

static void test_no_cmdline_no_ramdisk(void)
{
    const struct dtb_domain d = { .ram_ipa = 0x40000000, .ram_bytes = 64 << 20, .vcpus = 1,
                                  .bootargs = "" };
    uint32_t len, regs[9] = { 0 };
    uint8_t *buf = calloc(1, 4096);

    CU_ASSERT_FATAL(dtb_build_domain(buf, 4096, &d) > 0);
    CU_ASSERT_PTR_NULL(fdt_node_prop(buf, "chosen", "bootargs", &len));
    CU_ASSERT_PTR_NULL(fdt_node_prop(buf, "chosen", "linux,initrd-start", &len));
    CU_ASSERT_PTR_NOT_NULL(fdt_node_prop(buf, "chosen", "stdout-path", &len));
    CU_ASSERT_EQUAL(fdt_for_each_child_prop(buf, "cpus", "reg", collect_reg, regs), 1);
    free(buf);
}

/* Every buffer size below what the tree needs is refused, and nothing is
 * written past it (each size gets an exact allocation). */
static void test_too_small(void)
{
    const struct dtb_domain d = { .ram_ipa = 0x40000000, .ram_bytes = 64 << 20, .vcpus = 8,
                                  .bootargs = "x" };
    uint8_t *full = calloc(1, 8192);
    uint32_t need = dtb_build_domain(full, 8192, &d), cap;

    CU_ASSERT_FATAL(need > 0);
    for (cap = 0; cap < need; cap += 7) {
        uint8_t *b = malloc(cap ? cap : 1);
        CU_ASSERT_EQUAL(dtb_build_domain(b, cap, &d), 0);
        free(b);
    }
    free(full);
}

void register_dtb_build_tests(void)
{
    static const struct unit_test tests[] = {
        { "two vCPUs, command line and ramdisk", test_two_vcpus_with_ramdisk },
        { "no command line, no ramdisk", test_no_cmdline_no_ramdisk },
        { "buffer too small", test_too_small },
    };
    add_suite("dtb_build", tests, sizeof(tests) / sizeof(tests[0]));
}
