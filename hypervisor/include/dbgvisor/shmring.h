/*
 * One end of a single-producer single-consumer byte ring in memory shared
 * with an untrusted peer (the control channel's shared-memory transport).
 * Freestanding; compiled into the hypervisor and into libdebugctl.
 *
 * The end's own index lives in `pos` and is only ever published: the peer
 * can scribble over the shared copy without moving us. The peer's index is
 * read once per call and checked: a ring that claims more than `size` bytes
 * used is corrupt (-DBGV_EIO), whatever the peer meant.
 */
#ifndef DBGVISOR_SHMRING_H
#define DBGVISOR_SHMRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../public/control.h"

struct shm_ring {
    uint32_t *prod;          /* shared indices */
    uint32_t *cons;
    uint8_t  *data;          /* size bytes, shared */
    uint32_t  size;          /* power of two */
    uint32_t  pos;           /* ours: cons for a reader, prod for a writer */
};

/* Reader end: pos starts at the published prod (anything older is skipped). */
void shm_ring_init_reader(struct shm_ring *r, uint32_t *prod, uint32_t *cons,
                          void *data, uint32_t size);
/* Writer end: pos starts at the published cons (the ring starts empty). */
void shm_ring_init_writer(struct shm_ring *r, uint32_t *prod, uint32_t *cons,
                          void *data, uint32_t size);

/* Bytes waiting (reader) / free (writer) in *n; -DBGV_EIO if the peer's
 * index is impossible. */
int shm_ring_avail(const struct shm_ring *r, uint32_t *n);
int shm_ring_space(const struct shm_ring *r, uint32_t *n);

/* Reader: the contiguous run of waiting bytes at pos (at most n), for a
 * consumer that copies them out; then shm_ring_consume(). */
const uint8_t *shm_ring_peek(const struct shm_ring *r, uint32_t n,
                             uint32_t *run);
void shm_ring_consume(struct shm_ring *r, uint32_t n);
/* Reader: copy up to max waiting bytes (n from shm_ring_avail) and consume. */
uint32_t shm_ring_read(struct shm_ring *r, void *out, uint32_t n, uint32_t max);
/* Writer: len <= space from shm_ring_space(); copies and publishes. */
void shm_ring_write(struct shm_ring *r, const void *buf, uint32_t len);

#endif
