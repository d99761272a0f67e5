/*
 * hostile: vcpus=2 native=compare
 *
 * cpuid-topology: the CPU topology a guest reads from CPUID (issue 9,
 * docs/third-party-guests.md) must describe its own CPUs, never the host's
 * pCPUs, and be the one QEMU describes for the same CPU count: -smp N is one
 * package of N single-threaded cores. Leaf 1 EBX[23:16] (logical processors
 * per package) and EDX.HTT are set only when N > 1; leaf 0xB has an SMT
 * level (1 thread) and a core level (N logical processors, APIC ID shift
 * ceil(log2 N)) and reports the x2APIC ID in EDX of every sub-leaf;
 * 0x80000008 ECX gives NC = N-1 and ApicIdSize = that shift. Every CPU's
 * leaves are recorded and checked against each other and the fw_cfg CPU
 * count. cpuid-topology-up is the same guest on one CPU.
 */
#include "guest.h"

#define CPUID1_EDX_HTT (1u << 28)
#define LEAFB_SUBLEAVES 3

struct topology {
    struct cpuid_regs leaf1, leafb[LEAFB_SUBLEAVES], ext8;
    uint32_t apic_id;
};

static struct topology seen[2];
static volatile int ap_done;

static void record(struct topology *t)
{
    t->leaf1 = cpuid(1, 0);
    for (unsigned s = 0; s < LEAFB_SUBLEAVES; s++)
        t->leafb[s] = cpuid(0xb, s);
    t->ext8 = cpuid(0x80000008, 0);
    t->apic_id = apic_id();
}

static void ap_main(unsigned int cpu)
{
    (void)cpu;
    record(&seen[1]);
    __atomic_store_n(&ap_done, 1, __ATOMIC_RELEASE);
    halt_forever();
}

static void check(unsigned cpu, const struct topology *t, unsigned n)
{
    unsigned logical = (t->leaf1.b >> 16) & 0xff, shift = t->leafb[1].a & 0x1f;
    unsigned nc = t->ext8.c & 0xff, id_size = (t->ext8.c >> 12) & 0xf;

    printf("cpu%u: leaf 1 ebx[31:16] %#x htt %u\n", cpu, t->leaf1.b >> 16,
           !!(t->leaf1.d & CPUID1_EDX_HTT));
    for (unsigned s = 0; s < LEAFB_SUBLEAVES; s++)
        printf("cpu%u: leaf 0xb.%u %#x %#x %#x %#x\n", cpu, s, t->leafb[s].a, t->leafb[s].b,
               t->leafb[s].c, t->leafb[s].d);
    printf("cpu%u: leaf 0x80000008 ecx %#x\n", cpu, t->ext8.c);

    report(t->leaf1.b >> 24 == t->apic_id && t->leafb[0].d == t->apic_id,
           "cpu%u: leaf 1 and leaf 0xB give its APIC ID %u", cpu, t->apic_id);
    report(!!(t->leaf1.d & CPUID1_EDX_HTT) == (n > 1) && logical == (n > 1 ? n : 0),
           "cpu%u: leaf 1 HTT and logical count describe %u CPUs (htt %u, count %u)", cpu, n,
           !!(t->leaf1.d & CPUID1_EDX_HTT), logical);
    report((t->leafb[0].c & 0xff00) == 0x100 && t->leafb[0].b == 1 && t->leafb[0].a == 0,
           "cpu%u: leaf 0xB.0 is the SMT level with one thread", cpu);
    report((t->leafb[1].c & 0xff00) == 0x200 && t->leafb[1].b == n && (1u << shift) >= n &&
           (shift == 0 || (1u << (shift - 1)) < n),
           "cpu%u: leaf 0xB.1 is the core level with %u CPUs (shift %u)", cpu, n, shift);
    report((t->leafb[2].c & 0xff00) == 0 && t->leafb[2].b == 0,
           "cpu%u: leaf 0xB.2 is invalid", cpu);
    report(nc + 1 == n && (n == 1 ? id_size == 0 : id_size == shift),
           "cpu%u: 0x80000008 ECX gives %u cores (NC %u, ApicIdSize %u)", cpu, n, nc, id_size);
}

int main(void)
{
    unsigned n = fwcfg_cpu_count();

    apic_init();
    record(&seen[0]);
    if (n > 1) {
        report(smp_start_ap(1, ap_main) == 0, "the AP started");
        while (!__atomic_load_n(&ap_done, __ATOMIC_ACQUIRE))
            pause();
    }
    for (unsigned cpu = 0; cpu < n && cpu < 2; cpu++)
        check(cpu, &seen[cpu], n);
    return report_summary();
}
