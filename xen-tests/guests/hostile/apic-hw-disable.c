/*
 * hostile: native=no
 *
 * apic-hw-disable: the guest turns its local APIC off with IA32_APIC_BASE.EN
 * (bit 11) and back on (issue 9; SDM 10.4.3). With EN clear the processor
 * behaves as one without an on-chip APIC: CPUID.1 EDX.APIC (bit 9) reads
 * clear, the APIC page is no longer decoded (reads are all-ones like any
 * address with nothing behind it, writes are dropped, so the ICR sends
 * nothing) and no interrupt is delivered through it. Setting EN again brings
 * the APIC back in its power-up state: software-disabled (SPIV 0xFF), every
 * LVT masked, TPR 0, nothing pending, its ID unchanged. Setting EXTD
 * (bit 10) with EN from the disabled state is refused with #GP: x2APIC
 * mode is entered from xAPIC mode only (SDM vol 3 11.12.5; x2apic-msrs).
 * native=no: QEMU's APIC model (10.x) only clears the CPUID bit and stops
 * deliveries: its page still decodes and keeps every register across the
 * disable, where hardware (and KVM's reset on re-enable) do not.
 */
#include "guest.h"

#define MSR_APIC_BASE   0x1b
#define APIC_BASE_EN    (1u << 11)
#define APIC_BASE_X2APIC (1u << 10)
#define CPUID1_EDX_APIC (1u << 9)
#define APIC_TPR        0x080
#define APIC_VER        0x030
#define IPI_VECTOR      0x50
#define SELF_FIXED      ((1u << 18) | IPI_VECTOR)   /* shorthand self, fixed */

static volatile unsigned ipis;

static void ipi_handler(struct trap_frame *f)
{
    (void)f;
    ipis++;
    apic_eoi();
}

static void settle(void)
{
    sti();
    for (int i = 0; i < 20000; i++)
        pause();
    cli();
}

static bool cpuid_apic(void) { return cpuid(1, 0).d & CPUID1_EDX_APIC; }

int main(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);
    uint32_t id = apic_read(APIC_ID);

    apic_init();
    trap_set_handler(IPI_VECTOR, ipi_handler);
    report(base & APIC_BASE_EN, "the APIC is enabled at boot (IA32_APIC_BASE %#llx)", (unsigned long long)base);
    report(cpuid_apic(), "CPUID.1 EDX.APIC is set while it is enabled");
    apic_write(APIC_ICR, SELF_FIXED);
    settle();
    report(ipis == 1, "a self-IPI arrives while it is enabled (%u)", ipis);

    /* Leave state behind that the reset must clear: a raised TPR holds a
     * self-IPI pending in IRR, the timer is armed. */
    apic_write(APIC_TPR, 0xf0);
    apic_write(APIC_ICR, SELF_FIXED);
    apic_write(APIC_LVTT, TIMER_VECTOR);
    apic_write(APIC_TMICT, 100000);

    report(try_wrmsr(MSR_APIC_BASE, base & ~(uint64_t)APIC_BASE_EN) < 0, "clearing EN is accepted");
    report(!(rdmsr(MSR_APIC_BASE) & APIC_BASE_EN), "IA32_APIC_BASE reads EN clear (%#llx)",
           (unsigned long long)rdmsr(MSR_APIC_BASE));
    report(!cpuid_apic(), "CPUID.1 EDX.APIC reads clear while it is disabled");
    report(apic_read(APIC_ID) == 0xffffffffu && apic_read(APIC_VER) == 0xffffffffu &&
           apic_read(APIC_SPIV) == 0xffffffffu,
           "the APIC page reads all-ones (ID %#x, version %#x)", apic_read(APIC_ID), apic_read(APIC_VER));
    apic_write(APIC_TPR, 0);
    apic_write(APIC_ICR, SELF_FIXED);
    settle();
    report(ipis == 1, "no interrupt arrives while it is disabled (%u)", ipis);
    report(try_wrmsr(MSR_APIC_BASE, base | APIC_BASE_X2APIC) >= 0,
           "disabled -> x2APIC is refused with #GP (only xAPIC -> x2APIC is legal)");
    report(try_wrmsr(MSR_APIC_BASE, base | 1) >= 0 && try_wrmsr(MSR_APIC_BASE, base | (1u << 9)) >= 0,
           "reserved bits 0 and 9 are refused with #GP");

    report(try_wrmsr(MSR_APIC_BASE, base) < 0, "setting EN again is accepted");
    report(rdmsr(MSR_APIC_BASE) == base, "IA32_APIC_BASE reads as at boot (%#llx)",
           (unsigned long long)rdmsr(MSR_APIC_BASE));
    report(cpuid_apic(), "CPUID.1 EDX.APIC reads set again");
    report(apic_read(APIC_ID) == id, "the APIC ID is kept (%#x)", apic_read(APIC_ID));
    report(apic_read(APIC_SPIV) == 0xff, "SPIV is back at its reset value 0xFF (%#x)", apic_read(APIC_SPIV));
    report(apic_read(APIC_TPR) == 0, "TPR is back at 0 (%#x)", apic_read(APIC_TPR));
    report(apic_read(APIC_LVTT) == 0x10000 && apic_read(APIC_TMICT) == 0,
           "the timer is masked and stopped (LVT %#x, initial count %#x)", apic_read(APIC_LVTT),
           apic_read(APIC_TMICT));
    apic_init();
    settle();
    report(ipis == 1, "nothing sent before the disable is still pending (%u)", ipis);
    apic_write(APIC_ICR, SELF_FIXED);
    settle();
    report(ipis == 2, "a self-IPI arrives again once it is software-enabled (%u)", ipis);
    return report_summary();
}
