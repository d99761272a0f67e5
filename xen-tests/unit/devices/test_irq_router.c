/*
 * The domain's interrupt router (hypervisor/arch/x86/hvm/irq.c) over the
 * real vPIC, vPIT and vIOAPIC: ISA lines to both controllers (IRQ0 on I/O
 * APIC pin 2), I/O APIC messages to local APICs (physical, logical, lowest
 * priority, NMI, level with the EOI broadcast), who takes the PIC's ExtINT,
 * the PIT's channel 0 through the timer poll, and the kicks. The local APIC
 * and the scheduler are fakes below: only the router's own decisions are
 * under test.
 */
#include <asm/hvm_irq.h>
#include <dbgvisor/domain.h>
#include <string.h>
#include "tests.h"

static struct domain dom;
static struct vcpu vcpus[3];
static uint64_t fake_now;
static unsigned kicked[3];

/* ---- fakes: the local APIC keeps IRR/TMR/TPR/ID in its real fields ---- */

uint64_t now_ns(void) { return fake_now; }
void sched_vcpu_kick(struct vcpu *v) { kicked[v->id]++; }
bool vlapic_hw_enabled(const struct vcpu *v) { return !v->arch.vlapic.hw_disabled; }
bool vlapic_accepts_extint(const struct vcpu *v)
{
    uint32_t lint0 = v->arch.vlapic.lvt_lint0;
    return vlapic_hw_enabled(v) && !(lint0 & (1u << 16)) && ((lint0 >> 8) & 7) == 7;
}
bool vlapic_match_dest(const struct vcpu *v, uint8_t dest, bool logical)
{
    if (logical)
        return dest & (1u << v->id);              /* flat model, LDR = 1 << id */
    return dest == 0xff || dest == v->arch.vlapic.id;
}
static bool bit(const uint32_t *bm, unsigned vec) { return bm[vec / 32] & (1u << (vec % 32)); }
void vlapic_accept_irq(struct vcpu *v, uint8_t vec, bool level)
{
    v->arch.vlapic.irr[vec / 32] |= 1u << (vec % 32);
    if (level)
        v->arch.vlapic.tmr[vec / 32] |= 1u << (vec % 32);
}
uint32_t vlapic_read(struct vcpu *v, uint32_t off) { return off == 0x80 ? v->arch.vlapic.tpr : 0; }
void vlapic_set_nmi_pending(struct vcpu *v) { v->arch.vlapic.nmi_pending = true; }
bool vlapic_poll_timer(struct vcpu *v, uint64_t now) { (void)v; (void)now; return false; }
uint64_t vlapic_timer_deadline_ns(const struct vcpu *v) { (void)v; return UINT64_MAX; }
/* Arbitration by TPR alone (vlapic.c's own is tested in unit/vlapic). */
bool vlapic_lowest_priority_beats(const struct vcpu *c, const struct vcpu *winner)
{
    return !winner || (c->arch.vlapic.tpr & 0xf0) < (winner->arch.vlapic.tpr & 0xf0);
}
void vlapic_lowest_priority_won(struct vcpu *v) { (void)v; }
int vlapic_pending_vector(struct vcpu *v)
{
    for (int vec = 255; vec >= 16; vec--)
        if (bit(v->arch.vlapic.irr, (unsigned)vec))
            return vec;
    return -1;
}
bool vlapic_nmi_deliverable(const struct vcpu *v) { return v->arch.vlapic.nmi_pending; }
/* The platform devices' timers (hvm/platform.c): none in these tests
 * (setup() sets their next event to never). */
void hvm_platform_poll_timers(struct domain *d, uint64_t now) { (void)d; (void)now; }

/* ---- helpers ---- */

static void setup(unsigned nr)
{
    memset(&dom, 0, sizeof(dom));
    memset(vcpus, 0, sizeof(vcpus));
    memset(kicked, 0, sizeof(kicked));
    fake_now = 1000000;
    dom.nr_vcpus = nr;
    dom.arch.platform.next_event_ns = UINT64_MAX;
    for (unsigned i = 0; i < nr; i++) {
        vcpus[i].id = i;
        vcpus[i].domain = &dom;
        vcpus[i].arch.vlapic.id = i;
        vcpus[i].arch.vlapic.lvt_lint0 = 1u << 16;   /* masked, as after reset */
        dom.vcpus[i] = &vcpus[i];
    }
    hvm_irq_domain_init(&dom);
}

static void out8(uint16_t port, uint8_t val) { CU_ASSERT(hvm_irq_io_write(&dom, port, val)); }

static void ioapic_rte(unsigned pin, uint64_t rte)
{
    hvm_vioapic_write(&vcpus[0], VIOAPIC_BASE, 4, 0x11 + 2 * pin);
    hvm_vioapic_write(&vcpus[0], VIOAPIC_BASE + 0x10, 4, rte >> 32);
    hvm_vioapic_write(&vcpus[0], VIOAPIC_BASE, 4, 0x10 + 2 * pin);
    hvm_vioapic_write(&vcpus[0], VIOAPIC_BASE + 0x10, 4, (uint32_t)rte);
}

static void pic_init_unmask_irq0(void)
{
    static const uint8_t seq[][2] = {
        { 0x20, 0x11 }, { 0x21, 0x30 }, { 0x21, 0x04 }, { 0x21, 0x01 },
        { 0xa0, 0x11 }, { 0xa1, 0x38 }, { 0xa1, 0x02 }, { 0xa1, 0x01 },
        { 0x21, 0xfe }, { 0xa1, 0xff },
    };
    for (unsigned i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
        out8(seq[i][0], seq[i][1]);
}

static uint64_t irq_of_dom_dropped(void) { return dom.arch.irq.pit_ticks.dropped; }
static bool irr(unsigned cpu, unsigned vec) { return bit(vcpus[cpu].arch.vlapic.irr, vec); }
static bool tmr(unsigned cpu, unsigned vec) { return bit(vcpus[cpu].arch.vlapic.tmr, vec); }

/* ---- tests ---- */

static void test_isa_irq0_to_pin2_and_pic(void)
{
    setup(2);
    ioapic_rte(2, 0x40 | (1ull << 56));           /* fixed, physical, edge, to APIC 1 */
    ioapic_rte(0, 0x41);                          /* pin 0 must not see IRQ0 */
    pic_init_unmask_irq0();
    vcpus[0].arch.vlapic.lvt_lint0 = 7u << 8;     /* vCPU 0 in virtual wire mode */
    hvm_isa_irq_pulse(&dom, 0);
    CU_ASSERT(irr(1, 0x40));
    CU_ASSERT(!irr(0, 0x41) && !irr(1, 0x41));
    CU_ASSERT(!tmr(1, 0x40));
    CU_ASSERT_EQUAL(kicked[1], 1);                /* the target was kicked */
    CU_ASSERT(hvm_irq_extint_pending(&vcpus[0]));
    CU_ASSERT(!hvm_irq_extint_pending(&vcpus[1]));
    CU_ASSERT_EQUAL(kicked[0], 1);
    CU_ASSERT_EQUAL(hvm_irq_extint_ack(&vcpus[0]), 0x30);
    CU_ASSERT(!hvm_irq_extint_pending(&vcpus[0]));
    CU_ASSERT_EQUAL(hvm_irq_extint_ack(&vcpus[0]), -1);

    ioapic_rte(4, 0x44);                          /* other ISA lines: same pin number */
    hvm_isa_irq_pulse(&dom, 4);
    CU_ASSERT(irr(0, 0x44));
    hvm_isa_irq_pulse(&dom, 16);                  /* no such ISA line: ignored */
}

static void test_extint_taker(void)
{
    setup(2);
    pic_init_unmask_irq0();
    hvm_isa_irq_pulse(&dom, 0);
    CU_ASSERT(!hvm_irq_extint_pending(&vcpus[0]));   /* LINT0 masked: nobody */
    vcpus[1].arch.vlapic.hw_disabled = true;
    CU_ASSERT(!hvm_irq_extint_pending(&vcpus[1]));   /* only vCPU 0's INTR pin is wired */
    vcpus[0].arch.vlapic.hw_disabled = true;
    CU_ASSERT(hvm_irq_extint_pending(&vcpus[0]));
    CU_ASSERT(hvm_vcpu_has_interrupt(&vcpus[0]));
    vcpus[0].arch.vlapic.hw_disabled = false;
    vcpus[1].arch.vlapic.hw_disabled = false;
    vcpus[1].arch.vlapic.lvt_lint0 = 7u << 8;        /* an AP in ExtINT mode takes it */
    CU_ASSERT(hvm_irq_extint_pending(&vcpus[1]));
    CU_ASSERT(!hvm_irq_extint_pending(&vcpus[0]));
}

static void test_destinations(void)
{
    setup(3);
    ioapic_rte(5, 0x50 | VIOAPIC_RTE_LOGICAL | (0x06ull << 56));   /* fixed, logical CPUs 1 and 2 */
    hvm_isa_irq_pulse(&dom, 5);
    CU_ASSERT(!irr(0, 0x50) && irr(1, 0x50) && irr(2, 0x50));
    ioapic_rte(6, 0x51 | (0xffull << 56));                         /* physical broadcast */
    hvm_isa_irq_pulse(&dom, 6);
    CU_ASSERT(irr(0, 0x51) && irr(1, 0x51) && irr(2, 0x51));
    vcpus[1].arch.vlapic.tpr = 0x20;
    vcpus[2].arch.vlapic.tpr = 0x10;
    ioapic_rte(7, 0x52 | (1ull << 8) | VIOAPIC_RTE_LOGICAL | (0x06ull << 56));   /* lowest priority */
    hvm_isa_irq_pulse(&dom, 7);
    CU_ASSERT(!irr(1, 0x52) && irr(2, 0x52));                     /* the lower TPR wins */
    vcpus[1].arch.vlapic.hw_disabled = true;                       /* receives nothing */
    ioapic_rte(8, 0x53 | VIOAPIC_RTE_LOGICAL | (0x02ull << 56));
    hvm_isa_irq_pulse(&dom, 8);
    CU_ASSERT(!irr(1, 0x53));
    ioapic_rte(9, (4ull << 8) | (2ull << 56));                     /* NMI to APIC 2 */
    hvm_isa_irq_pulse(&dom, 9);
    CU_ASSERT(vcpus[2].arch.vlapic.nmi_pending && !vcpus[0].arch.vlapic.nmi_pending);
}

static void test_level_eoi_broadcast(void)
{
    setup(1);
    ioapic_rte(10, 0x60 | VIOAPIC_RTE_LEVEL);
    hvm_isa_irq_set(&dom, 10, true);
    CU_ASSERT(irr(0, 0x60) && tmr(0, 0x60));
    vcpus[0].arch.vlapic.irr[0x60 / 32] = 0;
    hvm_irq_lapic_eoi(&vcpus[0], 0x60);              /* still asserted: delivered again */
    CU_ASSERT(irr(0, 0x60));
    vcpus[0].arch.vlapic.irr[0x60 / 32] = 0;
    hvm_isa_irq_set(&dom, 10, false);
    hvm_irq_lapic_eoi(&vcpus[0], 0x60);
    CU_ASSERT(!irr(0, 0x60));
}

static void test_pit_poll(void)
{
    setup(1);
    ioapic_rte(2, 0x70);
    CU_ASSERT_EQUAL(hvm_next_timer_ns(&vcpus[0]), UINT64_MAX);   /* PIT idle */
    out8(0x43, 0x34);                                 /* channel 0, mode 2 */
    out8(0x40, 1193 & 0xff);
    out8(0x40, 1193 >> 8);                            /* about 1 ms */
    uint64_t next = hvm_next_timer_ns(&vcpus[0]);
    CU_ASSERT(next > fake_now && next <= fake_now + 1000100);
    fake_now = next - 1;
    CU_ASSERT(!hvm_poll_timers(&vcpus[0], fake_now));
    CU_ASSERT(!irr(0, 0x70));
    fake_now = next + 5000000;                        /* several periods late: one edge now */
    CU_ASSERT(hvm_poll_timers(&vcpus[0], fake_now));
    CU_ASSERT(irr(0, 0x70));
    CU_ASSERT(hvm_next_timer_ns(&vcpus[0]) > fake_now);
    /* Recorded kicks: taken once by the scheduler, or flushed. */
    CU_ASSERT_EQUAL(hvm_irq_take_kicks(&dom), 1u);
    CU_ASSERT_EQUAL(hvm_irq_take_kicks(&dom), 0u);
    CU_ASSERT_EQUAL(kicked[0], 0);
}

/* ---- PIT tick reinjection ---- */

#define PERIOD_NS 1000000ull                          /* 1193 PIT clocks: 999.85 us */

static void pit_start_1khz(void)
{
    out8(0x43, 0x34);                                 /* channel 0, mode 2 */
    out8(0x40, 1193 & 0xff);
    out8(0x40, 1193 >> 8);
}

static void clear_irr(unsigned cpu, unsigned vec)
{
    vcpus[cpu].arch.vlapic.irr[vec / 32] &= ~(1u << (vec % 32));
}

/* The guest takes (IRR -> in service) and EOIs each IRQ0 as it comes, through
 * the I/O APIC at vector vec: how many ticks it counted. */
static unsigned lapic_take_all(unsigned vec)
{
    unsigned n = 0;

    hvm_poll_timers(&vcpus[0], fake_now);
    while (irr(0, vec) && n < 10000) {
        clear_irr(0, vec);
        n++;
        hvm_irq_lapic_edge_eoi(&vcpus[0], (uint8_t)vec);
    }
    return n;
}

static void test_pit_reinject_ioapic(void)
{
    setup(1);
    ioapic_rte(2, 0x70);
    pit_start_1khz();
    fake_now += 5 * PERIOD_NS + PERIOD_NS / 2;        /* five periods while descheduled */
    CU_ASSERT(hvm_poll_timers(&vcpus[0], fake_now));
    CU_ASSERT(irr(0, 0x70));
    clear_irr(0, 0x70);                               /* taken, not yet EOIed */
    hvm_poll_timers(&vcpus[0], fake_now);
    CU_ASSERT(!irr(0, 0x70));                         /* the next waits for the EOI */
    hvm_irq_lapic_edge_eoi(&vcpus[0], 0x71);          /* another vector's EOI: nothing */
    CU_ASSERT(!irr(0, 0x70));
    hvm_irq_lapic_edge_eoi(&vcpus[0], 0x70);
    CU_ASSERT(irr(0, 0x70));                          /* the second owed tick */
    CU_ASSERT_EQUAL(1 + lapic_take_all(0x70), 5);     /* every period counted */
    fake_now += 3 * PERIOD_NS;
    CU_ASSERT_EQUAL(lapic_take_all(0x70), 3);
    CU_ASSERT_EQUAL(lapic_take_all(0x70), 0);
}

static void test_pit_reinject_pic(void)
{
    setup(1);
    pic_init_unmask_irq0();                           /* I/O APIC pin 2 stays masked */
    vcpus[0].arch.vlapic.lvt_lint0 = 7u << 8;         /* ExtINT */
    pit_start_1khz();
    fake_now += 4 * PERIOD_NS + PERIOD_NS / 2;
    CU_ASSERT(hvm_poll_timers(&vcpus[0], fake_now));
    unsigned n = 0;
    while (hvm_irq_extint_pending(&vcpus[0]) && n < 100) {
        CU_ASSERT_EQUAL(hvm_irq_extint_ack(&vcpus[0]), 0x30);
        CU_ASSERT(!hvm_irq_extint_pending(&vcpus[0]));  /* in service until the EOI */
        n++;
        out8(0x20, 0x20);                             /* non-specific EOI */
    }
    CU_ASSERT_EQUAL(n, 4);
    /* Auto-EOI: the INTA itself acknowledges. */
    out8(0x20, 0x11); out8(0x21, 0x30); out8(0x21, 0x04); out8(0x21, 0x03);
    out8(0x21, 0xfe);
    fake_now += 3 * PERIOD_NS;
    hvm_poll_timers(&vcpus[0], fake_now);
    for (n = 0; hvm_irq_extint_pending(&vcpus[0]) && n < 100; n++)
        CU_ASSERT_EQUAL(hvm_irq_extint_ack(&vcpus[0]), 0x30);
    CU_ASSERT_EQUAL(n, 3);
}

static void test_pit_reinject_masked_and_reprogrammed(void)
{
    setup(1);
    pic_init_unmask_irq0();
    vcpus[0].arch.vlapic.lvt_lint0 = 7u << 8;
    out8(0x21, 0xff);                                 /* IRQ0 masked at the PIC too */
    pit_start_1khz();
    fake_now += 5 * PERIOD_NS + PERIOD_NS / 2;
    hvm_poll_timers(&vcpus[0], fake_now);
    out8(0x21, 0xfe);                                 /* unmasked: the latched edge only */
    CU_ASSERT(hvm_irq_extint_pending(&vcpus[0]));
    CU_ASSERT_EQUAL(hvm_irq_extint_ack(&vcpus[0]), 0x30);
    out8(0x20, 0x20);
    CU_ASSERT(!hvm_irq_extint_pending(&vcpus[0]));    /* nothing owed from the masked time */
    CU_ASSERT(irq_of_dom_dropped() >= 4);

    fake_now += 5 * PERIOD_NS;
    hvm_poll_timers(&vcpus[0], fake_now);
    CU_ASSERT_EQUAL(hvm_irq_extint_ack(&vcpus[0]), 0x30);
    pit_start_1khz();                                 /* reprogrammed: the old period lapses */
    out8(0x20, 0x20);
    CU_ASSERT(!hvm_irq_extint_pending(&vcpus[0]));
    fake_now += PERIOD_NS;
    hvm_poll_timers(&vcpus[0], fake_now);
    CU_ASSERT(hvm_irq_extint_pending(&vcpus[0]));     /* the new period ticks */
}

/* Through the PIC with EOIs: how many ticks the guest counted. */
static unsigned pic_take_all(void)
{
    unsigned n = 0;

    hvm_poll_timers(&vcpus[0], fake_now);
    while (hvm_irq_extint_pending(&vcpus[0]) && n < 10000) {
        CU_ASSERT_EQUAL(hvm_irq_extint_ack(&vcpus[0]), 0x30);
        n++;
        out8(0x20, 0x20);
    }
    return n;
}

static void test_pit_timer_mode_one_missed(void)
{
    setup(1);
    ioapic_rte(2, 0x70);
    hvm_irq_set_timer_mode(&dom, DBGV_TIMER_MODE_ONE_MISSED_TICK_PENDING);
    pit_start_1khz();
    fake_now += 5 * PERIOD_NS + PERIOD_NS / 2;
    CU_ASSERT_EQUAL(lapic_take_all(0x70), 1);         /* merged into one late tick */

    setup(1);
    pic_init_unmask_irq0();
    vcpus[0].arch.vlapic.lvt_lint0 = 7u << 8;
    hvm_irq_set_timer_mode(&dom, DBGV_TIMER_MODE_ONE_MISSED_TICK_PENDING);
    pit_start_1khz();
    for (unsigned i = 0; i < 5; i++) {                /* late every time: one tick each */
        fake_now += 3 * PERIOD_NS;
        CU_ASSERT_EQUAL(pic_take_all(), 1);
    }
    fake_now += PERIOD_NS;                            /* on time */
    CU_ASSERT_EQUAL(pic_take_all(), 1);
}

void register_irq_router_tests(void)
{
    CU_pSuite s = CU_add_suite("irq router", NULL, NULL);
    CU_add_test(s, "ISA IRQ0 to I/O APIC pin 2 and PIC IR0", test_isa_irq0_to_pin2_and_pic);
    CU_add_test(s, "who takes the PIC's ExtINT", test_extint_taker);
    CU_add_test(s, "I/O APIC destinations and delivery modes", test_destinations);
    CU_add_test(s, "level-triggered: TMR and the EOI broadcast", test_level_eoi_broadcast);
    CU_add_test(s, "PIT channel 0 through the timer poll", test_pit_poll);
    CU_add_test(s, "PIT ticks missed are reinjected, one per LAPIC EOI", test_pit_reinject_ioapic);
    CU_add_test(s, "PIT ticks missed are reinjected, one per PIC EOI or auto-EOI", test_pit_reinject_pic);
    CU_add_test(s, "PIT ticks owed are dropped while masked or reprogrammed", test_pit_reinject_masked_and_reprogrammed);
    CU_add_test(s, "timer_mode one_missed_tick_pending merges", test_pit_timer_mode_one_missed);
}
