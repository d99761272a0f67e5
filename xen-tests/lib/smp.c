/* AP start-up with INIT-SIPI-SIPI through the real-mode trampoline. */
#include "guest.h"

#define TRAMP_BASE 0x8000
#define ICR_INIT   0x4500             /* INIT, level assert */
#define ICR_SIPI   0x4600             /* start-up, vector in bits 7:0 */
#define ICR_ALL_BUT_SELF (3u << 18)   /* destination shorthand */
#define AP_WAIT_LOOPS 20000000UL

extern char trampoline_start[], trampoline_end[];
void ap_start_c(void);

/* Read by the trampoline/entry code: one AP starts at a time. */
unsigned long ap_stack_top;
static volatile unsigned int ap_cpu;
static volatile ap_fn_t ap_fn;
static volatile int ap_started;
static uint8_t ap_stacks[MAX_CPUS][8192] __attribute__((aligned(16)));

void spin_lock(volatile int *l)
{
    while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
        while (*l)
            pause();
}

bool wait_count(volatile unsigned long *p, unsigned long want)
{
    uint64_t start = rdtsc();

    while (*p < want) {
        if (rdtsc() - start > 20000000000ull)
            return false;
        pause();
    }
    return true;
}

void spin_unlock(volatile int *l)
{
    __atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

void ap_start_c(void)
{
    unsigned int cpu = ap_cpu;
    ap_fn_t fn = ap_fn;

    trap_load_idt();
    apic_write(APIC_SPIV, 0x100 | SPURIOUS_VECTOR);
    __atomic_store_n(&ap_started, 1, __ATOMIC_RELEASE);
    fn(cpu);
    halt_forever();
}

static bool wait_started(unsigned long loops)
{
    while (loops--) {
        if (__atomic_load_n(&ap_started, __ATOMIC_ACQUIRE))
            return true;
        pause();
    }
    return false;
}

/* dest_flags: 0 to address `cpu` physically, or an ICR shorthand. */
static int start_ap(unsigned int cpu, ap_fn_t fn, uint32_t dest_flags)
{
    if (cpu == 0 || cpu >= MAX_CPUS)
        return -1;
    memcpy((void *)TRAMP_BASE, trampoline_start, trampoline_end - trampoline_start);
    ap_stack_top = (unsigned long)(ap_stacks[cpu] + sizeof(ap_stacks[cpu]));
    ap_cpu = cpu;
    ap_fn = fn;
    ap_started = 0;
    asm volatile("" ::: "memory");

    apic_send_ipi(cpu, ICR_INIT | dest_flags);
    apic_send_ipi(cpu, ICR_SIPI | dest_flags | (TRAMP_BASE >> 12));
    /* The second SIPI is only for a CPU that missed the first one. */
    if (wait_started(100000))
        return 0;
    apic_send_ipi(cpu, ICR_SIPI | dest_flags | (TRAMP_BASE >> 12));
    return wait_started(AP_WAIT_LOOPS) ? 0 : -1;
}

int smp_start_ap(unsigned int cpu, ap_fn_t fn)
{
    return start_ap(cpu, fn, 0);
}

int smp_start_others(ap_fn_t fn)
{
    return start_ap(1, fn, ICR_ALL_BUT_SELF);
}
