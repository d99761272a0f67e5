/*
 * x86 instruction decoder (hypervisor/arch/x86/decode.c). Input: one byte
 * selecting the CPU mode, then the instruction bytes, handed over in a heap
 * buffer of exactly their size (ASan catches a read past them).
 *
 * Invariants:
 *  - the result is 0, -1 or X86_DECODE_TOO_LONG; on failure kind is UNKNOWN;
 *  - a decoded length is 1..15 and within the bytes given, operand and
 *    address sizes, register numbers and the segment are in range;
 *  - decoding is deterministic and needs exactly `len` bytes: the first len
 *    bytes alone decode to the same result, one byte fewer does not decode.
 */
#include <asm/decode.h>
#include "fuzz.h"

static int decode_copy(const uint8_t *bytes, size_t n, enum x86_mode mode,
                       struct x86_insn *insn)
{
    uint8_t *exact = malloc(n ? n : 1);
    int rc;

    memcpy(exact, bytes, n);
    rc = x86_decode(exact, n, mode, insn);
    free(exact);
    return rc;
}

static bool is_memory_kind(enum x86_insn_kind k)
{
    return k == X86_INSN_MOV_STORE || k == X86_INSN_MOV_LOAD ||
           k == X86_INSN_MOV_STORE_IMM || k == X86_INSN_MOVZX_LOAD ||
           k == X86_INSN_MOVSX_LOAD;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct x86_insn insn, again;
    enum x86_mode mode;
    int rc;

    if ( size < 1 )
        return 0;
    mode = (enum x86_mode)(data[0] & 3);
    data++, size--;

    rc = decode_copy(data, size, mode, &insn);
    FUZZ_CHECK(rc == 0 || rc == -1 || rc == X86_DECODE_TOO_LONG, "result %d", rc);
    if ( rc )
    {
        FUZZ_CHECK(insn.kind == X86_INSN_UNKNOWN, "failed decode left kind %d", insn.kind);
        return 0;
    }

    FUZZ_CHECK(insn.kind > X86_INSN_UNKNOWN && insn.kind <= X86_INSN_OUTS, "kind %d", insn.kind);
    FUZZ_CHECK(insn.len >= 1 && insn.len <= X86_MAX_INSN_LEN && insn.len <= size,
               "length %u of %zu bytes", insn.len, size);
    FUZZ_CHECK(insn.addr_size == 2 || insn.addr_size == 4 || insn.addr_size == 8,
               "address size %u", insn.addr_size);
    FUZZ_CHECK(mode == X86_MODE_LONG64 || insn.addr_size != 8, "64-bit addressing outside long mode");
    FUZZ_CHECK(insn.gpr < 16 && insn.dr < 16, "gpr %u dr %u", insn.gpr, insn.dr);
    FUZZ_CHECK(!insn.gpr_high8 || insn.gpr < 4, "high-byte register with gpr %u", insn.gpr);
    FUZZ_CHECK(insn.seg <= X86_SEG_NONE, "segment %u", insn.seg);
    if ( is_memory_kind(insn.kind) || insn.kind == X86_INSN_INS || insn.kind == X86_INSN_OUTS )
        FUZZ_CHECK(insn.size == 1 || insn.size == 2 || insn.size == 4 || insn.size == 8,
                   "operand size %u", insn.size);
    if ( insn.kind == X86_INSN_MOVZX_LOAD || insn.kind == X86_INSN_MOVSX_LOAD )
        FUZZ_CHECK((insn.src_size == 1 || insn.src_size == 2) && insn.src_size <= insn.size,
                   "extend from %u to %u bytes", insn.src_size, insn.size);
    if ( insn.kind == X86_INSN_MOV_STORE_IMM && insn.size < 8 )
        FUZZ_CHECK(insn.imm >> (insn.size * 8) == 0, "immediate %#llx wider than %u bytes",
                   (unsigned long long)insn.imm, insn.size);
    if ( insn.kind == X86_INSN_INT_N )
        FUZZ_CHECK(insn.imm < 256, "vector %#llx", (unsigned long long)insn.imm);
    if ( insn.kind == X86_INSN_INTO )
        FUZZ_CHECK(mode != X86_MODE_LONG64, "INTO decoded in 64-bit code");

    /* Exactly len bytes: the same instruction again, and not with one fewer. */
    rc = decode_copy(data, insn.len, mode, &again);
    FUZZ_CHECK(rc == 0 && !memcmp(&insn, &again, sizeof(insn)),
               "re-decoding the %u bytes gave %d / a different result", insn.len, rc);
    rc = decode_copy(data, insn.len - 1u, mode, &again);
    FUZZ_CHECK(rc == -1, "the first %u of %u bytes decode (%d)", insn.len - 1u, insn.len, rc);
    return 0;
}
