/*
 * Lowest-priority delivery (hypervisor/arch/x86/hvm/vlapic.c): the target
 * is the software-enabled destination APIC with the lowest arbitration
 * priority (SDM vol 3 11.6.2.4: TPR, or the class of the highest vector
 * requested or in service above it); equal priorities take turns, as KVM's
 * arbitration count makes them. IPIs in both modes and the helper the
 * I/O APIC router uses.
 */
#include <asm/vlapic.h>
#include <dbgvisor/domain.h>
#include "tests.h"

#define LOWEST 0x100u
#define LOGICAL 0x800u

static void xapic_all_flat(void)
{
    for (unsigned i = 0; i < NR; i++) {
        vlapic_write(&vcpus[i], 0xf0, 0x1ff);
        vlapic_write(&vcpus[i], 0xd0, (1u << i) << 24);   /* flat, one bit each */
    }
}

static int winner(unsigned vec)
{
    int w = -1;

    for (unsigned i = 0; i < NR; i++)
        if (irr(&vcpus[i], vec)) {
            CU_ASSERT_EQUAL(w, -1);                       /* exactly one target */
            w = (int)i;
        }
    return w;
}

static int send_xapic(struct vcpu *from, uint8_t mda, unsigned vec)
{
    vlapic_write(from, 0x310, (uint32_t)mda << 24);
    vlapic_write(from, 0x300, LOGICAL | LOWEST | vec);
    return winner(vec);
}

static void test_task_priority(void)
{
    setup();
    xapic_all_flat();
    vlapic_write(&vcpus[0], 0x80, 0x20);
    vlapic_write(&vcpus[1], 0x80, 0x10);
    vlapic_write(&vcpus[2], 0x80, 0x30);
    clear_irr();
    CU_ASSERT_EQUAL(send_xapic(&vcpus[0], 0x7, 0x41), 1);
    clear_irr();
    CU_ASSERT_EQUAL(send_xapic(&vcpus[0], 0x5, 0x42), 0);   /* only among the destinations */
    vlapic_write(&vcpus[1], 0x80, 0x40);
    clear_irr();
    CU_ASSERT_EQUAL(send_xapic(&vcpus[1], 0x7, 0x43), 0);
    clear_irr();
    CU_ASSERT_EQUAL(vlapic_read(&vcpus[2], 0x90), 0x30u);   /* APR = TPR when nothing is higher */
    vlapic_write(&vcpus[1], 0xf0, 0xff);                     /* software-disabled: not a candidate */
    vlapic_write(&vcpus[0], 0x80, 0x50);
    clear_irr();
    CU_ASSERT_EQUAL(send_xapic(&vcpus[0], 0x7, 0x44), 2);
}

static void test_requests_and_service(void)
{
    struct vcpu *a = &vcpus[0], *b = &vcpus[1];

    setup();
    xapic_all_flat();
    vlapic_write(a, 0x80, 0x20);
    vlapic_accept_irq(b, 0x55, false);                      /* b has class 5 requested */
    CU_ASSERT_EQUAL(vlapic_read(b, 0x90), 0x50u);
    CU_ASSERT_EQUAL(send_xapic(a, 0x3, 0x61), 0);
    clear_irr();
    vlapic_accept_irq(b, 0x55, false);
    vlapic_ack(b, 0x55);                                     /* in service, TPR 0 */
    CU_ASSERT_EQUAL(vlapic_read(b, 0x90), 0x00u);           /* TPR[7:4] AND ISRV[7:4] */
    vlapic_write(b, 0x80, 0x40);
    CU_ASSERT_EQUAL(vlapic_read(b, 0x90), 0x40u);           /* 0x4 AND 0x5 */
    CU_ASSERT_EQUAL(send_xapic(a, 0x3, 0x62), 0);
    vlapic_write(b, 0x80, 0x60);
    CU_ASSERT_EQUAL(vlapic_read(b, 0x90), 0x60u);           /* TPR above the ISR class */
}

static void test_ties_take_turns(void)
{
    unsigned got[NR] = { 0 };

    setup();
    xapic_all_flat();
    for (unsigned n = 0; n < 3 * NR; n++) {
        int w = send_xapic(&vcpus[0], 0x7, 0x70 + n);
        CU_ASSERT_FATAL(w >= 0);
        got[w]++;
    }
    for (unsigned i = 0; i < NR; i++)
        CU_ASSERT_EQUAL(got[i], 3u);
    /* The helper the I/O APIC router uses arbitrates the same way. */
    vlapic_write(&vcpus[2], 0x80, 0x10);
    const struct vcpu *w = NULL;
    for (unsigned i = 0; i < NR; i++)
        if (vlapic_lowest_priority_beats(&vcpus[i], w))
            w = &vcpus[i];
    CU_ASSERT_PTR_EQUAL(w, &vcpus[0]);
}

static void test_x2apic_mode(void)
{
    setup();
    for (unsigned i = 0; i < NR; i++) {
        CU_ASSERT_FATAL(vlapic_set_mode(&vcpus[i], true, true));
        wr(&vcpus[i], 0x80f, 0x1ff);
    }
    wr(&vcpus[0], 0x808, 0x30);
    wr(&vcpus[1], 0x808, 0x20);
    clear_irr();
    CU_ASSERT_EQUAL(wr(&vcpus[0], 0x830, (0x3ull << 32) | LOGICAL | LOWEST | 0x81), 0);   /* cluster 0: IDs 0, 1 */
    CU_ASSERT_EQUAL(winner(0x81), 1);
    clear_irr();
    wr(&vcpus[0], 0x830, (0xffffffffull << 32) | LOWEST | 0x82);                          /* broadcast */
    CU_ASSERT_EQUAL(winner(0x82), 2);
}

void register_lowest_priority_tests(void)
{
    static const struct unit_test tests[] = {
        { "lowest task priority wins", test_task_priority },
        { "requested and in-service classes", test_requests_and_service },
        { "equal priorities take turns", test_ties_take_turns },
        { "x2APIC destinations", test_x2apic_mode },
    };

    add_suite("lowest-priority", tests, sizeof(tests) / sizeof(tests[0]));
}
