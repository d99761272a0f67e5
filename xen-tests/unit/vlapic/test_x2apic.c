/*
 * The local APIC's x2APIC mode (hypervisor/arch/x86/hvm/vlapic.c) against
 * expectations written out here from the SDM (vol 3 11.12, table 11-6) and
 * the AMD APM (vol 2 16.11), not derived from the code under test:
 * IA32_APIC_BASE transitions, the MSR register map (which registers exist,
 * which read, which write), every reserved bit of every writable register,
 * the ID and LDR, the 64-bit ICR, destinations (32-bit physical, broadcast,
 * logical clusters, 8-bit I/O APIC messages, a domain mixing modes), SELF
 * IPI, EOI, INIT, the timer and CR8 through the MSRs.
 */
#include <asm/vlapic.h>
#include <dbgvisor/domain.h>
#include "tests.h"

static void to_x2apic(struct vcpu *v) { CU_ASSERT_FATAL(vlapic_set_mode(v, true, true)); }

/* ---- IA32_APIC_BASE: EN and EXTD ---- */

enum mode { DISABLED, XAPIC, X2APIC, INVALID };

static void put_in(struct vcpu *v, enum mode m)
{
    vlapic_reset(v);
    if (m == DISABLED)
        CU_ASSERT_FATAL(vlapic_set_mode(v, false, false));
    if (m == X2APIC)
        to_x2apic(v);
}

static enum mode mode_of(const struct vcpu *v)
{
    if (!vlapic_hw_enabled(v))
        return vlapic_x2apic_mode(v) ? INVALID : DISABLED;
    return vlapic_x2apic_mode(v) ? X2APIC : XAPIC;
}

static void test_transitions(void)
{
    /* SDM figure 11-27 / KVM: [from][to] legal? (INVALID = EXTD without EN) */
    static const bool legal[3][4] = {
        [DISABLED] = { [DISABLED] = true, [XAPIC] = true, [X2APIC] = false, [INVALID] = false },
        [XAPIC]    = { [DISABLED] = true, [XAPIC] = true, [X2APIC] = true,  [INVALID] = false },
        [X2APIC]   = { [DISABLED] = true, [XAPIC] = false, [X2APIC] = true, [INVALID] = false },
    };

    setup();
    for (int from = DISABLED; from <= X2APIC; from++) {
        for (int to = DISABLED; to <= INVALID; to++) {
            struct vcpu *v = &vcpus[1];
            bool ok;

            put_in(v, from);
            ok = vlapic_set_mode(v, to == XAPIC || to == X2APIC, to == X2APIC || to == INVALID);
            CU_ASSERT_EQUAL(ok, legal[from][to]);
            CU_ASSERT_EQUAL(mode_of(v), ok ? (enum mode)to : (enum mode)from);
            CU_ASSERT_EQUAL(vlapic_mmio_decoded(v), mode_of(v) == XAPIC);
        }
    }
}

static void test_msrs_outside_x2apic(void)
{
    setup();
    for (int m = DISABLED; m <= XAPIC; m++) {
        put_in(&vcpus[0], m);
        for (uint32_t msr = X2APIC_MSR_FIRST; msr <= X2APIC_MSR_LAST; msr++) {
            uint64_t val;
            CU_ASSERT_EQUAL(rd(&vcpus[0], msr, &val), -1);
            CU_ASSERT_EQUAL(wr(&vcpus[0], msr, 0), -1);
        }
    }
}

/* ---- the register map (SDM table 11-6) ---- */

static bool readable(uint32_t msr)
{
    return msr == 0x802 || msr == 0x803 || msr == 0x808 || msr == 0x80a || msr == 0x80d ||
           msr == 0x80f || (msr >= 0x810 && msr <= 0x828) || msr == 0x830 ||
           (msr >= 0x832 && msr <= 0x839) || msr == 0x83e;
}

/* Writable registers and the bits a WRMSR may set in each. */
static uint64_t writable_bits(uint32_t msr, bool *exists)
{
    *exists = true;
    switch (msr) {
    case 0x808: return 0xff;                        /* TPR */
    case 0x80b: return 0;                           /* EOI: 0 only */
    case 0x80f: return 0x3ff;                       /* SVR: vector, enable, focus */
    case 0x828: return 0;                           /* ESR: 0 only */
    case 0x830: return 0xffffffff000ccfffull;       /* ICR: no bit 12, 13, 16-17, 20-31 */
    case 0x832: return 0x710ff;                     /* LVT timer: vector, status, mask, mode */
    case 0x833: case 0x834: return 0x117ff;         /* thermal, perf: + delivery mode */
    case 0x835: case 0x836: return 0x1f7ff;         /* LINT0/1: + polarity, IRR, trigger */
    case 0x837: return 0x110ff;                     /* error */
    case 0x838: return 0xffffffff;                  /* initial count */
    case 0x83e: return 0xb;                         /* divide configuration */
    case 0x83f: return 0xff;                        /* SELF IPI: vector */
    }
    *exists = false;
    return 0;
}

static void test_register_map(void)
{
    setup();
    to_x2apic(&vcpus[0]);
    for (uint32_t msr = X2APIC_MSR_FIRST; msr <= X2APIC_MSR_LAST; msr++) {
        uint64_t val;
        bool w;

        writable_bits(msr, &w);
        CU_ASSERT_EQUAL(rd(&vcpus[0], msr, &val), readable(msr) ? 0 : -1);
        if (msr != 0x830)                           /* the ICR would send an IPI */
            CU_ASSERT_EQUAL(wr(&vcpus[0], msr, 0), w ? 0 : -1);
    }
}

static void test_reserved_bits(void)
{
    setup();
    for (uint32_t msr = X2APIC_MSR_FIRST; msr <= X2APIC_MSR_LAST; msr++) {
        bool w;
        uint64_t ok = writable_bits(msr, &w);

        if (!w)
            continue;
        for (unsigned bit = 0; bit < 64; bit++) {
            uint64_t val = 1ull << bit;
            int r;

            vlapic_reset(&vcpus[0]);
            to_x2apic(&vcpus[0]);
            r = wr(&vcpus[0], msr, val);
            CU_ASSERT_EQUAL(r, (ok & val) ? 0 : -1);
        }
    }
}

/* ---- ID, LDR, values kept and dropped by the switch ---- */

static void test_id_ldr_switch(void)
{
    struct vcpu *v = &vcpus[2];

    setup();
    vlapic_write(v, 0x020, 0x07000000);             /* software's xAPIC ID */
    vlapic_write(v, 0x310, 0x05000000);             /* ICR high half */
    vlapic_write(v, 0x080, 0x40);
    vlapic_write(v, 0x0f0, 0x1ff);
    vlapic_write(v, 0x350, 0x10700);
    CU_ASSERT_EQUAL(vlapic_read(v, 0x020), 0x07000000u);
    to_x2apic(v);
    CU_ASSERT_EQUAL(rdv(v, 0x802), 0x23u);           /* the initial ID, 32 bits wide */
    CU_ASSERT_EQUAL(rdv(v, 0x80d), 0x00020008u);     /* cluster 2, member 1 << 3 */
    CU_ASSERT_EQUAL(rdv(v, 0x808), 0x40u);
    CU_ASSERT_EQUAL(rdv(v, 0x80f), 0x1ffu);
    CU_ASSERT_EQUAL(rdv(v, 0x835), 0x10700u);
    CU_ASSERT_EQUAL(rdv(v, 0x830) >> 32, 0u);        /* the high half is not kept */
    CU_ASSERT_EQUAL(rdv(v, 0x803), vlapic_read(v, 0x030));
    CU_ASSERT_EQUAL(wr(v, 0x802, 0x23), -1);        /* read-only, even its own value */
    CU_ASSERT_EQUAL(wr(v, 0x80d, 0x00020008), -1);
}

static void test_icr_and_destinations(void)
{
    struct vcpu *a = &vcpus[0], *b = &vcpus[1], *c = &vcpus[2];

    setup();
    for (unsigned i = 0; i < NR; i++)
        to_x2apic(&vcpus[i]);

    CU_ASSERT_EQUAL(wr(a, 0x830, (0x23ull << 32) | 0x4031), 0);
    CU_ASSERT_EQUAL(rdv(a, 0x830), (0x23ull << 32) | 0x4031);    /* 64 bits, no busy bit */
    CU_ASSERT(irr(c, 0x31) && !irr(a, 0x31) && !irr(b, 0x31));   /* physical 32-bit ID */
    clear_irr();
    wr(a, 0x830, (0x123ull << 32) | 0x32);                        /* 0x123 is nobody */
    CU_ASSERT(!irr(a, 0x32) && !irr(b, 0x32) && !irr(c, 0x32));
    wr(a, 0x830, (0xffffffffull << 32) | 0x33);                   /* broadcast */
    CU_ASSERT(irr(a, 0x33) && irr(b, 0x33) && irr(c, 0x33));
    clear_irr();
    wr(a, 0x830, (0x00000003ull << 32) | 0x800 | 0x34);           /* cluster 0, members 0, 1 */
    CU_ASSERT(irr(a, 0x34) && irr(b, 0x34) && !irr(c, 0x34));
    wr(a, 0x830, (0x00020008ull << 32) | 0x800 | 0x35);           /* cluster 2, member 3 */
    CU_ASSERT(!irr(a, 0x35) && !irr(b, 0x35) && irr(c, 0x35));
    wr(a, 0x830, (0x00010008ull << 32) | 0x800 | 0x36);           /* cluster 1: nobody */
    wr(a, 0x830, (0x00020000ull << 32) | 0x800 | 0x36);           /* no member: nobody */
    CU_ASSERT(!irr(a, 0x36) && !irr(b, 0x36) && !irr(c, 0x36));
    wr(a, 0x830, (0xffffffffull << 32) | 0x800 | 0x37);           /* logical broadcast */
    CU_ASSERT(irr(a, 0x37) && irr(b, 0x37) && irr(c, 0x37));
    clear_irr();
    wr(a, 0x830, (1ull << 32) | (3u << 18) | 0x38);               /* all but self */
    CU_ASSERT(!irr(a, 0x38) && irr(b, 0x38) && irr(c, 0x38));
    CU_ASSERT_EQUAL(wr(b, 0x83f, 0x39), 0);                       /* SELF IPI */
    CU_ASSERT(!irr(a, 0x39) && irr(b, 0x39) && !irr(c, 0x39));
    clear_irr();

    wr(a, 0x830, (0x23ull << 32) | 0x4500);                       /* INIT, SIPI by ID */
    wr(a, 0x830, (0x23ull << 32) | 0x4608);
    CU_ASSERT(inits[0x23 % NR] == 1 && sipis[0x23 % NR] == 1 && inits[1] == 0);
    wr(a, 0x830, (1ull << 32) | 0x400);                           /* NMI */
    CU_ASSERT(b->arch.vlapic.nmi_pending && !a->arch.vlapic.nmi_pending);

    /* I/O APIC messages carry 8 bits: 0xFF is still the broadcast. */
    CU_ASSERT(vlapic_match_dest(c, 0x23, false) && !vlapic_match_dest(c, 0x24, false));
    CU_ASSERT(vlapic_match_dest(a, 0xff, false) && vlapic_match_dest(c, 0xff, false));
    CU_ASSERT(vlapic_match_dest(b, 0x02, true) && !vlapic_match_dest(a, 0x02, true));
}

static void test_mixed_modes(void)
{
    struct vcpu *a = &vcpus[0], *b = &vcpus[1];

    setup();
    to_x2apic(a);                                   /* b stays in xAPIC mode */
    wr(a, 0x830, (1ull << 32) | 0x4500);             /* INIT to an xAPIC AP, as Linux */
    CU_ASSERT_EQUAL(inits[1], 1u);
    wr(a, 0x830, (1ull << 32) | 0x41);
    CU_ASSERT(irr(b, 0x41));
    wr(a, 0x830, (0x101ull << 32) | 0x42);           /* 8-bit xAPIC IDs: 0x101 is not 1 */
    CU_ASSERT(!irr(b, 0x42));
    vlapic_write(b, 0x310, 0);                      /* the xAPIC sends to x2APIC ID 0 */
    vlapic_write(b, 0x300, 0x43);
    CU_ASSERT(irr(a, 0x43));
}

/* ---- EOI, TPR/CR8, INIT, the timer ---- */

static void test_eoi_tpr_init_timer(void)
{
    struct vcpu *v = &vcpus[1];

    setup();
    to_x2apic(v);
    vlapic_accept_irq(v, 0x61, true);               /* level-triggered, from the I/O APIC */
    vlapic_ack(v, 0x61);
    CU_ASSERT_EQUAL(rdv(v, 0x813) & (1u << 1), 1u << 1);   /* ISR bit 0x61 */
    CU_ASSERT_EQUAL(wr(v, 0x80b, 1), -1);           /* nonzero EOI: #GP, nothing retired */
    CU_ASSERT_EQUAL(eois, 0u);
    CU_ASSERT_EQUAL(wr(v, 0x80b, 0), 0);
    CU_ASSERT(eois == 1 && last_eoi_vector == 0x61 && rdv(v, 0x813) == 0);

    vlapic_cr8_written(v, 0x5);
    CU_ASSERT_EQUAL(rdv(v, 0x808), 0x50u);
    wr(v, 0x808, 0x70);
    CU_ASSERT_EQUAL(vlapic_cr8(v), 0x7);

    wr(v, 0x80f, 0x1ff);
    wr(v, 0x832, 0x20052);                          /* periodic, vector 0x52 */
    wr(v, 0x83e, 0xb);                              /* divide by 1 */
    wr(v, 0x838, 1000);
    fake_now += 400;
    CU_ASSERT_EQUAL(rdv(v, 0x839), 600u);
    fake_now += 700;
    vlapic_poll_timer(v, fake_now);
    CU_ASSERT(irr(v, 0x52));

    vlapic_init_signal(v);
    CU_ASSERT(vlapic_x2apic_mode(v) && vlapic_hw_enabled(v) && !vlapic_mmio_decoded(v));
    CU_ASSERT_EQUAL(rdv(v, 0x802), 1u);
    CU_ASSERT_EQUAL(rdv(v, 0x80d), 2u);
    CU_ASSERT_EQUAL(rdv(v, 0x80f), 0xffu);          /* registers back at reset */
    CU_ASSERT_EQUAL(rdv(v, 0x808), 0u);
    CU_ASSERT_EQUAL(rdv(v, 0x832), 0x10000u);
    CU_ASSERT(!irr(v, 0x52));
    put_in(v, DISABLED);
    vlapic_init_signal(v);
    CU_ASSERT_EQUAL(mode_of(v), DISABLED);           /* INIT does not enable it */
}

void register_x2apic_tests(void)
{
    static const struct unit_test tests[] = {
        { "IA32_APIC_BASE transitions", test_transitions },
        { "MSRs #GP outside x2APIC mode", test_msrs_outside_x2apic },
        { "register map", test_register_map },
        { "reserved bits", test_reserved_bits },
        { "ID, LDR and the switch", test_id_ldr_switch },
        { "ICR and destinations", test_icr_and_destinations },
        { "a domain mixing modes", test_mixed_modes },
        { "EOI, TPR, INIT, timer", test_eoi_tpr_init_timer },
    };

    add_suite("x2apic", tests, sizeof(tests) / sizeof(tests[0]));
}
