/* CUnit runner for the arm64 unit tests. */
#include "tests.h"

int main(void)
{
    static void (*const reg[])(void) = { register_fdt_tests, register_boot_bundle_tests,
                                          register_dtb_build_tests, register_mmio_insn_tests,
                                          register_debug_host_tests, register_vgic_dist_tests };

    return unit_main(reg, sizeof(reg) / sizeof(reg[0]));
}
