/* Hypervisor time on arm64: the generic timer's physical counter (CNTPCT_EL0)
 * at CNTFRQ_EL0, the same on every pCPU. */
#include <dbgvisor/time.h>
#include <asm/sysreg.h>
#include <asm/timebase.h>

#define NS_PER_S 1000000000ULL

static uint64_t freq_hz(void)
{
    return read_sysreg(cntfrq_el0);
}

uint64_t counter_now(void)
{
    isb();
    return read_sysreg(cntpct_el0);
}

uint64_t counter_to_ns(uint64_t count)
{
    uint64_t f = freq_hz();

    if (count == UINT64_MAX)
        return UINT64_MAX;
    return count / f * NS_PER_S + count % f * NS_PER_S / f;
}

uint64_t ns_to_counter(uint64_t ns)
{
    uint64_t f = freq_hz();

    if (ns == UINT64_MAX)
        return UINT64_MAX;
    return ns / NS_PER_S * f + ns % NS_PER_S * f / NS_PER_S;
}

void time_init(void)
{
}

uint64_t now_ns(void)
{
    return counter_to_ns(counter_now());
}

uint64_t tsc_khz(void)
{
    return freq_hz() / 1000;
}

void udelay(uint64_t us)
{
    uint64_t end = counter_now() + ns_to_counter(us * 1000);

    while (counter_now() < end)
        ;
}
