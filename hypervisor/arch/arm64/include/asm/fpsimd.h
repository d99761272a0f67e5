/*
 * A vCPU's FP/SIMD, SVE and SME state (fpsimd.c, fpsimd_regs.S), switched when
 * vCPUs share a pCPU. The guest uses them untrapped (CPTR_EL2) at the full
 * lengths, so the hypervisor saves them at the longest vector EL2 has: Z0-31,
 * P0-15 and FFR (or V0-31 without SVE), FPSR, FPCR, and with SME the
 * streaming mode and ZA state (SVCR), ZA itself and ZT0.
 */
#ifndef ASM_ARM64_FPSIMD_H
#define ASM_ARM64_FPSIMD_H

#include <stdint.h>

#define FP_VL_MAX   256         /* bytes: the architecture's longest vector */

struct fp_context {
    uint64_t fpsr, fpcr, svcr;
    uint64_t vl;                /* bytes per Z register as saved (16: V registers only) */
    uint8_t z[32 * FP_VL_MAX] __attribute__((aligned(16)));
    uint8_t p[17 * FP_VL_MAX / 8];      /* P0-P15, then FFR */
    uint8_t zt0[64];
    uint8_t *za;                /* FP_VL_MAX squared bytes when the CPU has SME */
};

/* What the CPU has (boot CPU, before any vCPU runs). */
void fpsimd_probe(void);
/* Bytes the vCPU's ZA buffer needs (0: no SME). */
uint64_t fpsimd_za_bytes(void);
/* The state out of reset (all zero, streaming mode and ZA off). */
void fpsimd_reset(struct fp_context *c);
void fpsimd_save(struct fp_context *c);
void fpsimd_load(const struct fp_context *c);

/* fpsimd_regs.S */
void fp_save_v(uint8_t *v);
void fp_load_v(const uint8_t *v);
void fp_save_sve(uint8_t *z, uint8_t *p);
void fp_load_sve(const uint8_t *z, const uint8_t *p);
void fp_save_za(uint8_t *za);
void fp_load_za(const uint8_t *za);
void fp_save_zt0(uint8_t *zt0);
void fp_load_zt0(const uint8_t *zt0);

#endif
