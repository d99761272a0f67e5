/*
 * The trapped MOV DR's common case, taken by the exit handler before it builds a
 * struct dbg_access for dbg_on_mov_dr: CPL 0, DR7.GD clear, DR0-3, DR6 or DR7 either way
 * (dr_access_plain), a write's value rule applied here (dr_write_value). Header-only so that the exit handler has no extra call
 * and the hosted unit tests run the very same code against dbg_on_mov_dr.
 */
#ifndef ASM_DR_FAST_PATH_H
#define ASM_DR_FAST_PATH_H

#include "asm/debugreg.h"
#include "dbgvisor/debug.h"

/* Completes the access and returns true, or returns false having done nothing (the caller
 * then takes the full path). gpr: the instruction's general register. */
static inline __attribute__((always_inline)) bool
dr_mov_fast(struct dbg_vcpu *d, unsigned cpl, unsigned dr, bool write, bool long_mode,
            uint64_t *gpr)
{
    if (!dr_access_plain(cpl, dr, write, d->control))
        return false;
    if (write) {
        uint64_t v;
        if (!dr_write_value(dr, *gpr, long_mode, d->rtm, &v))
            return false;             /* the #GP: the full path injects it */
        dbg_write_plain(d, dr, v);
    } else {
        *gpr = long_mode ? dbg_read_plain(d, dr) : (uint32_t)dbg_read_plain(d, dr);
    }
    return true;
}

#endif
