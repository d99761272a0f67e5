/*
 * The AArch64 self-hosted debug register file as the debug core holds it
 * (dbgvisor/debug.h, ARM DDI 0487 D2/D7): every register is a system register
 * of the pCPU, so all of them are switched with the slots. The address slots
 * are the value registers (DBGBVR<n>, then DBGWVR<n>); each has its own control
 * register (DBGBCR<n>/DBGWCR<n>) further up the file, followed by the rest of
 * the guest-writable state. MDSCR_EL1 is the core's control register; there is
 * no status register (the cause of a debug exception is in ESR_EL1/FAR_EL1).
 */
#ifndef ASM_ARM64_DEBUG_REGS_H
#define ASM_ARM64_DEBUG_REGS_H

/* Register numbers in the core's file (struct dbg_vcpu.dr): the public ABI's order
 * (public/debug.h), so the toolstack's snapshot is the file as it is. */
#define DBG_ARM64_MAX_BP      DBGV_ARM64_MAX_BP
#define DBG_ARM64_MAX_WP      DBGV_ARM64_MAX_WP
#define DBG_ARM64_BVR(n)      DBGV_ARM64_BVR(n)
#define DBG_ARM64_WVR(n)      DBGV_ARM64_WVR(n)
#define DBG_ARM64_BCR(n)      DBGV_ARM64_BCR(n)
#define DBG_ARM64_WCR(n)      DBGV_ARM64_WCR(n)
#define DBG_ARM64_OSLSR       DBGV_ARM64_OSLSR
#define DBG_ARM64_OSDLR       DBGV_ARM64_OSDLR
#define DBG_ARM64_CLAIM       DBGV_ARM64_CLAIM
#define DBG_ARM64_MDCCINT     DBGV_ARM64_MDCCINT

#define DBG_NR_SLOTS          (DBG_ARM64_MAX_BP + DBG_ARM64_MAX_WP)
#define DBG_NR_REGS           DBGV_ARM64_NR_REGS
#define DBG_REG_CONTROL       0xff                    /* MDSCR_EL1 */
#define DBG_REG_STATUS        0xfe                    /* none: never decoded */
/* MDSCR_EL1.MDE and the E bit of each control register arm a slot. */
#define DBG_REG_ARMS(reg)     ((reg) == DBG_REG_CONTROL || \
                               ((reg) >= DBG_NR_SLOTS && (reg) < 2 * DBG_NR_SLOTS))
/* 1: each slot has its own control register in the file: the hardware's may arm a
 * slot the guest's view no longer arms. */
#define DBG_ARCH_SLOT_CONTROLS 1
/* 1: MDSCR_EL1 and MDCR_EL2 are the pCPU's: another vCPU may have changed them. */
#define DBG_ARCH_CONTROL_PER_PCPU 1
#define DBG_ARCH_TAG          DBGV_ARCH_ARM64

#endif
