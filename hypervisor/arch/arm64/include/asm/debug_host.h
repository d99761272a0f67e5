/*
 * The host's breakpoints, watchpoints and single-step composed with the
 * guest's own AArch64 debug state (debug_host.c): pure functions of register
 * values, shared by vdebug.c and the hosted tests (xen-tests/unit/arm64).
 *
 * While the host debugs a vCPU, MDCR_EL2.TDE routes every debug exception
 * to EL2 (the host's must never reach the guest); each one is then split
 * between the host and the guest by the slot that matched, and the guest
 * gets its own only where its own debug state would have generated it, with
 * the ESR and FAR the hardware gave.
 */
#ifndef ASM_ARM64_DEBUG_HOST_H
#define ASM_ARM64_DEBUG_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <dbgvisor/debug.h>

/* Pairs this CPU implements (ID_AA64DFR0_EL1; vdebug_probe sets them). */
extern unsigned arm64_dbg_nr_bp, arm64_dbg_nr_wp;

/* MDSCR_EL1's SS, KDE, MDE and OSLSR_EL1.OSLK are the public ABI's
 * (DBGV_ARM64_MDSCR_*, DBGV_ARM64_OSLSR_OSLK in public/debug.h: the
 * toolstack decodes the guest's control with them). */
/* Not in MDSCR_EL1 (bit 63 is RES0): marks a composed control that routes debug
 * exceptions to EL2 (MDCR_EL2.TDE); vdebug.c strips it before the write. */
#define MDSCR_HOST_ROUTE (1ULL << 63)

#define DBGXCR_E        1ULL

/* Debug exception classes taken to EL2 from a lower EL (+1: to EL1 from EL1). */
#define EC_BKPT_LOW     0x30
#define EC_SSTEP_LOW    0x32
#define EC_WATCH_LOW    0x34
#define EC_BRK64        0x3c
#define DABT_WNR_BIT    (1ULL << 6)

/* Status word of the core on arm64 (it has no status register): which slots
 * matched, and a step. Only the debug exception exits make one. */
#define ARM64_DBG_STATUS_STEP (1ULL << 32)

/* The control register (DBGBCR/DBGWCR) of the pair whose value register is slot. */
unsigned arm64_dbg_ctl_of(unsigned slot);

/* Control register values the host's breakpoint or watchpoint is armed with
 * (EL1 and EL0, no linking), and the value register's aligned address. */
uint64_t arm64_dbg_host_ctl(const struct dbg_bp *bp);
uint64_t arm64_dbg_host_addr(const struct dbg_bp *bp);

/* The guest's debug exceptions are generated where it runs now (spsr: its
 * PSTATE), by its own MDSCR_EL1 and OS lock, with the debug target EL1:
 * the OS lock clear, and from EL0, or from EL1 with KDE set and PSTATE.D clear. */
bool arm64_dbg_guest_enabled(uint64_t guest_mdscr, uint64_t guest_oslsr, uint64_t spsr);

/* Hardware slots of file `hw` (armed under hw_mdscr) that match: an
 * instruction at addr (watch false) or a data access at addr (watch true,
 * write: WnR) made at the EL in spsr. */
uint32_t arm64_dbg_matching_slots(const uint64_t hw[DBG_NR_REGS], uint64_t hw_mdscr,
                                  bool watch, bool write, uint64_t addr, uint64_t spsr);

/* ESR the guest's EL1 gets for a debug exception the hardware reported to EL2
 * as hw_esr, taken from the EL in spsr. */
uint64_t arm64_dbg_guest_esr(uint64_t hw_esr, uint64_t spsr);

#endif
