/*
 * x86 instruction decoders (hypervisor/arch/x86/decode.c): x86_decode() for
 * the intercepted instructions (MOV DR, INT n/INT3/INTO/ICEBP, INS/OUTS) and
 * x86_decode_mem() for the memory-operand instructions the MMIO emulator
 * knows. Input: one byte selecting the CPU mode (bit 2: which decoder), then
 * the instruction bytes, handed over in a heap buffer of exactly their size
 * (ASan catches a read past them).
 *
 * Invariants:
 *  - the result is 0, -1 or X86_DECODE_TOO_LONG (x86_decode: kind UNKNOWN
 *    on failure);
 *  - a decoded length is 1..15 and within the bytes given; operand and
 *    address sizes (SSE/AVX's 16 and 32 where decode.h allows them),
 *    registers, segment, scale and immediates in range;
 *  - decoding is deterministic and needs exactly `len` bytes: the first len
 *    bytes alone decode to the same result, one byte fewer does not decode.
 */
#include <asm/decode.h>
#include "fuzz.h"

typedef int (*decode_fn)(const uint8_t *, size_t, enum x86_mode, void *);

static int decode_copy(decode_fn fn, const uint8_t *bytes, size_t n, enum x86_mode mode,
                       void *insn)
{
    uint8_t *exact = malloc(n ? n : 1);
    int rc;

    memcpy(exact, bytes, n);
    rc = fn(exact, n, mode, insn);
    free(exact);
    return rc;
}

static int dec(const uint8_t *b, size_t n, enum x86_mode m, void *i) { return x86_decode(b, n, m, i); }
static int dec_mem(const uint8_t *b, size_t n, enum x86_mode m, void *i) { return x86_decode_mem(b, n, m, i); }

static bool size_ok(unsigned s) { return s == 1 || s == 2 || s == 4 || s == 8; }

static void check_insn(const struct x86_insn *insn, enum x86_mode mode)
{
    FUZZ_CHECK(insn->kind > X86_INSN_UNKNOWN && insn->kind <= X86_INSN_OUTS, "kind %d", insn->kind);
    FUZZ_CHECK(insn->gpr < 16 && insn->dr < 16, "gpr %u dr %u", insn->gpr, insn->dr);
    FUZZ_CHECK(insn->seg <= X86_SEG_NONE, "segment %u", insn->seg);
    if ( insn->kind == X86_INSN_INS || insn->kind == X86_INSN_OUTS )
        FUZZ_CHECK(insn->size == 1 || insn->size == 2 || insn->size == 4, "element size %u", insn->size);
    if ( insn->kind == X86_INSN_INT_N )
        FUZZ_CHECK(insn->imm < 256, "vector %#llx", (unsigned long long)insn->imm);
    if ( insn->kind == X86_INSN_INTO )
        FUZZ_CHECK(mode != X86_MODE_LONG64, "INTO decoded in 64-bit code");
}

/* Operand sizes as decode.h gives them: 1, 2, 4 or 8; 16 only in the 0F maps
 * (SSE/AVX, CMPXCHG16B), 32 only with VEX.L; MOVZX/MOVSX read 1 or 2 of them;
 * x87 (D8-DF) has none. */
static bool mem_sizes_ok(const struct x86_mem_insn *m)
{
    bool size = m->size == 16 ? m->opcode >= 0x0f00 :
                m->size == 32 ? m->vex && m->vex_l : size_ok(m->size);

    if ( m->opcode >= 0xd8 && m->opcode <= 0xdf )
        return true;
    return size && (m->src_size == m->size || (m->src_size < m->size && size_ok(m->src_size)));
}

static void check_mem(const struct x86_mem_insn *m, enum x86_mode mode)
{
    FUZZ_CHECK(mem_sizes_ok(m), "opcode %#x sizes %u/%u", m->opcode, m->size, m->src_size);
    FUZZ_CHECK(m->reg < 16 && (!m->reg_high8 || m->reg < 4), "reg %u high8 %u", m->reg, m->reg_high8);
    FUZZ_CHECK(m->rep == 0 || m->rep == 0xf2 || m->rep == 0xf3, "rep %#x", m->rep);
    FUZZ_CHECK(m->seg <= X86_SEG_NONE, "segment %u", m->seg);
    FUZZ_CHECK(m->ea_base >= X86_EA_RIP && m->ea_base < 16, "base %d", m->ea_base);
    FUZZ_CHECK(m->ea_index >= X86_EA_NONE && m->ea_index < 16, "index %d", m->ea_index);
    FUZZ_CHECK(m->ea_base != X86_EA_RIP || mode == X86_MODE_LONG64, "RIP-relative outside long mode");
    FUZZ_CHECK(size_ok(m->ea_scale), "scale %u", m->ea_scale);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    union { struct x86_insn i; struct x86_mem_insn m; } insn, again;
    bool mem;
    decode_fn fn;
    enum x86_mode mode;
    unsigned len, addr_size;
    int rc;

    if ( size < 1 )
        return 0;
    mode = (enum x86_mode)(data[0] & 3);
    mem = data[0] & 4;
    fn = mem ? dec_mem : dec;
    data++, size--;

    memset(&insn, 0, sizeof(insn));
    rc = decode_copy(fn, data, size, mode, &insn);
    FUZZ_CHECK(rc == 0 || rc == -1 || rc == X86_DECODE_TOO_LONG, "result %d", rc);
    if ( rc )
    {
        FUZZ_CHECK(mem || insn.i.kind == X86_INSN_UNKNOWN, "failed decode left kind %d", insn.i.kind);
        return 0;
    }
    len = mem ? insn.m.len : insn.i.len;
    addr_size = mem ? insn.m.addr_size : insn.i.addr_size;
    FUZZ_CHECK(len >= 1 && len <= X86_MAX_INSN_LEN && len <= size, "length %u of %zu bytes", len, size);
    FUZZ_CHECK(addr_size == 2 || addr_size == 4 || addr_size == 8, "address size %u", addr_size);
    FUZZ_CHECK(mode == X86_MODE_LONG64 || addr_size != 8, "64-bit addressing outside long mode");
    if ( mem )
        check_mem(&insn.m, mode);
    else
        check_insn(&insn.i, mode);

    /* Exactly len bytes: the same instruction again, and not with one fewer. */
    memset(&again, 0, sizeof(again));
    rc = decode_copy(fn, data, len, mode, &again);
    FUZZ_CHECK(rc == 0 && !memcmp(&insn, &again, sizeof(insn)),
               "re-decoding the %u bytes gave %d / a different result", len, rc);
    rc = decode_copy(fn, data, len - 1u, mode, &again);
    FUZZ_CHECK(rc == -1, "the first %u of %u bytes decode (%d)", len - 1u, len, rc);
    return 0;
}
