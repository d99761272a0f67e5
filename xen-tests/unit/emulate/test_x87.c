/*
 * x87 and MMX instructions with an MMIO operand (emulate_x87.c) through
 * hvm_emulate_insn, run on this host CPU's own x87 state as the hypervisor
 * runs them on the guest's: loads push, stores pop and write the device, an
 * unmasked overflow suppresses the store, an exception already pending
 * (ES) does not fault in the emulator (here it would be SIGFPE) and stays
 * pending, CR0.TS gives #NM with the stack untouched, MMX MOVQ loads MMn.
 */
#include <string.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <dbgvisor/domain.h>
#include "tests.h"

#define CODE 0x3000u
#define DISP 0x00, 0x00, 0xc0, 0xfe           /* disp32 = FAKE_MMIO_BASE */

static void setup(void)
{
    fake_reset();
    fake_vcpu.arch.vmcb->save.cr0 = X86_CR0_PE | 0x22;      /* MP, NE */
    fake_vcpu.arch.vmcb->save.cs.attrib = 0xc9b;
    fake_vcpu.arch.vmcb->save.rip = CODE;
    __asm__ volatile("fninit");
}

static void run(const uint8_t *b, size_t n)
{
    memcpy(fake_ram + CODE, b, n);
    hvm_emulate_insn(&fake_vcpu, FAKE_MMIO_BASE, "test");
}
#define RUN(...) do { static const uint8_t b_[] = { __VA_ARGS__ }; run(b_, sizeof(b_)); } while (0)

static uint16_t fsw(void)
{
    uint16_t sw;
    __asm__ volatile("fnstsw %0" : "=a"(sw));
    return sw;
}

static void test_fld_m32(void)
{
    float in = 2.5f, out = 0;

    setup();
    memcpy(fake_mmio, &in, 4);
    RUN(0xd9, 0x05, DISP);                  /* flds [mmio] */
    CU_ASSERT_EQUAL((fsw() >> 11) & 7, 7);  /* one push */
    __asm__ volatile("fstps %0" : "=m"(out));
    CU_ASSERT_EQUAL(out, 2.5f);
    CU_ASSERT_EQUAL(fake_vcpu.arch.vmcb->save.rip, CODE + 6);
}

/* FIP/FCS/FOP/FDP/FDS name the guest's instruction and operand (the
 * host's run of it set them to the emulator's code and buffer). */
static void test_last_pointers(void)
{
    uint16_t cw;

    setup();
    fake_vcpu.arch.vmcb->save.cs.sel = 0x08;
    fake_vcpu.arch.vmcb->save.ds.sel = 0x10;
    memset(fake_mmio, 0, 4);
    RUN(0xd9, 0x05, DISP);                  /* flds [mmio] */
    __asm__ volatile("fninit");
    CU_ASSERT_EQUAL(fake_x87_pointer_sets, 1);
    CU_ASSERT_EQUAL(fake_x87_pointers.fip, CODE);
    CU_ASSERT_EQUAL(fake_x87_pointers.fcs, 0x08);
    CU_ASSERT_EQUAL(fake_x87_pointers.fop, 0x105);      /* D9, ModRM 05 */
    CU_ASSERT_EQUAL(fake_x87_pointers.fdp, FAKE_MMIO_BASE);
    CU_ASSERT_EQUAL(fake_x87_pointers.fds, 0x10);

    setup();
    cw = 0x37f;
    memcpy(fake_mmio, &cw, 2);
    RUN(0xd9, 0x2d, DISP);                  /* fldcw [mmio]: a control instruction */
    CU_ASSERT_EQUAL(fake_x87_pointer_sets, 0);
}

static void test_fstp_m64(void)
{
    double out;

    setup();
    __asm__ volatile("fld1");
    RUN(0xdd, 0x1d, DISP);                  /* fstpl [mmio] */
    memcpy(&out, fake_mmio, 8);
    CU_ASSERT_EQUAL(out, 1.0);
    CU_ASSERT_EQUAL((fsw() >> 11) & 7, 0);  /* popped */
}

static void test_store_suppressed(void)
{
    static const long double huge = 1.0e4000L;
    static const uint16_t oe_unmasked = 0x377;
    uint16_t sw;

    setup();
    memset(fake_mmio, 0x5a, 4);
    __asm__ volatile("fldcw %0; fldt %1" :: "m"(oe_unmasked), "m"(huge));
    RUN(0xd9, 0x15, DISP);                  /* fsts [mmio] */
    sw = fsw();
    __asm__ volatile("fnclex; fninit");
    CU_ASSERT_EQUAL(sw & 0x88, 0x88);       /* OE and ES */
    CU_ASSERT_EQUAL(fake_mmio[0], 0x5a);    /* nothing stored */
    CU_ASSERT_EQUAL(fake_mmio[3], 0x5a);
}

static void test_pending_exception(void)
{
    static const uint16_t ze_unmasked = 0x37b;
    float in = 3.0f, out = 0;
    uint16_t sw;

    setup();
    memcpy(fake_mmio, &in, 4);
    __asm__ volatile("fldcw %0; fld1; fldz; fdivrp" :: "m"(ze_unmasked));    /* 1/0: ZE pending */
    RUN(0xd9, 0x05, DISP);                  /* would be SIGFPE if run with ES set */
    sw = fsw();
    __asm__ volatile("fnclex; fstps %0; fninit" : "=m"(out));
    CU_ASSERT_EQUAL(sw & 0x8084, 0x8084);   /* B, ES and ZE still pending */
    CU_ASSERT_EQUAL(out, 3.0f);
    CU_ASSERT_EQUAL(injected_vector, -1);
}

static void test_ts_nm(void)
{
    setup();
    fake_vcpu.arch.vmcb->save.cr0 |= 8;     /* TS */
    RUN(0xd9, 0x05, DISP);
    CU_ASSERT_EQUAL(injected_vector, 7);
    CU_ASSERT_EQUAL((fsw() >> 11) & 7, 0);  /* nothing pushed */
    CU_ASSERT_EQUAL(fake_vcpu.arch.vmcb->save.rip, CODE);
}

static void test_mmx_movq(void)
{
    uint64_t in = 0x0123456789abcdefull, out = 0;

    setup();
    memcpy(fake_mmio, &in, 8);
    RUN(0x0f, 0x6f, 0x1d, DISP);            /* movq mm3, [mmio] */
    __asm__ volatile("movq %%mm3, %0; emms" : "=m"(out));
    CU_ASSERT_EQUAL(out, in);
    setup();
    memset(fake_mmio, 0, 8);
    __asm__ volatile("movq %0, %%mm6" :: "m"(in));
    RUN(0x0f, 0x7e, 0x35, DISP);            /* movd [mmio], mm6 */
    __asm__ volatile("emms");
    CU_ASSERT_EQUAL(memcmp(fake_mmio, &in, 4), 0);
    CU_ASSERT_EQUAL(fake_mmio[4], 0);
}

void register_x87_tests(void)
{
    static const struct { const char *name; void (*fn)(void); } tests[] = {
        { "fld m32 from MMIO pushes the value", test_fld_m32 },
        { "x87 pointers name the guest's instruction and operand", test_last_pointers },
        { "fstp m64 to MMIO stores and pops", test_fstp_m64 },
        { "fst with unmasked overflow: nothing stored, OE pending", test_store_suppressed },
        { "a pending exception does not fault the emulator and stays pending", test_pending_exception },
        { "CR0.TS: #NM, stack untouched", test_ts_nm },
        { "MMX movq load and movd store", test_mmx_movq },
    };
    CU_pSuite s = CU_add_suite("x87 and MMX on MMIO", NULL, NULL);

    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
        CU_add_test(s, tests[i].name, tests[i].fn);
}
