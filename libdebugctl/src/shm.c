/*
 * libdebugctl's shared-memory transport (docs/protocol.md): the file
 * SOCKET.shm, which the launcher links to QEMU's ivshmem backing file, holds
 * per-client slots of request/reply rings that the hypervisor polls. A
 * client takes a free slot (or one whose holder died), starts a session and
 * waits for the hypervisor to acknowledge it; then frames go through the
 * rings exactly as they would through the socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <public/ctlshm.h>
#include "private.h"

/* How long a session may wait for the hypervisor's acknowledgement while
 * its heartbeat stands still: then nobody serves the file (a stale file,
 * a hypervisor without the transport) and the socket is used instead. */
#define ACK_STALL_MS 1000
/* While waiting, how often to check that the file is still the one the
 * launcher links: when QEMU ends, `dbgvisor stop` or the end of `run`
 * removes the link, and a waiting client learns it at once rather than at
 * its timeout. */
#define GONE_CHECK_MS 500

struct dbgctl_shm {
    uint8_t *base;
    size_t size;
    struct dbgv_shm_hdr *hdr;    /* shared: only the heartbeat is read */
    struct dbgv_shm_hdr lay;     /* the layout, copied once and checked */
    struct dbgv_shm_slot *s;
    struct shm_ring req, rep;
    uint32_t window;            /* requests a pipelined call keeps in flight */
    char path[4096];            /* SOCKET.shm, and what it pointed at */
    dev_t dev;
    ino_t ino;
    int64_t checked_ms;
};

static uint32_t peer(const uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* Wait a little, longer the longer we wait (the hypervisor polls every few
 * ms when idle; spinning would take a host CPU from QEMU). */
static void backoff(unsigned int *us)
{
    struct timespec ts = { 0, (long)*us * 1000 };

    nanosleep(&ts, NULL);
    if ( *us < 500 )
        *us *= 2;
}

static bool layout_ok(const struct dbgv_shm_hdr *hd, size_t size)
{
    uint32_t ring = hd->ring_size;

    return hd->version == DBGV_SHM_VERSION && hd->nr_slots >= 1 &&
           hd->nr_slots <= DBGV_SHM_MAX_SLOTS && ring >= 16384 &&
           !(ring & (ring - 1)) && ring <= (1u << 24) &&
           hd->slot_offset >= DBGV_SHM_PAGE && !(hd->slot_offset % DBGV_SHM_PAGE) &&
           hd->slot_stride == DBGV_SHM_PAGE + 2 * ring &&
           (uint64_t)hd->slot_offset + (uint64_t)hd->nr_slots * hd->slot_stride <= size;
}

static struct dbgv_shm_slot *slot_at(struct dbgctl_shm *m, uint32_t i)
{
    return (struct dbgv_shm_slot *)(m->base + m->lay.slot_offset +
                                    (size_t)i * m->lay.slot_stride);
}

/* A free slot, else one whose holder no longer exists. */
static struct dbgv_shm_slot *take_slot(struct dbgctl_shm *m)
{
    uint32_t me = (uint32_t)getpid();

    for ( int pass = 0; pass < 2; pass++ )
        for ( uint32_t i = 0; i < m->lay.nr_slots; i++ )
        {
            struct dbgv_shm_slot *s = slot_at(m, i);
            uint32_t owner = peer(&s->owner);

            if ( pass == 0 ? owner != 0
                           : (owner == 0 || owner > INT32_MAX ||
                              kill((pid_t)owner, 0) == 0 || errno != ESRCH) )
                continue;
            if ( __atomic_compare_exchange_n(&s->owner, &owner, me, false,
                                             __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) )
                return s;
        }
    return NULL;
}

static int start_session(struct dbgctl_shm *m, int timeout_ms)
{
    uint32_t session = peer(&m->s->session) + 1;
    uint64_t beat = m->hdr->heartbeat;
    int64_t start = dbgctl_now_ms(), moved = start;
    unsigned int us = 20;

    __atomic_store_n(&m->s->session, session, __ATOMIC_RELEASE);
    while ( peer(&m->s->session_ack) != session )
    {
        int64_t now = dbgctl_now_ms();

        if ( __atomic_load_n(&m->hdr->heartbeat, __ATOMIC_ACQUIRE) != beat )
        {
            beat = m->hdr->heartbeat;
            moved = now;
        }
        if ( now - moved > ACK_STALL_MS || now - start > timeout_ms )
            return -ETIMEDOUT;
        backoff(&us);
    }
    uint8_t *rings = (uint8_t *)m->s + DBGV_SHM_PAGE;
    uint32_t ring = m->lay.ring_size;

    shm_ring_init_writer(&m->req, &m->s->req_prod, &m->s->req_cons, rings, ring);
    shm_ring_init_reader(&m->rep, &m->s->rep_prod, &m->s->rep_cons,
                         rings + ring, ring);
    /* Replies are small, requests up to a frame: keep the request ring's
     * worth in flight, which the reply ring holds many times over. */
    m->window = ring / DBGV_CTL_MAX_FRAME;
    return 0;
}

static void unmap(struct dbgctl_shm *m)
{
    if ( m->base )
        munmap(m->base, m->size);
    free(m);
}

int dbgctl_shm_connect(dbgctl *h)
{
    const char *mode = getenv(DBGCTL_TRANSPORT_ENV);
    struct dbgctl_shm *m;
    struct stat st;
    char path[4096];
    int fd, rc;

    if ( mode && !strcmp(mode, "socket") )
        return -ENOENT;
    if ( snprintf(path, sizeof(path), "%s.shm", h->path) >= (int)sizeof(path) )
        return -ENAMETOOLONG;
    fd = open(path, O_RDWR | O_CLOEXEC);
    if ( fd < 0 )
        return -errno;
    m = calloc(1, sizeof(*m));
    if ( !m || fstat(fd, &st) || st.st_size < (off_t)(2 * DBGV_SHM_PAGE) )
    {
        close(fd);
        free(m);
        return m ? -EINVAL : -ENOMEM;
    }
    memcpy(m->path, path, sizeof(path));
    m->dev = st.st_dev;
    m->ino = st.st_ino;
    m->size = (size_t)st.st_size;
    m->base = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if ( m->base == MAP_FAILED )
    {
        m->base = NULL;
        unmap(m);
        return -errno;
    }
    m->hdr = (struct dbgv_shm_hdr *)m->base;
    /* The hypervisor writes the magic last: before it, nothing is served. */
    if ( peer(&m->hdr->magic) != DBGV_SHM_MAGIC )
    {
        unmap(m);
        return -ENODEV;
    }
    memcpy(&m->lay, m->hdr, sizeof(m->lay));
    if ( !layout_ok(&m->lay, m->size) )
    {
        unmap(m);
        return -ENODEV;
    }
    if ( !(m->s = take_slot(m)) )
    {
        unmap(m);
        return -EBUSY;
    }
    if ( (rc = start_session(m, h->timeout_ms)) )
    {
        __atomic_store_n(&m->s->owner, 0, __ATOMIC_RELEASE);
        unmap(m);
        return rc;
    }
    h->shm = m;
    return 0;
}

void dbgctl_shm_disconnect(dbgctl *h)
{
    struct dbgctl_shm *m = h->shm;

    if ( !m )
        return;
    h->shm = NULL;
    /* A child of fork() that drops the connection it inherited must leave
     * the slot to its parent, which still talks through it: only the
     * process that took the slot gives it back. */
    uint32_t me = (uint32_t)getpid();
    __atomic_compare_exchange_n(&m->s->owner, &me, 0, false,
                                __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    unmap(m);
}

uint32_t dbgctl_shm_window(const dbgctl *h)
{
    return h->shm ? h->shm->window : 1;
}

/* The hypervisor stopped the slot (it saw impossible indices): -EIO; the
 * launcher took the file away (QEMU ended): -ECONNRESET. */
static int slot_error(struct dbgctl_shm *m)
{
    int32_t e = (int32_t)peer((const uint32_t *)&m->s->error);
    int64_t now = dbgctl_now_ms();
    struct stat st;

    if ( e )
        return -EIO;
    if ( now - m->checked_ms < GONE_CHECK_MS )
        return 0;
    m->checked_ms = now;
    if ( stat(m->path, &st) || st.st_dev != m->dev || st.st_ino != m->ino )
        return -ECONNRESET;
    return 0;
}

int dbgctl_shm_try_send(dbgctl *h, const void *buf, size_t len)
{
    struct dbgctl_shm *m = h->shm;
    uint32_t space;
    int rc;

    if ( (rc = slot_error(m)) || (rc = shm_ring_space(&m->req, &space)) )
        return rc;
    if ( space < len )
        return -EAGAIN;
    shm_ring_write(&m->req, buf, (uint32_t)len);
    return 0;
}

int dbgctl_shm_send(dbgctl *h, const void *buf, size_t len, int64_t deadline)
{
    unsigned int us = 10;
    int rc;

    while ( (rc = dbgctl_shm_try_send(h, buf, len)) == -EAGAIN )
    {
        if ( dbgctl_now_ms() >= deadline )
            return -ETIMEDOUT;
        backoff(&us);
    }
    return rc;
}

ssize_t dbgctl_shm_recv(dbgctl *h, void *buf, size_t max, int64_t deadline)
{
    struct dbgctl_shm *m = h->shm;
    unsigned int us = 10;
    uint32_t n;
    int rc;

    for ( ;; )
    {
        if ( (rc = shm_ring_avail(&m->rep, &n)) )
            return rc;
        if ( n )
            return shm_ring_read(&m->rep, buf, n, (uint32_t)MIN(max, (size_t)UINT32_MAX));
        if ( (rc = slot_error(m)) )
            return rc;
        if ( dbgctl_now_ms() >= deadline )
            return -ETIMEDOUT;
        backoff(&us);
    }
}
