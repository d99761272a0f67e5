/* AArch64 system-register access and the EL2 register bits dbgvisor uses. */
#ifndef ASM_ARM64_SYSREG_H
#define ASM_ARM64_SYSREG_H

#include <stdbool.h>
#include <stdint.h>

#define read_sysreg(r) ({ uint64_t __v; __asm__ volatile("mrs %0, " #r : "=r"(__v)); __v; })
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((uint64_t)(v)))
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")

/* A trapped MRS/MSR (EC 0x18), decoded from its ISS. */
struct sysreg_access {
    uint8_t op0, op1, crn, crm, op2;
    bool write;
    uint64_t value;             /* write: the source; read: the result */
};

/* op1, CRn, CRm, op2 of a register in one number, for switch statements. */
#define SYSREG_ENC(op1, crn, crm, op2) ((op1) << 12 | (crn) << 8 | (crm) << 4 | (op2))

/* HCR_EL2 */
#define HCR_VM      (1ULL << 0)     /* stage-2 translation */
#define HCR_SWIO    (1ULL << 1)
#define HCR_FMO     (1ULL << 3)
#define HCR_IMO     (1ULL << 4)
#define HCR_AMO     (1ULL << 5)
#define HCR_TWI     (1ULL << 13)    /* trap WFI */
#define HCR_TSC     (1ULL << 19)    /* trap SMC */
#define HCR_TID3    (1ULL << 18)    /* trap ID group 3 (ID_AA64DFR0_EL1 ...) */
#define HCR_RW      (1ULL << 31)    /* EL1 is AArch64 */
#define HCR_APK     (1ULL << 40)    /* pointer-auth key registers not trapped */
#define HCR_API     (1ULL << 41)    /* pointer-auth instructions not trapped */

/* MDCR_EL2 */
#define MDCR_HPMN_MASK 0x1fULL
#define MDCR_TDE    (1ULL << 8)     /* route debug exceptions to EL2 */
#define MDCR_TDA    (1ULL << 9)     /* trap DBGBVR/BCR/WVR/WCR, MDSCR_EL1 ... (EC 0x18) */
#define MDCR_TDOSA  (1ULL << 10)    /* trap OSLAR/OSLSR/OSDLR/DBGPRCR */
#define MDCR_TDRA   (1ULL << 11)    /* trap MDRAR_EL1 */

/* ESR_ELx */
#define ESR_EC(esr)     (((esr) >> 26) & 0x3f)
#define ESR_IL          (1ULL << 25)
#define ESR_ISS(esr)    ((esr) & 0x1ffffff)
#define EC_UNKNOWN      0x00
#define EC_WFX          0x01
#define EC_HVC64        0x16
#define EC_SMC64        0x17
#define EC_SYS64        0x18
#define EC_IABT_LOW     0x20
#define EC_DABT_LOW     0x24
#define EC_BRK          0x3c

/* Data abort ISS (instruction syndrome valid) */
#define DABT_ISV        (1U << 24)
#define DABT_SAS(iss)   (((iss) >> 22) & 3)
#define DABT_SSE        (1U << 21)
#define DABT_SRT(iss)   (((iss) >> 16) & 0x1f)
#define DABT_SF         (1U << 15)
#define DABT_S1PTW      (1U << 7)      /* fault on a stage-1 table walk */
#define DABT_WNR        (1U << 6)
#define FSC_EXTERNAL    0x10           /* synchronous external abort */

/* GICv3 CPU interface (ARM IHI 0069): at EL2 the ICC_* names reach the
 * physical interface; the guest's, with HCR_EL2.IMO/FMO, the virtual one. */
#define ICC_IAR1_EL1    s3_0_c12_c12_0
#define ICC_EOIR1_EL1   s3_0_c12_c12_1
#define ICC_DIR_EL1     s3_0_c12_c11_1
#define ICC_PMR_EL1     s3_0_c4_c6_0
#define ICC_CTLR_EL1    s3_0_c12_c12_4
#define ICC_IGRPEN1_EL1 s3_0_c12_c12_7
#define ICC_SRE_EL2     s3_4_c12_c9_5
#define ICH_HCR_EL2     s3_4_c12_c11_0
#define ICH_VTR_EL2     s3_4_c12_c11_1
#define ICH_ELRSR_EL2   s3_4_c12_c11_5
#define ICH_VMCR_EL2    s3_4_c12_c11_7
#define ICH_AP0R0_EL2   s3_4_c12_c8_0
#define ICH_AP1R0_EL2   s3_4_c12_c9_0
#define ICC_SGI1R_EL1   s3_0_c12_c11_5
#define INTID_SPURIOUS  1023

/* Generic timer */
#define CNT_CTL_ENABLE  (1ULL << 0)
#define CNT_CTL_IMASK   (1ULL << 1)
#define CNT_CTL_ISTATUS (1ULL << 2)
#define CNTHP_CTL_EL2   cnthp_ctl_el2
#define CNTHP_CVAL_EL2  cnthp_cval_el2

/* PSTATE / SPSR */
#define PSR_MODE_EL1H   0x5
#define PSR_DAIF        (0xfULL << 6)
#define PSR_BTYPE       (3ULL << 10)
#define PSR_SS          (1ULL << 21)   /* software step state */

#endif
