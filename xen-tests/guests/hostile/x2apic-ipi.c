/*
 * hostile: vcpus=2 native=compare
 *
 * x2apic-ipi: IPIs between two vCPUs in x2APIC mode (issue 9; SDM vol 3
 * 11.12.9-11.12.10, AMD APM vol 2 16.11). The BSP switches to x2APIC mode
 * first and starts the AP (still in xAPIC mode after power-on) with
 * INIT-SIPI-SIPI through its 64-bit ICR, as Linux does once CPUID offers
 * x2APIC; the AP switches itself. Then fixed IPIs by 32-bit physical ID, to
 * 0xFFFFFFFF (broadcast), by every shorthand and by logical cluster
 * destination (cluster in 31:16, member bits below; another cluster or no
 * member reaches nobody), an NMI by ID, an IPI back from the AP, and an
 * INIT-SIPI restart of the AP while it is in x2APIC mode: INIT leaves the
 * APIC in x2APIC mode (IA32_APIC_BASE is unchanged) with its registers
 * reset (SVR 0xFF) and its ID kept (SDM 11.12.5.1).
 */
#include "guest.h"

#define MSR_APIC_BASE  0x1b
#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_EN   (1ull << 11)
#define X_ID   0x802
#define X_EOI  0x80b
#define X_LDR  0x80d
#define X_SVR  0x80f
#define VEC    0x53
#define ICR_LOGICAL (1u << 11)
#define ICR_NMI     (4u << 8)
#define ICR_SELF    (1u << 18)
#define ICR_ALL     (2u << 18)
#define ICR_OTHERS  (3u << 18)

static volatile unsigned long hits[2], nmis[2], ap_ready, ap_starts, send_back;
static volatile uint64_t ap_base, ap_svr;
static volatile uint32_t ap_id, ap_ldr;

static unsigned this_cpu(void) { return (unsigned)rdmsr(X_ID) & 1; }

static void ipi_handler(struct trap_frame *f)
{
    (void)f;
    hits[this_cpu()]++;
    wrmsr(X_EOI, 0);
}

static void nmi_handler(struct trap_frame *f)
{
    (void)f;
    nmis[this_cpu()]++;
}

static void to_x2apic(void)
{
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EN | APIC_BASE_EXTD);
}

static void ap_main(unsigned int cpu)
{
    (void)cpu;
    ap_base = rdmsr(MSR_APIC_BASE);            /* before: the mode it starts in */
    to_x2apic();
    ap_svr = rdmsr(X_SVR);
    wrmsr(X_SVR, 0x1ff);
    ap_id = (uint32_t)rdmsr(X_ID);
    ap_ldr = (uint32_t)rdmsr(X_LDR);
    ap_starts++;
    __atomic_store_n(&ap_ready, 1, __ATOMIC_RELEASE);
    for (;;) {
        asm volatile("sti; hlt; cli" ::: "memory");
        if (send_back) {
            send_back = 0;
            wrmsr(X2APIC_ICR, (0ull << 32) | VEC);   /* to the BSP, x2APIC ID 0 */
        }
    }
}

/* Sends one IPI from the BSP and lets both CPUs take what reaches them;
 * returns which got it: bit 0 the BSP, bit 1 the AP. */
static unsigned deliver(uint64_t icr)
{
    unsigned long before[2] = { hits[0], hits[1] };
    unsigned got = 0;

    wrmsr(X2APIC_ICR, icr);
    sti();
    for (int i = 0; i < 200000 && (hits[0] == before[0] || hits[1] == before[1]); i++)
        pause();
    cli();
    got |= hits[0] != before[0] ? 1 : 0;
    got |= hits[1] != before[1] ? 2 : 0;
    return got;
}

#define DEST(id) ((uint64_t)(id) << 32)

int main(void)
{
    uint64_t base;
    unsigned got;

    apic_init();
    trap_set_handler(VEC, ipi_handler);
    trap_set_handler(2, nmi_handler);
    to_x2apic();
    wrmsr(X_SVR, 0x1ff);
    base = rdmsr(MSR_APIC_BASE);
    report((base & (APIC_BASE_EN | APIC_BASE_EXTD)) == (APIC_BASE_EN | APIC_BASE_EXTD), "the BSP is in x2APIC mode");

    x2apic_ipis = true;                        /* INIT and SIPI through the x2APIC ICR */
    report(smp_start_ap(1, ap_main) == 0 && wait_count(&ap_ready, 1),
           "INIT-SIPI-SIPI through the x2APIC ICR starts the AP (in xAPIC mode)");
    report((ap_base & (APIC_BASE_EN | APIC_BASE_EXTD)) == APIC_BASE_EN, "the AP started in xAPIC mode");
    report(ap_id == 1 && ap_ldr == 2, "the AP's x2APIC ID is 1, its LDR 0x2 (%u, %#x)", ap_id, ap_ldr);

    got = deliver(DEST(1) | VEC);
    report(got == 2, "physical ID 1 reaches the AP only (%u)", got);
    got = deliver(DEST(0) | VEC);
    report(got == 1, "physical ID 0 reaches the BSP only (%u)", got);
    got = deliver(DEST(0xffffffff) | VEC);
    report(got == 3, "physical 0xFFFFFFFF reaches both (%u)", got);
    got = deliver(DEST(0x100) | VEC);
    report(got == 0, "physical ID 0x100 reaches nobody (%u)", got);
    got = deliver(ICR_OTHERS | VEC);
    report(got == 2, "all excluding self reaches the AP only (%u)", got);
    got = deliver(ICR_ALL | VEC);
    report(got == 3, "all including self reaches both (%u)", got);
    got = deliver(ICR_SELF | DEST(1) | VEC);
    report(got == 1, "self reaches the BSP only, whatever the destination (%u)", got);
    got = deliver(ICR_LOGICAL | DEST(0x2) | VEC);
    report(got == 2, "logical cluster 0 member 1 reaches the AP only (%u)", got);
    got = deliver(ICR_LOGICAL | DEST(0x3) | VEC);
    report(got == 3, "logical cluster 0 members 0-1 reach both (%u)", got);
    got = deliver(ICR_LOGICAL | DEST(0x10003) | VEC);
    report(got == 0, "logical cluster 1 reaches nobody (%u)", got);
    got = deliver(ICR_LOGICAL | DEST(0xffffffff) | VEC);
    report(got == 3, "logical 0xFFFFFFFF reaches both (%u)", got);

    wrmsr(X2APIC_ICR, DEST(1) | ICR_NMI);
    report(wait_count(&nmis[1], 1) && nmis[0] == 0, "an NMI by ID reaches the AP");

    {
        unsigned long bsp = hits[0], ap = hits[1];
        bool back;

        send_back = 1;
        wrmsr(X2APIC_ICR, DEST(1) | VEC);      /* wakes the AP: it sends VEC to x2APIC ID 0 */
        sti();
        back = wait_count(&hits[0], bsp + 1);
        cli();
        report(back && hits[1] == ap + 1, "the AP's IPI to ID 0 reaches the BSP");
    }

    ap_ready = 0;
    report(smp_start_ap(1, ap_main) == 0 && wait_count(&ap_ready, 1) && ap_starts == 2,
           "INIT-SIPI restarts the AP while it is in x2APIC mode");
    report((ap_base & (APIC_BASE_EN | APIC_BASE_EXTD)) == (APIC_BASE_EN | APIC_BASE_EXTD),
           "INIT left it in x2APIC mode (IA32_APIC_BASE %#llx)", (unsigned long long)ap_base);
    report(ap_id == 1, "with its ID kept (%u)", ap_id);
    /* The library's AP entry writes SVR 0x1FF through the xAPIC page, which
     * x2APIC mode does not decode: SVR is still INIT's 0xFF (QEMU decodes
     * the page: native-quirks.txt). */
    printf("the restarted AP's SVR: %#llx\n", (unsigned long long)ap_svr);
    got = deliver(DEST(1) | VEC);
    report(got == 2, "physical ID 1 reaches the restarted AP (%u)", got);
    return report_summary();
}
