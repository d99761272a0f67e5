/*
 * Backend helpers: offset-addressed byte rings (console, hypervisor log) and
 * the sequenced event queue. Kept here so every backend gets the reader
 * semantics of the protocol (no loss, no duplicates, loss reported) right.
 */
#include <dbgvisor/lib.h>
#include <dbgvisor/control.h>

void ctl_ring_init(struct ctl_ring *r, void *buf, uint32_t size)
{
    r->buf = buf;
    r->size = size;     /* power of two: checked by the mask arithmetic users */
    r->prod = 0;
    r->start = 0;
}

void ctl_ring_clear(struct ctl_ring *r)
{
    r->start = r->prod;
}

void ctl_ring_write(struct ctl_ring *r, const void *data, size_t len)
{
    const uint8_t *p = data;

    /* Only the last `size` bytes can survive anyway. */
    if ( len > r->size )
    {
        r->prod += len - r->size;
        p += len - r->size;
        len = r->size;
    }
    while ( len )
    {
        uint32_t at = r->prod & (r->size - 1);
        uint32_t n = MIN((size_t)(r->size - at), len);

        memcpy(r->buf + at, p, n);
        r->prod += n;
        p += n;
        len -= n;
    }
}

uint32_t ctl_ring_read(const struct ctl_ring *r, uint64_t offset, void *data,
                       uint32_t max, struct dbgv_ctl_ring_rep *rep)
{
    uint64_t oldest = MAX(r->prod > r->size ? r->prod - r->size : 0, r->start);
    uint8_t *out = data;
    uint32_t len, done = 0;

    rep->lost = 0;
    if ( offset < oldest )
    {
        rep->lost = oldest - offset;
        offset = oldest;
    }
    if ( offset > r->prod )         /* a reader from the future: nothing */
        offset = r->prod;
    len = (uint32_t)MIN((uint64_t)max, r->prod - offset);
    while ( done < len )
    {
        uint32_t at = (offset + done) & (r->size - 1);
        uint32_t n = MIN(r->size - at, len - done);

        memcpy(out + done, r->buf + at, n);
        done += n;
    }
    rep->offset = offset;
    rep->next_offset = offset + len;
    rep->end = r->prod;
    rep->len = len;
    rep->pad = 0;
    return len;
}

void ctl_evq_init(struct ctl_evq *q, struct dbgv_ctl_event *storage,
                  uint32_t size)
{
    q->ev = storage;
    q->size = size;
    q->next_seq = 1;
}

uint64_t ctl_evq_push(struct ctl_evq *q, const struct dbgv_ctl_event *ev)
{
    uint64_t seq = q->next_seq++;
    struct dbgv_ctl_event *slot = &q->ev[seq % q->size];

    *slot = *ev;
    slot->seq = seq;
    slot->pad = 0;
    return seq;
}

uint32_t ctl_evq_read(const struct ctl_evq *q, uint64_t since_seq,
                      uint32_t domid, struct dbgv_ctl_event *out,
                      uint32_t max, struct dbgv_ctl_events_rep *rep)
{
    uint64_t first = q->next_seq > q->size ? q->next_seq - q->size : 1;
    uint64_t seq;
    uint32_t n = 0;

    if ( since_seq == 0 )
        since_seq = 1;
    rep->lost = since_seq < first ? first - since_seq : 0;
    seq = MAX(since_seq, first);
    for ( ; seq < q->next_seq && n < max; seq++ )
    {
        const struct dbgv_ctl_event *e = &q->ev[seq % q->size];

        if ( domid == DBGV_DOMID_ANY || e->domid == domid )
            out[n++] = *e;
    }
    rep->first_seq = first;
    /* Filtered-out events are consumed too: the reader resumes after them. */
    rep->next_seq = MAX(seq, since_seq);
    rep->count = n;
    rep->pad = 0;
    return n;
}
