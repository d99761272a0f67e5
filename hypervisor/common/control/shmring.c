/*
 * Shared-memory byte ring (dbgvisor/shmring.h). Both peers are on x86
 * (TSO), but the order is stated with acquire/release so the compiler keeps
 * it: data is copied after the peer's index is read (acquire) and an index
 * is published after the data it covers is written or copied out (release).
 */
#include <dbgvisor/lib.h>
#include <dbgvisor/shmring.h>

static uint32_t load_peer(const uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void publish(uint32_t *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

void shm_ring_init_reader(struct shm_ring *r, uint32_t *prod, uint32_t *cons,
                          void *data, uint32_t size)
{
    *r = (struct shm_ring){ prod, cons, data, size, load_peer(prod) };
    publish(cons, r->pos);
}

void shm_ring_init_writer(struct shm_ring *r, uint32_t *prod, uint32_t *cons,
                          void *data, uint32_t size)
{
    *r = (struct shm_ring){ prod, cons, data, size, load_peer(cons) };
    publish(prod, r->pos);
}

int shm_ring_avail(const struct shm_ring *r, uint32_t *n)
{
    uint32_t used = load_peer(r->prod) - r->pos;

    *n = 0;
    if ( used > r->size )
        return -DBGV_EIO;
    *n = used;
    return 0;
}

int shm_ring_space(const struct shm_ring *r, uint32_t *n)
{
    uint32_t used = r->pos - load_peer(r->cons);

    *n = 0;
    if ( used > r->size )
        return -DBGV_EIO;
    *n = r->size - used;
    return 0;
}

const uint8_t *shm_ring_peek(const struct shm_ring *r, uint32_t n,
                             uint32_t *run)
{
    uint32_t off = r->pos & (r->size - 1);

    *run = MIN(n, r->size - off);
    return r->data + off;
}

void shm_ring_consume(struct shm_ring *r, uint32_t n)
{
    r->pos += n;
    publish(r->cons, r->pos);
}

uint32_t shm_ring_read(struct shm_ring *r, void *out, uint32_t n, uint32_t max)
{
    uint8_t *o = out;
    uint32_t want = MIN(n, max), done = 0;

    while ( done < want )
    {
        uint32_t run;
        const uint8_t *p = shm_ring_peek(r, want - done, &run);

        memcpy(o + done, p, run);
        done += run;
        r->pos += run;
    }
    publish(r->cons, r->pos);
    return done;
}

void shm_ring_write(struct shm_ring *r, const void *buf, uint32_t len)
{
    const uint8_t *b = buf;

    while ( len )
    {
        uint32_t off = r->pos & (r->size - 1);
        uint32_t run = MIN(len, r->size - off);

        memcpy(r->data + off, b, run);
        b += run;
        len -= run;
        r->pos += run;
    }
    publish(r->prod, r->pos);
}
