/* TAP-like assertions: `ok N - what` / `not ok N - what`. */
#include "guest.h"

static unsigned int tests, failures;

void report(bool ok, const char *fmt, ...)
{
    char desc[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(desc, sizeof(desc), fmt, ap);
    va_end(ap);
    tests++;
    if (!ok)
        failures++;
    printf("%sok %u - %s\n", ok ? "" : "not ", tests, desc);
}

/* Exit code for main(): 0 iff every report() passed. */
int report_summary(void)
{
    printf("1..%u\n", tests);
    printf("# %u passed, %u failed\n", tests - failures, failures);
    return failures ? 1 : 0;
}
