/*
 * dtb-arm64: the device tree a guest finds in x0. Prints what it describes
 * (RAM, the PL011, the PSCI conduit) and what the host has but a domain does
 * not (virtio-mmio, PCIe, the GIC distributor, the host's initrd and command
 * line). Natively that is QEMU's tree; test_arm64.sh checks the domain's:
 * its RAM, and none of the host's devices or boot data.
 */
#include <asm/fdt.h>
#include "guest.h"

static const char *yes_no(const void *p) { return p ? "yes" : "no"; }

int main(void)
{
    uint32_t len;
    const uint8_t *mem = fdt_node_prop(boot_dtb, "memory", "reg", &len);
    const uint8_t *uart = fdt_compatible_prop(boot_dtb, "arm,pl011", "reg", &len);
    const char *method = fdt_node_prop(boot_dtb, "psci", "method", &len);

    report(fdt_size(boot_dtb) != 0, "x0 points at a device tree (%u bytes)", fdt_size(boot_dtb));
    if (mem)
        printf("memory %#lx size %#lx\n", (unsigned long)fdt_cells(mem, 2),
               (unsigned long)fdt_cells(mem + 8, 2));
    if (uart)
        printf("pl011 %#lx\n", (unsigned long)fdt_cells(uart, 2));
    printf("psci method %s\n", method ? method : "(none)");
    printf("virtio-mmio %s\n", yes_no(fdt_compatible_prop(boot_dtb, "virtio,mmio", "reg", &len)));
    printf("pcie %s\n", yes_no(fdt_compatible_prop(boot_dtb, "pci-host-ecam-generic", "reg", &len)));
    printf("gic-v3 %s\n", yes_no(fdt_compatible_prop(boot_dtb, "arm,gic-v3", "reg", &len)));
    printf("chosen initrd %s\n", yes_no(fdt_node_prop(boot_dtb, "chosen", "linux,initrd-start", &len)));
    printf("chosen bootargs %s\n", yes_no(fdt_node_prop(boot_dtb, "chosen", "bootargs", &len)));
    printf("chosen stdout-path %s\n", yes_no(fdt_node_prop(boot_dtb, "chosen", "stdout-path", &len)));
    report(mem && uart, "memory and PL011 described");
    return report_summary();
}
