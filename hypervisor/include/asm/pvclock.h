/*
 * The paravirtual clock of KVM's guest ABI ("kvmclock": Linux's
 * Documentation/virt/kvm/x86/msr.rst and cpuid.rst), offered so that a Linux
 * guest knows its TSC's frequency instead of calibrating it.
 *
 * Why: an AMD guest has no architectural way to learn the TSC frequency, so
 * Linux measures it against the PIT or the ACPI PM timer, and requires each
 * reference read, an I/O exit, to take under 50,000 TSC cycles. Under QEMU
 * TCG an exit takes longer, so every calibration failed, Linux marked the TSC
 * unstable and ran on the ACPI PM timer: an exit for every clock read, the
 * local APIC timer calibrated against it (off by up to 40x), and guests that
 * crawled or stalled under load (docs/pc-platform.md). With this clock the
 * guest reads the TSC and scales it; nothing exits.
 *
 * The guest finds "KVMKVMKVM" at CPUID 0x40000100 (Linux scans the hypervisor
 * range in steps of 0x100; dbgvisor's own leaves stay at 0x40000000), the
 * features at 0x40000101, and gives two guest-physical addresses by MSR: one
 * per vCPU for its struct pvclock_vcpu_time_info, one per domain for the wall
 * clock. The hypervisor fills them when they are written (and when the
 * guest's TSC is moved); the TSC is the host's plus a constant offset on
 * every vCPU, so nothing needs refreshing while the guest runs.
 */
#ifndef ASM_PVCLOCK_H
#define ASM_PVCLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/hvm_msr.h>

#define PVCLOCK_CPUID_BASE        0x40000100u   /* "KVMKVMKVM\0\0\0", EAX the last leaf */
#define PVCLOCK_CPUID_FEATURES    0x40000101u
#define PVCLOCK_SIGNATURE         "KVMKVMKVM\0\0\0"
#define KVM_FEATURE_CLOCKSOURCE2        (1u << 3)    /* the MSRs below */
#define KVM_FEATURE_CLOCKSOURCE_STABLE  (1u << 24)   /* PVCLOCK_TSC_STABLE is meaningful */

#define MSR_KVM_WALL_CLOCK_NEW    0x4b564d00u
#define MSR_KVM_SYSTEM_TIME_NEW   0x4b564d01u
#define KVM_SYSTEM_TIME_ENABLE    1ull          /* bit 0 of MSR_KVM_SYSTEM_TIME_NEW */

#define PVCLOCK_TSC_STABLE        (1u << 0)     /* every vCPU's clock agrees: no clamping */

/* What the guest reads (little-endian, 32 bytes): its time in ns is
 * system_time + scale(TSC - tsc_timestamp); version is odd while it changes. */
struct pvclock_vcpu_time_info {
    uint32_t version;
    uint32_t pad0;
    uint64_t tsc_timestamp;
    uint64_t system_time;
    uint32_t tsc_to_system_mul;
    int8_t   tsc_shift;
    uint8_t  flags;
    uint8_t  pad[2];
} __attribute__((packed));

/* The wall-clock time at system_time 0. */
struct pvclock_wall_clock {
    uint32_t version;
    uint32_t sec;
    uint32_t nsec;
} __attribute__((packed));

_Static_assert(sizeof(struct pvclock_vcpu_time_info) == 32, "the ABI's layout");
_Static_assert(sizeof(struct pvclock_wall_clock) == 12, "the ABI's layout");

/* ns = ((ticks shifted left by shift, right if negative) * mul) >> 32, as the
 * guest computes it. */
static inline uint64_t pvclock_scale_delta(uint64_t ticks, uint32_t mul, int8_t shift)
{
    ticks = shift < 0 ? ticks >> -shift : ticks << shift;
    return (uint64_t)(((unsigned __int128)ticks * mul) >> 32);
}

/* Whether 10^6 / khz < 2^s: ns per tick below 2^s. */
static inline bool pvclock_ns_per_tick_below(uint64_t khz, int s)
{
    return s >= 0 ? 1000000ull < (khz << s) : (1000000ull << -s) < khz;
}

/* mul and shift for a TSC of khz (1 kHz to 10^12 kHz): ns per tick, 10^6 / khz, is
 * mul * 2^(shift - 32) with 2^(shift-1) <= 10^6 / khz < 2^shift, so mul is in
 * [2^31, 2^32) (the most precise), rounded down: the clock never runs ahead. */
static inline void pvclock_scale_for_khz(uint64_t khz, uint32_t *mul, int8_t *shift)
{
    int s = 0;
    uint64_t q = 1000000ull / khz, rem = 1000000ull % khz;

    while (!pvclock_ns_per_tick_below(khz, s))
        s++;
    while (pvclock_ns_per_tick_below(khz, s - 1))
        s--;
    /* floor(10^6 * 2^(32 - s) / khz) by long division (32 - s >= 12: s <= 20). */
    for (int i = 0; i < 32 - s; i++) {
        rem <<= 1;
        q <<= 1;
        if (rem >= khz) {
            rem -= khz;
            q |= 1;
        }
    }
    *mul = (uint32_t)q;
    *shift = (int8_t)s;
}

struct vcpu;
/* The MSR group (msr.c): MSR_KVM_SYSTEM_TIME_NEW per vCPU, MSR_KVM_WALL_CLOCK_NEW
 * per domain. */
enum msr_result pvclock_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
enum msr_result pvclock_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);
/* The guest's TSC moved (a TSC or TSC_ADJUST write): its clock is written again. */
void pvclock_tsc_moved(struct vcpu *v);

#endif
