/*
 * Control-protocol frame codec: CRC-32, frame building and the byte-stream
 * reassembler. Freestanding; compiled into the hypervisor and, unchanged,
 * into libdebugctl, so both ends share one implementation.
 */
#ifndef DBGVISOR_CTLFRAME_H
#define DBGVISOR_CTLFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../public/control.h"

/* CRC-32 (IEEE 802.3, reflected, as zlib): crc = ctl_crc32(0, buf, len). */
uint32_t ctl_crc32(uint32_t crc, const void *buf, size_t len);

/* Write a complete frame (header + payload) into out. Returns the frame
 * size, or 0 if len exceeds DBGV_CTL_MAX_PAYLOAD or outsz is too small.
 * payload may alias out + DBGV_CTL_HDR_SIZE (built in place). */
size_t ctl_frame_build(void *out, size_t outsz, uint16_t type, uint32_t seq,
                       int32_t status, const void *payload, uint32_t len);

/* Outcome of one reassembler step. */
enum ctl_rx_result {
    CTL_RX_MORE = 0,   /* need more bytes */
    CTL_RX_FRAME,      /* a valid frame: ctl_rx_frame() / ctl_rx_payload() */
    CTL_RX_ERROR,      /* a bad frame or garbage was dropped: see err */
};

struct ctl_rx_error {
    int32_t  code;       /* -DBGV_E* */
    bool     hdr_valid;  /* type/seq below come from an intact header */
    uint16_t type;
    uint32_t seq;
};

/* Reassembler. buf must hold DBGV_CTL_MAX_FRAME bytes, 8-byte aligned. */
struct ctl_rx {
    uint8_t *buf;
    size_t   have;       /* bytes held */
    bool     resyncing;  /* garbage reported once per episode */
    bool     frame_out;  /* a frame is at buf and must be released */
    size_t   frame_len;  /* its size */
};

void ctl_rx_init(struct ctl_rx *rx, uint8_t *buf);
/* Drop everything held (e.g. a partial frame that went stale). */
void ctl_rx_reset(struct ctl_rx *rx);
/* Append one byte. Returns false if the buffer is full (only possible if the
 * caller skips ctl_rx_step); the byte is then dropped. */
bool ctl_rx_push(struct ctl_rx *rx, uint8_t byte);
/* Append as many of len bytes as fit (a transport that delivers blocks, such
 * as the shared-memory rings); returns how many were taken. The same rule
 * applies: step until CTL_RX_MORE before pushing again. */
size_t ctl_rx_push_bytes(struct ctl_rx *rx, const void *buf, size_t len);
/* Examine the held bytes; call until it returns CTL_RX_MORE, after every
 * push. A returned frame stays valid until the next step. */
enum ctl_rx_result ctl_rx_step(struct ctl_rx *rx, struct ctl_rx_error *err);
static inline const struct dbgv_ctl_hdr *ctl_rx_hdr(const struct ctl_rx *rx)
{
    return (const struct dbgv_ctl_hdr *)rx->buf;
}
static inline const uint8_t *ctl_rx_payload(const struct ctl_rx *rx)
{
    return rx->buf + DBGV_CTL_HDR_SIZE;
}

#endif
