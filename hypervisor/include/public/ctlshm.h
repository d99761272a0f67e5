/*
 * Control channel over shared memory (QEMU ivshmem-plain, BAR2), beside
 * COM2: the same frames (public/control.h) as byte streams in rings.
 * docs/protocol.md "Shared-memory transport" describes the rules.
 *
 * Layout (all offsets from the start of the region, little-endian):
 *   0                          struct dbgv_shm_hdr (one 4 KiB page)
 *   slot_offset + i*slot_stride struct dbgv_shm_slot (one page), then the
 *                               request ring (ring_size bytes), then the
 *                               reply ring (ring_size bytes)
 * Every index is a free-running 32-bit byte count; a ring holds
 * prod - cons bytes (never more than ring_size, a power of two).
 */
#ifndef DBGV_PUBLIC_CTLSHM_H
#define DBGV_PUBLIC_CTLSHM_H

#include <stdint.h>

#define DBGV_SHM_MAGIC      0x53564244u   /* "DBVS" */
#define DBGV_SHM_VERSION    1
#define DBGV_SHM_PAGE       4096u
#define DBGV_SHM_MAX_SLOTS  8

/* Written by the hypervisor once, when it starts serving. */
struct dbgv_shm_hdr {
    uint32_t magic;          /* DBGV_SHM_MAGIC once the layout is valid */
    uint32_t version;
    uint32_t nr_slots;       /* 1..DBGV_SHM_MAX_SLOTS */
    uint32_t ring_size;      /* bytes per ring, power of two >= 16 KiB */
    uint32_t slot_offset;    /* first slot, page aligned */
    uint32_t slot_stride;    /* DBGV_SHM_PAGE + 2 * ring_size */
    uint64_t heartbeat;      /* bumped by every polling pass */
    uint8_t  reserved[32];
};
_Static_assert(sizeof(struct dbgv_shm_hdr) == 64, "shm header layout");

/* One client's slot. Each index has its own 64-byte line. A field is
 * written by one side only (noted); the other side only reads it. */
struct dbgv_shm_slot {
    uint32_t owner;          /* client: pid of the holder, 0 = free (CAS) */
    uint32_t session;        /* client: bumped after taking the slot */
    uint32_t session_ack;    /* hv: = session once it reset the slot */
    int32_t  error;          /* hv: 0, or -DBGV_EIO: indices were corrupt,
                                nothing is served until the next session */
    uint8_t  pad0[48];
    uint32_t req_prod;       /* client */
    uint8_t  pad1[60];
    uint32_t req_cons;       /* hv */
    uint8_t  pad2[60];
    uint32_t rep_prod;       /* hv */
    uint8_t  pad3[60];
    uint32_t rep_cons;       /* client */
    uint8_t  pad4[60];
};
_Static_assert(sizeof(struct dbgv_shm_slot) == 320, "shm slot layout");

#endif
