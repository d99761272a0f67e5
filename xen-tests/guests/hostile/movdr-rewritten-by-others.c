/*
 * hostile: vcpus=2 policies=trap,adaptive native=compare
 *
 * movdr-rewritten-by-others: a trapped MOV DR whose bytes are rewritten, at
 * the same RIP and CR3, by writers other than the vCPU that runs it (issue
 * 11). The exit names the debug register but not the general register, so
 * the hypervisor decodes the instruction and caches the decode per vCPU; the
 * cache must notice every writer of guest memory, not only the vCPU's own
 * stores:
 *  - the other vCPU (the AP) rewrites the ModRM byte while the BSP waits,
 *    then the BSP serializes (CPUID) and runs it again;
 *  - the hypervisor itself stores it: an INSB from the RTC's CMOS data port
 *    (an intercepted port; the device model's byte lands in guest memory
 *    through the hypervisor's string-I/O emulation) writes the ModRM byte.
 * On a CPU each run moves the register the bytes name at that moment: the
 * record (DR0/DR1 after each step) must equal the native one under every
 * policy. A cache that only watched the running vCPU gives the old register.
 */
#include "guest.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71
#define CMOS_SCRATCH 0x40             /* a general-purpose CMOS byte */

/* mov %rax,%dr0; ret, in a page of its own (its ModRM at code[2]). */
static uint8_t code[4096] __attribute__((aligned(4096), section(".data"))) = { 0x0f, 0x23, 0xc0, 0xc3 };

static volatile int request;          /* 0: none; >0: the ModRM byte the AP stores; <0: stop */
static volatile unsigned long stores;

static void ap_main(unsigned int cpu)
{
    (void)cpu;
    for (;;) {
        int r = request;
        if (r < 0)
            return;
        if (r > 0) {
            code[2] = (uint8_t)r;
            request = 0;
            atomic_xadd(&stores, 1);
        }
        asm volatile("pause");
    }
}

static void serialize(void)
{
    uint32_t a = 0, b, c = 0, d;
    asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) :: "memory");
}

static void run(void)
{
    asm volatile("mov $0x1110, %%rax\n\t"
                 "mov $0x2220, %%rbx\n\t"
                 "mov $0x3330, %%rcx\n\t"
                 "call *%0"
                 : : "r"(code) : "rax", "rbx", "rcx", "memory");
}

static void step(const char *what, unsigned long want_dr0, unsigned long want_dr1)
{
    unsigned long dr0, dr1;

    write_dr0(0);
    write_dr1(0);
    serialize();
    run();
    dr0 = read_dr0();
    dr1 = read_dr1();
    printf("%s: dr0 %#lx dr1 %#lx\n", what, dr0, dr1);
    report(dr0 == want_dr0 && dr1 == want_dr1, "%s", what);
}

static bool ap_stores(uint8_t modrm)
{
    unsigned long before = stores;

    request = modrm;
    return wait_count(&stores, before + 1);
}

/* The hypervisor's INSB emulation stores the CMOS byte at code[2]. */
static void cmos_stores(uint8_t modrm)
{
    void *di = &code[2];

    outb(CMOS_INDEX, CMOS_SCRATCH);
    outb(CMOS_DATA, modrm);
    outb(CMOS_INDEX, CMOS_SCRATCH);
    asm volatile("insb" : "+D"(di) : "d"(CMOS_DATA) : "memory");
}

int main(void)
{
    step("mov %rax,%dr0", 0x1110, 0);
    step("again", 0x1110, 0);
    if (smp_start_ap(1, ap_main)) {
        report(false, "AP started");
        return report_summary();
    }
    report(ap_stores(0xc1), "the AP rewrote the ModRM byte (%%rcx)");
    step("rewritten by the AP to %rcx", 0x3330, 0);
    step("again", 0x3330, 0);
    report(ap_stores(0xc8), "the AP rewrote the ModRM byte (%%rax,%%dr1)");
    step("rewritten by the AP to %rax,%dr1", 0, 0x1110);
    cmos_stores(0xc3);
    report(code[2] == 0xc3, "insb stored the CMOS byte");
    step("rewritten by insb to %rbx", 0x2220, 0);
    step("again", 0x2220, 0);
    cmos_stores(0xc0);
    step("rewritten by insb back to %rax", 0x1110, 0);
    request = -1;
    write_dr0(0);
    return report_summary();
}
