/*
 * Decoding the A64 loads and stores a data abort reports without an
 * instruction syndrome (ARM DDI 0487, D17.2.40: ISV is 0 for pairs and for
 * accesses with base writeback among others), so the hypervisor can perform
 * a device access the hardware would simply have done. Encodings: C4.1.66,
 * "Loads and Stores" (load/store register pair; load/store register,
 * immediate pre- and post-indexed).
 */
#include <dbgvisor/lib.h>
#include <asm/mmio_insn.h>

#define BITS(x, hi, lo)   (((x) >> (lo)) & ((1U << ((hi) - (lo) + 1)) - 1))

static int64_t sign_extend(uint32_t v, unsigned bits)
{
    return (int64_t)((uint64_t)v << (64 - bits)) >> (64 - bits);
}

/* Load/store register pair: bits 29:27 = 101, V (26) = 0, 25 = 0; bits 24:23
 * 00 no-allocate offset, 01 post-index, 10 offset, 11 pre-index. */
static bool decode_pair(uint32_t insn, struct mmio_insn *m)
{
    unsigned opc = BITS(insn, 31, 30), mode = BITS(insn, 24, 23);
    bool load = BITS(insn, 22, 22);
    int64_t imm;

    if (opc == 3 || (opc == 1 && (!load || mode == 0)))
        return false;                   /* unallocated, STGP, no LDNPSW */
    m->load = load;
    m->size = opc == 2 ? 8 : 4;
    m->nregs = 2;
    m->rt[0] = BITS(insn, 4, 0);
    m->rt[1] = BITS(insn, 14, 10);
    m->rn = BITS(insn, 9, 5);
    m->sext_bits = opc == 1 ? 64 : 0;   /* LDPSW */
    m->dest32 = load && opc == 0;     /* LDP Wt: the upper halves written zero */
    imm = sign_extend(BITS(insn, 21, 15), 7) * (int64_t)m->size;
    m->offset = mode == 1 ? 0 : imm;
    m->writeback = mode == 1 || mode == 3;
    m->wb_offset = m->writeback ? imm : 0;
    return true;
}

/* Load/store register (immediate), pre- or post-indexed: bits 29:27 = 111,
 * V = 0, bits 25:24 = 00, bit 21 = 0, bits 11:10 = 01 post / 11 pre. */
static bool decode_single_writeback(uint32_t insn, struct mmio_insn *m)
{
    unsigned size = BITS(insn, 31, 30), opc = BITS(insn, 23, 22), idx = BITS(insn, 11, 10);
    int64_t imm = sign_extend(BITS(insn, 20, 12), 9);

    if (idx != 1 && idx != 3)
        return false;
    if (opc >= 2 && (size == 3 || (size == 2 && opc == 3)))
        return false;                   /* PRFM forms and unallocated */
    m->load = opc != 0;
    m->size = 1U << size;
    m->nregs = 1;
    m->rt[0] = BITS(insn, 4, 0);
    m->rn = BITS(insn, 9, 5);
    m->sext_bits = opc == 2 ? 64 : opc == 3 ? 32 : 0;
    m->dest32 = m->load && (opc == 3 || (opc == 1 && size < 3));
    m->offset = idx == 1 ? 0 : imm;
    m->writeback = true;
    m->wb_offset = imm;
    return true;
}

bool mmio_insn_decode(uint32_t insn, struct mmio_insn *m)
{
    memset(m, 0, sizeof(*m));
    if ((insn & 0x3e000000U) == 0x28000000U)
        return decode_pair(insn, m);
    if ((insn & 0x3f200000U) == 0x38000000U)
        return decode_single_writeback(insn, m);
    return false;
}
