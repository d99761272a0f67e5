/*
 * The decoder of loads and stores that fault without an instruction syndrome
 * (hypervisor/arch/arm64/mmio_insn.c): encodings from the GNU assembler
 * (aarch64-linux-gnu-as), each with its registers, size, extension, offset
 * and writeback; what the hypervisor cannot emulate is refused.
 */
#include <stdint.h>
#include <asm/mmio_insn.h>
#include "tests.h"

struct want {
    uint32_t insn;
    const char *text;
    bool load;
    unsigned size, nregs, rt0, rt1, rn, sext_bits;
    bool dest32;
    int64_t offset;
    bool writeback;
    int64_t wb_offset;
};

static const struct want cases[] = {
    { 0x29400801, "ldp w1, w2, [x0]",        true,  4, 2, 1, 2, 0, 0, true, 0, false, 0 },
    { 0x297f0861, "ldp w1, w2, [x3, #-8]",   true,  4, 2, 1, 2, 3, 0, true, -8, false, 0 },
    { 0x694014c4, "ldpsw x4, x5, [x6]",      true,  4, 2, 4, 5, 6, 64, false, 0, false, 0 },
    { 0xa9c123e7, "ldp x7, x8, [sp, #16]!",  true,  8, 2, 7, 8, 31, 0, false, 16, true, 16 },
    { 0xa8be7bfd, "stp x29, x30, [sp], #-32", false, 8, 2, 29, 30, 31, 0, false, 0, true, -32 },
    { 0x29007c1f, "stp wzr, wzr, [x0]",      false, 4, 2, 31, 31, 0, 0, false, 0, false, 0 },
    { 0x28410801, "ldnp w1, w2, [x0, #8]",   true,  4, 2, 1, 2, 0, 0, true, 8, false, 0 },
    { 0xb8404401, "ldr w1, [x0], #4",        true,  4, 1, 1, 0, 0, 0, true, 0, true, 4 },
    { 0xf85fcd22, "ldr x2, [x9, #-4]!",      true,  8, 1, 2, 0, 9, 0, false, -4, true, -4 },
    { 0x385f8423, "ldrb w3, [x1], #-8",      true,  1, 1, 3, 0, 1, 0, true, 0, true, -8 },
    { 0x38804424, "ldrsb x4, [x1], #4",      true,  1, 1, 4, 0, 1, 64, false, 0, true, 4 },
    { 0x78c02c45, "ldrsh w5, [x2, #2]!",     true,  2, 1, 5, 0, 2, 32, true, 2, true, 2 },
    { 0x381f0c06, "strb w6, [x0, #-16]!",    false, 1, 1, 6, 0, 0, 0, false, -16, true, -16 },
    { 0xb8004401, "str w1, [x0], #4",        false, 4, 1, 1, 0, 0, 0, false, 0, true, 4 },
};

static void test_decoded(void)
{
    unsigned i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct want *w = &cases[i];
        struct mmio_insn m;
        bool ok = mmio_insn_decode(w->insn, &m);

        CU_ASSERT_TRUE(ok);
        if (!ok)
            continue;
        CU_ASSERT_EQUAL(m.load, w->load);
        CU_ASSERT_EQUAL(m.size, w->size);
        CU_ASSERT_EQUAL(m.nregs, w->nregs);
        CU_ASSERT_EQUAL(m.rt[0], w->rt0);
        if (w->nregs == 2)
            CU_ASSERT_EQUAL(m.rt[1], w->rt1);
        CU_ASSERT_EQUAL(m.rn, w->rn);
        CU_ASSERT_EQUAL(m.sext_bits, w->sext_bits);
        if (w->load)
            CU_ASSERT_EQUAL(m.dest32, w->dest32);
        CU_ASSERT_EQUAL(m.offset, w->offset);
        CU_ASSERT_EQUAL(m.writeback, w->writeback);
        CU_ASSERT_EQUAL(m.wb_offset, w->wb_offset);
    }
}

static void test_refused(void)
{
    static const uint32_t refused[] = {
        0xb9400001,     /* ldr w1, [x0]: has a syndrome, never comes here */
        0x3cc10400,     /* ldr q0, [x0], #16: SIMD&FP register */
        0xc87f0440,     /* ldxp x0, x1, [x2]: exclusive */
        0xf9800400,     /* prfm pldl1keep, [x0, #8] */
        0xd503201f,     /* nop */
    };
    struct mmio_insn m;
    unsigned i;

    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        CU_ASSERT_FALSE(mmio_insn_decode(refused[i], &m));
}

void register_mmio_insn_tests(void)
{
    static const struct unit_test tests[] = {
        { "pairs and writeback forms", test_decoded },
        { "what cannot be emulated", test_refused },
    };
    add_suite("mmio_insn", tests, sizeof(tests) / sizeof(tests[0]));
}
