/*
 * smp-arm64: a second CPU brought up and talked to as a kernel does (run with
 * two CPUs: natively -smp 2, as a domain vcpus=2). The device tree lists the
 * CPUs (cpu@N, enable-method psci); PSCI AFFINITY_INFO says CPU 1 is off,
 * CPU_ON starts it at an entry point with a context ID (its stack), a second
 * CPU_ON gets ALREADY_ON, AFFINITY_INFO then says on. Each CPU wakes its own
 * redistributor (frames of 128 KiB, TYPER.Last on the last) and enables its
 * SGIs; CPU 0 sends SGI 2 to CPU 1 through ICC_SGI1R_EL1 (target list) and
 * CPU 1 answers each with SGI 1 to CPU 0, four rounds (CPU 0 waits in WFIT,
 * at most a second, CPU 1 in WFI);
 * an SGI to "all but self" (IRM) reaches CPU 1 only. CPU 1 then calls
 * CPU_OFF, AFFINITY_INFO sees it off, and a second CPU_ON starts it again
 * from its entry point. Only deterministic facts are printed: the record is
 * compared with bare QEMU's (test_arm64.sh).
 */
#include "guest.h"
#include <asm/fdt.h>

int strcmp(const char *a, const char *b);

#define GICD            0x08000000UL    /* QEMU virt */
#define GICR            0x080a0000UL    /* redistributor of CPU 0; CPU n's at + n * 128 KiB */
#define GICR_FRAME      0x20000UL
#define GICR_SGI_BASE   0x10000UL
#define GICD_CTLR       0x0000
#define GICD_CTLR_RWP   (1U << 31)
#define GICD_CTLR_ARE   (1U << 4)
#define GICD_CTLR_GRP1  (1U << 1)
#define GICR_TYPER      0x0008
#define GICR_WAKER      0x0014
#define WAKER_SLEEP     (1U << 1)
#define WAKER_ASLEEP    (1U << 2)
#define GICR_IGROUPR0   0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_IPRIORITYR 0x0400
#define TYPER_LAST      (1UL << 4)

#define PSCI_CPU_OFF        0x84000002UL
#define PSCI_CPU_ON         0xc4000003UL
#define PSCI_AFFINITY_INFO  0xc4000004UL
#define PSCI_ALREADY_ON     (-4L)

#define SGI_REPLY       1       /* to CPU 0 */
#define SGI_PING        2       /* to CPU 1 */
#define SGI_BROADCAST   3       /* all but self */
#define ROUNDS          4
#define SPIN_LIMIT      100000000UL

#define icc_iar1()      read_sysreg(s3_0_c12_c12_0)
#define icc_eoir1(v)    write_sysreg(s3_0_c12_c12_1, v)
#define icc_pmr(v)      write_sysreg(s3_0_c4_c6_0, v)
#define icc_igrpen1(v)  write_sysreg(s3_0_c12_c12_7, v)
#define icc_sgi1r(v)    write_sysreg(s3_0_c12_c11_5, v)

static volatile unsigned replies, pings, broadcasts[2], starts, wrong_irqs;
static volatile bool cpu1_up, cpu1_off_request;
static volatile uint64_t cpu1_mpidr, cpu1_x0;
static uint8_t cpu1_stack[8192] __attribute__((aligned(16)));

static volatile uint32_t *reg32(uint64_t addr) { return (volatile uint32_t *)addr; }

/* WFI with a timeout (FEAT_WFxT): an answer that never comes ends the wait. */
static int64_t psci(uint64_t fn, uint64_t a, uint64_t b, uint64_t c)
{
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a;
    register uint64_t x2 __asm__("x2") = b;
    register uint64_t x3 __asm__("x3") = c;

    __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    return (int64_t)x0;
}

static unsigned this_cpu(void)
{
    return (unsigned)(read_sysreg(mpidr_el1) & 0xff);
}

/* CPU 1's entry from PSCI CPU_ON: x0 = the context ID (its stack top). */
void secondary_main(uint64_t context);
__asm__(".pushsection .text\n"
        ".globl secondary_entry\n"
        "secondary_entry:\n"
        "    mov     sp, x0\n"
        "    adrp    x1, el1_vectors\n"
        "    add     x1, x1, :lo12:el1_vectors\n"
        "    msr     vbar_el1, x1\n"
        "    isb\n"
        "    bl      secondary_main\n"
        "1:  wfi\n"
        "    b       1b\n"
        ".popsection\n");
extern char secondary_entry[];

/* This CPU's redistributor awake, the SGIs in mask enabled in group 1. */
static void gic_cpu_setup(uint32_t sgis)
{
    uint64_t rd = GICR + this_cpu() * GICR_FRAME;
    volatile uint8_t *prio = (volatile uint8_t *)(rd + GICR_SGI_BASE + GICR_IPRIORITYR);
    unsigned i;

    *reg32(rd + GICR_WAKER) &= ~WAKER_SLEEP;
    while (*reg32(rd + GICR_WAKER) & WAKER_ASLEEP)
        ;
    *reg32(rd + GICR_SGI_BASE + GICR_IGROUPR0) |= sgis;
    for (i = 0; i < 16; i++)
        if ((sgis >> i) & 1)
            prio[i] = 0x80;
    *reg32(rd + GICR_SGI_BASE + GICR_ISENABLER0) = sgis;
    icc_pmr(0xff);
    icc_igrpen1(1);
    isb();
}

static void send_sgi(unsigned intid, unsigned target_cpu)
{
    __asm__ volatile("dsb sy" ::: "memory");
    icc_sgi1r((uint64_t)intid << 24 | 1UL << target_cpu);
    isb();
}

static void on_irq(struct trap_frame *f)
{
    uint64_t intid = icc_iar1() & 0xffffff;
    unsigned cpu = this_cpu();

    if (cpu == 0 && intid == SGI_REPLY) {
        replies++;
    } else if (cpu == 1 && intid == SGI_PING) {
        pings++;
        send_sgi(SGI_REPLY, 0);
    } else if (intid == SGI_BROADCAST && cpu < 2) {
        broadcasts[cpu]++;
    } else {
        wrong_irqs++;
    }
    icc_eoir1(intid);
}

void secondary_main(uint64_t context)
{
    cpu1_x0 = context;
    cpu1_mpidr = read_sysreg(mpidr_el1) & 0xff00ffffffUL;
    gic_cpu_setup(1U << SGI_PING | 1U << SGI_BROADCAST);
    starts++;
    __asm__ volatile("dsb sy" ::: "memory");
    cpu1_up = true;
    __asm__ volatile("msr daifclr, #2" ::: "memory");
    while (!cpu1_off_request)
        __asm__ volatile("wfi" ::: "memory");
    cpu1_off_request = false;
    cpu1_up = false;
    __asm__ volatile("msr daifset, #2; dsb sy" ::: "memory");
    psci(PSCI_CPU_OFF, 0, 0, 0);
}

static bool wait_flag(volatile bool *flag, bool value)
{
    unsigned long i;

    for (i = 0; i < SPIN_LIMIT && *flag != value; i++)
        __asm__ volatile("yield" ::: "memory");
    return *flag == value;
}

static int64_t wait_affinity(int64_t want)
{
    unsigned long i;
    int64_t r = -1;

    for (i = 0; i < SPIN_LIMIT / 100; i++) {
        r = psci(PSCI_AFFINITY_INFO, 1, 0, 0);
        if (r == want)
            break;
    }
    return r;
}

static void count_cpu(void *ctx, const void *val, uint32_t len)
{
    (*(unsigned *)ctx)++;
}

static void count_psci(void *ctx, const void *val, uint32_t len)
{
    if (len == 5 && strcmp(val, "psci") == 0)
        (*(unsigned *)ctx)++;
}

int main(void)
{
    unsigned cpus = 0, psci_cpus = 0, round;
    uint64_t typer0, typer1;
    int64_t r;

    fdt_for_each_child_prop(boot_dtb, "cpus", "reg", count_cpu, &cpus);
    fdt_for_each_child_prop(boot_dtb, "cpus", "enable-method", count_psci, &psci_cpus);
    report(cpus == 2, "the device tree lists %u CPUs", cpus);
    report(psci_cpus == cpus, "%u of them with enable-method psci", psci_cpus);
    if (cpus < 2)
        return report_summary();

    set_irq_handler(on_irq);
    *reg32(GICD + GICD_CTLR) = GICD_CTLR_ARE | GICD_CTLR_GRP1;
    while (*reg32(GICD + GICD_CTLR) & GICD_CTLR_RWP)
        ;
    gic_cpu_setup(1U << SGI_REPLY | 1U << SGI_BROADCAST);
    typer0 = *(volatile uint64_t *)(GICR + GICR_TYPER);
    typer1 = *(volatile uint64_t *)(GICR + GICR_FRAME + GICR_TYPER);
    report((typer0 >> 32) == 0 && !(typer0 & TYPER_LAST), "redistributor 0: affinity 0, not the last");
    report((typer1 >> 32) == 1 && (typer1 & TYPER_LAST), "redistributor 1: affinity 1, the last");

    r = psci(PSCI_AFFINITY_INFO, 1, 0, 0);
    report(r == 1, "AFFINITY_INFO(CPU 1) before CPU_ON: %ld (off)", (long)r);
    r = psci(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, (uint64_t)(cpu1_stack + sizeof(cpu1_stack)));
    report(r == 0, "CPU_ON(CPU 1): %ld", (long)r);
    report(wait_flag(&cpu1_up, true), "CPU 1 is up");
    report(cpu1_mpidr == 1, "CPU 1's MPIDR affinity: %#lx", (unsigned long)cpu1_mpidr);
    report(cpu1_x0 == (uint64_t)(cpu1_stack + sizeof(cpu1_stack)), "CPU 1 entered with x0 = the context ID");
    r = psci(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, 0);
    report(r == PSCI_ALREADY_ON, "CPU_ON(CPU 1) again: %ld (already on)", (long)r);
    r = psci(PSCI_AFFINITY_INFO, 1, 0, 0);
    report(r == 0, "AFFINITY_INFO(CPU 1): %ld (on)", (long)r);

    __asm__ volatile("msr daifclr, #2" ::: "memory");
    for (round = 0; round < ROUNDS; round++) {
        unsigned before = replies;
        uint64_t give_up = read_sysreg(cntvct_el0) + read_sysreg(cntfrq_el0);     /* 1 s */
        send_sgi(SGI_PING, 1);
        while (replies == before && read_sysreg(cntvct_el0) < give_up)
            wfit(give_up);
    }
    report(pings == ROUNDS && replies == ROUNDS, "%u SGIs to CPU 1, %u answers to CPU 0",
           pings, replies);
    icc_sgi1r((uint64_t)SGI_BROADCAST << 24 | 1UL << 40);         /* IRM: all but self */
    isb();
    {
        unsigned long i;
        for (i = 0; i < SPIN_LIMIT && broadcasts[1] == 0; i++)
            __asm__ volatile("yield" ::: "memory");
    }
    report(broadcasts[1] == 1 && broadcasts[0] == 0, "SGI to all but self: CPU 1 took it, CPU 0 did not");
    report(wrong_irqs == 0, "no other interrupt taken");

    cpu1_off_request = true;
    send_sgi(SGI_PING, 1);                                          /* out of its WFI */
    r = wait_affinity(1);
    report(r == 1, "after CPU_OFF, AFFINITY_INFO(CPU 1): %ld (off)", (long)r);
    r = psci(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, (uint64_t)(cpu1_stack + sizeof(cpu1_stack)));
    report(r == 0 && wait_flag(&cpu1_up, true) && starts == 2, "CPU_ON again: CPU 1 starts from its entry point (%u starts)", starts);
    cpu1_off_request = true;
    send_sgi(SGI_PING, 1);
    r = wait_affinity(1);
    report(r == 1, "and off again: %ld", (long)r);
    __asm__ volatile("msr daifset, #2" ::: "memory");
    return report_summary();
}
