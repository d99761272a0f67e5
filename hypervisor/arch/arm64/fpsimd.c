/*
 * Switching a vCPU's FP/SIMD, SVE and SME state (asm/fpsimd.h). Save order:
 * FPSR/FPCR, the vector registers at the mode's length, ZA and ZT0 while
 * PSTATE.ZA is set, SVCR. Load goes backwards from SVCR, since writing SVCR
 * (entering or leaving streaming mode, ZA on) zeroes the registers it governs
 * and sets FPSR.
 */
#include <dbgvisor/lib.h>
#include <asm/fpsimd.h>
#include <asm/sysreg.h>

/* SVCR is s3_3_c4_c2_2 (by encoding: the assembler names it only with +sme). */
#define SVCR_ZA     (1ULL << 1)

static bool has_sve, has_sme, has_sme2;
static uint64_t za_bytes;

void fpsimd_probe(void)
{
    unsigned sme = (read_sysreg(id_aa64pfr1_el1) >> 24) & 0xf;

    has_sve = (read_sysreg(id_aa64pfr0_el1) >> 32) & 0xf;
    has_sme = sme != 0;
    has_sme2 = sme >= 2;
    /* Room for ZA at the architecture's longest SVL: the length EL2 saves at
     * is SMCR_EL2's, set per vCPU load, not what it is now (at boot its LEN
     * is still the reset value, and a buffer sized by it was overrun). */
    if (has_sme)
        za_bytes = (uint64_t)FP_VL_MAX * FP_VL_MAX;
}

uint64_t fpsimd_za_bytes(void)
{
    return za_bytes;
}

void fpsimd_reset(struct fp_context *c)
{
    uint8_t *za = c->za;

    memset(c, 0, sizeof(*c));
    c->za = za;
}

/* The vector length the Z registers are saved at, in bytes (the streaming one in
 * streaming mode): RDVL x0, #1 (the assembler names it only with +sve). */
static uint64_t sve_vl_bytes(void)
{
    register uint64_t vl __asm__("x0");

    __asm__ volatile(".inst 0x04bf5020" : "=r"(vl));
    return vl;
}

void fpsimd_save(struct fp_context *c)
{
    __asm__ volatile("mrs %0, fpsr" : "=r"(c->fpsr));
    __asm__ volatile("mrs %0, fpcr" : "=r"(c->fpcr));
    if (has_sve) {
        c->vl = sve_vl_bytes();
        fp_save_sve(c->z, c->p);
    } else {
        c->vl = 16;
        fp_save_v(c->z);
    }
    c->svcr = has_sme ? read_sysreg(s3_3_c4_c2_2) : 0;
    if (c->svcr & SVCR_ZA) {
        fp_save_za(c->za);
        if (has_sme2)
            fp_save_zt0(c->zt0);
    }
}

void fpsimd_load(const struct fp_context *c)
{
    if (has_sme) {
        write_sysreg(s3_3_c4_c2_2, c->svcr);
        isb();
    }
    if (c->svcr & SVCR_ZA) {
        fp_load_za(c->za);
        if (has_sme2)
            fp_load_zt0(c->zt0);
    }
    if (has_sve)
        fp_load_sve(c->z, c->p);
    else
        fp_load_v(c->z);
    __asm__ volatile("msr fpsr, %0" : : "r"(c->fpsr));
    __asm__ volatile("msr fpcr, %0" : : "r"(c->fpcr));
}
