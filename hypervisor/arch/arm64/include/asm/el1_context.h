/*
 * A vCPU's EL1 (and EL0) system-register state, switched when vCPUs share a
 * pCPU (el1_context.c): translation (SCTLR/TTBR0/1/TCR/MAIR/AMAIR and, where
 * the CPU has them, TCR2/SCTLR2/PIR/POR), exception state (VBAR, ELR, SPSR,
 * ESR, FAR, AFSR0/1, PAR), stack pointers, thread IDs, CONTEXTIDR, CPACR,
 * CSSELR, CNTKCTL, the SVE/SME length controls, the pointer-authentication
 * keys, SCXTNUM_EL0/EL1 (FEAT_CSV2_2) and DISR_EL1 (FEAT_RAS: with
 * HCR_EL2.AMO the guest's accesses reach VDISR_EL2). FP/SIMD, SVE and SME registers are fpsimd.c's; the debug registers
 * vdebug.c's; the EL1 virtual and physical timers vtimer.c's; the GIC's
 * vgic.c's.
 */
#ifndef ASM_ARM64_EL1_CONTEXT_H
#define ASM_ARM64_EL1_CONTEXT_H

#include <stdint.h>

/* Always present (ARMv8.0). */
#define EL1_SYSREGS(X) \
    X(sctlr_el1) X(ttbr0_el1) X(ttbr1_el1) X(tcr_el1) X(mair_el1) X(amair_el1) \
    X(vbar_el1) X(elr_el1) X(spsr_el1) X(esr_el1) X(far_el1) X(afsr0_el1) X(afsr1_el1) \
    X(par_el1) X(sp_el0) X(sp_el1) X(tpidr_el0) X(tpidrro_el0) X(tpidr_el1) \
    X(contextidr_el1) X(cpacr_el1) X(csselr_el1) X(cntkctl_el1)

/* Pointer authentication keys (FEAT_PAuth), by encoding: APIAKeyLo/Hi,
 * APIBKeyLo/Hi, APDAKeyLo/Hi, APDBKeyLo/Hi, APGAKeyLo/Hi_EL1. */
#define EL1_PAUTH_KEYS(X) \
    X(s3_0_c2_c1_0) X(s3_0_c2_c1_1) X(s3_0_c2_c1_2) X(s3_0_c2_c1_3) \
    X(s3_0_c2_c2_0) X(s3_0_c2_c2_1) X(s3_0_c2_c2_2) X(s3_0_c2_c2_3) \
    X(s3_0_c2_c3_0) X(s3_0_c2_c3_1)

#define EL1_INDEX(r) EL1_##r,
enum el1_sysreg { EL1_SYSREGS(EL1_INDEX) EL1_PAUTH_KEYS(EL1_INDEX) EL1_NR_FIXED };
#undef EL1_INDEX

/* Registers of optional features, by encoding (the assembler may not know
 * their names). */
enum el1_optional {
    EL1_ZCR, EL1_SMCR, EL1_TPIDR2, EL1_TCR2, EL1_SCTLR2, EL1_PIRE0, EL1_PIR,
    EL1_POR0, EL1_POR1, EL1_SCXTNUM0, EL1_SCXTNUM1, EL1_VDISR, EL1_NR_OPTIONAL
};

struct el1_context {
    uint64_t reg[EL1_NR_FIXED];
    uint64_t opt[EL1_NR_OPTIONAL];
};

/* Which optional registers this CPU has (boot CPU, before any vCPU runs). */
void el1_context_probe(void);
/* HCR_EL2 bits that leave the switched registers to EL1 untrapped, as without
 * EL2 (API/APK: pointer authentication; EnSCXT: SCXTNUM_ELx). */
uint64_t el1_context_hcr(void);
/* The state out of reset: SCTLR_EL1's RES1 bits (MMU and caches off), the
 * rest zero. */
void el1_context_reset(struct el1_context *c);
void el1_context_save(struct el1_context *c);
void el1_context_load(const struct el1_context *c);

#endif
