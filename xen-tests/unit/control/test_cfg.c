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
    char err[512];
    const char *text =
        "# a guest\n"
        "name = \"guest-1\"\n"
        "kernel = '/boot/k.elf'   # comment\n"
        "memory = 128\n"
        "vcpus=2; cmdline = \"console=ttyS0 \\\"q\\\"\"\n"
        "debug_policy = \"lazy-sched\"\n"
        "debug_quiet_switches = 0x10\n"
        "unbacked_access = \"crash\"\n"
        "timer_mode = \"no_missed_ticks_pending\"\n"
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
    CU_ASSERT_EQUAL(c.timer_mode, DBGV_TIMER_MODE_NO_MISSED_TICKS_PENDING);
    CU_ASSERT_EQUAL(c.on_shutdown[DBGV_SHUTDOWN_CRASH], XL_ACTION_PRESERVE);
    CU_ASSERT_EQUAL(warnings, 1);           /* vif: ignored, named to the callback */
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
    CU_ASSERT_EQUAL(c.timer_mode, DBGV_TIMER_MODE_DEFAULT);
    CU_ASSERT_PTR_NULL(c.cmdline);
    xl_cfg_dispose(&c);
    /* Xen's deprecated numbers are HVMPTM_*: 3 is one_missed_tick_pending. */
    CU_ASSERT_EQUAL(parse(&c, "name='a'\nkernel='k'\ntimer_mode=3\n", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(c.timer_mode, DBGV_TIMER_MODE_ONE_MISSED_TICK_PENDING);
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

/* Xen keeps numbers and strings alike (libxlu_cfg): a quoted number is a
 * number, a bare number is a string; strtol(base 0) reads them. */
static void test_xen_atoms(void)
{
    struct xl_cfg c;
    char err[512];

    CU_ASSERT_EQUAL_FATAL(parse(&c, "memory = \"32\"\nvcpus='2'\nname = 7\nkernel = 0x10\n"
                                    "debug_quiet_switches = 010\n", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(c.memory_mib, 32);
    CU_ASSERT_EQUAL(c.vcpus, 2);
    CU_ASSERT_STRING_EQUAL(c.name, "7");
    CU_ASSERT_STRING_EQUAL(c.kernel, "0x10");
    CU_ASSERT_EQUAL(c.quiet_switches, 8);          /* octal, as strtol(base 0) */
    xl_cfg_dispose(&c);
}

/* += appends to a string or a list (Xen 4.17); later settings win. */
static void test_append(void)
{
    struct xl_cfg c;
    char err[512];

    CU_ASSERT_EQUAL_FATAL(parse(&c, "extra = \"console=ttyS0\"\nextra += \" quiet\"\n"
                                    "vif = ['a']\nvif += ['b',\n 'c']\nroot += '/dev/ram0'\n",
                                err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(c.extra, "console=ttyS0 quiet");
    CU_ASSERT_STRING_EQUAL(c.root, "/dev/ram0");    /* += with nothing before: = */
    xl_cfg_dispose(&c);
    /* Overrides from the command line append to the file's value. */
    CU_ASSERT_EQUAL_FATAL(parse(&c, "cmdline = 'a'\n", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(xl_cfg_parse(&c, "cmdline += ' b'", 15, "<command line>", NULL, err,
                                 sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(c.cmdline, "a b");
    xl_cfg_dispose(&c);
}

/* Lists: over lines, comments inside, trailing comma, nesting, empty;
 * statements end at a newline or ';'; the last needs neither. */
static void test_lists_and_layout(void)
{
    struct xl_cfg c;
    char err[512];

    CU_ASSERT_EQUAL(parse(&c, "disk = [\n  'a', # first\n\n  'b',\n]\nx=[[1,[]],2]\ny=[]\n"
                              "name='n';;kernel='k'\n\tmemory\t=\t16", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(c.memory_mib, 16);
    CU_ASSERT_STRING_EQUAL(c.kernel, "k");
    xl_cfg_dispose(&c);
}

static int notes;
static char last_note[256];
static void note(const char *msg)
{
    notes++;
    snprintf(last_note, sizeof(last_note), "%s", msg);
}

/* Unknown keys: ignored (silent without a callback, as in Xen; xl -v
 * passes one), each named with its line. */
static void test_unknown_keys(void)
{
    struct xl_cfg c;
    char err[512];
    const char *text = "name='a'\nvif = ['bridge=xenbr0']\nbuilder = 'hvm'\nmemory = 8\n";

    notes = 0;
    xl_cfg_init(&c);
    CU_ASSERT_EQUAL(xl_cfg_parse(&c, text, strlen(text), "g.cfg", NULL, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(c.memory_mib, 8);
    xl_cfg_dispose(&c);
    xl_cfg_init(&c);
    CU_ASSERT_EQUAL(xl_cfg_parse(&c, text, strlen(text), "g.cfg", note, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(notes, 2);
    CU_ASSERT_STRING_EQUAL(last_note, "g.cfg:3: ignoring unsupported option 'builder'");
    xl_cfg_dispose(&c);
}

/* vcpus and maxvcpus: 1..DBGV_MAX_VCPUS_PER_DOMAIN (the hypervisor's
 * limit); maxvcpus < vcpus as Xen; more than vcpus needs hot-plug. */
static void test_vcpu_limits(void)
{
    struct xl_cfg c;
    char err[512];

    CU_ASSERT_EQUAL(DBGV_MAX_VCPUS_PER_DOMAIN, 8);
    CU_ASSERT_EQUAL(parse(&c, "name='a'\nkernel='k'\nvcpus=8\nmaxvcpus=8\n", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(c.vcpus, 8);
    CU_ASSERT_EQUAL(xl_cfg_check(&c, "g.cfg", err, sizeof(err)), 0);
    xl_cfg_dispose(&c);
    CU_ASSERT_EQUAL(parse(&c, "name='a'\nkernel='k'\nvcpus=4\nmaxvcpus=2\n", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(xl_cfg_check(&c, "g.cfg", err, sizeof(err)), -1);
    CU_ASSERT_STRING_EQUAL(err, "g.cfg: maxvcpus < vcpus");
    xl_cfg_dispose(&c);
    CU_ASSERT_EQUAL(parse(&c, "name='a'\nkernel='k'\nvcpus=2\nmaxvcpus=4\n", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(xl_cfg_check(&c, "g.cfg", err, sizeof(err)), -1);
    CU_ASSERT_STRING_EQUAL(err, "g.cfg: maxvcpus (4) > vcpus (2): dbgvisor has no vCPU hot-plug;"
                                " set vcpus = 4");
    xl_cfg_dispose(&c);
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
#define NEAR(line, tok, msg) "g.cfg:" #line ": config parsing error near `" tok "': " msg
    expect_err("name = 'a'\nmemory 128\n", NEAR(2, "128", "expected '=' or '+='"));
    expect_err("\n\nname = guest\n", NEAR(3, "guest", "expected a value (a quoted string, a number or a [list])"));
    expect_err("name = 'unterminated\n", NEAR(1, "'unterminated", "unterminated string"));
    expect_err("memory = 12x\n", "g.cfg:1: parameter `memory' is not a valid number"); /* one NUMBER */
    expect_err("memory = 12z\n", NEAR(1, "z", "expected a newline or ';' after the value"));
    expect_err("vcpus = 0\n", "g.cfg:1: vcpus = 0: a domain needs at least 1 vCPU");
    expect_err("vcpus = 9\n", "g.cfg:1: vcpus = 9: dbgvisor runs at most 8 vCPUs per domain");
    expect_err("maxvcpus = '65'\n", "g.cfg:1: maxvcpus = 65: dbgvisor runs at most 8 vCPUs per domain");
    expect_err("memory = 'lots'\n", "g.cfg:1: parameter `memory' is not a valid number");
    expect_err("memory = 08\n", "g.cfg:1: parameter `memory' is not a valid number");
    expect_err("memory = 0\n", "g.cfg:1: memory = 0: must be between 1 and 1048576 (MiB)");
    expect_err("memory = 16\nmemory += 16\n", "g.cfg:2: can't use += with numbers for parameter `memory'");
    expect_err("kernel = ['k']\n", "g.cfg:1: parameter `kernel' is a list but should be a single value");
    expect_err("name = 'a b'\n", "g.cfg:1: name may only contain letters, digits, '_', '.' and '-'");
    expect_err("name = ''\n", "g.cfg:1: name must be 1 to 63 characters");
    expect_err("kernel = ''\n", "g.cfg:1: kernel must not be empty");
    expect_err("debug_policy = 'fast'\n",
               "g.cfg:1: unknown debug_policy 'fast' (trap, lazy-exit, lazy-sched, adaptive)");
    expect_err("unbacked_access = 'drop'\n", "g.cfg:1: unknown unbacked_access 'drop' (ignore, crash)");
    expect_err("timer_mode = 'delay_for_missed_ticks'\n",
               "g.cfg:1: timer_mode \"delay_for_missed_ticks\" is not supported (guest time is"
               " the host's TSC and is never held back)");
    expect_err("timer_mode = 'late'\n", "g.cfg:1: unknown timer_mode 'late' (no_delay_for_missed_ticks,"
               " no_missed_ticks_pending, one_missed_tick_pending)");
    expect_err("timer_mode = 0\n",
               "g.cfg:1: timer_mode \"0\" is not supported (guest time is"
               " the host's TSC and is never held back)");
    expect_err("timer_mode = 4\n", "g.cfg:1: unknown timer_mode '4' (no_delay_for_missed_ticks,"
               " no_missed_ticks_pending, one_missed_tick_pending)");
    expect_err("memory = 1 2\n", NEAR(1, "2", "expected a newline or ';' after the value"));
    expect_err("= 3\n", NEAR(1, "=", "expected an option name"));
    expect_err("memory =\n", "g.cfg:1: config parsing error near <newline>: expected a value"
                             " (a quoted string, a number or a [list])");
    expect_err("x = [1, 2\n", "g.cfg:2: config parsing error near <end of file>: expected ',' or ']'");
    expect_err("x = [1 2]\n", NEAR(1, "2", "expected ',' or ']'"));
    expect_err("name = 'a\\qb'\n", NEAR(1, "'a\\qb'", "invalid character after backslash in quoted string"));
    expect_err("# c\n# c\n\n\nvcpus = -1\n", NEAR(5, "-1", "unexpected character (Python syntax and"
                                                  " arithmetic are not supported)"));
    expect_err("Memory = 1\n", NEAR(1, "Memory", "unexpected character (option names are lower case; quote other text)"));
    expect_err("a = 'x'\na += ['y']\n", "g.cfg:2: can't add [list] to \"string\" or vice versa");
    expect_err("on_reboot = 'sometimes'\n",
               "g.cfg:1: unknown on_reboot action 'sometimes' (destroy, restart, preserve)");
    expect_err("\non_crash = 'coredump-restart'\n",
               "g.cfg:2: on_crash = \"coredump-restart\" is not supported (no core dumps; use"
               " \"preserve\" and the xl debug-* commands)");
    expect_err("on_reboot = 'rename-restart'\n",
               "g.cfg:1: on_reboot = \"rename-restart\" is not supported (domains cannot be renamed)");
    /* Every syntax error is reported, one per line, as Xen does. */
    expect_err("a = 1 1\nb = 2\nc 3\n", NEAR(1, "1", "expected a newline or ';' after the value") "\n"
                                       NEAR(3, "3", "expected '=' or '+='"));
#undef NEAR
}

/* Escapes: Xen's set, and numeric ones read in full. */
static void test_escapes(void)
{
    struct xl_cfg c;
    char err[512];

    CU_ASSERT_EQUAL_FATAL(parse(&c, "cmdline = \"a\\tb\\\\c\\\"d\\'e\\x41\\102\"\n"
                                    "extra = 'it\\'s'\n", err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(c.cmdline, "a\tb\\c\"d'eAB");
    CU_ASSERT_STRING_EQUAL(c.extra, "it's");
    xl_cfg_dispose(&c);
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
    CU_add_test(s, "quoted numbers, bare strings", test_xen_atoms);
    CU_add_test(s, "+= on strings and lists", test_append);
    CU_add_test(s, "lists and layout", test_lists_and_layout);
    CU_add_test(s, "unknown keys", test_unknown_keys);
    CU_add_test(s, "vcpus and maxvcpus limits", test_vcpu_limits);
    CU_add_test(s, "string escapes", test_escapes);
    CU_add_test(s, "random input", test_random_input);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
