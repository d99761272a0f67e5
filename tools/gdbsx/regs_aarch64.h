/*
 * gdb's aarch64 register file (target.xml: org.gnu.gdb.aarch64.core and
 * .fpu) over the public ABI's AArch64 vCPU registers
 * (struct dbgv_gdbg_regs_arm64): x0-x30, sp, pc, cpsr, v0-v31, fpsr, fpcr.
 */
#ifndef GDBSX_REGS_AARCH64_H
#define GDBSX_REGS_AARCH64_H

#include <stddef.h>
#include <stdint.h>
#include <debugctl.h>

#define A64_NR_REGS   68
#define A64_REG_MAX   16        /* bytes of the widest register (V) */

extern const char a64_target_xml[];
extern const size_t a64_target_xml_len;

/* Bytes gdb transfers for register n (< A64_NR_REGS). */
unsigned int a64_reg_size(unsigned int n);
/* Register n as gdb's little-endian bytes. */
void a64_reg_get(const struct dbgv_gdbg_regs_arm64 *r, unsigned int n, uint8_t out[A64_REG_MAX]);
/* Put gdb's bytes for register n into r and select it in mask/vmask (SET_REGS_ARM64). */
void a64_reg_set(struct dbgv_gdbg_regs_arm64 *r, unsigned int n, const uint8_t in[A64_REG_MAX],
                 uint64_t *mask, uint32_t *vmask);

#endif
