/* lifecycle: how a domain's life ends, for the on_poweroff/on_reboot/on_crash
 * tests. reason=N ends it after delay= timer ticks for that reason (0
 * poweroff, 1 reboot, 3 crash, 4 watchdog) through the shutdown-request port;
 * triple=1 triple faults instead; with neither it waits and honours
 * `xl shutdown` / `xl reboot` requests (shutdown_poll ends it for the
 * requested reason). */
#include "guest.h"

int main(void)
{
    static const struct { uint16_t limit; uint32_t base; } __attribute__((packed)) empty = { 0, 0 };
    unsigned long reason = cmdline_uint("reason", ~0ul);
    unsigned long delay = cmdline_uint("delay", 1000000);

    printf("lifecycle: up\n");
    if (cmdline_uint("triple", 0)) {
        sleep_ticks(delay);
        printf("lifecycle: triple fault\n");
        asm volatile("lidt %0; ud2" :: "m"(empty));
    }
    if (reason != ~0ul) {
        sleep_ticks(delay);
        printf("lifecycle: shutting down, reason %lu\n", reason);
        guest_shutdown((int)reason);
    }
    for (;;)
        sleep_ticks(delay);     /* polls for shutdown requests */
}
