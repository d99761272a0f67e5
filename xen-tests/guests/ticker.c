/* ticker: N numbered lines with an APIC-timer HLT sleep between them, so
 * several domains visibly interleave on one pCPU. count=0 runs forever. A
 * shutdown request (`xl shutdown`) ends it with exit code shutdown_code=,
 * a reboot request (`xl reboot`) ends it for reboot. */
#include "guest.h"

static unsigned long id, ticks;

static void on_shutdown(int reason)
{
    printf("ticker %lu: shutdown requested (reason %d) after %lu tick(s)\n", id, reason, ticks);
    if (reason != 0)
        guest_shutdown(reason);     /* reboot: end for that reason */
    guest_exit(cmdline_uint("shutdown_code", 0));
}

int main(void)
{
    unsigned long count = cmdline_uint("count", 10);
    unsigned long delay = cmdline_uint("delay", 1000000);  /* timer ticks (divide 1) */

    id = cmdline_uint("id", 0);
    shutdown_handler = on_shutdown;

    printf("ticker %lu: count=%lu delay=%lu\n", id, count, delay);
    for (unsigned long i = 1; count == 0 || i <= count; i++) {
        sleep_ticks(delay);
        ticks = i;
        printf("ticker %lu: tick %lu\n", id, i);
    }
    printf("ticker %lu: done\n", id);
    return 0;
}
