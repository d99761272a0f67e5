/* string.c against glibc. Comparisons check the sign only: ISO C fixes nothing else. */
#include <string.h>
#include "dv_lib.h"
#include "tests.h"

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

static void test_memcpy_memset(void)
{
    unsigned char a[64], b[64];

    for (size_t n = 0; n <= 40; n++) {
        memset(a, 0xee, sizeof(a));
        memset(b, 0xee, sizeof(b));
        CU_ASSERT_PTR_EQUAL(dv_memset(a + 3, 0x1ab, n), a + 3);   /* converted to unsigned char */
        memset(b + 3, 0xab, n);
        CU_ASSERT_EQUAL(memcmp(a, b, sizeof(a)), 0);
        for (size_t i = 0; i < n; i++)
            a[3 + i] = (unsigned char)(i * 7);
        CU_ASSERT_PTR_EQUAL(dv_memcpy(b + 5, a + 3, n), b + 5);
        CU_ASSERT_EQUAL(memcmp(b + 5, a + 3, n), 0);
        CU_ASSERT_EQUAL(b[5 + n], 0xee);     /* nothing written past n */
    }
}

/* Word-at-a-time paths: every alignment of both sides, lengths across
 * several words, a difference at every position. */
static void test_word_paths(void)
{
    unsigned char a[96] __attribute__((aligned(8))), b[96] __attribute__((aligned(8)));

    for (size_t da = 0; da < 8; da++)
        for (size_t sa = 0; sa < 8; sa++)
            for (size_t n = 0; n <= 40; n += 3) {
                for (size_t i = 0; i < sizeof(a); i++)
                    a[i] = (unsigned char)(i * 13 + 1), b[i] = 0xee;
                dv_memcpy(b + da, a + sa, n);
                CU_ASSERT_EQUAL(memcmp(b + da, a + sa, n), 0);
                CU_ASSERT(da == 0 || b[da - 1] == 0xee);
                CU_ASSERT_EQUAL(b[da + n], 0xee);
                CU_ASSERT_EQUAL(dv_memcmp(b + da, a + sa, n), 0);
                for (size_t k = 0; k < n; k++) {
                    b[da + k] ^= 0x80;
                    CU_ASSERT_EQUAL(sign(dv_memcmp(b + da, a + sa, n)),
                                    sign(memcmp(b + da, a + sa, n)));
                    b[da + k] ^= 0x80;
                }
                dv_memset(b + da, 0x5a, n);
                for (size_t k = 0; k < n; k++)
                    CU_ASSERT_EQUAL(b[da + k], 0x5a);
                CU_ASSERT_EQUAL(b[da + n], 0xee);
            }
}

/* Every overlap direction and distance. */
static void test_memmove(void)
{
    for (int src = 0; src < 16; src++)
        for (int dst = 0; dst < 16; dst++)
            for (size_t n = 0; n <= 16; n++) {
                char a[40], b[40];

                for (int i = 0; i < 40; i++)
                    a[i] = b[i] = (char)('A' + i);
                CU_ASSERT_PTR_EQUAL(dv_memmove(a + dst, a + src, n), a + dst);
                memmove(b + dst, b + src, n);
                CU_ASSERT_EQUAL(memcmp(a, b, sizeof(a)), 0);
            }
}

static void test_memcmp(void)
{
    static const struct { const char *a, *b; size_t n; } t[] = {
        { "abc", "abc", 3 }, { "abc", "abd", 3 }, { "abd", "abc", 3 }, { "abc", "abd", 2 },
        { "", "", 0 }, { "\x80", "\x7f", 1 }, { "\x01", "\xff", 1 }, { "a\0b", "a\0c", 3 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(t); i++)
        CU_ASSERT_EQUAL(sign(dv_memcmp(t[i].a, t[i].b, t[i].n)),
                        sign(memcmp(t[i].a, t[i].b, t[i].n)));
}

static void test_strlen(void)
{
    static const char *s[] = { "", "a", "hello", "\xff\x80", "embedded\0nul" };

    for (size_t i = 0; i < ARRAY_SIZE(s); i++) {
        CU_ASSERT_EQUAL(dv_strlen(s[i]), strlen(s[i]));
        for (size_t m = 0; m < 8; m++)
            CU_ASSERT_EQUAL(dv_strnlen(s[i], m), strnlen(s[i], m));
    }
    /* strnlen must not read past max: no terminator in the buffer. */
    char raw[4] = { 'w', 'x', 'y', 'z' };
    CU_ASSERT_EQUAL(dv_strnlen(raw, 4), 4);
}

static void test_strcmp(void)
{
    static const char *s[] = { "", "a", "ab", "abc", "abd", "b", "\x80", "\x7f", "A" };

    for (size_t i = 0; i < ARRAY_SIZE(s); i++)
        for (size_t j = 0; j < ARRAY_SIZE(s); j++) {
            CU_ASSERT_EQUAL(sign(dv_strcmp(s[i], s[j])), sign(strcmp(s[i], s[j])));
            for (size_t n = 0; n < 5; n++)
                CU_ASSERT_EQUAL(sign(dv_strncmp(s[i], s[j], n)),
                                sign(strncmp(s[i], s[j], n)));
        }
}

static void test_strchr(void)
{
    static const char s[] = "hello\xe9 world";
    static const int c[] = { 'h', 'l', 'o', ' ', 'z', 0, 0xe9, (char)0xe9, 0x100 + 'e' };

    for (size_t i = 0; i < ARRAY_SIZE(c); i++)
        CU_ASSERT_PTR_EQUAL(dv_strchr(s, c[i]), strchr(s, c[i]));
    static const char empty[] = "";
    CU_ASSERT_PTR_EQUAL(dv_strchr(empty, 0), empty);    /* the terminator is found */
    CU_ASSERT_PTR_NULL(dv_strchr(empty, 'a'));
}

void register_string_tests(void)
{
    static const struct unit_test t[] = {
        { "memcpy/memset", test_memcpy_memset },
        { "memmove overlaps", test_memmove },
        { "memcmp", test_memcmp },
        { "word paths", test_word_paths },
        { "strlen/strnlen", test_strlen },
        { "strcmp/strncmp", test_strcmp },
        { "strchr", test_strchr },
    };
    add_suite("string", t, ARRAY_SIZE(t));
}
