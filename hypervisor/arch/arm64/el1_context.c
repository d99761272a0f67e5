/*
 * Switching a vCPU's EL1 system registers (asm/el1_context.h). Every register
 * the guest can write at EL1/EL0 without a trap is saved and loaded, so one
 * domain never sees another's values (el1-isolation-arm64 reads them all).
 */
#include <dbgvisor/lib.h>
#include <asm/el1_context.h>
#include <asm/sysreg.h>

#define SCTLR_EL1_RESET 0x30d00800ULL   /* RES1 bits; MMU, caches off */

#define HCR_ENSCXT      (1ULL << 53)

static bool has_pauth, has_sve, has_sme, has_tcr2, has_sctlr2, has_pie, has_poe, has_scxtnum,
            has_ras;

void el1_context_probe(void)
{
    uint64_t isar1 = read_sysreg(id_aa64isar1_el1), isar2 = read_sysreg(id_aa64isar2_el1);
    uint64_t mmfr3 = read_sysreg(s3_0_c0_c7_3);     /* ID_AA64MMFR3_EL1 */
    uint64_t pfr0 = read_sysreg(id_aa64pfr0_el1), pfr1 = read_sysreg(id_aa64pfr1_el1);
    unsigned csv2 = (pfr0 >> 56) & 0xf, csv2_frac = (pfr1 >> 32) & 0xf;

    has_pauth = ((isar1 >> 4) & 0xf) || ((isar1 >> 8) & 0xf) || ((isar2 >> 12) & 0xf);
    has_sve = (pfr0 >> 32) & 0xf;
    has_sme = (pfr1 >> 24) & 0xf;
    has_scxtnum = csv2 >= 2 || (csv2 == 1 && csv2_frac >= 2);  /* FEAT_CSV2_2, CSV2_1p2 */
    has_ras = (pfr0 >> 28) & 0xf;
    has_tcr2 = mmfr3 & 0xf;
    has_sctlr2 = (mmfr3 >> 4) & 0xf;
    has_pie = (mmfr3 >> 8) & 0xf;
    has_poe = (mmfr3 >> 16) & 0xf;
}

uint64_t el1_context_hcr(void)
{
    return (has_pauth ? HCR_API | HCR_APK : 0) | (has_scxtnum ? HCR_ENSCXT : 0);
}

void el1_context_reset(struct el1_context *c)
{
    memset(c, 0, sizeof(*c));
    c->reg[EL1_sctlr_el1] = SCTLR_EL1_RESET;
}

#define SAVE(r) c->reg[EL1_##r] = read_sysreg(r);
#define LOAD(r) write_sysreg(r, c->reg[EL1_##r]);

void el1_context_save(struct el1_context *c)
{
    EL1_SYSREGS(SAVE)
    if (has_pauth) {
        EL1_PAUTH_KEYS(SAVE)
    }
    if (has_sve)
        c->opt[EL1_ZCR] = read_sysreg(s3_0_c1_c2_0);
    if (has_sme) {
        c->opt[EL1_SMCR] = read_sysreg(s3_0_c1_c2_6);
        c->opt[EL1_TPIDR2] = read_sysreg(s3_3_c13_c0_5);
    }
    if (has_tcr2)
        c->opt[EL1_TCR2] = read_sysreg(s3_0_c2_c0_3);
    if (has_sctlr2)
        c->opt[EL1_SCTLR2] = read_sysreg(s3_0_c1_c0_3);
    if (has_pie) {
        c->opt[EL1_PIRE0] = read_sysreg(s3_0_c10_c2_2);
        c->opt[EL1_PIR] = read_sysreg(s3_0_c10_c2_3);
    }
    if (has_poe) {
        c->opt[EL1_POR0] = read_sysreg(s3_3_c10_c2_4);
        c->opt[EL1_POR1] = read_sysreg(s3_0_c10_c2_4);
    }
    if (has_scxtnum) {
        c->opt[EL1_SCXTNUM0] = read_sysreg(s3_3_c13_c0_7);
        c->opt[EL1_SCXTNUM1] = read_sysreg(s3_0_c13_c0_7);
    }
    if (has_ras)
        c->opt[EL1_VDISR] = read_sysreg(s3_4_c12_c1_1);         /* VDISR_EL2 */
}

void el1_context_load(const struct el1_context *c)
{
    EL1_SYSREGS(LOAD)
    if (has_pauth) {
        EL1_PAUTH_KEYS(LOAD)
    }
    if (has_sve)
        write_sysreg(s3_0_c1_c2_0, c->opt[EL1_ZCR]);
    if (has_sme) {
        write_sysreg(s3_0_c1_c2_6, c->opt[EL1_SMCR]);
        write_sysreg(s3_3_c13_c0_5, c->opt[EL1_TPIDR2]);
    }
    if (has_tcr2)
        write_sysreg(s3_0_c2_c0_3, c->opt[EL1_TCR2]);
    if (has_sctlr2)
        write_sysreg(s3_0_c1_c0_3, c->opt[EL1_SCTLR2]);
    if (has_pie) {
        write_sysreg(s3_0_c10_c2_2, c->opt[EL1_PIRE0]);
        write_sysreg(s3_0_c10_c2_3, c->opt[EL1_PIR]);
    }
    if (has_poe) {
        write_sysreg(s3_3_c10_c2_4, c->opt[EL1_POR0]);
        write_sysreg(s3_0_c10_c2_4, c->opt[EL1_POR1]);
    }
    if (has_scxtnum) {
        write_sysreg(s3_3_c13_c0_7, c->opt[EL1_SCXTNUM0]);
        write_sysreg(s3_0_c13_c0_7, c->opt[EL1_SCXTNUM1]);
    }
    if (has_ras)
        write_sysreg(s3_4_c12_c1_1, c->opt[EL1_VDISR]);
    isb();
}
