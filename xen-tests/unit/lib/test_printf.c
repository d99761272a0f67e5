/* vsnprintf.c against glibc's snprintf: same return value and same bytes, for the
 * full buffer and for every truncating buffer size. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "dv_lib.h"
#include "tests.h"

static void check_at(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define CHECK(...) check_at(__LINE__, __VA_ARGS__)

static void check_at(int line, const char *fmt, ...)
{
    char want[256], got[256], msg[700];
    va_list ap, aq;
    int wn, gn;
    bool ok = true;

    va_start(ap, fmt);
    va_copy(aq, ap);
    wn = vsnprintf(want, sizeof(want), fmt, aq);
    va_end(aq);
    /* Every size from 0 to one past the full length: truncation and NUL placement. */
    for (size_t size = 0; ok && size <= (size_t)wn + 1 && size <= sizeof(got); size++) {
        memset(got, 'Q', sizeof(got));
        va_copy(aq, ap);
        gn = dv_vsnprintf(size ? got : NULL, size, fmt, aq);
        va_end(aq);
        if (gn != wn) {
            ok = false;
        } else if (size) {
            size_t n = MIN(size - 1, (size_t)wn);

            ok = memcmp(got, want, n) == 0 && got[n] == 0 &&
                 (size == sizeof(got) || got[size] == 'Q');  /* nothing beyond size */
        }
        if (!ok)
            snprintf(msg, sizeof(msg), "fmt \"%s\" size %zu: glibc %d \"%s\", dv %d \"%.*s\"",
                     fmt, size, wn, want, gn, (int)MIN(size, sizeof(got) - 1), got);
    }
    va_end(ap);
    CU_assertImplementation(ok, line, ok ? "vsnprintf matches glibc" : msg, __FILE__, "",
                            CU_FALSE);
}

static void test_integers(void)
{
    CHECK("%d %i %d %d", 0, 42, -42, INT_MIN);
    CHECK("%d|%d", INT_MAX, -1);
    CHECK("%u %u %u", 0u, 1u, UINT_MAX);
    CHECK("%x %X %x %X", 0u, 0xdeadbeefu, 0xabcdefu, 0xabcdefu);
    CHECK("%o %o %o", 0u, 8u, 0777u);
    CHECK("%5d|%-5d|%05d|%+d|% d|%+5d|%-+5d|%+05d", 42, 42, 42, 42, 42, 42, 42, 42);
    CHECK("%5d|%-5d|%05d|%+d|% d|%+5d|%-+5d|%+05d", -42, -42, -42, -42, -42, -42, -42, -42);
    CHECK("%.0d|%.0d|%5.0d|%.3d|%.3d|%6.3d|%-6.3d", 0, 1, 0, 7, -7, 7, -7);
    CHECK("%.10d|%20.15d|%.1d", 123, -456, 0);
    CHECK("%*d|%0*d", 7, -42, 7, -42);
    CHECK("%#x|%#X|%#o|%#x|%#o|%#.0o|%#.0x|%#5o|%#.3o", 255u, 255u, 8u, 0u, 0u, 0u, 0u, 8u, 8u);
    CHECK("%#010x|%#-10x|%#10x|%0#10X|%#.5x|%#10.5x", 0xabu, 0xabu, 0xabu, 0xabu, 0xabu, 0xabu);
}

/* Flags that C defines as ignored in combination (gcc warns about each on purpose). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-zero-length"
static void test_ignored_flags(void)
{
    CHECK("% 05d|%+ d|% -6d|%-06d|%0-6d", 7, 7, 7, 7, 7);
    CHECK("%06.3d|%+.0d|% .0d|%+.0u", 7, 0, 0, 0u);
    CHECK("%+u|% u|%+x|% o", 5u, 5u, 5u, 5u);   /* sign flags: signed conversions only */
    CHECK("%08.3x|%-08x|%0*.*x", 0x1fu, 0x1fu, 9, 4, 0xabu);
    CHECK("");
}
#pragma GCC diagnostic pop

static void test_length_modifiers(void)
{
    CHECK("%hhd %hhd %hhu %hhx", 127, 128, 511, 0x1ff);
    CHECK("%hd %hd %hu %hx %ho", 32767, 40000, 70000, 0x12345, 0x12345);
    CHECK("%ld %lu %lx", LONG_MIN, ULONG_MAX, 0xfedcba9876543210UL);
    CHECK("%lld %llu %llx %llo", LLONG_MIN, ULLONG_MAX, 0x1ULL << 63, ULLONG_MAX);
    CHECK("%lli|%+lld|%020lld", LLONG_MAX, 1LL, -9LL);
    CHECK("%zu %zx %zd %zd", SIZE_MAX, (size_t)0x1234, (ssize_t)-5, (ssize_t)5);
    CHECK("%td %tu %tx", (ptrdiff_t)-123456789012, (ptrdiff_t)77, (ptrdiff_t)-1);
    CHECK("%jd %ju %jx", INTMAX_MIN, UINTMAX_MAX, (uintmax_t)0xfff);
    CHECK("%#llx|%#llo|%-25llu|%25lld", 0x8000000000000000ULL, ULLONG_MAX, 99ULL, -99LL);
}

static void test_strings_chars(void)
{
    const char *volatile null_str = NULL;

    CHECK("%s|%s|%s", "", "abc", "hello world");
    CHECK("%8s|%-8s|%.2s|%8.2s|%-8.2s|%.0s|%.10s", "abc", "abc", "abc", "abc", "abc", "abc", "abc");
    CHECK("%s|%10s|%-10s|%.6s", null_str, null_str, null_str, null_str);
    CHECK("%.3s|", null_str);   /* glibc prints nothing when (null) would be cut */
    CHECK("%c%c%c|%3c|%-3c|", 'a', 'b', 'c', 'x', 'y');
    CHECK("%c|%c", 0xe9, 0x141);
    CHECK("%%|%d%%", 3);
    CHECK("no conversions at all");
    CHECK("%s", "");
}

static void test_star(void)
{
    CHECK("%*d|%-*d|%*d", 6, 42, 6, 42, -6, 42);   /* negative width: left-justify */
    CHECK("%.*d|%.*d|%.*d", 4, 42, 0, 0, -1, 0);  /* negative precision: none */
    CHECK("%*.*s|%-*.*s|%.*s", 8, 3, "abcdef", 8, 3, "abcdef", -1, "abcdef");
    CHECK("%*c|%*s", 4, 'z', 0, "q");
}

static void test_pointers(void)
{
    int x;
    void *volatile null_ptr = NULL;

    CHECK("%p|%p", (void *)&x, (void *)0x1234);
    CHECK("%20p|%-20p|", (void *)0xdeadbeef, (void *)0xdeadbeef);
    CHECK("%p|%10p|%-10p|", null_ptr, null_ptr, null_ptr);
    CHECK("%p", (void *)UINTPTR_MAX);
}

/* Mixed and long outputs: truncation inside padding, prefixes and digits. */
static void test_mixed(void)
{
    CHECK("[%08x] [%-12s] [%+6d] [%#o] [%c]", 0xc0ffeeu, "dbgvisor", 17, 64u, '!');
    CHECK("vcpu%u: rip=%016llx rflags=%#lx dr7=%#x%s", 1u, 0xffffffff81000000ULL, 0x246UL,
          0x400u, " (step)");
    CHECK("%100d|%-100s|", 1, "x");
}

/* Contract details glibc cannot be asked about directly. */
static void test_contract(void)
{
    char buf[8] = "XXXXXXX";

    /* size 0: nothing written at all, return is the would-be length. */
    CU_ASSERT_EQUAL(dv_snprintf(buf, 0, "%s", "abcdef"), 6);
    CU_ASSERT_EQUAL(buf[0], 'X');
    CU_ASSERT_EQUAL(dv_snprintf(NULL, 0, "%d", 12345), 5);
    /* size 1: only the terminator. */
    CU_ASSERT_EQUAL(dv_snprintf(buf, 1, "%s", "abcdef"), 6);
    CU_ASSERT_EQUAL(buf[0], 0);
    CU_ASSERT_EQUAL(buf[1], 'X');
    /* snprintf is vsnprintf. */
    CU_ASSERT_EQUAL(dv_snprintf(buf, sizeof(buf), "%d-%s", 12, "ab"), 5);
    CU_ASSERT_STRING_EQUAL(buf, "12-ab");
}

void register_printf_tests(void)
{
    static const struct unit_test t[] = {
        { "integers and flags", test_integers },
        { "ignored flag combinations", test_ignored_flags },
        { "length modifiers", test_length_modifiers },
        { "strings and chars", test_strings_chars },
        { "star width/precision", test_star },
        { "pointers", test_pointers },
        { "mixed", test_mixed },
        { "size 0/1 contract", test_contract },
    };
    add_suite("vsnprintf", t, ARRAY_SIZE(t));
}
