/*
 * The local APIC's error handling (hypervisor/arch/x86/hvm/vlapic.c)
 * against the SDM (vol 3 11.5.3; 10.6.3.1 for x2APIC mode): ESR bits 5
 * (send illegal vector), 6 (receive illegal vector) and 7 (illegal register
 * address), the write that latches them, the LVT error interrupt.
 */
#include <asm/vlapic.h>
#include <dbgvisor/domain.h>
#include "tests.h"

#define SEND_ILL 0x20u
#define RECV_ILL 0x40u
#define ILL_REG  0x80u

static uint32_t esr(struct vcpu *v)          /* latch, then read (xAPIC page) */
{
    vlapic_mmio_write(v, 0x280, 4, 0);
    return (uint32_t)vlapic_mmio_read(v, 0x280, 4);
}

static void enable(struct vcpu *v) { vlapic_mmio_write(v, 0xf0, 4, 0x1ff); }

static void test_illegal_register(void)
{
    static const uint32_t reserved[] = { 0x000, 0x010, 0x040, 0x070, 0x290, 0x2e0, 0x2f0,
                                         0x3a0, 0x3d0, 0x3f0, 0x400, 0xff0 };
    static const uint32_t present[] = { 0x020, 0x030, 0x080, 0x090, 0x0a0, 0x0d0, 0x0e0, 0x0f0,
                                        0x100, 0x170, 0x180, 0x200, 0x270, 0x280, 0x300, 0x310,
                                        0x320, 0x370, 0x380, 0x390, 0x3e0 };
    struct vcpu *v = &vcpus[0];

    setup();
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        CU_ASSERT_EQUAL(esr(v), 0);
        CU_ASSERT_EQUAL(vlapic_mmio_read(v, reserved[i], 4), 0);
        CU_ASSERT_EQUAL(vlapic_mmio_read(v, 0x280, 4), 0);   /* not visible before the write */
        CU_ASSERT_EQUAL(esr(v), ILL_REG);
        CU_ASSERT_EQUAL(esr(v), 0);                          /* back-to-back writes clear it */
        vlapic_mmio_write(v, reserved[i] + 4, 1, 0xff);      /* narrower than a dword: dropped, */
        CU_ASSERT_EQUAL(esr(v), 0);                          /* no error (KVM's and QEMU's rule) */
        vlapic_mmio_write(v, reserved[i], 4, 0xff);          /* an aligned dword */
        CU_ASSERT_EQUAL(esr(v), ILL_REG);
    }
    for (size_t i = 0; i < sizeof(present) / sizeof(present[0]); i++)
        vlapic_mmio_read(v, present[i], 4);
    CU_ASSERT_EQUAL(esr(v), 0);
}

static void test_illegal_vectors(void)
{
    struct vcpu *a = &vcpus[0], *b = &vcpus[1];

    setup();
    for (unsigned i = 0; i < NR; i++)
        enable(&vcpus[i]);                            /* lowest priority needs enabled APICs */
    vlapic_write(a, 0x310, 1u << 24);
    vlapic_write(a, 0x300, 0x05);                     /* fixed, vector 5, to ID 1 */
    CU_ASSERT_EQUAL(esr(a), SEND_ILL);
    CU_ASSERT_EQUAL(esr(b), RECV_ILL);
    CU_ASSERT(!irr(b, 5) && vlapic_pending_vector(b) < 0);
    vlapic_write(a, 0x300, (1u << 18) | 0x0f);        /* self shorthand: both bits */
    CU_ASSERT_EQUAL(esr(a), SEND_ILL | RECV_ILL);
    CU_ASSERT(!irr(a, 0xf));
    vlapic_write(a, 0x300, (3u << 18) | 0x100 | 0x01);   /* lowest priority, all but self */
    CU_ASSERT_EQUAL(esr(a), SEND_ILL);
    CU_ASSERT_EQUAL(esr(b) | esr(&vcpus[2]), RECV_ILL);  /* the one that won it */
    vlapic_write(a, 0x300, 0x400 | 0x02);             /* NMI: no vector, no error */
    vlapic_write(a, 0x300, 0x10);                     /* 16 is legal */
    CU_ASSERT_EQUAL(esr(a), 0);
    CU_ASSERT(irr(b, 0x10));

    vlapic_accept_irq(b, 0x07, true);                 /* an I/O APIC message */
    CU_ASSERT_EQUAL(esr(b), RECV_ILL);
    CU_ASSERT(!irr(b, 7));

    enable(b);
    vlapic_write(b, 0x3e0, 0xb);
    vlapic_write(b, 0x320, 0x03);                     /* LVT timer, vector 3 */
    vlapic_write(b, 0x380, 10);
    fake_now += 20;
    vlapic_poll_timer(b, fake_now);
    CU_ASSERT_EQUAL(esr(b), RECV_ILL);
    CU_ASSERT(!irr(b, 3));

    CU_ASSERT_FATAL(vlapic_set_mode(a, true, true));
    CU_ASSERT_EQUAL(wr(a, 0x83f, 0x08), 0);           /* SELF IPI, vector 8 */
    CU_ASSERT_EQUAL(wr(a, 0x828, 0), 0);
    CU_ASSERT_EQUAL(rdv(a, 0x828), SEND_ILL | RECV_ILL);
    CU_ASSERT_EQUAL(wr(a, 0x828, 1), -1);             /* nonzero: #GP, nothing latched */
    CU_ASSERT_EQUAL(rdv(a, 0x828), SEND_ILL | RECV_ILL);
    CU_ASSERT_EQUAL(wr(a, 0x828, 0), 0);
    CU_ASSERT_EQUAL(rdv(a, 0x828), 0);
}

static void test_error_interrupt(void)
{
    struct vcpu *v = &vcpus[1];

    setup();
    vlapic_mmio_write(v, 0x370, 4, 0xe3);             /* unmasked, but APIC software-disabled */
    vlapic_mmio_read(v, 0x3f0, 4);
    CU_ASSERT(!irr(v, 0xe3));
    esr(v);
    enable(v);
    vlapic_mmio_read(v, 0x3f0, 4);
    CU_ASSERT(irr(v, 0xe3));
    CU_ASSERT_EQUAL(vlapic_pending_vector(v), 0xe3);
    clear_irr();
    vlapic_mmio_read(v, 0x3f0, 4);                    /* the same error again: no new bit */
    CU_ASSERT(!irr(v, 0xe3));
    esr(v);
    vlapic_mmio_read(v, 0x3f0, 4);                    /* rearmed by the ESR write */
    CU_ASSERT(irr(v, 0xe3));
    clear_irr();
    vlapic_mmio_write(v, 0x370, 4, 0x10000 | 0xe3);   /* masked */
    esr(v);
    vlapic_mmio_read(v, 0x3f0, 4);
    CU_ASSERT(!irr(v, 0xe3));
    vlapic_mmio_write(v, 0x370, 4, 0x0b);             /* its own vector is illegal */
    esr(v);
    vlapic_mmio_read(v, 0x3f0, 4);
    CU_ASSERT_EQUAL(esr(v), ILL_REG | RECV_ILL);
    CU_ASSERT(!irr(v, 0x0b));
}

void register_error_tests(void)
{
    static const struct unit_test tests[] = {
        { "illegal register address and the ESR latch", test_illegal_register },
        { "illegal vectors: IPIs, I/O APIC, LVT, x2APIC", test_illegal_vectors },
        { "the LVT error interrupt", test_error_interrupt },
    };

    add_suite("errors", tests, sizeof(tests) / sizeof(tests[0]));
}
