/*
 * Shared-memory transport of the control server (docs/protocol.md,
 * public/ctlshm.h). Each slot is one client's pair of rings and one server
 * channel, so its bytes never mix with COM2's or another slot's.
 *
 * The peer is untrusted and can change the memory at any time: the server
 * keeps its own indices privately (shm_ring), checks the client's on every
 * read, copies bytes out before the frame codec looks at them, and never
 * waits on the client. A request is taken only while the reply ring has
 * room for a maximal reply, so a client that stops reading replies stalls
 * itself, not the hypervisor. Impossible indices stop the slot with an
 * error the client can see until it starts a new session.
 */
#include <dbgvisor/lib.h>
#include <dbgvisor/console.h>
#include <dbgvisor/control.h>
#include <dbgvisor/control_shm.h>
#include <dbgvisor/shmring.h>
#include "../../include/public/ctlshm.h"

#define MIN_RING   (16u * 1024)
#define MAX_RING   (1u << 20)

struct shm_slot_srv {
    struct ctl_chan chan;            /* first: the tx callback gets it */
    struct dbgv_shm_slot *s;
    uint8_t *rings;                  /* request ring, then reply ring */
    struct shm_ring req, rep;
    uint32_t session;                /* last acknowledged */
    bool broken;
};

/* The layout is the hypervisor's own copy: the shared header is written
 * for clients and never read back (a client could rewrite it). */
static struct {
    struct dbgv_shm_hdr *hdr;
    unsigned int nr;
    uint32_t ring_size;
    struct shm_slot_srv slot[DBGV_SHM_MAX_SLOTS];
    struct ctl_shm_stats stats;
} shm;

static uint32_t peer(const uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void publish(void *p, uint32_t v)
{
    __atomic_store_n((uint32_t *)p, v, __ATOMIC_RELEASE);
}

static void slot_tx(struct ctl_chan *ch, const void *buf, size_t len)
{
    struct shm_slot_srv *sl = (struct shm_slot_srv *)ch;

    shm_ring_write(&sl->rep, buf, (uint32_t)len);
}

/* The client took the slot over: forget its predecessor's bytes. */
static void slot_restart(struct shm_slot_srv *sl, uint32_t session)
{
    uint32_t size = shm.ring_size;

    ctl_chan_reset(&sl->chan);
    shm_ring_init_reader(&sl->req, &sl->s->req_prod, &sl->s->req_cons,
                         sl->rings, size);
    shm_ring_init_writer(&sl->rep, &sl->s->rep_prod, &sl->s->rep_cons,
                         sl->rings + size, size);
    sl->broken = false;
    sl->session = session;
    publish(&sl->s->error, 0);
    publish(&sl->s->session_ack, session);
    shm.stats.sessions++;
}

static void slot_corrupt(struct shm_slot_srv *sl, unsigned int i)
{
    sl->broken = true;
    ctl_chan_reset(&sl->chan);
    publish(&sl->s->error, (uint32_t)-DBGV_EIO);
    shm.stats.corrupt++;
    pr_warn("control: shared-memory slot %u has impossible ring indices; "
            "stopped until its client reconnects\n", i);
}

int ctl_shm_attach(void *base, uint64_t size)
{
    uint64_t per_slot;
    uint32_t ring = MAX_RING;

    if ( size < 2 * DBGV_SHM_PAGE )
        return -DBGV_EINVAL;
    per_slot = (size - DBGV_SHM_PAGE) / DBGV_SHM_MAX_SLOTS;
    while ( ring >= MIN_RING && DBGV_SHM_PAGE + 2ull * ring > per_slot )
        ring /= 2;
    if ( ring < MIN_RING )
        return -DBGV_E2BIG;

    shm.hdr = base;
    shm.nr = DBGV_SHM_MAX_SLOTS;
    shm.ring_size = ring;
    publish(&shm.hdr->magic, 0);
    memset(shm.hdr, 0, sizeof(*shm.hdr));
    shm.hdr->version = DBGV_SHM_VERSION;
    shm.hdr->nr_slots = shm.nr;
    shm.hdr->ring_size = ring;
    shm.hdr->slot_offset = DBGV_SHM_PAGE;
    shm.hdr->slot_stride = DBGV_SHM_PAGE + 2 * ring;
    for ( unsigned int i = 0; i < shm.nr; i++ )
    {
        struct shm_slot_srv *sl = &shm.slot[i];
        uint8_t *slot = (uint8_t *)base + DBGV_SHM_PAGE +
                        (size_t)i * (DBGV_SHM_PAGE + 2 * ring);

        sl->s = (struct dbgv_shm_slot *)slot;
        sl->rings = slot + DBGV_SHM_PAGE;
        memset(sl->s, 0, sizeof(*sl->s));
        ctl_chan_init(&sl->chan, slot_tx);
        slot_restart(sl, 0);
    }
    shm.stats.sessions = 0;
    publish(&shm.hdr->magic, DBGV_SHM_MAGIC);
    return 0;
}

static bool slot_pending(struct shm_slot_srv *sl)
{
    uint32_t n;

    if ( peer(&sl->s->session) != sl->session )
        return true;
    if ( sl->broken )
        return false;
    return ctl_chan_busy(&sl->chan) || shm_ring_avail(&sl->req, &n) || n;
}

bool ctl_shm_pending(void)
{
    for ( unsigned int i = 0; shm.hdr && i < shm.nr; i++ )
        if ( slot_pending(&shm.slot[i]) )
            return true;
    return false;
}

static void slot_serve(struct shm_slot_srv *sl, unsigned int i, uint64_t now)
{
    uint32_t session = peer(&sl->s->session), budget = CTL_SHM_PASS_BYTES;

    if ( session != sl->session )
        slot_restart(sl, session);
    if ( sl->broken )
        return;
    while ( budget )
    {
        uint32_t avail, space, run;
        const uint8_t *p;
        size_t taken;

        if ( shm_ring_avail(&sl->req, &avail) || shm_ring_space(&sl->rep, &space) )
        {
            slot_corrupt(sl, i);
            return;
        }
        if ( space < DBGV_CTL_MAX_FRAME || (!avail && !ctl_chan_busy(&sl->chan)) )
            break;
        p = shm_ring_peek(&sl->req, MIN(avail, budget), &run);
        taken = ctl_chan_rx(&sl->chan, p, run, space / DBGV_CTL_MAX_FRAME);
        shm_ring_consume(&sl->req, (uint32_t)taken);
        budget -= (uint32_t)taken;
        if ( !taken && !ctl_chan_busy(&sl->chan) )
            break;
    }
    ctl_chan_poll(&sl->chan, now);
}

void ctl_shm_poll(uint64_t now_ns)
{
    if ( !shm.hdr )
        return;
    /* The server stamps received bytes with its clock: keep it current, or
     * a pass long after the last ctl_poll would find just-received bytes
     * "stale" and drop them. */
    ctl_poll(now_ns);
    shm.hdr->heartbeat++;
    for ( unsigned int i = 0; i < shm.nr; i++ )
        slot_serve(&shm.slot[i], i, now_ns);
}

void ctl_shm_get_stats(struct ctl_shm_stats *out)
{
    *out = shm.stats;
}
