/*
 * A guest-memory writer for the image loaders (mbimage_write_fn): checks
 * that every write lies inside the guest's RAM, reads every source byte (so
 * ASan sees a read past the image), remembers the ranges written, and can
 * fail the n-th write to test that the loader passes the error back.
 */
#ifndef FUZZ_GUESTMEM_H
#define FUZZ_GUESTMEM_H

#include <public/control.h>
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

/* The input's common prefix: guest memory size (u16, 64 KiB units), the
 * write to fail (u8, 0: none), the command line (length u8, then text).
 * Returns the command line's length. */
static size_t guestmem_take_setup(struct fuzz_in *in, struct guestmem *g, char cmdline[256])
{
    const uint8_t *cmd;
    size_t n;

    memset(g, 0, sizeof(*g));
    g->size = ((uint64_t)fuzz_u16(in) + 1) << 16;
    g->fail_at = fuzz_u8(in);
    n = fuzz_bytes(in, fuzz_u8(in), &cmd);
    memcpy(cmdline, cmd, n);
    cmdline[n] = '\0';
    return n;
}

/* The outcome of a load through guestmem_write: a failed write is passed
 * back unchanged and ends the load; a refused image wrote nothing. True if
 * the image was loaded. */
static bool guestmem_loaded(const struct guestmem *g, int rc, const char *why)
{
    FUZZ_CHECK(!rc == !why, "load %d with reason %s", rc, why ? why : "(none)");
    if ( g->fail_at && g->writes >= g->fail_at )
    {
        FUZZ_CHECK(rc == GUESTMEM_FAIL_RC && g->writes == g->fail_at,
                   "failed write %u: result %d after %u writes", g->fail_at, rc, g->writes);
        return false;
    }
    if ( rc )
    {
        FUZZ_CHECK(rc == -DBGV_EINVAL || rc == -DBGV_E2BIG, "load result %d", rc);
        FUZZ_CHECK(g->writes == 0, "refused load (%s) wrote %u times", why, g->writes);
        return false;
    }
    return true;
}

static inline bool ranges_overlap(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
    return s1 < e2 && s2 < e1;
}

#endif
