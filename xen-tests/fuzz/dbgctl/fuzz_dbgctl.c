/*
 * libdebugctl's decoding of replies and events (libdebugctl/src/ops.c,
 * debug.c): the library's own sources linked with a dbgctl_call() that
 * answers every request with the next reply taken from the input (status,
 * length, payload), as a hostile or broken hypervisor could. The frame
 * layer beneath (CRC, reassembly) is the control harness's.
 *
 * Input: one byte choosing the API call, then the replies it consumes.
 * Invariants:
 *  - every call returns 0 or a negative error, never a positive status;
 *  - a failed list call hands back no array, a successful one an array of
 *    exactly *nr entries (ASan checks the size) with NUL-terminated names;
 *  - counts never exceed what the caller asked for, ring reads never more
 *    bytes than the buffer; events handed out are ascending, from the
 *    requested sequence number on and below the next_seq returned (so
 *    loops that pass next_seq back, as dbgctl_gdbg_event_cursor() does,
 *    end);
 *  - a reply longer than the caller's buffer is refused (-EPROTO), as the
 *    transport does.
 */
#include <errno.h>
#include "private.h"
#include "fuzz.h"

static struct fuzz_in in;

int dbgctl_call(dbgctl *h, uint16_t type, const void *req, uint32_t reqlen,
                void *rep, uint32_t repmax, uint32_t *replen)
{
    uint8_t status;
    uint16_t len;
    const uint8_t *p;
    size_t n;

    if ( !fuzz_more(&in) )
        return -ECONNRESET;
    status = fuzz_u8(&in);
    len = fuzz_u16(&in);
    n = fuzz_bytes(&in, len, &p);
    if ( status >= 0xf0 )
        return -(int)(status & 0x7f);            /* the hypervisor's error */
    if ( n > repmax )
        return -EPROTO;
    if ( n && rep )
        memcpy(rep, p, n);
    if ( replen )
        *replen = (uint32_t)n;
    return 0;
}

/* Pipelined requests: one reply each, in order, as the transport gives them. */
int dbgctl_call_pipelined(dbgctl *h, uint16_t type, uint32_t count, dbgctl_fill_fn fill,
                          void *ctx)
{
    static uint8_t req[DBGV_CTL_MAX_PAYLOAD];
    int rc = 0;

    for ( uint32_t i = 0; i < count && !rc; i++ )
        rc = dbgctl_call(h, type, req, fill(ctx, i, req), NULL, 0, NULL);
    return rc;
}

uint32_t dbgctl_shm_window(const dbgctl *h)
{
    return 1;
}

static void check_names(const struct dbgv_ctl_dominfo *d, unsigned nr)
{
    for ( unsigned i = 0; i < nr; i++ )
        FUZZ_CHECK(strnlen(d[i].name, DBGV_CTL_NAME_LEN) < DBGV_CTL_NAME_LEN,
                   "domain %u name not terminated", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static dbgctl handle;
    dbgctl *h = &handle;
    uint8_t buf[DBGV_CTL_MAX_PAYLOAD * 2];
    struct dbgv_ctl_event ev[64];
    uint64_t since = 1, lost = 0, off = 0;
    unsigned nr = 0, max;
    size_t len = 0;
    void *list = NULL;
    int rc = 0;

    in = (struct fuzz_in){ data, size };
    memset(h, 0, sizeof(*h));
    h->fd = -1;

    switch ( fuzz_u8(&in) % 16 )
    {
    case 0: {
        struct dbgv_ctl_physinfo pi;
        rc = dbgctl_physinfo(h, &pi);
        break;
    }
    case 1:
        rc = dbgctl_domain_list(h, (struct dbgv_ctl_dominfo **)&list, &nr);
        if ( !rc )
            check_names(list, nr);
        break;
    case 2:
        rc = dbgctl_vcpu_list(h, 1, (struct dbgv_ctl_vcpuinfo **)&list, &nr);
        if ( !rc && nr )
            memset(list, 0, nr * sizeof(struct dbgv_ctl_vcpuinfo));
        break;
    case 3:
        rc = dbgctl_debug_state(h, 1, (struct dbgv_vcpu_debug_state **)&list, &nr);
        if ( !rc && nr )
            memset(list, 0, nr * sizeof(struct dbgv_vcpu_debug_state));
        break;
    case 4: {
        struct dbgv_ctl_dominfo di;
        rc = dbgctl_domain_info(h, 1, &di);
        if ( !rc )
            check_names(&di, 1);
        break;
    }
    case 5: {
        uint32_t domid;
        rc = dbgctl_domain_lookup(h, fuzz_u8(&in) & 1 ? "guest-a" : "7", &domid);
        break;
    }
    case 6: {
        uint32_t domid;
        rc = dbgctl_domain_create(h, "fuzz", 4, 1, 0, 0, &domid);
        break;
    }
    case 7:
        len = fuzz_u16(&in) % sizeof(buf);
        rc = dbgctl_mem_read(h, 1, 0x1000, buf, len);
        break;
    case 8:
    case 9:
        max = fuzz_u16(&in) % sizeof(buf) + 1;
        off = fuzz_u64(&in);
        rc = (fuzz_u8(&in) & 1) ? dbgctl_console_read(h, 1, &off, buf, max, &len, &lost)
                                : dbgctl_hvlog_read(h, &off, buf, max, &len, &lost);
        if ( !rc )
            FUZZ_CHECK(len <= max, "ring read returned %zu bytes into %u", len, max);
        break;
    case 10:
        max = fuzz_u8(&in) % 64 + 1;
        since = fuzz_u64(&in);
        off = since;
        rc = dbgctl_events_read(h, &since, DBGV_DOMID_ANY, ev, max, &nr, &lost);
        if ( !rc )
            FUZZ_CHECK(nr <= max, "%u events into %u", nr, max);
        /* Events are those from since_seq on, oldest first, before next_seq:
         * a reader that passes next_seq back always makes progress. */
        for ( unsigned i = 0; !rc && i < nr; i++ )
            FUZZ_CHECK(ev[i].seq >= (i ? ev[i - 1].seq + 1 : off) && ev[i].seq < since,
                       "event %u: seq %llu (asked from %llu, next %llu)", i,
                       (unsigned long long)ev[i].seq, (unsigned long long)off,
                       (unsigned long long)since);
        break;
    case 11: {
        struct dbgv_gdbg_regs r;
        rc = dbgctl_gdbg_get_regs(h, 1, 0, &r);
        break;
    }
    case 12:
        len = fuzz_u16(&in) % sizeof(buf);
        rc = dbgctl_gdbg_read(h, 1, 0, fuzz_u64(&in), fuzz_u8(&in) & 1, buf, len);
        break;
    case 14: {
        struct dbgv_ctl_dom_debug_state *all;

        rc = dbgctl_debug_state_all(h, &all, &nr);
        list = rc ? NULL : all;
        /* Whatever the replies said, what comes back moves strictly
         * forward by (domid, vCPU): the walk always ended. */
        for ( unsigned i = 1; !rc && i < nr; i++ )
            FUZZ_CHECK(all[i].domid > all[i - 1].domid ||
                       (all[i].domid == all[i - 1].domid &&
                        all[i].st.vcpu_id > all[i - 1].st.vcpu_id),
                       "entry %u of %u out of order", i, nr);
        break;
    }
    case 15: {
        struct dbgv_vcpu_debug_summary *sum;

        /* DEBUG_SUMMARY_LIST, or (an -ENOSYS reply) DEBUG_STATE_LIST
         * condensed: either way the walk ends and moves forward. */
        rc = dbgctl_debug_summary_all(h, &sum, &nr);
        list = rc ? NULL : sum;
        for ( unsigned i = 1; !rc && i < nr; i++ )
            FUZZ_CHECK(sum[i].domid > sum[i - 1].domid ||
                       (sum[i].domid == sum[i - 1].domid &&
                        sum[i].vcpu_id > sum[i - 1].vcpu_id),
                       "summary %u of %u out of order", i, nr);
        break;
    }
    case 13:
        since = fuzz_u64(&in);
        rc = (fuzz_u8(&in) & 1) ? dbgctl_gdbg_wait(h, 1, &since, 0, ev)
                                : dbgctl_gdbg_event_cursor(h, 1, &since);
        break;
    }
    FUZZ_CHECK(rc <= 0, "positive result %d", rc);
    if ( rc )
        FUZZ_CHECK(list == NULL, "a failed list call returned an array");
    free(list);
    return 0;
}
