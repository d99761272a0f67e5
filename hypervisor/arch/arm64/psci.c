/* The machine's own PSCI (QEMU virt with virtualization=on: SMC conduit). */
#include <asm/arm64.h>

#define PSCI_SYSTEM_OFF 0x84000008UL

void host_system_off(void)
{
    register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_OFF;

    __asm__ volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
    for (;;)
        __asm__ volatile("wfi");
}
