/*
 * dbgvisor public ABI: per-vCPU debug-register virtualization state.
 *
 * Shared by the hypervisor and the toolstack. Fixed-width types, explicit
 * padding, every struct a multiple of 8 bytes. Bump DBGV_DEBUG_ABI_VERSION
 * on any incompatible change.
 */
#ifndef DBGVISOR_PUBLIC_DEBUG_H
#define DBGVISOR_PUBLIC_DEBUG_H

#include <stdint.h>

#define DBGV_DEBUG_ABI_VERSION 3  /* 2: arch tag and the arch's register file;
                                     3: struct dbgv_vcpu_debug_summary */

/* Lazy-switch policies (docs/debug-registers.md). */
enum dbgv_debug_policy {
    DBGV_POLICY_TRAP       = 0, /* every MOV DR exits and is emulated */
    DBGV_POLICY_LAZY_EXIT  = 1, /* KVM: first access untraps until the next VM exit */
    DBGV_POLICY_LAZY_SCHED = 2, /* Xen: untrapped until the vCPU is descheduled */
    DBGV_POLICY_ADAPTIVE   = 3, /* untrapped while live, re-trap after N quiet switches */
    DBGV_POLICY_COUNT      = 4,
};
#define DBGV_POLICY_DEFAULT DBGV_POLICY_ADAPTIVE
#define DBGV_ADAPTIVE_QUIET_SWITCHES_DEFAULT 8

/* Who owns a breakpoint slot or single-step. */
enum dbgv_owner {
    DBGV_OWNER_FREE  = 0,
    DBGV_OWNER_GUEST = 1,
    DBGV_OWNER_HOST  = 2,
};

/* Lazy state of a vCPU's debug registers. */
enum dbgv_lazy_state {
    DBGV_LAZY_TRAPPING    = 0, /* MOV DR intercepted, nothing of the guest loaded */
    DBGV_LAZY_PASSTHROUGH = 1, /* guest's registers loaded, MOV DR not intercepted */
};

#define DBGV_NR_SLOTS 4

/* Architecture whose debug register file a vCPU's state describes. */
enum dbgv_arch {
    DBGV_ARCH_X86   = 0,    /* regs[]: DR0-3; control DR7, status DR6 */
    DBGV_ARCH_ARM64 = 1,    /* regs[]: DBGV_ARM64_*; control MDSCR_EL1, no status */
};
#define DBGV_MAX_SLOTS      32  /* address slots of any arch */
#define DBGV_MAX_DEBUG_REGS 72  /* registers of any arch's file */

/* The arm64 file: 16 breakpoint and 16 watchpoint pairs (those the CPU lacks are
 * absent from slots_present and read 0), then the OS lock and the rest. */
#define DBGV_ARM64_MAX_BP   16
#define DBGV_ARM64_MAX_WP   16
#define DBGV_ARM64_BVR(n)   (n)                         /* slots 0-15 */
#define DBGV_ARM64_WVR(n)   (16 + (n))                  /* slots 16-31 */
#define DBGV_ARM64_BCR(n)   (32 + (n))
#define DBGV_ARM64_WCR(n)   (48 + (n))
#define DBGV_ARM64_OSLSR    64  /* OSLSR_EL1: OSLK (bit 1) as OSLAR_EL1 set it */
#define DBGV_ARM64_OSDLR    65  /* OSDLR_EL1 */
#define DBGV_ARM64_CLAIM    66  /* DBGCLAIMCLR_EL1: the claim tags */
#define DBGV_ARM64_MDCCINT  67  /* MDCCINT_EL1 */
#define DBGV_ARM64_NR_REGS  68
/* The bits of the arm64 control and OS lock a monitor names (ARM DDI 0487). */
#define DBGV_ARM64_MDSCR_SS   (1ull << 0)   /* software step */
#define DBGV_ARM64_MDSCR_KDE  (1ull << 13)  /* debug exceptions at EL1 */
#define DBGV_ARM64_MDSCR_MDE  (1ull << 15)  /* breakpoints and watchpoints */
#define DBGV_ARM64_OSLSR_OSLK (1ull << 1)   /* the OS lock is set */

struct dbgv_debug_counters {
    uint64_t dr_access_exits;   /* MOV DR intercepts taken */
    uint64_t db_exits;          /* #DB intercepts taken */
    uint64_t db_reflected;      /* #DB delivered to the guest */
    uint64_t db_host_events;    /* #DB routed to the host debugger */
    uint64_t dr_loads;          /* guest DR0-3 loaded into hardware: at an entry, or one
                                   slot at a trapped write (docs/debug-registers.md) */
    uint64_t dr_saves;          /* guest DR0-3 saved from hardware on exit/switch-out */
    uint64_t policy_switches;   /* trapping <-> pass-through transitions */
};

struct dbgv_vcpu_debug_state {
    uint32_t vcpu_id;
    uint8_t  policy;            /* enum dbgv_debug_policy */
    uint8_t  lazy_state;        /* enum dbgv_lazy_state */
    uint8_t  dirty;             /* 1: hardware holds guest values not yet saved */
    uint8_t  step_owner;        /* enum dbgv_owner */
    uint8_t  slot_owner[DBGV_NR_SLOTS]; /* enum dbgv_owner */
    uint32_t quiet_switches;    /* adaptive: tunable threshold */
    uint64_t guest_dr[DBGV_NR_SLOTS]; /* guest's architectural DR0-3 */
    uint64_t guest_dr6;         /* guest's architectural DR6 */
    uint64_t guest_dr7;         /* guest's architectural DR7 */
    uint64_t last_dr6_seen;     /* DR6 last delivered with a #DB to the guest */
    uint64_t last_dr7_seen;     /* DR7 the guest last read or wrote */
    struct dbgv_debug_counters counters;
    /* Version 2: the arch's own register file. slot_owner, guest_dr, guest_dr6 and
     * guest_dr7 above are x86's and 0 on other archs. */
    uint8_t  arch;              /* enum dbgv_arch */
    uint8_t  nr_slots;          /* address slots: owner[] entries, the first of regs[] */
    uint16_t nr_regs;           /* regs[] entries (the file) */
    uint32_t slots_present;     /* bit n: the CPU has slot n */
    uint8_t  owner[DBGV_MAX_SLOTS];     /* enum dbgv_owner per slot */
    uint64_t control;           /* guest's control register: DR7, MDSCR_EL1 */
    uint64_t status;            /* guest's status register: DR6; arm64 none (0) */
    uint64_t regs[DBGV_MAX_DEBUG_REGS]; /* guest's file; stale while dirty is 1 */
};

/*
 * Version 3: what a monitor (dbgtop) shows of a vCPU, 96 bytes whatever the
 * arch, so that one DEBUG_SUMMARY_LIST page carries 85 vCPUs where the
 * 768-byte state above fits 10. Slot owners as bit masks over nr_slots.
 */
struct dbgv_vcpu_debug_summary {
    uint32_t domid;
    uint32_t vcpu_id;
    uint8_t  policy;            /* enum dbgv_debug_policy */
    uint8_t  lazy_state;        /* enum dbgv_lazy_state */
    uint8_t  dirty;
    uint8_t  step_owner;        /* enum dbgv_owner */
    uint8_t  arch;              /* enum dbgv_arch */
    uint8_t  nr_slots;
    /* Former padding (0 from a hypervisor before this meaning, and on x86): arm64:
     * the breakpoint / watchpoint pairs the CPU has, slots 0.. and 16.. (0: unknown). */
    uint8_t  bp_pairs;
    uint8_t  wp_pairs;
    uint32_t host_slots;        /* bit n: slot n is the host's (both: owner unknown) */
    uint32_t guest_slots;       /* bit n: slot n is the guest's (both: owner unknown) */
    /* x86: DR6 last delivered with a #DB. arm64 (no status register): the guest's
     * OSLSR_EL1 (OSLK, bit 1: the OS lock) as of the last save of its file. */
    uint64_t last_status_seen;
    /* x86: DR7, arm64: MDSCR_EL1, as the guest last read or wrote it. */
    uint64_t last_control_seen;
    struct dbgv_debug_counters counters;
};

/* The pairs of one class (a half of arm64's slots) the CPU has: up to the highest
 * present, so that no owned slot goes unshown. */
static inline uint8_t dbgv_arm64_pairs(uint32_t present_half)
{
    uint8_t n = 0;

    while ( present_half >> n )
        n++;
    return n;
}

/* The summary of a full state: the one definition both sides use (the
 * hypervisor to answer DEBUG_SUMMARY_LIST, a client that talks to a
 * hypervisor without it). */
static inline void dbgv_debug_summarize(uint32_t domid, const struct dbgv_vcpu_debug_state *st,
                                        struct dbgv_vcpu_debug_summary *out)
{
    unsigned int n, slots = st->nr_slots < DBGV_MAX_SLOTS ? st->nr_slots : DBGV_MAX_SLOTS;
    const uint8_t *owner = st->owner;

    /* A version-1 x86 state has no file of its own: its owners are slot_owner[]. */
    if ( !slots && st->arch == DBGV_ARCH_X86 )
    {
        owner = st->slot_owner;
        slots = DBGV_NR_SLOTS;
    }

    out->domid = domid;
    out->vcpu_id = st->vcpu_id;
    out->policy = st->policy;
    out->lazy_state = st->lazy_state;
    out->dirty = st->dirty;
    out->step_owner = st->step_owner;
    out->arch = st->arch;
    out->nr_slots = (uint8_t)slots;
    out->bp_pairs = out->wp_pairs = 0;
    out->host_slots = out->guest_slots = 0;
    for ( n = 0; n < slots; n++ )
    {
        /* An owner this version does not know sets both bits. */
        int known = owner[n] <= DBGV_OWNER_HOST;
        out->host_slots |= (uint32_t)(owner[n] == DBGV_OWNER_HOST || !known) << n;
        out->guest_slots |= (uint32_t)(owner[n] == DBGV_OWNER_GUEST || !known) << n;
    }
    out->last_status_seen = st->last_dr6_seen;
    out->last_control_seen = st->last_dr7_seen;
    if ( st->arch == DBGV_ARCH_ARM64 )
    {
        /* Its status word is the hypervisor's own cause record: show the OS lock. */
        out->bp_pairs = dbgv_arm64_pairs(st->slots_present & 0xffff);
        out->wp_pairs = dbgv_arm64_pairs(st->slots_present >> DBGV_ARM64_MAX_BP & 0xffff);
        out->last_status_seen = st->nr_regs > DBGV_ARM64_OSLSR ? st->regs[DBGV_ARM64_OSLSR] : 0;
    }
    out->counters = st->counters;
}

#endif
