/*
 * What the debug core needs from the architecture. The core never includes arch headers.
 *
 * Part 1, mechanisms: implemented by the virtualization layer (arch/x86/hvm/svm), which
 * finds its vCPU with container_of(d, struct vcpu, dbg). Hosted tests supply a fake that
 * records every call.
 * Part 2, semantics: pure functions of register values, implemented in
 * arch/x86/debugreg.c; the same object links into hosted tests.
 * arm64 implements both parts in arch/arm64/vdebug.c.
 */
#ifndef DBGVISOR_DEBUG_ARCH_H
#define DBGVISOR_DEBUG_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "dbgvisor/debug.h"

/* --- Part 1: mechanisms (per vCPU; slot registers are per pCPU) ---------------------- */

/* Write the switched register file of this pCPU (x86: DR0-3; arm64: the pairs, the OS
 * lock, the claim tags), in asm/debug_regs.h's order. */
void dbg_arch_load_slots(struct dbg_vcpu *d, const uint64_t val[DBG_NR_REGS]);
/* Write one slot register of this pCPU (x86: DRn), the rest of the file untouched. */
void dbg_arch_load_slot(struct dbg_vcpu *d, unsigned slot, uint64_t val);
/* Read the switched register file of this pCPU. */
void dbg_arch_save_slots(struct dbg_vcpu *d, uint64_t val[DBG_NR_REGS]);
/* Status register the guest runs with and finds after an exit (VMCB DR6 on SVM). */
void dbg_arch_set_status(struct dbg_vcpu *d, uint64_t v);
uint64_t dbg_arch_get_status(struct dbg_vcpu *d);
/* Control register the guest runs with and finds after an exit (VMCB DR7 on SVM). */
void dbg_arch_set_control(struct dbg_vcpu *d, uint64_t v);
uint64_t dbg_arch_get_control(struct dbg_vcpu *d);
/* true: every guest MOV DR exits. false: only writes of DR4-DR7 exit (SVM intercept_dr
 * 0x00f00000): QEMU TCG does not apply the reserved bits of DR6/DR7 on a guest write,
 * so the core applies them; DR0-3 and all reads run untrapped. */
void dbg_arch_set_intercepts(struct dbg_vcpu *d, bool on);
/* Bit n set: this CPU has slot n (arm64: fewer pairs than the file has room for). */
uint32_t dbg_arch_slots_present(void);
/* DBGV_CAP_DR_* bits for PHYSINFO: what the platform does with reserved status/control
 * bits, and whether untrapped writes of them still exit. */
uint32_t dbg_arch_platform_caps(void);
/* Queue #DB for the next entry; dr6 is what the handler reads (the core already made it so). */
void dbg_arch_inject_db(struct dbg_vcpu *d, uint64_t dr6);
void dbg_arch_inject_gp(struct dbg_vcpu *d);
void dbg_arch_inject_ud(struct dbg_vcpu *d);
/* The trap flag in the RFLAGS the guest runs with. */
bool dbg_arch_get_tf(struct dbg_vcpu *d);
void dbg_arch_set_tf(struct dbg_vcpu *d, bool tf);
/* Whether the instruction at the guest's RIP loads TF from the guest (POPF, IRET). */
bool dbg_arch_next_insn_loads_tf(struct dbg_vcpu *d);

/* --- Part 2: semantics (pure) -------------------------------------------------------- */

/* Power-on values of the status and control registers and of the switched file. */
uint64_t dbg_arch_status_reset(bool rtm);
uint64_t dbg_arch_control_reset(void);
void dbg_arch_regs_reset(uint64_t regs[DBG_NR_REGS]);
/* Fault checks of an access in priority order; on DONE *reg is the register to use
 * (below DBG_NR_REGS the file, DBG_REG_STATUS, DBG_REG_CONTROL: aliases resolved). */
enum dbg_access_result dbg_arch_check_access(const struct dbg_access *a, uint64_t control,
                                             unsigned *reg);
/* Architectural value stored by a write to reg, given the current view d (RTM offered,
 * other registers); false: the write faults (#GP). */
bool dbg_arch_write_value(const struct dbg_vcpu *d, unsigned reg, uint64_t v, bool long_mode,
                          uint64_t *out);
/* Value a read returns in the current operand size. */
uint64_t dbg_arch_read_value(uint64_t v, bool long_mode);
/* Bit n set: the control register (with the file's per-slot controls, where the arch
 * has them) arms slot n. */
unsigned dbg_arch_armed_slots(uint64_t control, const uint64_t regs[DBG_NR_REGS]);
/* Control register for a trapped run: guest slots moved to their hardware slots, host bps
 * added, the host's single-step (host_step) where the arch steps through it, general
 * detect removed (the core emulates it). */
uint64_t dbg_arch_compose_control(uint64_t guest_control, const struct dbg_layout *l,
                                  const struct dbg_bp host[DBG_MAX_HOST_BP], bool host_step);
/* The rest of the hardware file for a layout, where slots have their own control
 * registers (arm64): regs holds the guest's file with each hardware slot's address
 * filled in; host slots get the host's control, moved guest slots take their control
 * along, free ones are disarmed. host_active: the host debugs this vCPU. */
void dbg_arch_compose_file(const struct dbg_layout *l, const struct dbg_bp host[DBG_MAX_HOST_BP],
                           bool host_active, uint64_t regs[DBG_NR_REGS]);
/* What a slot can hold: slots of one class are interchangeable (x86: all four;
 * arm64: breakpoint pairs, watchpoint pairs); DBG_SLOT_ABSENT: the CPU lacks it. */
#define DBG_SLOT_ABSENT 0xffu
unsigned dbg_arch_slot_class(unsigned slot);
/* The class of slot a host breakpoint needs. */
unsigned dbg_arch_bp_class(const struct dbg_bp *bp);
/* The guest's control register after a trapped run in which the hardware one
 * went from `programmed` to `now`: a hardware task switch clears the local
 * enables, and the guest's view follows. */
uint64_t dbg_arch_control_after_run(uint64_t guest_control, uint64_t programmed, uint64_t now);
/* Control register after a #DB is delivered (GD cleared). */
uint64_t dbg_arch_control_on_db(uint64_t control);
/* Causes recorded in a status register that started from its reset value. */
struct dbg_cause dbg_arch_decode_status(uint64_t status);
/* Seed 000 merge: slot bits replaced by this #DB's hits, step/detect/task bits kept. */
uint64_t dbg_arch_merge_status(uint64_t status, const struct dbg_cause *c, bool rtm);
/* Whether a host breakpoint is encodable (type, length, alignment). */
bool dbg_arch_bp_valid(const struct dbg_bp *bp);

#endif
