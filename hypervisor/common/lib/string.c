/* Freestanding string/memory routines (ISO C semantics). */
#include <dbgvisor/lib.h>

/* Word at a time where source and destination share their alignment: these
 * run on every VM exit (structure copies and clears), and a byte loop costs
 * eight times the instructions. */
typedef uint64_t __attribute__((may_alias)) word_t;
#define WORD_ALIGNED(p) (((uintptr_t)(p) & (sizeof(word_t) - 1)) == 0)

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if ((((uintptr_t)d ^ (uintptr_t)s) & (sizeof(word_t) - 1)) == 0) {
        for (; n && !WORD_ALIGNED(d); n--)
            *d++ = *s++;
        for (; n >= sizeof(word_t); n -= sizeof(word_t), d += sizeof(word_t), s += sizeof(word_t))
            *(word_t *)d = *(const word_t *)s;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (d == s || n == 0)
        return dst;
    /* Copy backwards only when dst overlaps the tail of src. */
    if (d < s || d >= s + n)
        return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    word_t w = (unsigned char)c * 0x0101010101010101ull;

    for (; n && !WORD_ALIGNED(d); n--)
        *d++ = (unsigned char)c;
    for (; n >= sizeof(word_t); n -= sizeof(word_t), d += sizeof(word_t))
        *(word_t *)d = w;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    if (WORD_ALIGNED(x) && WORD_ALIGNED(y))     /* skip the equal words; bytes decide */
        for (; n >= sizeof(word_t) && *(const word_t *)x == *(const word_t *)y;
             n -= sizeof(word_t), x += sizeof(word_t), y += sizeof(word_t))
            ;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x < *y ? -1 : 1;
    return 0;
}

size_t strlen(const char *s)
{
    const char *p = s;

    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    return strncmp(a, b, (size_t)-1);
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;

        if (x != y)
            return x < y ? -1 : 1;
        if (x == 0)
            break;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (*s == 0)
            return NULL;
    }
}
