/*
 * The emulator's arithmetic (hypervisor/arch/x86/hvm/emulate_alu.c): the
 * host CPU runs the guest's instruction, so the tests check what the code
 * around it decides (operand sizes, which flags come back, the #DE cases
 * of DIV/IDIV that must never reach the host's divider, the condition
 * codes) against the architecture's definitions written out in C.
 */
#include <stdbool.h>
#include <stdint.h>
#include "../../../hypervisor/arch/x86/hvm/emulate_internal.h"
#include "tests.h"

#define CF EFL_CF
#define ZF EFL_ZF
#define SF EFL_SF
#define OF EFL_OF
#define PF EFL_PF

static void test_division_errors(void)
{
    uint64_t f = 0, a, d;

    /* DIV: zero divisor, quotient too wide (high half >= divisor) */
    a = 1; d = 0;
    CU_ASSERT_FALSE(host_muldiv(6, 4, 0, &a, &d, &f));
    a = 0; d = 5;
    CU_ASSERT_FALSE(host_muldiv(6, 4, 5, &a, &d, &f));
    CU_ASSERT_EQUAL(d, 5);                              /* nothing changed */
    a = 0xffffffff; d = 4;
    CU_ASSERT_TRUE(host_muldiv(6, 4, 5, &a, &d, &f));
    CU_ASSERT_EQUAL(a, 0xffffffffull);                  /* (4 << 32 | 0xffffffff) / 5 */
    CU_ASSERT_EQUAL(d, 4);
    /* byte DIV divides AX, leaves the rest of RAX and RDX alone */
    a = 0xaaaa0000000003e8ull; d = 0x1234;              /* AX = 1000 */
    CU_ASSERT_FALSE(host_muldiv(6, 1, 3, &a, &d, &f));  /* 333 does not fit in AL */
    CU_ASSERT_TRUE(host_muldiv(6, 1, 7, &a, &d, &f));   /* 142 r 6 */
    CU_ASSERT_EQUAL(a, 0xaaaa00000000068eull);
    CU_ASSERT_EQUAL(d, 0x1234);
    /* IDIV: the most negative quotient fits, its negation does not, per size */
    for (unsigned size = 1; size <= 8; size *= 2) {
        uint64_t m = size == 8 ? ~0ull : (1ull << (size * 8)) - 1, min = (m >> 1) + 1;
        uint64_t lo = size == 1 ? (0xff00 | (min & 0xff)) : min, hi = m;   /* -min as 2*size */

        /* dividend = sign-extended -2^(bits-1) */
        a = size == 1 ? 0xff80 : min; d = size == 1 ? 0 : m;
        (void)lo; (void)hi;
        CU_ASSERT_FALSE(host_muldiv(7, size, m, &a, &d, &f));          /* / -1 */
        a = size == 1 ? 0xff80 : min; d = size == 1 ? 0 : m;
        CU_ASSERT_TRUE(host_muldiv(7, size, 1, &a, &d, &f));           /* / 1 */
        CU_ASSERT_EQUAL((size == 1 ? a & 0xff : a & m), min);
    }
    /* 128-bit dividend -2^64: / 2 = -2^63 fits, / -2 = 2^63 does not */
    a = 0; d = ~0ull;
    CU_ASSERT_TRUE(host_muldiv(7, 8, 2, &a, &d, &f));
    CU_ASSERT_EQUAL(a, 0x8000000000000000ull);
    a = 0; d = ~0ull;
    CU_ASSERT_FALSE(host_muldiv(7, 8, (uint64_t)-2, &a, &d, &f));
    /* -7 / -1 = 7 */
    a = 0xfffffff9; d = 0xffffffff;
    CU_ASSERT_TRUE(host_muldiv(7, 4, 0xffffffff, &a, &d, &f));
    CU_ASSERT_EQUAL(a, 7);
    CU_ASSERT_EQUAL(d, 0);
    CU_ASSERT_FALSE(host_muldiv(7, 2, 0, &a, &d, &f));
}

static void test_multiply(void)
{
    uint64_t f = 0, a, d;

    a = 0xff; d = 0x99;
    CU_ASSERT_TRUE(host_muldiv(4, 1, 0xff, &a, &d, &f));   /* MUL byte: AX = 0xfe01 */
    CU_ASSERT_EQUAL(a, 0xfe01);
    CU_ASSERT_EQUAL(d, 0x99);
    CU_ASSERT_EQUAL(f & (CF | OF), CF | OF);
    a = 0xffffffffffffffffull; d = 0;
    CU_ASSERT_TRUE(host_muldiv(4, 8, 2, &a, &d, &f));      /* MUL qword: 2^65 - 2 */
    CU_ASSERT_EQUAL(a, 0xfffffffffffffffeull);
    CU_ASSERT_EQUAL(d, 1);
    a = 0xffffffffffffffffull; d = 0;
    CU_ASSERT_TRUE(host_muldiv(5, 8, 2, &a, &d, &f));      /* IMUL: -1 * 2 fits */
    CU_ASSERT_EQUAL(d, ~0ull);
    CU_ASSERT_EQUAL(f & (CF | OF), 0);
    f = 0;
    CU_ASSERT_EQUAL(host_alu(ALU_IMUL, 2, 0x100, 0x100, &f), 0);   /* 16-bit product overflows */
    CU_ASSERT_EQUAL(f & (CF | OF), CF | OF);
}

static void test_shifts(void)
{
    uint64_t f;

    f = CF | ZF;
    CU_ASSERT_EQUAL(host_shift(4, 4, 0x80000001, 0, false, &f), 0x80000001);  /* count 0: flags kept */
    CU_ASSERT_EQUAL(f & ARITH_FLAGS, CF | ZF);
    f = 0;
    CU_ASSERT_EQUAL(host_shift(4, 4, 0x80000001, 33, false, &f), 0x00000002); /* count masked to 1 */
    CU_ASSERT_EQUAL(f & CF, CF);
    f = CF;
    CU_ASSERT_EQUAL(host_shift(2, 1, 0x80, 1, false, &f), 0x01);              /* RCL: CF in, bit 7 out */
    CU_ASSERT_EQUAL(f & CF, CF);
    f = 0;
    CU_ASSERT_EQUAL(host_shift(3, 1, 0x01, 9, false, &f), 0x01);              /* RCR byte: 9 mod 9 */
    f = 0;
    CU_ASSERT_EQUAL(host_shift(7, 2, 0x8000, 15, false, &f), 0xffff);         /* SAR word */
    CU_ASSERT_EQUAL(host_shift(5, 8, 1ull << 63, 63, false, &f), 1);          /* SHR qword */
    CU_ASSERT_EQUAL(host_shift(0, 8, 0x8000000000000001ull, 4, false, &f), 0x18);   /* ROL */
    CU_ASSERT_EQUAL(host_shift(1, 2, 0x0001, 1, false, &f), 0x8000);          /* ROR word */
    CU_ASSERT_EQUAL(host_shift(6, 1, 0x41, 1, false, &f), 0x82);              /* /6: SAL */
    CU_ASSERT_EQUAL(host_shift_double(true, 4, 0x12345678, 0x9abcdef0, 8, &f), 0x3456789a);
    CU_ASSERT_EQUAL(host_shift_double(false, 2, 0x1234, 0xabcd, 4, &f), 0xd123);
}

static void test_bit_scans(void)
{
    uint64_t f = 0;

    CU_ASSERT_EQUAL(host_alu(ALU_BSF, 4, 0x55, 0x100, &f), 8);
    CU_ASSERT_EQUAL(f & ZF, 0);
    CU_ASSERT_EQUAL(host_alu(ALU_BSR, 8, 0x55, 0x8000000000000001ull, &f), 63);
    CU_ASSERT_EQUAL(host_alu(ALU_BSF, 2, 0x55, 0, &f), 0x55);         /* zero source: dest kept */
    CU_ASSERT_EQUAL(f & ZF, ZF);
    CU_ASSERT_EQUAL(host_alu(ALU_POPCNT, 8, 0, 0xf0f0, &f), 8);
    CU_ASSERT_EQUAL(host_alu(ALU_TZCNT, 4, 0, 0, &f), 32);
    CU_ASSERT_EQUAL(f & CF, CF);
    CU_ASSERT_EQUAL(host_alu(ALU_LZCNT, 2, 0, 1, &f), 15);
}

/* Each condition code against the architecture's definition. */
static void test_conditions(void)
{
    static const uint64_t flag_sets[] = { 0, CF, ZF, SF, OF, PF, CF | ZF, SF | OF, ZF | SF, OF | ZF };

    for (unsigned k = 0; k < sizeof(flag_sets) / sizeof(flag_sets[0]); k++) {
        uint64_t f = flag_sets[k];
        bool cf = f & CF, zf = f & ZF, sf = f & SF, of = f & OF, pf = f & PF;
        bool want[16] = { of, !of, cf, !cf, zf, !zf, cf || zf, !(cf || zf),
                          sf, !sf, pf, !pf, sf != of, sf == of, zf || sf != of, !(zf || sf != of) };

        for (unsigned cc = 0; cc < 16; cc++)
            CU_ASSERT_EQUAL(condition_holds(cc, f), want[cc]);
    }
}

void register_alu_tests(void)
{
    static const struct unit_test tests[] = {
        { "DIV/IDIV: #DE cases and results", test_division_errors },
        { "MUL/IMUL", test_multiply },
        { "shifts and rotates", test_shifts },
        { "BSF/BSR/TZCNT/LZCNT/POPCNT", test_bit_scans },
        { "condition codes", test_conditions },
    };
    add_suite("emulator arithmetic", tests, sizeof(tests) / sizeof(tests[0]));
}
