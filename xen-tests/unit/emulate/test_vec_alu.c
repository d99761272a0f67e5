/*
 * SSE/AVX arithmetic with an MMIO source (emulate_vec_alu.c) through
 * hvm_emulate_insn on this host CPU: legacy SSE keeps bits 255:128 of the
 * destination, VEX.128 takes vvvv as the first source and clears them, an
 * unmasked SIMD exception raises #XM with the destination unchanged and the
 * flag in MXCSR (the run itself had every exception masked: no SIGFPE
 * here), CR4.OSFXSR clear gives #UD.
 */
#include <string.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/xstate.h>
#include <dbgvisor/domain.h>
#include "tests.h"

#define CODE 0x3000u
#define DISP 0x00, 0x00, 0xc0, 0xfe           /* disp32 = FAKE_MMIO_BASE */

static void setup(void)
{
    fake_reset();
    fake_vcpu.arch.vmcb->save.cr0 = 0x23;                   /* PE MP NE */
    fake_vcpu.arch.vmcb->save.cr4 = (1u << 9) | (1u << 10) | (1u << 18);  /* OSFXSR OSXMMEXCPT OSXSAVE */
    fake_vcpu.arch.vmcb->save.cs.attrib = 0xc9b;
    fake_vcpu.arch.vmcb->save.rip = CODE;
    fake_vcpu.arch.xcr0 = 7;
}

static void run(const uint8_t *b, size_t n)
{
    memcpy(fake_ram + CODE, b, n);
    hvm_emulate_insn(&fake_vcpu, FAKE_MMIO_BASE, "test");
}
#define RUN(...) do { static const uint8_t b_[] = { __VA_ARGS__ }; run(b_, sizeof(b_)); } while (0)

static void set_floats(unsigned reg, float f, uint8_t upper)
{
    uint8_t v[32];
    for (unsigned i = 0; i < 4; i++)
        memcpy(v + 4 * i, &f, 4);
    memset(v + 16, upper, 16);
    xstate_vector_set(&fake_vcpu, reg, v);
}

static void mmio_floats(float f)
{
    for (unsigned i = 0; i < 4; i++)
        memcpy(fake_mmio + 4 * i, &f, 4);
}

static float lane(const uint8_t *v, unsigned i)
{
    float f;
    memcpy(&f, v + 4 * i, 4);
    return f;
}

static void test_legacy_addps(void)
{
    uint8_t v[32];

    setup();
    set_floats(3, 1.0f, 0xaa);
    mmio_floats(2.0f);
    RUN(0x0f, 0x58, 0x1d, DISP);            /* addps xmm3, [mmio] */
    xstate_vector_get(&fake_vcpu, 3, v);
    CU_ASSERT_EQUAL(lane(v, 0), 3.0f);
    CU_ASSERT_EQUAL(lane(v, 3), 3.0f);
    CU_ASSERT_EQUAL(v[16], 0xaa);           /* 255:128 kept */
    CU_ASSERT_EQUAL(fake_vcpu.arch.vmcb->save.rip, CODE + 7);
}

static void test_vex128_addps(void)
{
    uint8_t v[32];

    setup();
    set_floats(3, 100.0f, 0xaa);
    set_floats(4, 5.0f, 0xbb);
    mmio_floats(0.5f);
    RUN(0xc5, 0xd8, 0x58, 0x1d, DISP);      /* vaddps xmm3, xmm4, [mmio] */
    xstate_vector_get(&fake_vcpu, 3, v);
    CU_ASSERT_EQUAL(lane(v, 0), 5.5f);
    CU_ASSERT_EQUAL(lane(v, 2), 5.5f);
    CU_ASSERT_EQUAL(v[16], 0);              /* 255:128 cleared */
}

static void test_unmasked_xm(void)
{
    uint32_t mx = 0x1d80, after;            /* ZE unmasked */
    uint8_t v[32];

    setup();
    set_floats(3, 1.0f, 0);
    mmio_floats(0.0f);
    __asm__ volatile("ldmxcsr %0" :: "m"(mx));
    RUN(0x0f, 0x5e, 0x1d, DISP);            /* divps xmm3, [mmio]: 1/0 */
    __asm__ volatile("stmxcsr %0" : "=m"(after));
    mx = 0x1f80;
    __asm__ volatile("ldmxcsr %0" :: "m"(mx));
    CU_ASSERT_EQUAL(injected_vector, 19);
    CU_ASSERT_EQUAL(after & 0x3f, 0x4);     /* ZE */
    xstate_vector_get(&fake_vcpu, 3, v);
    CU_ASSERT_EQUAL(lane(v, 0), 1.0f);      /* unchanged */
    CU_ASSERT_EQUAL(fake_vcpu.arch.vmcb->save.rip, CODE);
}

static void test_no_osfxsr(void)
{
    setup();
    fake_vcpu.arch.vmcb->save.cr4 = 0;
    RUN(0x0f, 0x58, 0x1d, DISP);
    CU_ASSERT_EQUAL(injected_vector, 6);
}

void register_vec_alu_tests(void)
{
    static const struct { const char *name; void (*fn)(void); } tests[] = {
        { "addps from MMIO keeps YMM bits 255:128", test_legacy_addps },
        { "vaddps xmm from MMIO: vvvv source, upper cleared", test_vex128_addps },
        { "unmasked divide by zero: #XM, destination unchanged, ZE set", test_unmasked_xm },
        { "CR4.OSFXSR clear: #UD", test_no_osfxsr },
    };
    CU_pSuite s = CU_add_suite("SSE/AVX arithmetic on MMIO", NULL, NULL);

    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
        CU_add_test(s, tests[i].name, tests[i].fn);
}
