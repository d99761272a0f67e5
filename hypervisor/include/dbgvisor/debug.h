/*
 * Debug core: arch-neutral debug-register virtualization (docs/debug-registers.md).
 *
 * Owns, per vCPU: the guest's architectural view of its debug register file, what the
 * hardware holds, who owns each hardware slot and single-step, the lazy-switch policy
 * state and counters. The file's shape comes from the arch (asm/debug_regs.h):
 * DBG_NR_SLOTS address slots (owned guest/host one by one), DBG_NR_REGS registers switched
 * with them (the slots first, then per-slot controls and other state), one control
 * register whose value (with the file) says which slots are armed, and a status register
 * if the arch has one. x86: DR0-3 | DR6 | DR7. arm64: DBGBVR/DBGWVR<n> | DBGBCR/DBGWCR<n>,
 * the OS lock, claim tags | MDSCR_EL1 | none.
 * The arch layer supplies mechanisms through dbgvisor/debug_arch.h and calls the entry
 * points below from its VM-entry/exit loop.
 *
 * Calling contexts: the entry points marked [vCPU] run on the pCPU where the vCPU is
 * loaded, between a VM exit and the next VM entry. The ones marked [any] only change
 * bookkeeping and may run elsewhere while the vCPU is paused; their effect reaches the
 * hardware at the next dbg_before_vmentry(). The core takes no locks.
 *
 * Run loop:  dbg_on_schedule
 *            { [queue events]  dbg_before_vmentry  VMRUN  dbg_after_vmexit  [exit handler] }*
 *            dbg_on_deschedule
 * Exit handler: MOV DR -> dbg_on_mov_dr (+ dbg_on_emulated_insn once RIP is advanced);
 * #DB -> dbg_on_db_exit(VMCB DR6); ICEBP -> dbg_on_icebp; any other instruction the
 * hypervisor completes for the guest -> dbg_on_emulated_insn. A route with to_host:
 * report the event and pause the vCPU (the guest's #DB, if any, is already queued).
 */
#ifndef DBGVISOR_DEBUG_H
#define DBGVISOR_DEBUG_H

#include <stdbool.h>
#include <stdint.h>

#include "public/debug.h"
#include "asm/debug_regs.h"     /* DBG_NR_SLOTS, DBG_NR_REGS, DBG_REG_*: the arch's file */

#define DBG_MAX_HOST_BP   8    /* host breakpoints per vCPU; beyond 4 they need NPT */
#define DBG_NO_SLOT       (-1)

/* Breakpoint kinds a debugger can ask for. */
enum dbg_bp_type {
    DBG_BP_EXEC  = 0,
    DBG_BP_WRITE = 1,
    DBG_BP_IO    = 2,
    DBG_BP_RW    = 3,
};

struct dbg_bp {
    uint64_t addr;
    uint8_t  type;        /* enum dbg_bp_type */
    uint8_t  len;         /* bytes: 1, 2, 4 or 8 */
    bool     enabled;
};

/* Which hardware slot holds what; recomputed whenever guest control or host bps change. */
struct dbg_layout {
    uint8_t owner[DBG_NR_SLOTS];      /* per hardware slot: enum dbgv_owner */
    uint8_t index[DBG_NR_SLOTS];      /* per hardware slot: guest slot or host bp id */
    int8_t  guest_hw[DBG_NR_SLOTS];   /* per guest slot: hardware slot or DBG_NO_SLOT */
    int8_t  host_hw[DBG_MAX_HOST_BP]; /* per host bp: hardware slot or DBG_NO_SLOT */
    uint32_t guest_unplaced;          /* armed guest slots without hardware (always 0 today) */
    uint32_t host_unplaced;           /* enabled host bps without hardware: emulate via NPT */
};

/* Arch-neutral decoding of a status register (DR6) value: what caused a #DB. */
struct dbg_cause {
    uint32_t hits;         /* bit n: slot n matched */
    bool    step;          /* single-step trap */
    bool    general_detect;/* debug-register access with GD set */
    bool    task_switch;   /* task switch with the T bit */
    bool    rtm;           /* #DB inside a transactional region */
};

/* A trapped debug-register access, as decoded by the arch layer. */
struct dbg_access {
    uint8_t  reg;          /* register number as encoded (x86: 0-15; arm64: DBG_ARM64_*) */
    bool     write;
    uint8_t  cpl;
    bool     cr4_de;       /* CR4.DE: DR4/DR5 fault instead of aliasing */
    bool     long_mode;    /* 64-bit mode (EFER.LMA and CS.L): 64-bit operands */
    uint64_t value;        /* write: source operand; read: result */
};

enum dbg_access_result {
    DBG_ACCESS_DONE = 0,   /* completed: arch writes the GPR on a read and advances RIP */
    DBG_ACCESS_GP   = 1,   /* #GP(0) injected, RIP not advanced */
    DBG_ACCESS_UD   = 2,   /* #UD injected, RIP not advanced */
    DBG_ACCESS_DB   = 3,   /* #DB (general detect) injected, RIP not advanced */
};

/* Who gets a #DB exit. Both can be set: the host's event is reported first. */
struct dbg_route {
    bool     to_host;      /* report a debug event to the host debugger, pause the vCPU */
    bool     to_guest;     /* a #DB was queued for the guest */
    bool     host_step;    /* host: the single-step completed */
    uint32_t host_bps;     /* host: ids of the host breakpoints that hit */
    uint64_t guest_dr6;    /* guest: DR6 its handler reads (valid if to_guest) */
};

/* Per-vCPU debug state, embedded in struct vcpu. Treat as opaque outside common/debug. */
struct dbg_vcpu {
    /* configuration */
    uint32_t vcpu_id;
    uint8_t  policy;              /* enum dbgv_debug_policy in force */
    uint8_t  policy_req;          /* requested by dbg_set_policy(), applied at entry */
    bool     rtm;                 /* RTM offered to the guest */
    uint32_t quiet_switches;      /* adaptive: quiet switch-outs before re-trapping */

    /* guest's architectural view; the file is stale while dirty (hardware is authoritative) */
    uint64_t dr[DBG_NR_REGS];     /* slots first, then what the arch switches with them */
    uint64_t status;              /* DR6; unused where the arch has none */
    uint64_t control;             /* DR7, MDSCR_EL1 */

    /* lazy-switch state */
    uint8_t  lazy_state;          /* enum dbgv_lazy_state */
    bool     dirty;               /* hardware slots hold guest values not yet saved */
    bool     ran_untrapped;       /* the last VM entry ran with the guest's DR6/DR7 live */
    bool     live;                /* adaptive: guest changed its registers this period */
    uint32_t quiet_count;         /* adaptive: consecutive quiet switch-outs */

    /* what the hardware holds: slots are per pCPU, status/control/intercepts per vCPU */
    bool     hw_slots_valid;
    uint64_t hw_slot[DBG_NR_REGS];
    bool     hw_ctl_valid;
    uint64_t hw_status;
    uint64_t hw_control;
    bool     hw_intercepts;

    /* ownership */
    struct dbg_layout layout;
    uint32_t layout_gen;          /* bumped by every layout recomputation */
    struct dbg_bp host_bp[DBG_MAX_HOST_BP];
    uint32_t host_enabled;        /* bit per enabled host_bp[] (kept with them) */

    /* the hardware control composed for the trapped view, kept while its inputs hold */
    bool     composed_valid;
    uint32_t composed_gen;        /* layout_gen it was composed for */
    uint64_t composed_from;       /* guest control it was composed from */
    uint64_t composed;
    bool     host_step;           /* host debugger single-steps this vCPU */
    bool     host_step_irqs;      /* let interrupts in while host-stepping */
    bool     step_armed;          /* the last entry carried the host's TF */
    bool     step_keeps_tf;       /* ... over an instruction that loads TF itself */
    bool     guest_tf;            /* guest's own TF before that instruction */
    bool     tf_after;            /* TF the instruction left (the guest's, if it loads TF) */

    /* What the next VM entry has to do (DBG_REDO_*). An entry is a function of the state
     * above, so once one has programmed the hardware the next can skip it until something
     * changes: every writer of that state marks here what it changed (dbg_mark_redo() in
     * common/debug/internal.h; the unit tests check every entry against a full one). */
    uint64_t redo;
    uint32_t entry_armed;         /* slots the control given to the hardware arms */
    uint8_t  slots_use;           /* what the last entry left in the slots: DBG_SLOTS_* */
    /* The last entry left a clean vCPU: trapped, nothing armed, no host debugging, nothing
     * loaded. The exit after it has nothing to do for debug. */
    bool     clean_entry;

    /* observation */
    uint64_t last_dr6_seen;
    uint64_t last_dr7_seen;
    struct dbgv_debug_counters counters;
};

/* --- lifecycle and policy ------------------------------------------------------------ */

/* [any] Reset to the architectural power-on state, trapping, with the given policy. */
void dbg_init(struct dbg_vcpu *d, uint32_t vcpu_id, enum dbgv_debug_policy policy,
              uint32_t quiet_switches, bool rtm_offered);
/* [any, or vCPU] The vCPU was reset (INIT, or the toolstack loaded a new entry state): the
 * guest's registers go back to their reset values and the vCPU to trapping under its
 * policy; nothing is assumed about the hardware, so the next dbg_before_vmentry()
 * programs status, control and intercepts again (the arch layer has just reset them).
 * Keeps the policy, the host debugger's breakpoints and single-step, and the counters. */
void dbg_vcpu_reset(struct dbg_vcpu *d);
/* [any] Request a policy and adaptive threshold; false if the policy is invalid. */
bool dbg_set_policy(struct dbg_vcpu *d, enum dbgv_debug_policy policy,
                    uint32_t quiet_switches);
/* [any] Copy the state for the toolstack; guest_dr* are stale while dirty is 1. */
void dbg_snapshot(const struct dbg_vcpu *d, struct dbgv_vcpu_debug_state *out);

/* --- the VM-entry/exit loop ---------------------------------------------------------- */

/* The work of the two below; the inline wrappers skip it when there is none. */
void dbg_entry_program(struct dbg_vcpu *d);
void dbg_exit_sync(struct dbg_vcpu *d, bool control_kept);

/* dbg_vcpu.redo: the whole entry, or only a slot value of the view changed (what the
 * entry then does depends on slots_use alone: which slot does not matter). */
#define DBG_REDO_ALL        (1ull << 63)
#define DBG_REDO_SLOT_VALUE (1ull << 0)
/* dbg_vcpu.slots_use: whether a slot written since needs nothing (UNUSED: nothing armed
 * needs them), a load of that slot at the write (VIEW: hardware slot n holds the view's
 * slot n, for all n: trapped, no host debugging) or the whole entry (anything else). */
enum { DBG_SLOTS_UNUSED, DBG_SLOTS_VIEW, DBG_SLOTS_OTHER };

/* Whether the next entry has work: a writer marked some, or the toolstack requested a
 * policy. The request is compared, not marked: it comes from another pCPU while the vCPU
 * runs, and a mark there could be lost to the vCPU's own clearing of redo. */
static inline bool dbg_entry_pending(const struct dbg_vcpu *d)
{
    return d->redo || d->policy_req != d->policy;
}
/* [vCPU] Last thing before VMRUN: apply pending changes, load slots, DR6/DR7, intercepts, TF.
 * Nothing to do while nothing the last entry programmed from has changed. */
static inline void dbg_before_vmentry(struct dbg_vcpu *d)
{
    if (dbg_entry_pending(d))
        dbg_entry_program(d);
}
/* [vCPU] First thing after every VM exit, before its handler: sync what the guest changed.
 * After a clean entry (trapped, nothing armed, no step) the guest could change nothing.
 * control_kept: the arch knows the CPU itself could not change the control register
 * during this run (x86: a run that ended in long mode, which has no hardware task
 * switch), so a trapped run without a step has nothing to sync. */
static inline void dbg_after_vmexit_run(struct dbg_vcpu *d, bool control_kept)
{
    if (d->clean_entry)
        return;
    if (control_kept && !d->step_armed && !d->ran_untrapped)
        return;
    dbg_exit_sync(d, control_kept);
}
/* The same where the arch cannot tell (any run may have changed the control register). */
static inline void dbg_after_vmexit(struct dbg_vcpu *d)
{
    dbg_after_vmexit_run(d, false);
}
/* [vCPU] The vCPU leaves its pCPU: save dirty registers, apply the policy's switch-out rule. */
void dbg_on_deschedule(struct dbg_vcpu *d);
/* [vCPU] The vCPU is about to run on a pCPU: hardware slots are unknown, apply switch-in rule. */
void dbg_on_schedule(struct dbg_vcpu *d);

/* --- exits the arch layer forwards --------------------------------------------------- */

/* [vCPU] Emulate an intercepted MOV DR (a->value is the result of a read); faults injected.
 * Also called untrapped: writes of DR4-DR7 always exit (dbg_arch_set_intercepts). */
enum dbg_access_result dbg_on_mov_dr(struct dbg_vcpu *d, struct dbg_access *a);
/* [vCPU] The common case of dbg_on_mov_dr, taken when the arch has found no rule to apply
 * (privilege, alias, general detect) and has applied the value rule: the read of register
 * reg (an alias resolved), and the write of value, as the register will hold it. */
uint64_t dbg_read_plain(struct dbg_vcpu *d, unsigned reg);
void dbg_write_plain(struct dbg_vcpu *d, unsigned reg, uint64_t value);
/* [vCPU] #DB intercept with the hardware DR6: split host/guest causes, queue the guest's #DB. */
struct dbg_route dbg_on_db_exit(struct dbg_vcpu *d, uint64_t hw_dr6);
/* [vCPU] ICEBP/INT1 intercept: reflect a #DB that leaves the guest's DR6 untouched. */
void dbg_on_icebp(struct dbg_vcpu *d);
/* [vCPU] After the hypervisor emulated an instruction and advanced RIP: deliver its step trap. */
struct dbg_route dbg_on_emulated_insn(struct dbg_vcpu *d);

/* --- host debugger ------------------------------------------------------------------- */

/* [any] Set host breakpoint id (< DBG_MAX_HOST_BP); false if id or bp are invalid. */
bool dbg_host_set_bp(struct dbg_vcpu *d, unsigned id, const struct dbg_bp *bp);
/* [any] Remove host breakpoint id. */
void dbg_host_clear_bp(struct dbg_vcpu *d, unsigned id);
/* [any] Host single-step on/off; irqs: let interrupts be injected while stepping. */
void dbg_host_single_step(struct dbg_vcpu *d, bool on, bool irqs);
/* [any] Hold off interrupt injection (host is stepping and did not ask for interrupts). */
bool dbg_host_blocks_irqs(const struct dbg_vcpu *d);
/* [any] Current slot layout: owners, remapping, and what must be emulated with NPT. */
const struct dbg_layout *dbg_get_layout(const struct dbg_vcpu *d);

/* --- arch layers whose control registers are the pCPU's ------------------------------ */

/* [vCPU] The control/intercept registers the core programmed were changed behind its
 * back (arm64: a trapped OSLAR write moved the OS lock the control write restores):
 * the next dbg_before_vmentry() programs them again. */
void dbg_forget_hw_control(struct dbg_vcpu *d);

#endif
