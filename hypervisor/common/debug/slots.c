/*
 * Ownership of the hardware breakpoint slots: the guest keeps its architectural view of
 * its four slots, host breakpoints take the hardware slots the guest does not arm, and the
 * guest's armed slots are remapped to free hardware slots when a host breakpoint already
 * sits in theirs (seed 002). The guest never loses hardware: only host breakpoints can be
 * left without a slot, and the arch layer emulates those with NPT.
 */
#include "dbgvisor/lib.h"
#include "internal.h"

static void give(struct dbg_layout *l, unsigned hw, uint8_t owner, unsigned index)
{
    l->owner[hw] = owner;
    l->index[hw] = (uint8_t)index;
    if (owner == DBGV_OWNER_GUEST)
        l->guest_hw[index] = (int8_t)hw;
    else
        l->host_hw[index] = (int8_t)hw;
}

/* The first hardware slot of this class with this owner. */
static int first_with_owner(const struct dbg_layout *l, uint8_t owner, unsigned class)
{
    unsigned hw;

    for (hw = 0; hw < DBG_NR_SLOTS; hw++)
        if (l->owner[hw] == owner && dbg_arch_slot_class(hw) == class)
            return (int)hw;
    return DBG_NO_SLOT;
}

/* A guest slot wants hardware: its own slot if free, any free one of its class, else a
 * host's. */
static void place_guest(struct dbg_layout *l, unsigned g)
{
    unsigned class = dbg_arch_slot_class(g);
    int hw = l->owner[g] == DBGV_OWNER_FREE ? (int)g
                                            : first_with_owner(l, DBGV_OWNER_FREE, class);

    if (hw == DBG_NO_SLOT) {
        hw = l->owner[g] == DBGV_OWNER_HOST ? (int)g
                                            : first_with_owner(l, DBGV_OWNER_HOST, class);
        if (hw == DBG_NO_SLOT) {
            l->guest_unplaced |= 1u << g;
            return;
        }
        l->host_hw[l->index[hw]] = DBG_NO_SLOT;
    }
    give(l, (unsigned)hw, DBGV_OWNER_GUEST, g);
}

void dbg_layout_update(struct dbg_vcpu *d)
{
    const struct dbg_layout old = d->layout;
    struct dbg_layout *l = &d->layout;
    uint32_t host = d->host_enabled;
    unsigned armed, g, id;

    d->layout_gen++;
    dbg_mark_redo(d, DBG_REDO_ALL);
    memset(l, 0, sizeof(*l));
    memset(l->guest_hw, DBG_NO_SLOT, sizeof(l->guest_hw));
    memset(l->host_hw, DBG_NO_SLOT, sizeof(l->host_hw));
    for (g = 0; g < DBG_NR_SLOTS; g++)
        l->index[g] = (uint8_t)g;  /* free slots hold the guest's value of the same number */

    /* Untrapped, the guest reads the hardware: identity, all four its own. */
    if (dbg_guest_owns_all(d)) {
        for (g = 0; g < DBG_NR_SLOTS; g++)
            give(l, g, DBGV_OWNER_GUEST, g);
        return;
    }
    armed = dbg_arch_armed_slots(d->control, d->dr);

    /* Keep what still holds, so a host change does not move the guest's slots. */
    if (host) {
        for (g = 0; g < DBG_NR_SLOTS; g++) {
            int hw = old.guest_hw[g];
            if ((armed & (1u << g)) && hw != DBG_NO_SLOT)
                give(l, (unsigned)hw, DBGV_OWNER_GUEST, g);
        }
        for (id = 0; id < DBG_MAX_HOST_BP; id++) {
            int hw = old.host_hw[id];
            if ((host & (1u << id)) && hw != DBG_NO_SLOT && l->owner[hw] == DBGV_OWNER_FREE &&
                dbg_arch_slot_class((unsigned)hw) == dbg_arch_bp_class(&d->host_bp[id]))
                give(l, (unsigned)hw, DBGV_OWNER_HOST, id);
        }
    }
    for (g = 0; g < DBG_NR_SLOTS; g++)
        if ((armed & (1u << g)) && l->guest_hw[g] == DBG_NO_SLOT)
            place_guest(l, g);
    for (id = 0; id < DBG_MAX_HOST_BP; id++) {
        int hw;
        if (!(host & (1u << id)) || l->host_hw[id] != DBG_NO_SLOT)
            continue;
        hw = first_with_owner(l, DBGV_OWNER_FREE, dbg_arch_bp_class(&d->host_bp[id]));
        if (hw == DBG_NO_SLOT)
            l->host_unplaced |= 1u << id;
        else
            give(l, (unsigned)hw, DBGV_OWNER_HOST, id);
    }
}

void dbg_layout_values(const struct dbg_vcpu *d, uint64_t out[DBG_NR_REGS])
{
    const struct dbg_layout *l = &d->layout;
    unsigned hw;

    for (hw = 0; hw < DBG_NR_SLOTS; hw++)
        out[hw] = l->owner[hw] == DBGV_OWNER_HOST ? d->host_bp[l->index[hw]].addr
                                                   : d->dr[l->index[hw]];
    /* The rest of the file is the guest's, with what the layout changes in it (the
     * slots' own control registers, on arm64). */
    for (; hw < DBG_NR_REGS; hw++)
        out[hw] = d->dr[hw];
    dbg_arch_compose_file(l, d->host_bp, dbg_host_active(d), out);
}

bool dbg_host_set_bp(struct dbg_vcpu *d, unsigned id, const struct dbg_bp *bp)
{
    if (id >= DBG_MAX_HOST_BP || !dbg_arch_bp_valid(bp))
        return false;
    d->host_bp[id] = *bp;
    d->host_bp[id].enabled = true;
    d->host_enabled |= 1u << id;
    dbg_layout_update(d);
    return true;
}

void dbg_host_clear_bp(struct dbg_vcpu *d, unsigned id)
{
    if (id >= DBG_MAX_HOST_BP)
        return;
    d->host_bp[id].enabled = false;
    d->host_enabled &= ~(1u << id);
    dbg_layout_update(d);
}

const struct dbg_layout *dbg_get_layout(const struct dbg_vcpu *d)
{
    return &d->layout;
}
