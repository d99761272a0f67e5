/*
 * A guest-memory writer for the image loaders (mbimage_write_fn): checks
 * that every write lies inside the guest's RAM, reads every source byte (so
 * ASan sees a read past the image), remembers the ranges written, and can
 * fail the n-th write to test that the loader passes the error back.
 */
#ifndef FUZZ_GUESTMEM_H
#define FUZZ_GUESTMEM_H

#include "fuzz.h"

#define GUESTMEM_MAX_RANGES 64
#define GUESTMEM_FAIL_RC    (-4242)

struct guestmem {
    uint64_t size;            /* guest RAM: [0, size) */
    unsigned writes;
    unsigned fail_at;         /* 1-based write to fail, 0: none */
    uint64_t start[GUESTMEM_MAX_RANGES], end[GUESTMEM_MAX_RANGES];
    volatile uint8_t sink;
};

static int guestmem_write(void *opaque, uint64_t gpa, const void *data, uint64_t len)
{
    struct guestmem *g = opaque;
    const uint8_t *p = data;
    uint8_t acc = 0;

    FUZZ_CHECK(gpa <= g->size && len <= g->size - gpa,
               "write of %#llx bytes at %#llx outside %#llx bytes of guest memory",
               (unsigned long long)len, (unsigned long long)gpa,
               (unsigned long long)g->size);
    if ( g->writes < GUESTMEM_MAX_RANGES )
    {
        g->start[g->writes] = gpa;
        g->end[g->writes] = gpa + len;
    }
    g->writes++;
    if ( g->fail_at && g->writes == g->fail_at )
        return GUESTMEM_FAIL_RC;
    if ( p )
        for ( uint64_t i = 0; i < len; i++ )
            acc ^= p[i];
    g->sink = acc;
    return 0;
}

static inline bool ranges_overlap(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
    return s1 < e2 && s2 < e1;
}

#endif
