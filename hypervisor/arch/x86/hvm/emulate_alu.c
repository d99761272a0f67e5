/*
 * Arithmetic for the MMIO emulator: the host CPU runs the guest's own
 * instruction on the same values with the guest's arithmetic flags loaded,
 * so results and flags (the architecturally undefined ones included) are
 * exactly what the processor the guest runs on gives. Only what would
 * fault in the hypervisor (#DE of DIV/IDIV) is decided beforehand, and the
 * exception is the guest's.
 */
#include <dbgvisor/lib.h>
#include "emulate_internal.h"

#define KEEP_HOST_FLAGS (-0x8d6ll)      /* ~ARITH_FLAGS as a sign-extended imm32 */

/* Loads the guest's arithmetic flags into the host's RFLAGS (the host keeps
 * its own IF/DF/TF...), runs the instruction, stores the resulting RFLAGS. */
#define FLAGS_IN  "pushfq\n\tandq %[keep], (%%rsp)\n\torq %[in], (%%rsp)\n\tpopfq\n\t"
#define FLAGS_OUT "\n\tpushfq\n\tpopq %[out]"

/* OPS: the operands, " %[s], %[d]", " %[d]" or with %%cl (count in RCX). */
#define HOST(mn, sfx, T, con, OPS) do {                                             \
        T d_ = (T)dst, s_ = (T)src;                                                 \
        asm volatile(FLAGS_IN mn sfx OPS FLAGS_OUT                                  \
                     : [d] "+" con (d_), [out] "=&r"(out)                           \
                     : [s] con (s_), "c"(count), [in] "r"(in),                      \
                       [keep] "i"(KEEP_HOST_FLAGS) : "cc");                         \
        dst = d_;                                                                   \
    } while (0)
#define HOST2(mn, sfx, T, con)  HOST(mn, sfx, T, con, " %[s], %[d]")
#define HOST1(mn, sfx, T, con)  HOST(mn, sfx, T, con, " %[d]")
#define HOSTCL(mn, sfx, T, con) HOST(mn, sfx, T, con, " %%cl, %[d]")
#define HOSTCL2(mn, sfx, T, con) HOST(mn, sfx, T, con, " %%cl, %[s], %[d]")
#define WIDE_CASES(H, mn)                                                           \
        case 2: H(mn, "w", uint16_t, "r"); break;                                   \
        case 4: H(mn, "l", uint32_t, "r"); break;                                   \
        default: H(mn, "q", uint64_t, "r"); break;
#define SIZED(H, mn) do { switch (size) {                                           \
        case 1: H(mn, "b", uint8_t, "q"); break;                                    \
        WIDE_CASES(H, mn) } } while (0)
#define SIZED_NO8(H, mn) do { switch (size) { WIDE_CASES(H, mn) } } while (0)

uint64_t host_alu(enum alu_op op, unsigned size, uint64_t dst, uint64_t src, uint64_t *rflags)
{
    uint64_t in = *rflags & ARITH_FLAGS, out = *rflags;
    uint8_t count = 0;

    switch (op) {
    case ALU_ADD:    SIZED(HOST2, "add"); break;
    case ALU_OR:     SIZED(HOST2, "or"); break;
    case ALU_ADC:    SIZED(HOST2, "adc"); break;
    case ALU_SBB:    SIZED(HOST2, "sbb"); break;
    case ALU_AND:    SIZED(HOST2, "and"); break;
    case ALU_SUB:    SIZED(HOST2, "sub"); break;
    case ALU_XOR:    SIZED(HOST2, "xor"); break;
    case ALU_CMP:    SIZED(HOST2, "cmp"); break;
    case ALU_TEST:   SIZED(HOST2, "test"); break;
    case ALU_BT:     SIZED_NO8(HOST2, "bt"); break;
    case ALU_BTS:    SIZED_NO8(HOST2, "bts"); break;
    case ALU_BTR:    SIZED_NO8(HOST2, "btr"); break;
    case ALU_BTC:    SIZED_NO8(HOST2, "btc"); break;
    case ALU_NOT:    return ~dst & size_mask(size);
    case ALU_NEG:    SIZED(HOST1, "neg"); break;
    case ALU_INC:    SIZED(HOST1, "inc"); break;
    case ALU_DEC:    SIZED(HOST1, "dec"); break;
    case ALU_IMUL:   SIZED_NO8(HOST2, "imul"); break;
    case ALU_BSF:    SIZED_NO8(HOST2, "bsf"); break;
    case ALU_BSR:    SIZED_NO8(HOST2, "bsr"); break;
    case ALU_TZCNT:  SIZED_NO8(HOST2, "tzcnt"); break;
    case ALU_LZCNT:  SIZED_NO8(HOST2, "lzcnt"); break;
    case ALU_POPCNT: SIZED_NO8(HOST2, "popcnt"); break;
    }
    *rflags = (*rflags & ~ARITH_FLAGS) | (out & ARITH_FLAGS);
    return dst & size_mask(size);
}

/* RCL/RCR by an immediate that is a whole turn (a multiple of width+1:
 * byte 9, 18, 27, word 17) rotate nothing, and QEMU TCG computes their
 * flags for the immediate form otherwise than for the CL form: those run
 * as the immediate form itself. False for every other case. */
#define HOSTIMM(mn, sfx, T, con, N) HOST(mn, sfx, T, con, " $" #N ", %[d]")
static bool whole_turn_rotate(unsigned ext, unsigned size, uint64_t dst, uint8_t count,
                              uint64_t *rflags, uint64_t *result)
{
    uint64_t in = *rflags & ARITH_FLAGS, out = *rflags, src = 0;
    bool rcl = (ext & 7) == 2;

    switch (size == 1 ? count & 0x1f : size == 2 ? (count & 0x1f) | 0x100 : 0) {
    case 9:  if (rcl) HOSTIMM("rcl", "b", uint8_t, "q", 9);  else HOSTIMM("rcr", "b", uint8_t, "q", 9);  break;
    case 18: if (rcl) HOSTIMM("rcl", "b", uint8_t, "q", 18); else HOSTIMM("rcr", "b", uint8_t, "q", 18); break;
    case 27: if (rcl) HOSTIMM("rcl", "b", uint8_t, "q", 27); else HOSTIMM("rcr", "b", uint8_t, "q", 27); break;
    case 0x100 | 17:
        if (rcl) HOSTIMM("rcl", "w", uint16_t, "r", 17); else HOSTIMM("rcr", "w", uint16_t, "r", 17);
        break;
    default:
        return false;
    }
    *result = dst & size_mask(size);
    *rflags = (*rflags & ~ARITH_FLAGS) | (out & ARITH_FLAGS);
    return true;
}

uint64_t host_shift(unsigned ext, unsigned size, uint64_t dst, uint8_t count, bool imm,
                    uint64_t *rflags)
{
    uint64_t in = *rflags & ARITH_FLAGS, out = *rflags, src = 0, result;

    if (imm && ((ext & 7) == 2 || (ext & 7) == 3) &&
        whole_turn_rotate(ext, size, dst, count, rflags, &result))
        return result;
    switch (ext & 7) {
    case 0: SIZED(HOSTCL, "rol"); break;
    case 1: SIZED(HOSTCL, "ror"); break;
    case 2: SIZED(HOSTCL, "rcl"); break;
    case 3: SIZED(HOSTCL, "rcr"); break;
    case 4: case 6: SIZED(HOSTCL, "shl"); break;        /* /6: SAL, an alias */
    case 5: SIZED(HOSTCL, "shr"); break;
    case 7: SIZED(HOSTCL, "sar"); break;
    }
    *rflags = (*rflags & ~ARITH_FLAGS) | (out & ARITH_FLAGS);
    return dst & size_mask(size);
}

uint64_t host_shift_double(bool left, unsigned size, uint64_t dst, uint64_t src, uint8_t count,
                           uint64_t *rflags)
{
    uint64_t in = *rflags & ARITH_FLAGS, out = *rflags;

    if (left)
        SIZED_NO8(HOSTCL2, "shld");
    else
        SIZED_NO8(HOSTCL2, "shrd");
    *rflags = (*rflags & ~ARITH_FLAGS) | (out & ARITH_FLAGS);
    return dst & size_mask(size);
}

/* ---- MUL IMUL DIV IDIV ---- */

static uint64_t sign_bit(unsigned size)
{
    return 1ull << (size * 8 - 1);
}

/* |hi:lo| of a 2*size-byte signed value, as an unsigned hi:lo pair. */
static void magnitude(unsigned size, uint64_t *hi, uint64_t *lo)
{
    uint64_t m = size_mask(size);

    if (!(*hi & sign_bit(size)))
        return;
    *lo = (~*lo + 1) & m;
    *hi = (~*hi + (*lo == 0)) & m;
}

/* Unsigned hi:lo / d for hi < d (so the quotient fits in 64 bits). */
static uint64_t divide_wide(unsigned size, uint64_t hi, uint64_t lo, uint64_t d)
{
    uint64_t q, r;

    if (size < 8)
        return ((hi << (size * 8)) | lo) / d;
    asm("divq %[d]" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), [d] "r"(d) : "cc");
    (void)r;
    return q;
}

/* Whether DIV (ext 6) or IDIV (7) of rDX:rAX (AH:AL for bytes) by src
 * raises #DE: a zero divisor, or a quotient that does not fit. */
static bool divide_error(unsigned ext, unsigned size, uint64_t src, uint64_t rax, uint64_t rdx)
{
    uint64_t m = size_mask(size), d = src & m;
    uint64_t hi = size == 1 ? (rax >> 8) & 0xff : rdx & m, lo = rax & m, q;
    bool negative;

    if (d == 0)
        return true;
    if (ext == 6)
        return hi >= d;
    negative = !(hi & sign_bit(size)) != !(d & sign_bit(size));
    magnitude(size, &hi, &lo);
    if (d & sign_bit(size))
        d = (~d + 1) & m;
    if (hi >= d)
        return true;
    q = divide_wide(size, hi, lo, d);
    return q > (negative ? sign_bit(size) : sign_bit(size) - 1);
}

#define MULDIV(mn, sfx, T, con) do {                                                \
        T s_ = (T)src;                                                              \
        asm volatile(FLAGS_IN mn sfx " %[s]" FLAGS_OUT                              \
                     : "+a"(a), "+d"(d), [out] "=&r"(out)                           \
                     : [s] con (s_), [in] "r"(in), [keep] "i"(KEEP_HOST_FLAGS) : "cc"); \
    } while (0)

bool host_muldiv(unsigned ext, unsigned size, uint64_t src, uint64_t *rax, uint64_t *rdx,
                 uint64_t *rflags)
{
    uint64_t in = *rflags & ARITH_FLAGS, out = *rflags, a = *rax, d = *rdx;

    if (ext >= 6 && divide_error(ext, size, src, a, d))
        return false;
    switch (ext) {
    case 4: SIZED(MULDIV, "mul"); break;
    case 5: SIZED(MULDIV, "imul"); break;
    case 6: SIZED(MULDIV, "div"); break;
    default: SIZED(MULDIV, "idiv"); break;
    }
    *rax = a;
    *rdx = d;
    *rflags = (*rflags & ~ARITH_FLAGS) | (out & ARITH_FLAGS);
    return true;
}

bool condition_holds(unsigned cc, uint64_t f)
{
    bool cf = f & EFL_CF, zf = f & EFL_ZF, sf = f & EFL_SF, of = f & EFL_OF, pf = f & EFL_PF, r;

    switch ((cc >> 1) & 7) {
    case 0:  r = of; break;                 /* O */
    case 1:  r = cf; break;                 /* B */
    case 2:  r = zf; break;                 /* Z */
    case 3:  r = cf || zf; break;           /* BE */
    case 4:  r = sf; break;                 /* S */
    case 5:  r = pf; break;                 /* P */
    case 6:  r = sf != of; break;           /* L */
    default: r = zf || sf != of; break;     /* LE */
    }
    return (cc & 1) ? !r : r;
}
