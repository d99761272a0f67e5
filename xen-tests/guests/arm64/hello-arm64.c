/* The smallest arm64 guest: a line on the PL011, one TAP check, exit code 0. */
#include "guest.h"

int main(void)
{
    uint64_t el = read_sysreg(CurrentEL) >> 2;

    printf("hello from arm64, DTB at %p\n", boot_dtb);
    report(el == 1, "entered at EL1 (CurrentEL.EL = %lu)", (unsigned long)el);
    return report_summary();
}
