/*
 * hostile: native=no
 *
 * apic-relocate: the guest moves its xAPIC with IA32_APIC_BASE (issue 9; the
 * KVM unit tests' apic test does this: EN off, then a new base with EN on,
 * then reads the version register there). On hardware the APIC page moves
 * to the new base and the old one has nothing behind it; a base beyond
 * MAXPHYADDR and the reserved low bits raise #GP. dbgvisor honours the new
 * base per vCPU in its MMIO dispatch, as KVM does (a base inside RAM would
 * be shadowed by the RAM, under KVM too). Used to be refused with #GP.
 * native=no: QEMU 10 TCG accepts the new base but keeps decoding the APIC
 * at 0xFEE00000 only (the new base reads 0, the old one still answers):
 * checks 5-8 fail on bare QEMU, which is not the reference here; KVM and
 * hardware relocate.
 */
#include "guest.h"

#define MSR_APIC_BASE   0x1b
#define APIC_BASE_EN    (1u << 11)
#define APIC_BASE_BSP   (1u << 8)
#define APIC_VER        0x030
#define APIC_TMICT_OFF  0x380
#define NEW_BASE        0xFED40000UL
#define GP              13

static uint32_t rd(unsigned long base, uint32_t off) { return *(volatile uint32_t *)(base + off); }

int main(void)
{
    uint64_t orig = rdmsr(MSR_APIC_BASE);
    uint32_t ver = rd(APIC_BASE_ADDR, APIC_VER);
    unsigned maxphy = cpuid(0x80000008, 0).a & 0xff;
    int vec;

    report((orig & ~0xfffull) == APIC_BASE_ADDR, "the APIC starts at %#lx", (unsigned long)APIC_BASE_ADDR);
    vec = try_wrmsr(MSR_APIC_BASE, orig & ~(uint64_t)APIC_BASE_EN);
    report(vec < 0, "EN off is accepted");
    vec = try_wrmsr(MSR_APIC_BASE, NEW_BASE | APIC_BASE_BSP | APIC_BASE_EN);
    report(vec < 0, "a new base with EN on is accepted (vector %d)", vec);
    report((rdmsr(MSR_APIC_BASE) & ~0xfffull) == NEW_BASE, "IA32_APIC_BASE reads the new base");
    report(rd(NEW_BASE, APIC_VER) == ver, "the version register reads %#x at the new base", ver);
    *(volatile uint32_t *)(NEW_BASE + APIC_TMICT_OFF) = 0x1234;
    report(rd(NEW_BASE, APIC_TMICT_OFF) == 0x1234, "a register written at the new base reads back");
    asm volatile("addl $1, %0" : "+m"(*(volatile uint32_t *)(NEW_BASE + APIC_TMICT_OFF)));
    report(rd(NEW_BASE, APIC_TMICT_OFF) == 0x1235, "an ADD to it at the new base takes effect");
    *(volatile uint32_t *)(NEW_BASE + APIC_TMICT_OFF) = 0;
    report(rd(APIC_BASE_ADDR, APIC_VER) != ver, "the old base no longer answers as the APIC (%#x)",
           rd(APIC_BASE_ADDR, APIC_VER));

    vec = try_wrmsr(MSR_APIC_BASE, orig | (1ull << maxphy));
    report(vec == GP, "a base bit at MAXPHYADDR (%u) raises #GP (vector %d)", maxphy, vec);
    vec = try_wrmsr(MSR_APIC_BASE, orig | 1);
    report(vec == GP, "a reserved low bit raises #GP (vector %d)", vec);

    vec = try_wrmsr(MSR_APIC_BASE, orig);
    report(vec < 0 && rd(APIC_BASE_ADDR, APIC_VER) == ver && (rdmsr(MSR_APIC_BASE) & ~0xfffull) == APIC_BASE_ADDR,
           "moved back, the APIC answers at %#lx again", (unsigned long)APIC_BASE_ADDR);
    return report_summary();
}
