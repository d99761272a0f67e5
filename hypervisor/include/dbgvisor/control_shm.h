/*
 * The control server's shared-memory transport (public/ctlshm.h): one
 * server channel per slot, polled. Freestanding; the arch code finds and
 * maps the region and calls these from the control loop (serialised).
 */
#ifndef DBGVISOR_CONTROL_SHM_H
#define DBGVISOR_CONTROL_SHM_H

#include <stdbool.h>
#include <stdint.h>

/* Lay the region out (header, slots) and start serving it. 0, or
 * -DBGV_E2BIG/-DBGV_EINVAL when size cannot hold one slot of 16 KiB rings. */
int ctl_shm_attach(void *base, uint64_t size);
/* Is there anything for ctl_shm_poll to do (a new session, request bytes,
 * requests held back for lack of reply room)? Cheap: for the tick. */
bool ctl_shm_pending(void);
/* One pass over every slot: at most CTL_SHM_PASS_BYTES request bytes per
 * slot, so the caller bounds its time by calling again while pending. */
void ctl_shm_poll(uint64_t now_ns);
#define CTL_SHM_PASS_BYTES (64u * 1024)

/* Counters for the log and tests. */
struct ctl_shm_stats {
    uint64_t sessions;       /* slot take-overs acknowledged */
    uint64_t corrupt;        /* slots stopped for impossible indices */
};
void ctl_shm_get_stats(struct ctl_shm_stats *out);

#endif
