/*
 * x86 debug-register semantics for the debug core: pure functions of register values.
 * No hardware access, so this file links unchanged into the hosted unit tests.
 */
#include "asm/debugreg.h"
#include "dbgvisor/debug_arch.h"

uint32_t dbg_arch_slots_present(void)
{
    return (1u << DBG_NR_SLOTS) - 1;
}

uint64_t dbg_arch_status_reset(bool rtm)
{
    return DR6_ACTIVE_LOW;
}

uint64_t dbg_arch_control_reset(void)
{
    return DR7_RESET;
}

void dbg_arch_regs_reset(uint64_t regs[DBG_NR_REGS])
{
    unsigned n;

    for (n = 0; n < DBG_NR_REGS; n++)
        regs[n] = 0;
}

/* Order follows the instruction: privilege, then register decode, then general detect;
 * the reserved-bit #GP of a write comes last (dbg_arch_write_value). */
enum dbg_access_result dbg_arch_check_access(const struct dbg_access *a, uint64_t control,
                                             unsigned *reg)
{
    unsigned r = a->reg;

    if (a->cpl != 0)
        return DBG_ACCESS_GP;
    if (r > 7)
        return DBG_ACCESS_UD;
    if (r == 4 || r == 5) {
        if (a->cr4_de)
            return DBG_ACCESS_UD;
        r += 2;
    }
    if (control & DR7_GD)
        return DBG_ACCESS_DB;
    *reg = r;
    return DBG_ACCESS_DONE;
}

bool dbg_arch_write_value(const struct dbg_vcpu *d, unsigned reg, uint64_t v, bool long_mode,
                          uint64_t *out)
{
    return dr_write_value(reg, v, long_mode, d->rtm, out);
}

uint64_t dbg_arch_read_value(uint64_t v, bool long_mode)
{
    return long_mode ? v : (uint32_t)v;
}

/* Ln|Gn of each slot, gathered into bit n (called on every VM entry and exit). */
unsigned dbg_arch_armed_slots(uint64_t control, const uint64_t regs[DBG_NR_REGS])
{
    unsigned e = (unsigned)(control | (control >> 1)) & 0x55u;   /* bits 0, 2, 4, 6 */

    if (!e)
        return 0;                       /* the common case: nothing armed */
    e = (e | (e >> 1)) & 0x33u;         /* bits 0-1, 4-5 */
    return (e | (e >> 2)) & 0x0fu;
}

static unsigned len_field(unsigned bytes)
{
    switch (bytes) {
    case 2: return DR7_LEN_2;
    case 4: return DR7_LEN_4;
    case 8: return DR7_LEN_8;
    default: return DR7_LEN_1;
    }
}

/* Slot fields of `from` slot `src` placed at slot `dst`. */
static uint64_t move_slot(uint64_t from, unsigned src, unsigned dst)
{
    uint64_t en = (from >> (src * 2)) & 3u;
    uint64_t ctl = (from >> (DR7_CTRL_SHIFT + src * 4)) & 0xfu;

    return (en << (dst * 2)) | (ctl << (DR7_CTRL_SHIFT + dst * 4));
}

/* The host's single-step is TF in RFLAGS (dbg_arch_set_tf), not a DR7 bit. */
uint64_t dbg_arch_compose_control(uint64_t guest_control, const struct dbg_layout *l,
                                  const struct dbg_bp host[DBG_MAX_HOST_BP], bool host_step)
{
    uint64_t slot_bits = DR7_EN_ALL;
    uint64_t out;
    unsigned h;

    for (h = 0; h < X86_NR_BP_SLOTS; h++)
        slot_bits |= DR7_CTRL_MASK(h);
    out = (guest_control & ~(slot_bits | DR7_GD)) | DR7_FIXED_1;

    for (h = 0; h < X86_NR_BP_SLOTS; h++) {
        if (l->owner[h] == DBGV_OWNER_GUEST) {
            out |= move_slot(guest_control, l->index[h], h);
        } else if (l->owner[h] == DBGV_OWNER_HOST) {
            const struct dbg_bp *bp = &host[l->index[h]];
            uint64_t ctl = (uint64_t)(bp->type & 3u) | ((uint64_t)len_field(bp->len) << 2);

            out |= DR7_G(h) | (ctl << (DR7_CTRL_SHIFT + h * 4));
        }
    }
    return out;
}

/* DR0-3 are the whole file: DR7 (composed above) holds every slot's control. */
void dbg_arch_compose_file(const struct dbg_layout *l, const struct dbg_bp host[DBG_MAX_HOST_BP],
                           bool host_active, uint64_t regs[DBG_NR_REGS])
{
}

/* Any of DR0-3 holds any kind of breakpoint. */
unsigned dbg_arch_slot_class(unsigned slot)
{
    return 0;
}

unsigned dbg_arch_bp_class(const struct dbg_bp *bp)
{
    return 0;
}

uint64_t dbg_arch_control_after_run(uint64_t guest_control, uint64_t programmed, uint64_t now)
{
    const uint64_t local = DR7_L(0) | DR7_L(1) | DR7_L(2) | DR7_L(3);

    /* The guest cannot write DR7 while trapped; only a task switch clears
     * local enables, and it clears all four (SDM 17.2.4, APM 13.1.1.5). */
    if (programmed & local & ~now)
        return guest_control & ~local;
    return guest_control;
}

uint64_t dbg_arch_control_on_db(uint64_t control)
{
    return control & ~DR7_GD;
}

struct dbg_cause dbg_arch_decode_status(uint64_t status)
{
    /* Flip the active-low bits so that every cause reads as 1. */
    uint64_t c = status ^ DR6_ACTIVE_LOW;
    struct dbg_cause cause = {
        .hits = (uint8_t)(c & DR6_TRAP_BITS),
        .step = (c & DR6_BS) != 0,
        .general_detect = (c & DR6_BD) != 0,
        .task_switch = (c & DR6_BT) != 0,
        .rtm = (c & DR6_RTM) != 0,
    };
    return cause;
}

/* A hit or a single-step re-evaluates the breakpoint matches, so B0-B3 are replaced;
 * general detect and task switch alone leave them (as the CPU and QEMU do). */
uint64_t dbg_arch_merge_status(uint64_t status, const struct dbg_cause *c, bool rtm)
{
    uint64_t keep = DR6_CARRY_OVER;
    uint64_t out;

    if (!c->hits && !c->step)
        keep |= DR6_TRAP_BITS;
    out = (status & keep) | dr6_fixed_1(rtm) | DR6_RTM;
    out |= c->hits & DR6_TRAP_BITS;
    if (c->general_detect)
        out |= DR6_BD;
    if (c->step)
        out |= DR6_BS;
    if (c->task_switch)
        out |= DR6_BT;
    if (c->rtm && rtm)
        out &= ~DR6_RTM;
    return out;
}

bool dbg_arch_bp_valid(const struct dbg_bp *bp)
{
    if (bp->type > DBG_BP_RW)
        return false;
    if (bp->len != 1 && bp->len != 2 && bp->len != 4 && bp->len != 8)
        return false;
    if (bp->type == DBG_BP_EXEC && bp->len != 1)
        return false;
    return (bp->addr & (bp->len - 1u)) == 0;
}
