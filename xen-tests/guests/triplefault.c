/* triplefault: empty IDT + exception = triple fault. Natively QEMU resets
 * (exits with -no-reboot); under the hypervisor only this domain dies. */
#include "guest.h"

int main(void)
{
    static const struct { uint16_t limit; uint32_t base; } __attribute__((packed)) empty = { 0, 0 };

    printf("triplefault: loading an empty IDT and raising #UD\n");
    asm volatile("lidt %0; ud2" :: "m"(empty));
    printf("triplefault: still alive (not expected)\n");
    return 1;
}
