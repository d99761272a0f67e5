/*
 * The x86 debug register file as the debug core holds it (dbgvisor/debug.h): four
 * address slots DR0-3 switched per pCPU; the status (DR6) and control (DR7) registers
 * live in the VMCB, per vCPU. DR7 alone says which slots are armed.
 */
#ifndef ASM_X86_DEBUG_REGS_H
#define ASM_X86_DEBUG_REGS_H

#define DBG_NR_SLOTS          4   /* address slots (DR0-3), owned guest/host one by one */
#define DBG_NR_REGS           4   /* registers switched with the slots: the slots alone */
#define DBG_REG_STATUS        6   /* register numbers of an access (aliases resolved) */
#define DBG_REG_CONTROL       7
/* Registers whose writes change which slots are armed. */
#define DBG_REG_ARMS(reg)     ((reg) == DBG_REG_CONTROL)
/* 0: the control register alone arms slots: stale slot registers are harmless. */
#define DBG_ARCH_SLOT_CONTROLS 0
/* 0: status, control and intercepts are per vCPU (VMCB) and survive a switch. */
#define DBG_ARCH_CONTROL_PER_PCPU 0
/* Public ABI tag of this register file (public/debug.h). */
#define DBG_ARCH_TAG          DBGV_ARCH_X86

#endif
