/* hello: proves boot, multiboot info (cmdline, mem_upper), UART and exit. */
#include "guest.h"

int main(void)
{
    printf("hello from %s\n", cmdline());
    printf("mem_upper=%u KiB\n", mb_info ? mb_info->mem_upper : 0);
    return 0;
}
