/*
 * xl.cfg parser (tools/xl/xl_cfg.c), the text `xl create` reads from a file.
 * Invariants:
 *  - the result is 0 or -1; an error message starts with the file name and
 *    is NUL-terminated inside the buffer;
 *  - parsing is deterministic: the same text gives the same configuration;
 *  - a successful parse leaves NUL-terminated strings and values in range
 *    (memory and vCPUs >= 1, policy -1 or a known one);
 *  - nothing leaks (LeakSanitizer) and the text is never read past its length.
 */
#include <debugctl.h>
#include "xl_cfg.h"
#include "fuzz.h"

static void quiet(const char *msg) { (void)msg; }

static bool same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xl_cfg a, b;
    char err_a[256], err_b[256];
    char *text = malloc(size ? size : 1);     /* exactly size bytes, no NUL */
    int rc_a, rc_b;

    memcpy(text, data, size);
    memset(err_a, 0x55, sizeof(err_a));
    xl_cfg_init(&a);
    xl_cfg_init(&b);
    rc_a = xl_cfg_parse(&a, text, size, "fuzz.cfg", quiet, err_a, sizeof(err_a));
    rc_b = xl_cfg_parse(&b, text, size, "fuzz.cfg", quiet, err_b, sizeof(err_b));
    FUZZ_CHECK(rc_a == 0 || rc_a == -1, "result %d", rc_a);
    FUZZ_CHECK(rc_a == rc_b, "two parses: %d then %d", rc_a, rc_b);
    if ( rc_a )
    {
        FUZZ_CHECK(memchr(err_a, '\0', sizeof(err_a)) != NULL, "error message not terminated");
        FUZZ_CHECK(!strncmp(err_a, "fuzz.cfg", 8), "error message '%s'", err_a);
        FUZZ_CHECK(!strcmp(err_a, err_b), "different errors");
    }
    else
    {
        FUZZ_CHECK(same_str(a.name, b.name) && same_str(a.kernel, b.kernel) &&
                   same_str(a.cmdline, b.cmdline) && a.memory_mib == b.memory_mib &&
                   a.vcpus == b.vcpus && a.debug_policy == b.debug_policy &&
                   a.quiet_switches == b.quiet_switches &&
                   a.unbacked_access == b.unbacked_access, "two parses differ");
        FUZZ_CHECK(a.memory_mib >= 1 && a.vcpus >= 1, "memory %u vcpus %u",
                   a.memory_mib, a.vcpus);
        FUZZ_CHECK(a.debug_policy >= -1 && a.debug_policy < DBGV_POLICY_COUNT,
                   "policy %d", a.debug_policy);
        FUZZ_CHECK(a.unbacked_access < DBGV_UNBACKED_COUNT, "unbacked %u", a.unbacked_access);
        if ( a.name )
            (void)strlen(a.name);
        if ( a.kernel )
            (void)strlen(a.kernel);
        if ( a.cmdline )
            (void)strlen(a.cmdline);
        xl_cfg_check(&a, "fuzz.cfg", err_a, sizeof(err_a));
    }
    xl_cfg_dispose(&a);
    xl_cfg_dispose(&b);
    free(text);
    return 0;
}
