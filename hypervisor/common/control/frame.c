/*
 * Control-protocol frame codec, shared by the hypervisor and libdebugctl.
 *
 * The reassembler keeps at most one frame. It hunts for the magic, checks
 * the header CRC as soon as 32 bytes are in (so a corrupted length never
 * makes it swallow later frames), then waits for the payload and checks its
 * CRC. After any failure it drops one byte and hunts again from there, so a
 * valid frame hidden behind garbage or inside a torn frame is still found.
 */
#include <dbgvisor/lib.h>
#include <dbgvisor/ctlframe.h>

static uint32_t crc_table[256];
static bool crc_ready;

static void crc_init(void)
{
    for ( uint32_t i = 0; i < 256; i++ )
    {
        uint32_t c = i;

        for ( int k = 0; k < 8; k++ )
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
    crc_ready = true;
}

uint32_t ctl_crc32(uint32_t crc, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    /* Idempotent: a racing second initialiser writes the same values. */
    if ( !crc_ready )
        crc_init();
    crc = ~crc;
    while ( len-- )
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

size_t ctl_frame_build(void *out, size_t outsz, uint16_t type, uint32_t seq,
                       int32_t status, const void *payload, uint32_t len)
{
    struct dbgv_ctl_hdr h;
    uint8_t *o = out;

    if ( len > DBGV_CTL_MAX_PAYLOAD || outsz < DBGV_CTL_HDR_SIZE + (size_t)len )
        return 0;
    if ( len && payload != o + DBGV_CTL_HDR_SIZE )
        memmove(o + DBGV_CTL_HDR_SIZE, payload, len);

    h.magic = DBGV_CTL_MAGIC;
    h.version = DBGV_CTL_VERSION;
    h.type = type;
    h.seq = seq;
    h.len = len;
    h.status = status;
    h.flags = 0;
    h.payload_crc = len ? ctl_crc32(0, o + DBGV_CTL_HDR_SIZE, len) : 0;
    h.hdr_crc = ctl_crc32(0, &h, DBGV_CTL_HDR_CRC_SPAN);
    memcpy(o, &h, sizeof(h));
    return DBGV_CTL_HDR_SIZE + len;
}

void ctl_rx_init(struct ctl_rx *rx, uint8_t *buf)
{
    rx->buf = buf;
    ctl_rx_reset(rx);
}

void ctl_rx_reset(struct ctl_rx *rx)
{
    rx->have = 0;
    rx->resyncing = false;
    rx->frame_out = false;
    rx->frame_len = 0;
}

/* Drop a frame the caller has seen, keeping any bytes after it (a resync
 * can leave more than one frame's worth in the buffer). */
static void release(struct ctl_rx *rx)
{
    if ( !rx->frame_out )
        return;
    rx->frame_out = false;
    if ( rx->have > rx->frame_len )
        memmove(rx->buf, rx->buf + rx->frame_len, rx->have - rx->frame_len);
    rx->have -= rx->frame_len;
    rx->frame_len = 0;
}

bool ctl_rx_push(struct ctl_rx *rx, uint8_t byte)
{
    release(rx);
    if ( rx->have >= DBGV_CTL_MAX_FRAME )
        return false;
    rx->buf[rx->have++] = byte;
    return true;
}

size_t ctl_rx_push_bytes(struct ctl_rx *rx, const void *buf, size_t len)
{
    size_t n;

    release(rx);
    n = MIN(len, (size_t)DBGV_CTL_MAX_FRAME - rx->have);
    memcpy(rx->buf + rx->have, buf, n);
    rx->have += n;
    return n;
}

static const uint8_t magic_bytes[4] = {
    DBGV_CTL_MAGIC & 0xff, (DBGV_CTL_MAGIC >> 8) & 0xff,
    (DBGV_CTL_MAGIC >> 16) & 0xff, DBGV_CTL_MAGIC >> 24,
};

/* Does buf[from..have) start like the magic (as far as it goes)? */
static bool magic_prefix(const struct ctl_rx *rx, size_t from)
{
    size_t n = MIN(rx->have - from, sizeof(magic_bytes));

    return memcmp(rx->buf + from, magic_bytes, n) == 0;
}

/* Drop the first byte and everything up to the next magic candidate. */
static void resync(struct ctl_rx *rx)
{
    size_t i = 1;

    while ( i < rx->have && !magic_prefix(rx, i) )
        i++;
    if ( i >= rx->have )
        rx->have = 0;
    else
    {
        memmove(rx->buf, rx->buf + i, rx->have - i);
        rx->have -= i;
    }
}

/* Report garbage once per resync episode, not once per byte. */
static enum ctl_rx_result garbage(struct ctl_rx *rx, struct ctl_rx_error *err)
{
    bool first = !rx->resyncing;

    rx->resyncing = true;
    resync(rx);
    if ( !first )
        return CTL_RX_MORE;
    err->code = -DBGV_EBADMSG;
    err->hdr_valid = false;
    err->type = 0;
    err->seq = 0;
    return CTL_RX_ERROR;
}

static enum ctl_rx_result bad_frame(struct ctl_rx *rx, struct ctl_rx_error *err,
                                    const struct dbgv_ctl_hdr *h, int32_t code)
{
    err->code = code;
    err->hdr_valid = true;
    err->type = h->type;
    err->seq = h->seq;
    rx->resyncing = true;
    resync(rx);
    return CTL_RX_ERROR;
}

enum ctl_rx_result ctl_rx_step(struct ctl_rx *rx, struct ctl_rx_error *err)
{
    struct dbgv_ctl_hdr h;

    release(rx);

    for ( ;; )
    {
        if ( rx->have == 0 )
            return CTL_RX_MORE;
        if ( !magic_prefix(rx, 0) )
        {
            if ( garbage(rx, err) == CTL_RX_ERROR )
                return CTL_RX_ERROR;
            continue;
        }
        if ( rx->have < DBGV_CTL_HDR_SIZE )
            return CTL_RX_MORE;

        memcpy(&h, rx->buf, sizeof(h));
        if ( ctl_crc32(0, &h, DBGV_CTL_HDR_CRC_SPAN) != h.hdr_crc )
        {
            if ( garbage(rx, err) == CTL_RX_ERROR )
                return CTL_RX_ERROR;
            continue;
        }
        /* The header is intact from here on: errors can name the frame. */
        if ( h.len > DBGV_CTL_MAX_PAYLOAD )
            return bad_frame(rx, err, &h, -DBGV_EMSGSIZE);
        if ( rx->have < DBGV_CTL_HDR_SIZE + (size_t)h.len )
            return CTL_RX_MORE;
        if ( (h.len ? ctl_crc32(0, rx->buf + DBGV_CTL_HDR_SIZE, h.len) : 0) !=
             h.payload_crc )
            return bad_frame(rx, err, &h, -DBGV_EBADMSG);
        if ( h.version != DBGV_CTL_VERSION || h.flags != 0 )
        {
            /* Well-formed but not ours: consume it whole, stay in sync. */
            err->code = -DBGV_EPROTO;
            err->hdr_valid = true;
            err->type = h.type;
            err->seq = h.seq;
            rx->frame_out = true;
            rx->frame_len = DBGV_CTL_HDR_SIZE + h.len;
            rx->resyncing = false;
            return CTL_RX_ERROR;
        }
        rx->frame_out = true;
        rx->frame_len = DBGV_CTL_HDR_SIZE + h.len;
        rx->resyncing = false;
        return CTL_RX_FRAME;
    }
}
