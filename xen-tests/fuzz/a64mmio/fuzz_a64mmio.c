/*
 * The arm64 decoder of loads and stores a data abort reports without an
 * instruction syndrome (hypervisor/arch/arm64/mmio_insn.c): the guest chooses
 * the instruction word, the hypervisor then performs the access it names.
 * Input: 4 bytes, little-endian, the A64 instruction (fewer are zero-padded).
 *
 * Invariants:
 *  - a refused word leaves the result all zero;
 *  - a decoded one has its fields in range: size 1/2/4/8 (pairs 4 or 8),
 *    registers below 32, sign extension only on loads and only to a wider
 *    width, W destinations only on loads, offsets within the encoding's
 *    immediate (scaled by the size for pairs), writeback on every single
 *    access and never without an offset to write back;
 *  - it is exactly the instruction: encoding the decoded fields again
 *    (below, from the Arm ARM's field layout, independently of the decoder)
 *    gives back the input word, apart from the bits that do not change the
 *    access (LDNP/STNP's no-allocate hint, pre- vs post-index with a zero
 *    immediate), and that word decodes to the same result.
 */
#include <asm/mmio_insn.h>
#include "fuzz.h"

static bool pow2_size(unsigned s) { return s == 1 || s == 2 || s == 4 || s == 8; }

static unsigned log2_size(unsigned s) { return s == 8 ? 3 : s == 4 ? 2 : s == 2 ? 1 : 0; }

/* Load/store register pair (C4.1.66): opc 31:30, 101 29:27, V 26 = 0,
 * mode 24:23, L 22, imm7 21:15 (scaled), Rt2 14:10, Rn 9:5, Rt 4:0. */
static uint32_t encode_pair(const struct mmio_insn *m, uint32_t *dont_care)
{
    unsigned opc = m->size == 8 ? 2 : m->sext_bits ? 1 : 0;
    int64_t imm = (m->writeback ? m->wb_offset : m->offset) / (int64_t)m->size;
    unsigned mode = !m->writeback ? 2 : m->offset ? 3 : 1;

    /* LDNP/STNP's no-allocate is a hint; without an offset, pre = post. */
    *dont_care = !m->writeback || !m->wb_offset ? 1U << 24 : 0;
    return opc << 30 | 5U << 27 | mode << 23 | (unsigned)m->load << 22 |
           ((uint32_t)imm & 0x7f) << 15 | m->rt[1] << 10 | m->rn << 5 | m->rt[0];
}

/* Load/store register, immediate pre-/post-indexed: size 31:30, 111 29:27,
 * V 26 = 0, 00 25:24, opc 23:22, 0 21, imm9 20:12, idx 11:10 (01 post,
 * 11 pre), Rn 9:5, Rt 4:0. */
static uint32_t encode_single(const struct mmio_insn *m, uint32_t *dont_care)
{
    unsigned opc = !m->load ? 0 : m->sext_bits == 64 ? 2 : m->sext_bits == 32 ? 3 : 1;
    unsigned idx = m->offset ? 3 : 1;

    *dont_care = m->wb_offset ? 0 : 1U << 11;    /* no offset: pre = post */
    return log2_size(m->size) << 30 | 7U << 27 | opc << 22 |
           ((uint32_t)m->wb_offset & 0x1ff) << 12 | idx << 10 | m->rn << 5 | m->rt[0];
}

static void check_fields(const struct mmio_insn *m)
{
    int64_t lo, hi;

    FUZZ_CHECK(pow2_size(m->size), "size %u", m->size);
    FUZZ_CHECK(m->nregs == 1 || m->nregs == 2, "nregs %u", m->nregs);
    FUZZ_CHECK(m->rt[0] < 32 && m->rt[1] < 32 && m->rn < 32, "registers %u %u %u",
               m->rt[0], m->rt[1], m->rn);
    FUZZ_CHECK(m->nregs == 2 || m->rt[1] == 0, "second register %u on a single access", m->rt[1]);
    FUZZ_CHECK(m->nregs == 1 || m->size == 4 || m->size == 8, "pair of %u-byte registers", m->size);
    FUZZ_CHECK(m->sext_bits == 0 || m->sext_bits == 32 || m->sext_bits == 64, "sext %u", m->sext_bits);
    FUZZ_CHECK(!m->sext_bits || (m->load && m->size * 8 < m->sext_bits),
               "sign extension %u of %u bytes (load %d)", m->sext_bits, m->size, m->load);
    FUZZ_CHECK(!m->dest32 || (m->load && m->size <= 4 && m->sext_bits != 64),
               "W destination (load %d size %u sext %u)", m->load, m->size, m->sext_bits);
    if ( m->nregs == 2 )
        lo = -64 * (int64_t)m->size, hi = 63 * (int64_t)m->size;
    else
        lo = -256, hi = 255;
    FUZZ_CHECK(m->offset >= lo && m->offset <= hi && m->wb_offset >= lo && m->wb_offset <= hi,
               "offsets %lld %lld", (long long)m->offset, (long long)m->wb_offset);
    FUZZ_CHECK(m->offset % (int64_t)m->size == 0 || m->nregs == 1, "unscaled pair offset");
    FUZZ_CHECK(m->writeback || m->nregs == 2, "single access without writeback (has a syndrome)");
    FUZZ_CHECK(m->writeback || m->wb_offset == 0, "writeback offset %lld without writeback",
               (long long)m->wb_offset);
    FUZZ_CHECK(!m->writeback || m->offset == 0 || m->offset == m->wb_offset,
               "pre-index at %lld writes back %lld", (long long)m->offset,
               (long long)m->wb_offset);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t b[4] = { 0 };
    uint32_t insn, again, dont_care;
    struct mmio_insn m, m2;

    memcpy(b, data, size < 4 ? size : 4);
    insn = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    memset(&m, 0xa5, sizeof(m));
    if ( !mmio_insn_decode(insn, &m) )
    {
        static const struct mmio_insn zero;

        FUZZ_CHECK(!memcmp(&m, &zero, sizeof(m)), "refused %#x left fields set", insn);
        return 0;
    }
    check_fields(&m);
    again = m.nregs == 2 ? encode_pair(&m, &dont_care) : encode_single(&m, &dont_care);
    FUZZ_CHECK((again & ~dont_care) == (insn & ~dont_care),
               "%#x decodes to fields that encode %#x", insn, again);
    FUZZ_CHECK(mmio_insn_decode(again, &m2) && !memcmp(&m, &m2, sizeof(m)),
               "%#x and its re-encoding %#x decode differently", insn, again);
    return 0;
}
