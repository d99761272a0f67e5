/*
 * KVM's paravirtual clock for the guest (asm/pvclock.h says why it is
 * offered): the two MSRs, and the records they point at in guest memory.
 *
 * The guest's clock is the domain's time: system_time is now_ns() since the
 * domain was created, at the guest TSC value tsc_timestamp, both taken from
 * one RDTSC. The scale comes from the calibrated TSC frequency (time.c), the
 * one now_ns() uses, rounded down, so the guest's clock agrees with the
 * hypervisor's timers (PIT, APIC, RTC, PM timer) to a nanosecond per few
 * seconds. The TSC is the host's plus an offset that only a guest TSC write
 * changes, so a record stays right until then: it is written when the guest
 * points the MSR at it and when its TSC moves, never while it runs.
 */
#include <asm/host_rtc.h>
#include <asm/hvm.h>
#include <asm/pvclock.h>
#include <asm/tsc_time.h>
#include <asm/x86.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/time.h>

/* Guest records are written in place, the version odd while they change, as
 * the guest's reader expects (it retries on an odd or changed version). */
static void write_time_info(struct vcpu *v)
{
    uint64_t msr = v->arch.msr.kvm_system_time, host_tsc;
    struct pvclock_vcpu_time_info *ti;
    uint32_t mul;
    int8_t shift;

    if (!(msr & KVM_SYSTEM_TIME_ENABLE))
        return;
    ti = domain_gpa_to_hva(v->domain, msr & ~KVM_SYSTEM_TIME_ENABLE, sizeof(*ti));
    if (!ti)
        return;                      /* not RAM: nothing to write, as KVM does */
    pvclock_scale_for_khz(tsc_khz(), &mul, &shift);
    ti->version |= 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    host_tsc = rdtsc();
    ti->tsc_timestamp = host_tsc + v->arch.msr.tsc_offset;
    ti->system_time = tsc_to_ns(host_tsc) - v->domain->created_ns;
    ti->tsc_to_system_mul = mul;
    ti->tsc_shift = shift;
    ti->flags = PVCLOCK_TSC_STABLE;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    ti->version++;                   /* even again, and changed */
}

/* The wall-clock time at the domain's system_time 0: the machine's RTC now,
 * less the domain's age. */
static void write_wall_clock(struct vcpu *v, uint64_t gpa)
{
    struct pvclock_wall_clock *wc = domain_gpa_to_hva(v->domain, gpa, sizeof(*wc));
    uint64_t age = now_ns() - v->domain->created_ns;
    uint64_t wall = (uint64_t)host_rtc_unix_seconds() * 1000000000ull - age;

    if (!wc)
        return;
    wc->version |= 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    wc->sec = (uint32_t)(wall / 1000000000ull);
    wc->nsec = (uint32_t)(wall % 1000000000ull);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    wc->version++;
}

enum msr_result pvclock_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    switch (msr) {
    case MSR_KVM_SYSTEM_TIME_NEW: *val = v->arch.msr.kvm_system_time; return MSR_OK;
    case MSR_KVM_WALL_CLOCK_NEW:  *val = v->domain->arch.kvm_wall_clock; return MSR_OK;
    }
    return MSR_UNKNOWN;
}

enum msr_result pvclock_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    switch (msr) {
    case MSR_KVM_SYSTEM_TIME_NEW:      /* the address, bit 0 enables; 0 turns it off */
        v->arch.msr.kvm_system_time = val;
        write_time_info(v);
        return MSR_OK;
    case MSR_KVM_WALL_CLOCK_NEW:
        v->domain->arch.kvm_wall_clock = val;
        write_wall_clock(v, val);
        return MSR_OK;
    }
    return MSR_UNKNOWN;
}

void pvclock_tsc_moved(struct vcpu *v)
{
    write_time_info(v);
}
