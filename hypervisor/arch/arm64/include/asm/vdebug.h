/*
 * The arm64 arch layer of the debug core (vdebug.c): the guest's AArch64
 * self-hosted debug registers (ARM DDI 0487, D2/D7) live in the core's
 * register file (struct dbg_vcpu in struct vcpu, laid out by
 * asm/debug_regs.h); MDCR_EL2.TDA/TDOSA/TDRA make a guest access exit
 * (EC 0x18) while the core's policy traps (docs/arm64.md).
 */
#ifndef ASM_ARM64_VDEBUG_H
#define ASM_ARM64_VDEBUG_H

#include <stdbool.h>
#include <asm/sysreg.h>

struct vcpu;
/* Debug registers this CPU implements (ID_AA64DFR0_EL1), the OS lock's reset value and
 * the claim tags, read once at boot before any vCPU's state is reset. */
void vdebug_probe(void);
/* Emulate a trapped access through the debug core: false if the register is not a
 * debug register this CPU has (the caller injects UNDEFINED, as the hardware would). */
bool vdebug_access(struct vcpu *v, struct sysreg_access *a);
/* A debug exception taken to EL2 (EC 0x30, 0x32, 0x34, 0x3c: only while the host debugs
 * the vCPU, MDCR_EL2.TDE): the guest's own go to its EL1 as the hardware made them, the
 * host's are reported to it. */
void vdebug_debug_exit(struct vcpu *v);
/* Right after dbg_before_vmentry and right after the exit (before dbg_after_vmexit):
 * step over a guest breakpoint or watchpoint the guest would not take. */
void vdebug_before_entry(struct vcpu *v);
/* The guest's instruction completed at EL2 (emulated, or an HVC): a trapped
 * instruction left PSTATE.SS set (it did not complete), so a guest stepping with
 * MDSCR_EL1.SS would run one more instruction before its step exception; SS
 * clear makes its step pending at once, ELR = the next instruction. A host
 * single-step of it is done. */
void vdebug_insn_completed(struct vcpu *v);
/* A host breakpoint at addr on v from boot (hostbp=, before the control channel):
 * every hit is printed and stepped over by the host, hidden from the guest. */
void vdebug_trace(struct vcpu *v, uint64_t addr);
void vdebug_after_exit(struct vcpu *v, uint64_t kind);

#endif
