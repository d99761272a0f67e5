/* ticker: N numbered lines with an APIC-timer HLT sleep between them, so
 * several domains visibly interleave on one pCPU. count=0 runs forever. */
#include "guest.h"

int main(void)
{
    unsigned long count = cmdline_uint("count", 10);
    unsigned long delay = cmdline_uint("delay", 1000000);  /* timer ticks (divide 1) */
    unsigned long id = cmdline_uint("id", 0);

    printf("ticker %lu: count=%lu delay=%lu\n", id, count, delay);
    for (unsigned long i = 1; count == 0 || i <= count; i++) {
        sleep_ticks(delay);
        printf("ticker %lu: tick %lu\n", id, i);
    }
    printf("ticker %lu: done\n", id);
    return 0;
}
