/* exit-code-arm64: ends with exit code 42 through the exit call (DBGV_HVC_EXIT);
 * on bare QEMU, which does not know the call, through PSCI SYSTEM_OFF. */
#include "guest.h"

int main(void)
{
    printf("exiting with code 42\n");
    return 42;
}
