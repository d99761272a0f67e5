/*
 * The guest's AArch64 self-hosted debug registers (ARM DDI 0487, D2/D7):
 * breakpoint and watchpoint value/control pairs, MDSCR_EL1, the OS lock and
 * OS double lock. MDCR_EL2.TDA/TDOSA/TDRA make every guest access exit
 * (EC 0x18); vdebug.c emulates it on this view, which is loaded into the
 * hardware before the vCPU runs (docs/arm64.md).
 */
#ifndef ASM_ARM64_VDEBUG_H
#define ASM_ARM64_VDEBUG_H

#include <stdbool.h>
#include <stdint.h>
#include <public/debug.h>
#include <asm/sysreg.h>

#define VDEBUG_MAX_BP 16
#define VDEBUG_MAX_WP 16

struct vdebug_regs {
    uint64_t bvr[VDEBUG_MAX_BP], bcr[VDEBUG_MAX_BP];
    uint64_t wvr[VDEBUG_MAX_WP], wcr[VDEBUG_MAX_WP];
    uint64_t mdscr;
    uint64_t oslsr;             /* OSLK (bit 1) as the guest set it through OSLAR */
    uint64_t osdlr;
    uint64_t claim;             /* DBGCLAIM tag bits */
    struct dbgv_debug_counters counters;   /* dr_access_exits, dr_loads so far */
};

struct vcpu;
/* Debug registers this CPU implements (ID_AA64DFR0_EL1), read once at boot. */
void vdebug_probe(void);
/* Architectural reset state: OS lock set, everything else zero. */
void vdebug_reset(struct vdebug_regs *r);
/* Traps on (MDCR_EL2) and the view in the hardware, before the vCPU runs. */
void vdebug_load(struct vcpu *v);
/* Emulate a trapped access: false if the register is not a debug register
 * this CPU has (the caller injects UNDEFINED, as the hardware would). */
bool vdebug_access(struct vcpu *v, struct sysreg_access *a);

#endif
