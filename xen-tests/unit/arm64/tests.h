/* Suites of the arm64 unit tests. */
#ifndef UNIT_ARM64_TESTS_H
#define UNIT_ARM64_TESTS_H

#include "unit.h"

void register_fdt_tests(void);
void register_boot_bundle_tests(void);
void register_dtb_build_tests(void);
void register_mmio_insn_tests(void);
void register_debug_host_tests(void);
void register_vgic_dist_tests(void);

#endif
