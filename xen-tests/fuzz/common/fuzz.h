/*
 * Shared helpers of the libFuzzer harnesses: invariant checks that abort
 * (so libFuzzer records the input as a finding) and a cursor that takes
 * structured values from the fuzz input.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An invariant the code under test must keep: a violation is a finding. */
#define FUZZ_CHECK(cond, ...)                                                \
    do {                                                                     \
        if ( !(cond) )                                                       \
        {                                                                    \
            fprintf(stderr, "INVARIANT %s:%d: %s: ", __FILE__, __LINE__,     \
                    #cond);                                                  \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
            abort();                                                         \
        }                                                                    \
    } while ( 0 )

/* Reads fixed-size values from the input; past its end everything is 0. */
struct fuzz_in {
    const uint8_t *p;
    size_t left;
};

static inline bool fuzz_more(const struct fuzz_in *in)
{
    return in->left > 0;
}

static inline uint64_t fuzz_take(struct fuzz_in *in, unsigned bytes)
{
    uint64_t v = 0;

    for ( unsigned i = 0; i < bytes && in->left; i++, in->left--, in->p++ )
        v |= (uint64_t)*in->p << (8 * i);
    return v;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)   { return (uint8_t)fuzz_take(in, 1); }
static inline uint16_t fuzz_u16(struct fuzz_in *in) { return (uint16_t)fuzz_take(in, 2); }
static inline uint32_t fuzz_u32(struct fuzz_in *in) { return (uint32_t)fuzz_take(in, 4); }
static inline uint64_t fuzz_u64(struct fuzz_in *in) { return fuzz_take(in, 8); }

/* Up to max bytes of the input (fewer at its end); returns the count. */
static inline size_t fuzz_bytes(struct fuzz_in *in, size_t max, const uint8_t **out)
{
    size_t n = max < in->left ? max : in->left;

    *out = in->p;
    in->p += n;
    in->left -= n;
    return n;
}

#endif
