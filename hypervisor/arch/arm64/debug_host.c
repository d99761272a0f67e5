/*
 * What the debug core's arm64 arch layer computes for host debugging
 * (asm/debug_host.h): pure functions of register values, no system register
 * access, so the hosted tests link this file as it is.
 *
 * The composed file (ARM DDI 0487 D2.8-D2.10): a host breakpoint is an
 * unlinked address match (BT 0) on EL1 and EL0 (PMC 0b11, HMC 0, SSC 0) of
 * the whole A64 instruction (BAS 0b1111); a host watchpoint matches the
 * bytes it covers in its doubleword (BAS) for stores or loads and stores
 * (LSC), at EL1 and EL0 (PAC 0b11). A guest slot the host's moved keeps its
 * own control in its new pair; a slot the guest does not arm is disarmed,
 * because the host's MDSCR_EL1.MDE would arm it.
 */
#include <dbgvisor/debug_arch.h>
#include <dbgvisor/lib.h>
#include <asm/debug_host.h>

unsigned arm64_dbg_nr_bp, arm64_dbg_nr_wp;

#define BCR_PMC_EL1_EL0 (3ULL << 1)
#define BCR_BAS_A64     (0xfULL << 5)
#define BCR_BT(c)       (((c) >> 20) & 0xf)
#define XCR_PMC(c)      (((c) >> 1) & 3)
#define WCR_LSC_LOAD    (1ULL << 3)
#define WCR_LSC_STORE   (2ULL << 3)
#define WCR_BAS(c)      (((c) >> 5) & 0xff)
#define WCR_MASK(c)     (((c) >> 24) & 0x1f)
#define PSR_EL(spsr)    (((spsr) >> 2) & 3)
#define PSR_D_BIT       (1ULL << 9)
#define ESR_EC_SHIFT    26

static bool is_watch_slot(unsigned slot)
{
    return slot >= DBG_ARM64_MAX_BP;
}

unsigned arm64_dbg_ctl_of(unsigned slot)
{
    return is_watch_slot(slot) ? DBG_ARM64_WCR(slot - DBG_ARM64_MAX_BP) : DBG_ARM64_BCR(slot);
}

unsigned dbg_arch_slot_class(unsigned slot)
{
    if (!is_watch_slot(slot))
        return slot < arm64_dbg_nr_bp ? 0 : DBG_SLOT_ABSENT;
    return slot - DBG_ARM64_MAX_BP < arm64_dbg_nr_wp ? 1 : DBG_SLOT_ABSENT;
}

unsigned dbg_arch_bp_class(const struct dbg_bp *bp)
{
    return bp->type == DBG_BP_EXEC ? 0 : 1;
}

/* A64 instructions are words; a watchpoint covers bytes of one doubleword. */
bool dbg_arch_bp_valid(const struct dbg_bp *bp)
{
    switch (bp->type) {
    case DBG_BP_EXEC:
        return (bp->addr & 3) == 0;
    case DBG_BP_WRITE:
    case DBG_BP_RW:
        return (bp->len == 1 || bp->len == 2 || bp->len == 4 || bp->len == 8) &&
               (bp->addr & 7) + bp->len <= 8;
    default:
        return false;
    }
}

uint64_t arm64_dbg_host_ctl(const struct dbg_bp *bp)
{
    uint64_t bas;

    if (bp->type == DBG_BP_EXEC)
        return DBGXCR_E | BCR_PMC_EL1_EL0 | BCR_BAS_A64;
    bas = ((1ULL << bp->len) - 1) << (bp->addr & 7);
    return DBGXCR_E | BCR_PMC_EL1_EL0 | bas << 5 |
           (bp->type == DBG_BP_WRITE ? WCR_LSC_STORE : WCR_LSC_LOAD | WCR_LSC_STORE);
}

uint64_t arm64_dbg_host_addr(const struct dbg_bp *bp)
{
    return bp->addr & (bp->type == DBG_BP_EXEC ? ~3ULL : ~7ULL);
}

/* A breakpoint or watchpoint is armed with MDSCR_EL1.MDE and its control's E bit. */
unsigned dbg_arch_armed_slots(uint64_t control, const uint64_t regs[DBG_NR_REGS])
{
    unsigned armed = 0, n;

    if (!(control & DBGV_ARM64_MDSCR_MDE))
        return 0;
    for (n = 0; n < arm64_dbg_nr_bp; n++)
        if (regs[DBG_ARM64_BCR(n)] & DBGXCR_E)
            armed |= 1u << DBG_ARM64_BVR(n);
    for (n = 0; n < arm64_dbg_nr_wp; n++)
        if (regs[DBG_ARM64_WCR(n)] & DBGXCR_E)
            armed |= 1u << DBG_ARM64_WVR(n);
    return armed;
}

/* The host's slots need MDE, its step MDSCR_EL1.SS, and both need the exceptions
 * at EL2 (MDSCR_HOST_ROUTE: TDE). The guest's own bits stay: its SS keeps its
 * software step going, its KDE is read by the routing, never by the hardware
 * (with TDE, exceptions from EL1 target EL2 and need no KDE). */
uint64_t dbg_arch_compose_control(uint64_t guest_control, const struct dbg_layout *l,
                                  const struct dbg_bp host[DBG_MAX_HOST_BP], bool host_step)
{
    uint64_t out = guest_control;
    unsigned hw;
    bool host_slots = false;

    for (hw = 0; hw < DBG_NR_SLOTS; hw++)
        host_slots |= l->owner[hw] == DBGV_OWNER_HOST;
    if (host_slots)
        out |= DBGV_ARM64_MDSCR_MDE;
    if (host_step)
        out |= DBGV_ARM64_MDSCR_SS;
    if (host_slots || host_step)
        out |= MDSCR_HOST_ROUTE;
    return out;
}

void dbg_arch_compose_file(const struct dbg_layout *l, const struct dbg_bp host[DBG_MAX_HOST_BP],
                           bool host_active, uint64_t regs[DBG_NR_REGS])
{
    uint64_t guest[DBG_NR_REGS];
    unsigned hw;

    if (!host_active)
        return;             /* the guest's own file, as it wrote it */
    memcpy(guest, regs, sizeof(guest));
    for (hw = 0; hw < DBG_NR_SLOTS; hw++) {
        unsigned ctl = arm64_dbg_ctl_of(hw);

        if (dbg_arch_slot_class(hw) == DBG_SLOT_ABSENT)
            continue;
        if (l->owner[hw] == DBGV_OWNER_HOST) {
            regs[hw] = arm64_dbg_host_addr(&host[l->index[hw]]);
            regs[ctl] = arm64_dbg_host_ctl(&host[l->index[hw]]);
        } else if (l->owner[hw] == DBGV_OWNER_GUEST) {
            regs[ctl] = guest[arm64_dbg_ctl_of(l->index[hw])];
        } else {
            regs[ctl] = guest[ctl] & ~DBGXCR_E;
        }
    }
    /* The guest's OS lock (set out of reset) would hold off the host's exceptions:
     * the hardware's is clear, and the routing applies the guest's (arm64_dbg_guest_enabled). */
    regs[DBG_ARM64_OSLSR] &= ~DBGV_ARM64_OSLSR_OSLK;
    regs[DBG_ARM64_OSDLR] = 0;
}

bool arm64_dbg_guest_enabled(uint64_t guest_mdscr, uint64_t guest_oslsr, uint64_t spsr)
{
    if (guest_oslsr & DBGV_ARM64_OSLSR_OSLK)
        return false;
    if (PSR_EL(spsr) == 0)
        return true;
    return (guest_mdscr & DBGV_ARM64_MDSCR_KDE) && !(spsr & PSR_D_BIT);
}

/* Privilege match of a pair's PMC/PAC (HMC 0, SSC 0 or 1: EL1 is bit 0, EL0 bit 1). */
static bool matches_el(uint64_t ctl, uint64_t spsr)
{
    return XCR_PMC(ctl) & (PSR_EL(spsr) == 0 ? 2 : 1);
}

static bool bp_matches(uint64_t bvr, uint64_t bcr, uint64_t pc)
{
    return BCR_BT(bcr) == 0 && (bvr & ~3ULL) == (pc & ~3ULL);
}

static bool wp_matches(uint64_t wvr, uint64_t wcr, bool write, uint64_t addr)
{
    unsigned mask = (unsigned)WCR_MASK(wcr);

    if (!(wcr & (write ? WCR_LSC_STORE : WCR_LSC_LOAD)))
        return false;
    if (mask)
        return (addr >> mask) == (wvr >> mask);
    return (addr & ~7ULL) == (wvr & ~7ULL) && (WCR_BAS(wcr) >> (addr & 7) & 1);
}

uint32_t arm64_dbg_matching_slots(const uint64_t hw[DBG_NR_REGS], uint64_t hw_mdscr,
                                  bool watch, bool write, uint64_t addr, uint64_t spsr)
{
    unsigned armed = dbg_arch_armed_slots(hw_mdscr, hw), slot;
    uint32_t hits = 0;

    for (slot = 0; slot < DBG_NR_SLOTS; slot++) {
        uint64_t ctl = hw[arm64_dbg_ctl_of(slot)];

        if (!(armed & (1u << slot)) || is_watch_slot(slot) != watch || !matches_el(ctl, spsr))
            continue;
        if (watch ? wp_matches(hw[slot], ctl, write, addr) : bp_matches(hw[slot], ctl, addr))
            hits |= 1u << slot;
    }
    return hits;
}

uint64_t arm64_dbg_guest_esr(uint64_t hw_esr, uint64_t spsr)
{
    uint64_t ec = (hw_esr >> ESR_EC_SHIFT) & 0x3f;

    if (ec != EC_BRK64 && PSR_EL(spsr) != 0)
        ec |= 1;            /* taken from EL1 to EL1: the current-EL class */
    return (hw_esr & ~(0x3fULL << ESR_EC_SHIFT)) | ec << ESR_EC_SHIFT;
}
