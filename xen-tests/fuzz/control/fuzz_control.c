/*
 * Control server (hypervisor/common/control/server.c, frame.c, ring.c) built
 * hosted over the unit tests' fake backend, fed a byte stream made of
 * records: raw bytes, well-formed frames (the harness computes the CRCs so
 * the fuzzer reaches request validation), corrupted frames and time steps.
 *
 * Invariants:
 *  - everything the server sends parses as intact reply frames;
 *  - every frame it counts (dispatched or bad) gets exactly one reply;
 *  - a well-formed request on an idle stream gets exactly one reply, with
 *    its sequence number and its type (or ERROR);
 *  - a failed reply carries no payload, list replies are as long as their
 *    count says, count <= total;
 *  - a request answered with an error changes no backend state
 *    (domains, vCPUs, debug state, event queue);
 *  - afterwards the server still answers HELLO correctly.
 */
#include <dbgvisor/control.h>
#include <dbgvisor/ctlframe.h>
#include "fake_backend.h"
#include "fuzz.h"

/* ---- what the server sends ---------------------------------------------- */

static struct ctl_rx client_rx;
static uint8_t client_buf[DBGV_CTL_MAX_FRAME] __attribute__((aligned(8)));
static struct {
    uint64_t count;
    struct dbgv_ctl_hdr hdr;      /* the last reply */
    uint8_t payload[DBGV_CTL_MAX_PAYLOAD];
} replies;

/* The replies are parsed as libdebugctl's shared-memory transport does, a
 * block at a time (ctl_rx_push_bytes): pushing byte by byte re-checked the
 * header CRC once per payload byte, most of an execution spent in the
 * harness's own checking. */
void ctl_tx_bytes(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    struct ctl_rx_error err;

    while ( len )
    {
        size_t took = ctl_rx_push_bytes(&client_rx, p, len);
        enum ctl_rx_result r;

        FUZZ_CHECK(took > 0, "client reassembler overflow");
        p += took;
        len -= took;
        while ( (r = ctl_rx_step(&client_rx, &err)) != CTL_RX_MORE )
        {
            const struct dbgv_ctl_hdr *h = ctl_rx_hdr(&client_rx);

            FUZZ_CHECK(r == CTL_RX_FRAME, "server sent a bad frame (error %d)", err.code);
            FUZZ_CHECK(h->type & DBGV_CTL_REPLY, "server sent a non-reply type %#x", h->type);
            FUZZ_CHECK(h->status <= 0 && h->status >= -4095, "status %d", h->status);
            replies.count++;
            replies.hdr = *h;
            memcpy(replies.payload, ctl_rx_payload(&client_rx), h->len);
        }
    }
}

/* ---- backend state, for "a rejected request changes nothing" ----------- */

/* The digest is the harness's own bookkeeping, not code under test: left out
 * of the coverage instrumentation, whose comparison hooks in its loops cost a
 * third of the CPU time (120,000 executions of a grown corpus: 26.8 s, now
 * 18.3 s; its edges no longer count as coverage). */
#define NOT_UNDER_TEST __attribute__((no_sanitize("coverage")))

NOT_UNDER_TEST static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
    const uint8_t *p = data;

    while ( len-- )
        h = (h ^ *p++) * 0x100000001b3ull;
    return h;
}

NOT_UNDER_TEST static uint64_t backend_digest(void)
{
    static struct dbgv_ctl_dominfo doms[FAKE_MAX_DOMS];
    static struct dbgv_ctl_vcpuinfo vcpus[CTL_MAX_VCPUS];
    static struct dbgv_vcpu_debug_state dbg[CTL_MAX_VCPUS];
    struct dbgv_ctl_events_rep evrep;
    struct dbgv_ctl_event ev;
    uint32_t count, total;
    uint64_t h = 0xcbf29ce484222325ull;

    memset(doms, 0, sizeof(doms));
    hv_ctl_domain_list(0, doms, FAKE_MAX_DOMS, &count, &total);
    h = fnv(h, &count, sizeof(count));
    for ( uint32_t i = 0; i < count; i++ )
    {
        uint32_t n, t;

        /* Only the entries a domain has are cleared (padding hashed as 0):
         * clearing all 64 for every domain twice per request was most of
         * an execution. */
        uint32_t nv = doms[i].nr_vcpus < CTL_MAX_VCPUS ? doms[i].nr_vcpus : CTL_MAX_VCPUS;

        h = fnv(h, &doms[i], sizeof(doms[i]));
        memset(vcpus, 0, nv * sizeof(vcpus[0]));
        if ( !hv_ctl_vcpu_list(doms[i].domid, 0, vcpus, nv, &n, &t) )
            h = fnv(h, vcpus, n * sizeof(vcpus[0]));
        memset(dbg, 0, nv * sizeof(dbg[0]));
        if ( !hv_ctl_debug_state(doms[i].domid, 0, dbg, nv, &n, &t) )
            h = fnv(h, dbg, n * sizeof(dbg[0]));
    }
    memset(&evrep, 0, sizeof(evrep));
    hv_ctl_events_read(0, ~0u, &ev, 1, &evrep);
    h = fnv(h, &evrep.next_seq, sizeof(evrep.next_seq));
    return h;
}

/* ---- feeding the server ------------------------------------------------- */

static const uint16_t known_types[] = {
    DBGV_CTL_MSG_HELLO, DBGV_CTL_MSG_PHYSINFO, DBGV_CTL_MSG_DOMAIN_LIST,
    DBGV_CTL_MSG_DOMAIN_INFO, DBGV_CTL_MSG_DOMAIN_CREATE, DBGV_CTL_MSG_DOMAIN_PAUSE,
    DBGV_CTL_MSG_DOMAIN_UNPAUSE, DBGV_CTL_MSG_DOMAIN_DESTROY,
    DBGV_CTL_MSG_DOMAIN_SHUTDOWN, DBGV_CTL_MSG_MEM_WRITE, DBGV_CTL_MSG_MEM_READ,
    DBGV_CTL_MSG_VCPU_SET_REGS, DBGV_CTL_MSG_VCPU_LIST, DBGV_CTL_MSG_CONSOLE_READ,
    DBGV_CTL_MSG_HVLOG_READ, DBGV_CTL_MSG_DEBUG_STATE_GET, DBGV_CTL_MSG_DEBUG_STATE_LIST,
    DBGV_CTL_MSG_DEBUG_SUMMARY_LIST,
    DBGV_CTL_MSG_DEBUG_POLICY_SET, DBGV_CTL_MSG_EVENTS_READ,
    DBGV_CTL_MSG_GDBG_ATTACH, DBGV_CTL_MSG_GDBG_STEP, DBGV_CTL_MSG_GDBG_READ_GPA,
    DBGV_CTL_MSG_ERROR,
};

static uint64_t now_ns;
static uint8_t frame[DBGV_CTL_MAX_FRAME];
static uint8_t payload_copy[DBGV_CTL_MAX_PAYLOAD];

/* The fake backend really allocates a domain's memory: keep accepted sizes
 * at 0-2 MiB (sizes above 4096 MiB still reach the refusals) so an
 * execution stays well below a millisecond. */
static const uint8_t *small_domains(uint16_t type, const uint8_t *p, size_t n)
{
    uint32_t mib;

    if ( type != DBGV_CTL_MSG_DOMAIN_CREATE || n < DBGV_CTL_NAME_LEN + 4 )
        return p;
    memcpy(payload_copy, p, n);
    memcpy(&mib, payload_copy + DBGV_CTL_NAME_LEN, 4);
    if ( mib <= 4096 )
        mib %= 3;
    memcpy(payload_copy + DBGV_CTL_NAME_LEN, &mib, 4);
    return payload_copy;
}

static uint64_t frames_counted(void)
{
    struct ctl_stats st;

    ctl_get_stats(&st);
    return st.frames_ok + st.frames_bad;
}

static void check_list_reply(uint16_t type, size_t entry)
{
    const struct dbgv_ctl_list_rep *lr = (const void *)replies.payload;

    if ( replies.hdr.type != (type | DBGV_CTL_REPLY) || replies.hdr.status )
        return;
    FUZZ_CHECK(replies.hdr.len >= sizeof(*lr), "list reply of %u bytes", replies.hdr.len);
    FUZZ_CHECK(lr->count <= lr->total, "count %u > total %u", lr->count, lr->total);
    FUZZ_CHECK(replies.hdr.len == sizeof(*lr) + lr->count * entry,
               "list reply of %u bytes for %u entries", replies.hdr.len, lr->count);
}

/* A well-formed request on an idle stream: exactly one matching reply. */
static void clean_frame(uint16_t type, uint32_t seq, const uint8_t *payload, uint32_t len)
{
    uint64_t before = backend_digest(), n0 = replies.count;
    size_t n = ctl_frame_build(frame, sizeof(frame), type, seq, 0, payload, len);

    FUZZ_CHECK(n == DBGV_CTL_HDR_SIZE + len, "frame of %u bytes not built", len);
    now_ns += CTL_RX_STALE_NS + 1;      /* drops whatever partial frame is held */
    ctl_poll(now_ns);
    ctl_rx_bytes(frame, n);
    FUZZ_CHECK(replies.count == n0 + 1, "%llu replies to one request of type %#x",
               (unsigned long long)(replies.count - n0), type);
    FUZZ_CHECK(replies.hdr.seq == seq, "reply seq %u for request seq %u", replies.hdr.seq, seq);
    FUZZ_CHECK(replies.hdr.type == (type | DBGV_CTL_REPLY) ||
               replies.hdr.type == (DBGV_CTL_MSG_ERROR | DBGV_CTL_REPLY),
               "reply type %#x to request %#x", replies.hdr.type, type);
    if ( replies.hdr.status )
    {
        FUZZ_CHECK(replies.hdr.type == (DBGV_CTL_MSG_ERROR | DBGV_CTL_REPLY) ||
                   replies.hdr.len == 0, "failed reply with %u payload bytes",
                   replies.hdr.len);
        FUZZ_CHECK(backend_digest() == before,
                   "request %#x failed with %d but changed backend state",
                   type, replies.hdr.status);
    }
    check_list_reply(DBGV_CTL_MSG_DOMAIN_LIST, sizeof(struct dbgv_ctl_dominfo));
    check_list_reply(DBGV_CTL_MSG_VCPU_LIST, sizeof(struct dbgv_ctl_vcpuinfo));
    check_list_reply(DBGV_CTL_MSG_DEBUG_STATE_GET, sizeof(struct dbgv_vcpu_debug_state));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size };
    uint32_t seq = 1;

    fake_reset();
    ctl_init();
    ctl_rx_init(&client_rx, client_buf);
    replies.count = 0;
    now_ns = 0;

    while ( fuzz_more(&in) )
    {
        uint8_t op = fuzz_u8(&in);
        uint64_t counted = frames_counted(), n0 = replies.count;
        const uint8_t *p;
        size_t n;

        switch ( op & 3 )
        {
        case 0:                                   /* raw bytes */
            n = fuzz_bytes(&in, fuzz_u8(&in), &p);
            ctl_rx_bytes(p, n);
            break;
        case 1:                                   /* a frame with one byte changed */
        case 2: {                                 /* a well-formed request */
            uint8_t sel = fuzz_u8(&in);
            uint16_t type = sel < 0xf0 ? known_types[sel % (sizeof(known_types) / 2)]
                                       : fuzz_u16(&in);
            uint16_t len = fuzz_u16(&in) % (DBGV_CTL_MAX_PAYLOAD + 1);

            n = fuzz_bytes(&in, len, &p);
            p = small_domains(type, p, n);
            if ( (op & 3) == 2 )
            {
                clean_frame(type, seq++, p, (uint32_t)n);
                break;
            }
            n = ctl_frame_build(frame, sizeof(frame), type, seq++, 0, p, (uint32_t)n);
            frame[fuzz_u16(&in) % n] ^= fuzz_u8(&in) | 1;
            ctl_rx_bytes(frame, n);
            break;
        }
        case 3:                                   /* time passes */
            now_ns += (uint64_t)fuzz_u32(&in) * 1024;
            ctl_poll(now_ns);
            fake_tick(op >> 2);
            break;
        }
        FUZZ_CHECK(replies.count - n0 == frames_counted() - counted,
                   "%llu replies for %llu frames counted",
                   (unsigned long long)(replies.count - n0),
                   (unsigned long long)(frames_counted() - counted));
    }

    /* The server still works. */
    struct dbgv_ctl_hello_req hello = { .client_version = DBGV_CTL_VERSION };
    clean_frame(DBGV_CTL_MSG_HELLO, seq, (const uint8_t *)&hello, sizeof(hello));
    FUZZ_CHECK(replies.hdr.status == 0 && replies.hdr.len == sizeof(struct dbgv_ctl_hello_rep),
               "HELLO after the input: status %d len %u", replies.hdr.status, replies.hdr.len);
    return 0;
}
