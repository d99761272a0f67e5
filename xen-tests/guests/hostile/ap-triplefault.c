/*
 * hostile: vcpus=2 expect=crash native=compare
 *
 * ap-triplefault: the AP loads an empty IDT and raises #UD (a triple fault)
 * while the BSP keeps printing. On hardware a triple fault shuts the whole
 * machine down (natively QEMU resets; with -no-reboot it quits). Under the
 * hypervisor the shutdown must end this domain alone, at once, on both
 * vCPUs, without disturbing the canary or leaving a vCPU running.
 */
#include "guest.h"

static volatile int go;

static void ap_main(unsigned int cpu)
{
    static const struct { uint16_t limit; uint64_t base; } __attribute__((packed)) empty = { 0, 0 };

    while (!go)
        pause();
    asm volatile("lidt %0; ud2" :: "m"(empty));
    halt_forever();
}

int main(void)
{
    if (smp_start_ap(1, ap_main)) {
        printf("ap-triplefault: AP did not start\n");
        return 1;
    }
    printf("ap-triplefault: AP up, about to triple-fault\n");
    go = 1;
    /* Silent from here: the record must not depend on timing. */
    for (;;)
        pause();
}
