/* The machine's own PSCI (QEMU virt with virtualization=on: SMC conduit). */
#include <dbgvisor/shutdown.h>
#include <asm/arm64.h>

#define PSCI_SYSTEM_OFF 0x84000008UL
#define PSCI_CPU_ON_64  0xc4000003UL

int64_t host_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context)
{
    register uint64_t x0 __asm__("x0") = PSCI_CPU_ON_64;
    register uint64_t x1 __asm__("x1") = mpidr;
    register uint64_t x2 __asm__("x2") = entry;
    register uint64_t x3 __asm__("x3") = context;

    __asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    return (int64_t)x0;
}

void host_system_off(void)
{
    register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_OFF;

    __asm__ volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
    for (;;)
        __asm__ volatile("wfi");
}

/* The end of the machine once every domain has ended (common/schedule.c).
 * QEMU virt has no exit device: its status is 0 whatever the code; the
 * domains' end lines say how each ended. */
void machine_exit(enum hv_exit_code code)
{
    host_system_off();
}
