/* CUnit tests of xl's xl.cfg parser (tools/xl/xl_cfg.c). */
#include <stdlib.h>
#include <string.h>
#include <CUnit/Basic.h>
#include <debugctl.h>
#include "xl_cfg.h"

static int warnings;
static void warn(const char *msg) { warnings++; }

static int parse(struct xl_cfg *cfg, const char *text, char *err, size_t n)
{
    xl_cfg_init(cfg);
    return xl_cfg_parse(cfg, text, strlen(text), "g.cfg", warn, err, n);
}

static void test_full(void)
{
    struct xl_cfg c;
    char err[256];
    const char *text =
        "# a guest\n"
        "name = \"guest-1\"\n"
        "kernel = '/boot/k.elf'   # comment\n"
        "memory = 128\n"
        "vcpus=2; cmdline = \"console=ttyS0 \\\"q\\\"\"\n"
        "debug_policy = \"lazy-sched\"\n"
        "debug_quiet_switches = 0x10\n"
        "unbacked_access = \"crash\"\n"
        "on_crash = 'preserve'\n"
        "vif = [ 'bridge=xenbr0',\n   'mac=00:16:3e:00:00:01', ]\n";

    warnings = 0;
    CU_ASSERT_EQUAL(parse(&c, text, err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(c.name, "guest-1");
    CU_ASSERT_STRING_EQUAL(c.kernel, "/boot/k.elf");
    CU_ASSERT_EQUAL(c.memory_mib, 128);
    CU_ASSERT_EQUAL(c.vcpus, 2);
    CU_ASSERT_STRING_EQUAL(c.cmdline, "console=ttyS0 \"q\"");
    CU_ASSERT_EQUAL(c.debug_policy, DBGV_POLICY_LAZY_SCHED);
    CU_ASSERT_EQUAL(c.quiet_switches, 16);
    CU_ASSERT_EQUAL(c.unbacked_access, DBGV_UNBACKED_CRASH);
    CU_ASSERT_EQUAL(c.on_shutdown[DBGV_SHUTDOWN_CRASH], XL_ACTION_PRESERVE);
    CU_ASSERT_EQUAL(warnings, 1);           /* vif */
    CU_ASSERT_EQUAL(xl_cfg_check(&c, "g.cfg", err, sizeof(err)), 0);
    xl_cfg_dispose(&c);
}

static void test_defaults_and_overrides(void)
{
    struct xl_cfg c;
    char err[256];

    CU_ASSERT_EQUAL(parse(&c, "name='a'\nkernel='k'\n", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(c.memory_mib, XL_CFG_DEFAULT_MEMORY);
    CU_ASSERT_EQUAL(c.vcpus, 1);
    CU_ASSERT_EQUAL(c.debug_policy, -1);
    CU_ASSERT_EQUAL(c.unbacked_access, DBGV_UNBACKED_IGNORE);
    CU_ASSERT_PTR_NULL(c.cmdline);
    /* Xen's on_* defaults (xl.cfg(5)). */
    CU_ASSERT_EQUAL(c.on_shutdown[DBGV_SHUTDOWN_POWEROFF], XL_ACTION_DESTROY);
    CU_ASSERT_EQUAL(c.on_shutdown[DBGV_SHUTDOWN_REBOOT], XL_ACTION_RESTART);
    CU_ASSERT_EQUAL(c.on_shutdown[DBGV_SHUTDOWN_CRASH], XL_ACTION_DESTROY);
    CU_ASSERT_EQUAL(c.on_shutdown[DBGV_SHUTDOWN_WATCHDOG], XL_ACTION_DESTROY);
    CU_ASSERT_EQUAL(xl_cfg_parse(&c, "on_poweroff='restart'; on_reboot=\"preserve\"", 43,
                                 "<cmdline>", NULL, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(c.on_shutdown[DBGV_SHUTDOWN_POWEROFF], XL_ACTION_RESTART);
    CU_ASSERT_EQUAL(c.on_shutdown[DBGV_SHUTDOWN_REBOOT], XL_ACTION_PRESERVE);
    CU_ASSERT_STRING_EQUAL(xl_action_name(XL_ACTION_RENAME_RESTART), "rename-restart");
    /* A later setting (command-line override) wins. */
    CU_ASSERT_EQUAL(xl_cfg_parse(&c, "memory=256", 10, "<cmdline>", NULL, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(c.memory_mib, 256);
    xl_cfg_dispose(&c);

    CU_ASSERT_EQUAL(parse(&c, "memory=4\n", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(xl_cfg_check(&c, "g.cfg", err, sizeof(err)), -1);
    CU_ASSERT_STRING_EQUAL(err, "g.cfg: no 'name' given");
    xl_cfg_dispose(&c);
}

static char *cmdline_of(const char *text)
{
    struct xl_cfg c;
    char err[256], *out;

    CU_ASSERT_EQUAL(parse(&c, text, err, sizeof(err)), 0);
    out = xl_cfg_kernel_cmdline(&c, NULL);
    xl_cfg_dispose(&c);
    return out;
}

/* Xen's rule: cmdline wins; else "root=ROOT EXTRA". */
static void test_cmdline_root_extra(void)
{
    static const struct { const char *text, *want; } cases[] = {
        { "name='a'\nkernel='k'\n", "" },
        { "extra='x y'\n", "x y" },
        { "root='/dev/ram0'\n", "root=/dev/ram0" },
        { "root='/dev/ram0'\nextra='console=ttyS0'\n", "root=/dev/ram0 console=ttyS0" },
        { "cmdline='c'\nroot='/dev/ram0'\nextra='e'\n", "c" },
    };

    for ( unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++ )
    {
        char *got = cmdline_of(cases[i].text);
        CU_ASSERT_PTR_NOT_NULL_FATAL(got);
        CU_ASSERT_STRING_EQUAL(got, cases[i].want);
        free(got);
    }
}

/* Every error names the file and line. */
static void expect_err(const char *text, const char *msg)
{
    struct xl_cfg c;
    char err[256];

    CU_ASSERT_EQUAL(parse(&c, text, err, sizeof(err)), -1);
    if ( strcmp(err, msg) )
        fprintf(stderr, "\n  got '%s'\n  want '%s'\n", err, msg);
    CU_ASSERT_STRING_EQUAL(err, msg);
    xl_cfg_dispose(&c);
}

static void test_errors(void)
{
    expect_err("name = 'a'\nmemory 128\n", "g.cfg:2: expected '=' after 'memory'");
    expect_err("\n\nname = guest\n", "g.cfg:3: expected a quoted string, a number or a list");
    expect_err("name = 'unterminated\n", "g.cfg:1: unterminated string");
    expect_err("memory = '128'\n", "g.cfg:1: memory must be a number");
    expect_err("memory = 12x\n", "g.cfg:1: invalid number '12x'");
    expect_err("vcpus = 0\n", "g.cfg:1: vcpus must be between 1 and 64");
    expect_err("vcpus = 65\n", "g.cfg:1: vcpus must be between 1 and 64");
    expect_err("name = 5\n", "g.cfg:1: name must be a quoted string");
    expect_err("name = 'a b'\n", "g.cfg:1: name may only contain letters, digits, '_', '.' and '-'");
    expect_err("name = ''\n", "g.cfg:1: name must be 1 to 63 characters");
    expect_err("kernel = ''\n", "g.cfg:1: kernel must not be empty");
    expect_err("debug_policy = 'fast'\n",
               "g.cfg:1: unknown debug_policy 'fast' (trap, lazy-exit, lazy-sched, adaptive)");
    expect_err("unbacked_access = 'drop'\n", "g.cfg:1: unknown unbacked_access 'drop' (ignore, crash)");
    expect_err("unbacked_access = 1\n", "g.cfg:1: unbacked_access must be a quoted string");
    expect_err("memory = 1 2\n", "g.cfg:1: unexpected text after the value of 'memory'");
    expect_err("= 3\n", "g.cfg:1: expected an option name");
    expect_err("memory =\n", "g.cfg:1: missing value");
    expect_err("x = [1, 2\n", "g.cfg:2: expected ',' or ']' in list");
    expect_err("name = 'a\\qb'\n", "g.cfg:1: unknown escape '\\q' in string");
    expect_err("# c\n# c\n\n\nvcpus = -1\n", "g.cfg:5: expected a quoted string, a number or a list");
    expect_err("on_reboot = 'sometimes'\n",
               "g.cfg:1: unknown on_reboot action 'sometimes' (destroy, restart, preserve)");
    expect_err("on_poweroff = 1\n", "g.cfg:1: on_poweroff must be a quoted string");
    expect_err("\non_crash = 'coredump-restart'\n",
               "g.cfg:2: on_crash = \"coredump-restart\" is not supported (no core dumps; use"
               " \"preserve\" and the xl debug-* commands)");
    expect_err("on_reboot = 'rename-restart'\n",
               "g.cfg:1: on_reboot = \"rename-restart\" is not supported (domains cannot be renamed)");
}

static void test_random_input(void)
{
    char buf[256], err[256];
    struct xl_cfg c;
    unsigned int seed = 7;
    const char alphabet[] = "ab=\"'[],;#\n 0123x\\\t_";

    for ( int i = 0; i < 20000; i++ )
    {
        size_t n = rand_r(&seed) % sizeof(buf);

        for ( size_t k = 0; k < n; k++ )
            buf[k] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
        xl_cfg_init(&c);
        xl_cfg_parse(&c, buf, n, "r.cfg", NULL, err, sizeof(err));
        xl_cfg_dispose(&c);
    }
    CU_PASS("no crash");
}

int main(void)
{
    CU_pSuite s;
    unsigned int failed;

    CU_initialize_registry();
    s = CU_add_suite("xl.cfg", NULL, NULL);
    CU_add_test(s, "full config", test_full);
    CU_add_test(s, "defaults and overrides", test_defaults_and_overrides);
    CU_add_test(s, "cmdline, root and extra as Xen", test_cmdline_root_extra);
    CU_add_test(s, "errors name the line", test_errors);
    CU_add_test(s, "random input", test_random_input);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
