/* libtest: self-test of the guest library (printf, cmdline parsing, 64-bit
 * arithmetic, TRY_ASM, MSR/CPUID/TSC helpers, fw_cfg). Built in both
 * flavours (libtest, libtest64). Run with cmdline `a=12 b=0x1f`. */
#include "guest.h"

static void fmt(const char *want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fmt(const char *want, const char *fmt, ...)
{
    char buf[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    bool ok = strlen(buf) == strlen(want) && !strncmp(buf, want, sizeof(buf));
    report(ok, "printf \"%s\" -> \"%s\"", fmt, buf);
}

int main(void)
{
    printf("libtest: %s flavour\n", sizeof(long) == 8 ? "64-bit" : "32-bit");
    fmt("-5", "%d", -5);
    fmt("4294967295", "%u", 4294967295u);
    fmt("beef", "%x", 0xbeefu);
    fmt("BEEF", "%X", 0xbeefu);
    fmt("0000beef", "%08x", 0xbeefu);
    fmt("   42", "%5d", 42);
    fmt("42   |", "%-5d|", 42);
    fmt("0x2a", "%#x", 42u);
    fmt("deadbeef", "%lx", 0xdeadbeefUL);
    fmt("123456789abcdef0", "%llx", 0x123456789abcdef0ULL);
    fmt("18446744073709551615", "%llu", ~0ULL);
    fmt("-9223372036854775807", "%lld", -9223372036854775807LL);
    fmt("0x1000", "%p", (void *)0x1000);
    fmt("ab  |c", "%-4s|%c", "ab", 'c');
    fmt("100%", "%d%%", 100);

    report(cmdline_uint("a", 0) == 12, "cmdline a=12 (%lu)", cmdline_uint("a", 0));
    report(cmdline_uint("b", 0) == 0x1f, "cmdline b=0x1f (%lu)", cmdline_uint("b", 0));
    report(cmdline_uint("nope", 77) == 77, "cmdline default");

    volatile uint64_t big = 1000000000000ULL, seven = 7;
    report(big / seven == 142857142857ULL && big % seven == 1, "64-bit division");

    report(TRY_ASM("ud2", : :) == 6, "TRY_ASM catches #UD");
    report(TRY_ASM("nop", : :) == -1, "TRY_ASM without a fault");
    report(TRY_ASM("int3", : :) == 3, "TRY_ASM catches #BP");

    uint64_t apic = rdmsr(0x1B);
    report((apic & 0xFFFFF000ULL) == APIC_BASE_ADDR && (apic & BIT(11)), "APIC_BASE MSR enabled at 0xfee00000");
    report(apic_id() == 0, "BSP APIC ID 0");
    uint64_t t0 = rdtsc(), t1 = rdtsc();
    report(t1 > t0, "TSC increases");
    struct cpuid_regs r = cpuid(0, 0);
    report(r.a >= 1, "cpuid leaf 0 max leaf >= 1");
    report(fwcfg_cpu_count() >= 1, "fw_cfg cpu count >= 1");
    return report_summary();
}
