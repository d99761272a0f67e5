/* The hypervisor's event queue: one bounded queue, sequence-numbered, so a
 * toolstack that reconnects asks "since N" and loses nothing still queued. */
#include <dbgvisor/control.h>
#include <dbgvisor/events.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/spinlock.h>
#include <dbgvisor/time.h>

#define EVENT_QUEUE_LEN 1024

static struct dbgv_ctl_event storage[EVENT_QUEUE_LEN];
static struct ctl_evq queue;
static spinlock_t events_lock = SPINLOCK_INIT;

void events_post(struct dbgv_ctl_event *ev)
{
    ev->time_ns = now_ns();
    spin_lock(&events_lock);
    if (!queue.ev)
        ctl_evq_init(&queue, storage, EVENT_QUEUE_LEN);
    ctl_evq_push(&queue, ev);
    spin_unlock(&events_lock);
}

void events_post_domain_data(uint32_t domid, uint16_t type, int32_t code, uint64_t data)
{
    struct dbgv_ctl_event ev = { .domid = domid, .type = type, .code = code, .data = data };
    events_post(&ev);
}

void events_post_domain(uint32_t domid, uint16_t type, int32_t code)
{
    events_post_domain_data(domid, type, code, 0);
}

uint32_t events_read(uint64_t since_seq, uint32_t domid, struct dbgv_ctl_event *out,
                     uint32_t max, struct dbgv_ctl_events_rep *rep)
{
    uint32_t n;

    spin_lock(&events_lock);
    if (!queue.ev)
        ctl_evq_init(&queue, storage, EVENT_QUEUE_LEN);
    n = ctl_evq_read(&queue, since_seq, domid, out, max, rep);
    spin_unlock(&events_lock);
    return n;
}
