/* A64 loads and stores the CPU reports without an instruction syndrome
 * (ESR_EL2.ISV = 0), decoded so a device access can still be emulated
 * (mmio_insn.c; traps.c performs it). */
#ifndef ASM_ARM64_MMIO_INSN_H
#define ASM_ARM64_MMIO_INSN_H

#include <stdbool.h>
#include <stdint.h>

struct mmio_insn {
    bool load;
    unsigned size;          /* bytes per register: 1, 2, 4 or 8 */
    unsigned nregs;         /* 1, or 2 for a pair (the second at +size) */
    unsigned rt[2];         /* 31 = XZR/WZR */
    unsigned rn;            /* base register, 31 = SP */
    unsigned sext_bits;     /* loads: sign-extend from size*8 bits to this (32 or 64), 0 = zero-extend */
    bool dest32;            /* loads: a W register (the upper half written zero) */
    int64_t offset;         /* the access is at base + offset */
    bool writeback;
    int64_t wb_offset;      /* then base += wb_offset */
};

/* Pairs (LDP/STP/LDPSW/LDNP/STNP: offset, pre- and post-index) and single
 * general-purpose loads and stores with writeback (pre- and post-index).
 * false for anything else (SIMD&FP registers, exclusives, atomics...). */
bool mmio_insn_decode(uint32_t insn, struct mmio_insn *m);

#endif
