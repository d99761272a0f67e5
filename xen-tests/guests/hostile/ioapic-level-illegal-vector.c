/*
 * hostile: vcpus=1 native=compare
 *
 * ioapic-level-illegal-vector: a level-triggered I/O APIC entry whose
 * vector is illegal (0-15; the 82093AA datasheet gives 0x10-0xFE as the
 * vector range). The local APIC refuses such a message: Receive Illegal
 * Vector (ESR bit 6), no IRR bit, nothing delivered (SDM vol. 3 11.5.3,
 * AMD APM vol. 2 16.4.8). The 82093AA sets an entry's Remote IRR "when
 * local APIC(s) accept the level interrupt" and clears it at an EOI of its
 * vector; a refused message is accepted by no APIC, and no EOI can ever
 * name a vector below 16, so Remote IRR stays clear (dbgvisor's decision,
 * docs/third-party-guests.md; Xen and QEMU's I/O APIC set it on sending and the
 * pin then stays blocked until software switches the entry to edge).
 * dbgvisor used to set it: the pin stayed dead after the entry was given a
 * legal vector. The RTC's periodic interrupt (IRQ8, held while register C
 * is not read) drives pin 8 programmed level-triggered with vector 9.
 * QEMU 10 TCG checks no vector: it delivers vector 9 through the IDT and
 * its Remote IRR stays set (native-quirks.txt gives the architectural
 * lines).
 */
#include "guest.h"

#define IOAPIC_BASE  0xFEC00000UL
#define APIC_ESR     0x280
#define RTE_LEVEL    BIT(15)
#define RTE_REMOTE_IRR BIT(14)
#define RTE_MASKED   BIT(16)
#define BAD_VEC      9
#define GOOD_VEC     0x48
#define RTC_A 0x0a
#define RTC_B 0x0b
#define RTC_C 0x0c
#define B_24H 0x02
#define B_PIE 0x40

static volatile unsigned long bad_hits, good_hits;

static uint8_t cmos(uint8_t reg) { outb(0x70, reg); return inb(0x71); }
static void cmos_write(uint8_t reg, uint8_t val) { outb(0x70, reg); outb(0x71, val); }

static uint32_t ioapic_read(uint32_t reg)
{
    *(volatile uint32_t *)IOAPIC_BASE = reg;
    return *(volatile uint32_t *)(IOAPIC_BASE + 0x10);
}

static void ioapic_write(uint32_t reg, uint32_t val)
{
    *(volatile uint32_t *)IOAPIC_BASE = reg;
    *(volatile uint32_t *)(IOAPIC_BASE + 0x10) = val;
}

static void route_pin8(uint32_t low)
{
    ioapic_write(0x11 + 16, apic_id() << 24);
    ioapic_write(0x10 + 16, low);
}

/* Vector 9 is only ever reached where the APIC delivers an illegal vector
 * (QEMU): counted, left in service (no EOI, no read of C). */
static void bad_handler(struct trap_frame *f) { (void)f; bad_hits++; }

static void good_handler(struct trap_frame *f)
{
    (void)f;
    good_hits++;
    (void)cmos(RTC_C);                  /* the line drops */
    apic_eoi();
}

static uint32_t esr_latch(void)
{
    apic_write(APIC_ESR, 0);
    return apic_read(APIC_ESR);
}

/* Up to ~100 ms with interrupts on, or until done() holds. */
static void wait_until(bool (*done)(void))
{
    for (int i = 0; i < 100 && !done(); i++) {
        cli();
        sleep_ticks(1000000);
    }
    sti();
}

static uint32_t esr_seen;
static bool message_sent(void) { esr_seen |= esr_latch(); return (esr_seen & 0x40) || bad_hits; }
static bool good_delivered(void) { return good_hits > 0; }

int main(void)
{
    uint32_t rte;

    apic_init();
    trap_set_handler(BAD_VEC, bad_handler);
    trap_set_handler(GOOD_VEC, good_handler);
    (void)esr_latch();

    route_pin8(RTE_LEVEL | BAD_VEC);    /* level, active high, fixed, physical */
    cmos_write(RTC_A, 0x23);            /* 8192 Hz */
    (void)cmos(RTC_C);
    cmos_write(RTC_B, B_24H | B_PIE);   /* the line rises at the next period and stays up */
    wait_until(message_sent);
    rte = ioapic_read(0x10 + 16);
    report(message_sent(), "the level message with vector %d was sent", BAD_VEC);
    printf("vector %d delivered through the IDT: %s\n", BAD_VEC, bad_hits ? "yes" : "no");
    printf("ESR after it: receive illegal vector %s\n", esr_seen & 0x40 ? "set" : "clear");
    printf("remote IRR of the entry: %s\n", rte & RTE_REMOTE_IRR ? "set" : "clear");

    /* The same pin, still asserted, given a legal vector (still level). */
    route_pin8(RTE_LEVEL | GOOD_VEC);
    wait_until(good_delivered);
    printf("pin 8 with vector %#x afterwards: %s\n", GOOD_VEC, good_hits ? "delivered" : "blocked");

    cmos_write(RTC_B, B_24H);
    route_pin8(RTE_MASKED);
    (void)cmos(RTC_C);
    cmos_write(RTC_A, 0x26);
    return report_summary();
}
