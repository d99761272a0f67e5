/* smp: start every AP reported by fw_cfg with INIT-SIPI-SIPI; each one says
 * hello and bumps a shared counter with LOCK XADD. */
#include "guest.h"

static volatile unsigned long counter;
static volatile unsigned long arrived[MAX_CPUS];

static void ap_main(unsigned int cpu)
{
    printf("cpu %u up (apic id %u)\n", cpu, apic_id());
    unsigned long old = atomic_xadd(&counter, 1);
    arrived[cpu] = old + 1;
}

int main(void)
{
    unsigned int n = fwcfg_cpu_count();

    printf("smp: fw_cfg reports %u cpus\n", n);
    if (n == 0 || n > MAX_CPUS) {
        printf("smp: bad cpu count\n");
        return 1;
    }
    printf("cpu 0 up (apic id %u)\n", apic_id());
    for (unsigned int cpu = 1; cpu < n; cpu++) {
        if (smp_start_ap(cpu, ap_main)) {
            printf("smp: cpu %u did not start\n", cpu);
            return 1;
        }
        /* One at a time keeps the output order deterministic. */
        for (unsigned long spin = 0; !arrived[cpu]; spin++) {
            if (spin > 50000000UL) {
                printf("smp: cpu %u never counted\n", cpu);
                return 1;
            }
            pause();
        }
    }
    printf("smp: counter=%lu expected=%u\n", counter, n - 1);
    return counter == n - 1 ? 0 : 1;
}
