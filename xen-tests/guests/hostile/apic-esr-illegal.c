/*
 * hostile: vcpus=2 policies=trap native=compare
 *
 * apic-esr-illegal: the local APIC's error handling (issue 9; SDM vol 3
 * 11.5.3 and 11.12.1.3 / 10.6.3.1 "x2APIC differences in error handling",
 * AMD APM vol 2 16.4.8). The ESR is a write/read register: errors collect
 * in the APIC and a write (of any value in xAPIC mode, of 0 in x2APIC mode)
 * latches them into the ESR, so a read before that write still shows the
 * last latched value, and two writes in a row clear it. Errors raised here:
 * - Illegal Register Address (bit 7): an xAPIC access to a reserved offset
 *   (0x000, 0x040, 0x290, 0x2F0 with six LVTs, 0x3A0, 0x3F0); it reads 0.
 * - Send Illegal Vector (bit 5): a fixed IPI with a vector below 16, by ICR
 *   or (x2APIC) SELF IPI.
 * - Receive Illegal Vector (bit 6): the receiver of such an IPI (the
 *   sender too when it targets itself), and a local interrupt (LVT timer,
 *   LVT error) with a vector below 16. Such interrupts are never delivered
 *   and never set an IRR bit below 16.
 * An unmasked LVT error entry raises its vector when an error is detected.
 * In x2APIC mode a reserved MSR is #GP and sets no ESR bit.
 * QEMU 10 TCG sets bit 7 at once (no latch) and does not check vectors: it
 * delivers vector 9 through the IDT (native-quirks.txt lists each line).
 */
#include "guest.h"

#define APIC_ESR    0x280
#define APIC_LVTERR 0x370
#define APIC_ISR    0x100
#define MSR_APIC_BASE  0x1b
#define APIC_BASE_EXTD (1ull << 10)
#define X_EOI   0x80b
#define X_ESR   0x828
#define X_SELF  0x83f
#define ERR_VEC 0xe3
#define BAD_VEC 9                        /* 0-15 are illegal interrupt vectors */
#define OK_VEC  0x51
#define ICR_SELF (1u << 18)

static volatile unsigned long err_irqs, bad_hits[2], ok_hits, ap_ready, ap_cmd, ap_done;
static volatile uint32_t ap_esr;
static volatile bool x2;

static unsigned this_cpu(void) { return x2 ? (unsigned)rdmsr(0x802) & 1 : apic_id() & 1; }

static void eoi(void)
{
    if (x2)
        wrmsr(X_EOI, 0);
    else
        apic_eoi();
}

/* Latch the collected errors and read them. */
static uint32_t esr(void)
{
    if (x2) {
        wrmsr(X_ESR, 0);
        return (uint32_t)rdmsr(X_ESR);
    }
    apic_write(APIC_ESR, 0);
    return apic_read(APIC_ESR);
}

static void err_handler(struct trap_frame *f) { (void)f; err_irqs++; eoi(); }
static void ok_handler(struct trap_frame *f) { (void)f; ok_hits++; eoi(); }

/* Vector 9 never comes from this CPU as an exception: only a wrongly
 * delivered interrupt gets here; it is retired if it went through ISR. */
static void bad_handler(struct trap_frame *f)
{
    (void)f;
    bad_hits[this_cpu()]++;
    if (!x2 && (apic_read(APIC_ISR) & (1u << BAD_VEC)))
        apic_eoi();
}

static void settle(void) { irq_settle(20000); }

static void ap_main(unsigned int cpu)
{
    (void)cpu;
    apic_write(APIC_ESR, 0);
    ap_ready = 1;
    for (;;) {
        asm volatile("sti" ::: "memory");
        while (ap_cmd == ap_done)
            pause();
        asm volatile("cli" ::: "memory");
        ap_esr = esr();
        ap_done = ap_cmd;
    }
}

static uint32_t ap_read_esr(void)
{
    ap_cmd++;
    while (ap_done != ap_cmd)
        pause();
    return ap_esr;
}

static const uint32_t reserved[] = { 0x000, 0x040, 0x290, 0x2f0, 0x3a0, 0x3f0 };

static void nmi_handler(struct trap_frame *f) { (void)f; }

int main(void)
{
    uint32_t v, raw, w;
    uint64_t m;
    bool zero = true;

    apic_init();
    trap_set_handler(2, nmi_handler);
    trap_set_handler(ERR_VEC, err_handler);
    trap_set_handler(BAD_VEC, bad_handler);
    trap_set_handler(OK_VEC, ok_handler);
    printf("ESR after a write: %#x\n", esr());

    v = apic_read(0x3f0);
    raw = apic_read(APIC_ESR);
    w = esr();
    printf("reserved offset 0x3f0: ESR before the latching write %#x, after it %#x, after a second write %#x\n",
           raw, w, esr());
    /* Each access separately: the write latches what it did alone. */
    for (unsigned i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        zero = zero && apic_read(reserved[i]) == 0;
        printf("offset %#x: read sets ESR %#x", reserved[i], esr());
        if (reserved[i]) {               /* offset 0 writes are MSIs on QEMU's bus */
            apic_write(reserved[i], 0x5a);
            printf(", write sets %#x", esr());
        }
        printf("\n");
    }
    report(v == 0 && zero, "reserved offsets read 0");
    esr();
    apic_read(0x020);
    apic_write(0x3e0, 0xb);
    printf("accesses to registers that exist: ESR %#x\n", esr());

    apic_write(APIC_LVTERR, ERR_VEC);
    apic_read(0x3f0);
    settle();
    v = (uint32_t)err_irqs;
    esr();
    apic_write(APIC_ICR, ICR_SELF | BAD_VEC);
    settle();
    printf("LVT error unmasked: error interrupts after an illegal access %u, after an illegal-vector IPI %lu\n",
           v, err_irqs);
    esr();
    apic_write(APIC_LVTERR, BAD_VEC);    /* the error interrupt's own vector is illegal */
    apic_read(0x3f0);
    settle();
    printf("LVT error with vector 9: delivered %lu, ESR %#x\n", bad_hits[0], esr());
    apic_write(APIC_LVTERR, 0x10000 | ERR_VEC);
    esr();

    apic_write(APIC_ICR, ICR_SELF | BAD_VEC);
    settle();
    printf("fixed self IPI (shorthand) with vector 9: delivered %lu, ESR %#x\n", bad_hits[0], esr());
    apic_send_ipi(0, BAD_VEC);
    settle();
    printf("fixed IPI to its own ID with vector 9: delivered %lu, ESR %#x\n", bad_hits[0], esr());
    apic_send_ipi(0, 0x100 | BAD_VEC);
    settle();
    printf("lowest-priority IPI to its own ID with vector 9: delivered %lu, ESR %#x\n", bad_hits[0], esr());
    apic_send_ipi(0, 0x400 | BAD_VEC);
    settle();
    printf("an NMI IPI carries no vector: ESR %#x\n", esr());

    if (smp_start_ap(1, ap_main) || !wait_count(&ap_ready, 1)) {
        report(false, "AP 1 started");
        return report_summary();
    }
    ap_read_esr();
    esr();
    apic_send_ipi(1, BAD_VEC);
    settle();
    v = esr();
    printf("fixed IPI with vector 9 to the AP: sender ESR %#x, receiver ESR %#x, delivered %lu\n",
           v, ap_read_esr(), bad_hits[1]);

    apic_write(APIC_TDCR, 0xb);
    apic_write(APIC_LVTT, BAD_VEC);
    apic_write(APIC_TMICT, 1000);
    while (apic_read(APIC_TMCCT))
        pause();
    settle();
    printf("LVT timer with vector 9 fired: delivered %lu, ESR %#x\n", bad_hits[0], esr());
    apic_write(APIC_LVTT, 0x10000 | TIMER_VECTOR);

    apic_write(APIC_ICR, ICR_SELF | OK_VEC);
    settle();
    report(ok_hits == 1, "a legal vector is still delivered");

    if (!(cpuid(1, 0).c & (1u << 21))) {
        printf("no x2APIC\n");
        return report_summary();
    }
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EXTD);
    x2 = true;
    printf("x2APIC: ESR after a write of 0: %#x\n", esr());
    wrmsr(X_SELF, BAD_VEC);
    settle();
    printf("x2APIC SELF IPI with vector 9: delivered %lu, ESR %#x\n", bad_hits[0], esr());
    wrmsr(X2APIC_ICR, BAD_VEC);          /* physical ID 0: itself */
    settle();
    printf("x2APIC ICR fixed to itself with vector 9: delivered %lu, ESR %#x\n", bad_hits[0], esr());
    v = (uint32_t)try_rdmsr(0x804, &m);
    printf("x2APIC rdmsr 0x804 (reserved): %s, ESR %#x\n", v == 13 ? "#GP" : "no fault", esr());
    wrmsr(X_SELF, OK_VEC);
    settle();
    report(ok_hits == 2, "x2APIC: a legal SELF IPI is delivered");
    return report_summary();
}
