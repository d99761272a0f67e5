/*
 * Secondary pCPUs: the device tree's /cpus lists them (reg = MPIDR); each is
 * started with PSCI CPU_ON at secondary_entry (head.S) with its index, runs
 * with the boot CPU's vectors and stage-1 tables on its own stack, brings up
 * its redistributor and CPU interface, says it is up, and waits until the
 * boot CPU has built the domains; then it runs the scheduler (sched_run).
 * They are started one at a time, so the log is in order.
 */
#include <dbgvisor/console.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/percpu.h>
#include <dbgvisor/sched.h>
#include <asm/arm64.h>
#include <asm/fdt.h>
#include <asm/gicv3.h>
#include <asm/sched_arch.h>
#include <asm/sysreg.h>

#define STACK_SIZE      (1UL << 14)         /* head.S: SECONDARY_STACK_SHIFT */
#define MPIDR_AFF_MASK  0xff00ffffffULL
#define WAIT_LOOPS      100000000UL

extern char secondary_entry[];
char secondary_stacks[MAX_PCPUS][STACK_SIZE] __attribute__((aligned(16)));
static volatile bool online[MAX_PCPUS];
static volatile bool released;
static uint64_t pcpu_mpidr[MAX_PCPUS];

uint64_t smp_pcpu_mpidr(unsigned pcpu)
{
    return pcpu_mpidr[pcpu];
}

struct cpu_list {
    uint64_t mpidr[MAX_PCPUS];
    unsigned n, listed;
};

static void add_cpu(void *ctx, const void *reg, uint32_t len)
{
    struct cpu_list *l = ctx;

    l->listed++;
    if (l->n < MAX_PCPUS && (len == 4 || len == 8))
        l->mpidr[l->n++] = fdt_cells(reg, len / 4);
}

void smp_secondary_start(unsigned index)
{
    struct pcpu *p = &pcpus[index];

    p->id = index;
    pcpu_set_current(p);
    if (!gicv3_cpu_init()) {
        pr_err("pCPU %u: no GIC CPU interface, it stays idle\n", index);
        for (;;)
            __asm__ volatile("wfi");
    }
    printk("pCPU %u up (MPIDR %#llx)\n", index,
           (unsigned long long)(read_sysreg(mpidr_el1) & MPIDR_AFF_MASK));
    p->online = true;
    __atomic_store_n(&online[index], true, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&released, __ATOMIC_ACQUIRE))
        __asm__ volatile("wfe");
    arch_sched_init();
    sched_run();
}

void smp_release_secondaries(void)
{
    __atomic_store_n(&released, true, __ATOMIC_RELEASE);
    __asm__ volatile("dsb ish; sev" ::: "memory");
}

static bool wait_online(unsigned index)
{
    unsigned long i;

    for (i = 0; i < WAIT_LOOPS; i++)
        if (__atomic_load_n(&online[index], __ATOMIC_ACQUIRE))
            return true;
    return false;
}

void smp_boot_secondaries(const void *dtb)
{
    struct cpu_list l = { .n = 0 };
    uint64_t self = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
    unsigned i, index = 1, up = 1;

    pcpu_mpidr[0] = self;

    fdt_for_each_child_prop(dtb, "cpus", "reg", add_cpu, &l);
    if (l.listed > MAX_PCPUS)
        pr_warn("%u CPUs listed, using the first %u\n", l.listed, MAX_PCPUS);
    for (i = 0; i < l.n; i++) {
        int64_t ret;
        if (l.mpidr[i] == self)
            continue;
        if (index >= MAX_PCPUS)
            break;
        pcpu_mpidr[index] = l.mpidr[i];
        ret = host_cpu_on(l.mpidr[i], (uint64_t)secondary_entry, index);
        if (ret != 0 || !wait_online(index)) {
            pr_warn("CPU %#llx did not start (PSCI %lld)\n", (unsigned long long)l.mpidr[i],
                    (long long)ret);
            continue;                   /* its index goes to the next CPU */
        }
        up++;
        index++;
    }
    nr_pcpus = up;
    printk("%u pCPU%s online\n", up, up == 1 ? "" : "s");
}
