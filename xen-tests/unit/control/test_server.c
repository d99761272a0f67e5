/*
 * CUnit tests of the control protocol: CRC, frame codec, reassembly and
 * resynchronisation, request validation, the backend helpers, the shared
 * multiboot loader, and a fuzz run of >= 10,000 malformed frames into the
 * hypervisor's server code (built hosted over the fake backend).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/Basic.h>
#include <dbgvisor/ctlframe.h>
#include <dbgvisor/mbimage.h>
#include "fake_backend.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- capture what the server sends ------------------------------------ */

static uint8_t txcap[1 << 20];
static size_t txlen;

void ctl_tx_bytes(const void *buf, size_t len)
{
    if ( txlen + len <= sizeof(txcap) )
    {
        memcpy(txcap + txlen, buf, len);
        txlen += len;
    }
}

struct reply {
    struct dbgv_ctl_hdr h;
    uint8_t p[DBGV_CTL_MAX_PAYLOAD];
};

/* Parse every frame captured so far; returns how many, keeps the last. */
static int parse_replies(struct reply *last)
{
    static uint8_t buf[DBGV_CTL_MAX_FRAME] __attribute__((aligned(8)));
    struct ctl_rx rx;
    struct ctl_rx_error e;
    int n = 0;

    ctl_rx_init(&rx, buf);
    for ( size_t i = 0; i < txlen; i++ )
    {
        ctl_rx_push(&rx, txcap[i]);
        while ( 1 )
        {
            enum ctl_rx_result r = ctl_rx_step(&rx, &e);

            if ( r == CTL_RX_MORE )
                break;
            CU_ASSERT_EQUAL(r, CTL_RX_FRAME);   /* the server never sends junk */
            if ( r == CTL_RX_FRAME )
            {
                n++;
                if ( last )
                {
                    memcpy(&last->h, ctl_rx_hdr(&rx), sizeof(last->h));
                    memcpy(last->p, ctl_rx_payload(&rx), last->h.len);
                }
            }
        }
    }
    txlen = 0;
    return n;
}

static void send_req(uint16_t type, uint32_t seq, const void *p, uint32_t len)
{
    static uint8_t f[DBGV_CTL_MAX_FRAME];
    size_t n = ctl_frame_build(f, sizeof(f), type, seq, 0, p, len);

    CU_ASSERT_FATAL(n > 0);
    ctl_rx_bytes(f, n);
}

/* One request, exactly one reply: return its status. */
static int call(uint16_t type, const void *p, uint32_t len, struct reply *r)
{
    static uint32_t seq = 100;
    struct reply tmp;

    if ( !r )
        r = &tmp;
    txlen = 0;
    send_req(type, ++seq, p, len);
    CU_ASSERT_EQUAL(parse_replies(r), 1);
    CU_ASSERT_EQUAL(r->h.seq, seq);
    CU_ASSERT_EQUAL(r->h.type, type | DBGV_CTL_REPLY);
    return r->h.status;
}

static int setup(void)
{
    fake_reset();
    ctl_init();
    txlen = 0;
    return 0;
}

/* ---- CRC and codec ---------------------------------------------------- */

static void test_crc32(void)
{
    /* The standard check value of CRC-32/IEEE. */
    CU_ASSERT_EQUAL(ctl_crc32(0, "123456789", 9), 0xCBF43926u);
    CU_ASSERT_EQUAL(ctl_crc32(0, "", 0), 0);
    /* Incremental equals one-shot. */
    CU_ASSERT_EQUAL(ctl_crc32(ctl_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
}

static void test_frame_build(void)
{
    uint8_t f[DBGV_CTL_MAX_FRAME + 8];
    struct dbgv_ctl_hdr h;
    size_t n = ctl_frame_build(f, sizeof(f), 7, 42, -3, "abc", 3);

    CU_ASSERT_EQUAL(n, DBGV_CTL_HDR_SIZE + 3);
    memcpy(&h, f, sizeof(h));
    CU_ASSERT_EQUAL(h.magic, DBGV_CTL_MAGIC);
    CU_ASSERT_EQUAL(memcmp(f, "DBGV", 4), 0);
    CU_ASSERT_EQUAL(h.version, DBGV_CTL_VERSION);
    CU_ASSERT_EQUAL(h.type, 7);
    CU_ASSERT_EQUAL(h.seq, 42);
    CU_ASSERT_EQUAL(h.len, 3);
    CU_ASSERT_EQUAL(h.status, -3);
    CU_ASSERT_EQUAL(h.payload_crc, ctl_crc32(0, "abc", 3));
    CU_ASSERT_EQUAL(h.hdr_crc, ctl_crc32(0, f, DBGV_CTL_HDR_CRC_SPAN));
    /* Oversized payloads and short buffers are refused. */
    CU_ASSERT_EQUAL(ctl_frame_build(f, sizeof(f), 1, 1, 0, f, DBGV_CTL_MAX_PAYLOAD + 1), 0);
    CU_ASSERT_EQUAL(ctl_frame_build(f, 10, 1, 1, 0, NULL, 0), 0);
    CU_ASSERT_EQUAL(ctl_frame_build(f, sizeof(f), 1, 1, 0, NULL, 0), DBGV_CTL_HDR_SIZE);
}

/* ---- reassembler ------------------------------------------------------ */

static uint8_t rxb[DBGV_CTL_MAX_FRAME] __attribute__((aligned(8)));

/* Feed bytes; count frames and errors. */
static void feed(struct ctl_rx *rx, const uint8_t *p, size_t n, int *frames,
                 int *errors, uint32_t *last_seq)
{
    struct ctl_rx_error e;

    for ( size_t i = 0; i < n; i++ )
    {
        enum ctl_rx_result r;

        ctl_rx_push(rx, p[i]);
        while ( (r = ctl_rx_step(rx, &e)) != CTL_RX_MORE )
        {
            if ( r == CTL_RX_FRAME )
            {
                (*frames)++;
                if ( last_seq )
                    *last_seq = ctl_rx_hdr(rx)->seq;
            }
            else
                (*errors)++;
        }
    }
}

static void test_rx_basic(void)
{
    uint8_t f[256];
    struct ctl_rx rx;
    int frames = 0, errors = 0;
    uint32_t seq = 0;
    size_t n = ctl_frame_build(f, sizeof(f), 1, 9, 0, "hello", 5);

    ctl_rx_init(&rx, rxb);
    feed(&rx, f, n, &frames, &errors, &seq);
    CU_ASSERT_EQUAL(frames, 1);
    CU_ASSERT_EQUAL(errors, 0);
    CU_ASSERT_EQUAL(seq, 9);
    /* Back to back. */
    feed(&rx, f, n, &frames, &errors, NULL);
    feed(&rx, f, n, &frames, &errors, NULL);
    CU_ASSERT_EQUAL(frames, 3);
    CU_ASSERT_EQUAL(errors, 0);
}

static void test_rx_resync(void)
{
    uint8_t f[256], g[512];
    struct ctl_rx rx;
    int frames = 0, errors = 0;
    uint32_t seq = 0;
    size_t n = ctl_frame_build(f, sizeof(f), 1, 77, 0, "payload", 7);

    ctl_rx_init(&rx, rxb);
    /* Garbage, including a false magic, then a good frame. */
    memcpy(g, "xxDBGVjunkjunkjunkjunkjunkjunkjunkjunkjunkDBG", 45);
    memcpy(g + 45, f, n);
    feed(&rx, g, 45 + n, &frames, &errors, &seq);
    CU_ASSERT_EQUAL(frames, 1);
    CU_ASSERT_EQUAL(seq, 77);
    CU_ASSERT_EQUAL(errors, 1);         /* garbage reported once */

    /* A torn frame (header of one, then a whole other frame): the torn
     * frame's payload CRC fails and the hidden frame is still found. */
    frames = errors = 0;
    size_t big = ctl_frame_build(g, sizeof(g), 1, 5, 0, g + 100, 300);
    memcpy(g + 40, f, n);               /* overwrite inside its payload */
    (void)big;
    feed(&rx, g, 40, &frames, &errors, NULL);   /* only the start of it */
    feed(&rx, f, n, &frames, &errors, &seq);    /* then the next client */
    /* The reassembler is still waiting for the torn frame's payload. */
    CU_ASSERT_EQUAL(frames, 0);
    /* A retry (as libdebugctl's handshake does) fills it up and resyncs. */
    for ( int i = 0; i < 10 && frames == 0; i++ )
        feed(&rx, f, n, &frames, &errors, &seq);
    CU_ASSERT(frames >= 1);
    CU_ASSERT_EQUAL(seq, 77);

    /* Corrupted header CRC: dropped, next frame fine. */
    ctl_rx_reset(&rx);
    frames = errors = 0;
    memcpy(g, f, n);
    g[10] ^= 0x40;
    memcpy(g + n, f, n);
    feed(&rx, g, 2 * n, &frames, &errors, NULL);
    CU_ASSERT_EQUAL(frames, 1);
    CU_ASSERT_EQUAL(errors, 1);
}

static void test_rx_oversize(void)
{
    uint8_t f[64];
    struct dbgv_ctl_hdr h;
    struct ctl_rx rx;
    struct ctl_rx_error e;
    enum ctl_rx_result r = CTL_RX_MORE;

    ctl_frame_build(f, sizeof(f), 1, 3, 0, NULL, 0);
    memcpy(&h, f, sizeof(h));
    h.len = DBGV_CTL_MAX_PAYLOAD + 1;
    h.hdr_crc = ctl_crc32(0, &h, DBGV_CTL_HDR_CRC_SPAN);
    memcpy(f, &h, sizeof(h));
    ctl_rx_init(&rx, rxb);
    for ( size_t i = 0; i < DBGV_CTL_HDR_SIZE; i++ )
    {
        ctl_rx_push(&rx, f[i]);
        if ( (r = ctl_rx_step(&rx, &e)) != CTL_RX_MORE )
            break;
    }
    CU_ASSERT_EQUAL(r, CTL_RX_ERROR);
    CU_ASSERT_EQUAL(e.code, -DBGV_EMSGSIZE);
    CU_ASSERT(e.hdr_valid);
    CU_ASSERT_EQUAL(e.seq, 3);
    /* Never holds more than one frame's worth. */
    CU_ASSERT(rx.have <= DBGV_CTL_MAX_FRAME);
}

/* ---- server ----------------------------------------------------------- */

static void test_srv_hello(void)
{
    struct dbgv_ctl_hello_req req = { .client_version = DBGV_CTL_VERSION };
    struct reply r;
    struct dbgv_ctl_hello_rep rep;

    setup();
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_HELLO, &req, sizeof(req), &r), 0);
    CU_ASSERT_EQUAL(r.h.len, sizeof(rep));
    memcpy(&rep, r.p, sizeof(rep));
    CU_ASSERT_EQUAL(rep.version, DBGV_CTL_VERSION);
    CU_ASSERT_EQUAL(rep.max_payload, DBGV_CTL_MAX_PAYLOAD);
    CU_ASSERT_STRING_EQUAL(rep.hv_version, "dbgvisor 0.1-fake");
    req.client_version = 99;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_HELLO, &req, sizeof(req), NULL), -DBGV_EPROTO);
    /* Truncated and padded payloads are both refused. */
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_HELLO, &req, sizeof(req) - 1, NULL), -DBGV_EINVAL);
}

static uint32_t create(const char *name, uint32_t mib, uint32_t vcpus, int *rc)
{
    struct dbgv_ctl_domain_create c = { .memory_mib = mib, .nr_vcpus = vcpus };
    struct dbgv_ctl_domid id = { 0 };
    struct reply r;

    strncpy(c.name, name, sizeof(c.name) - 1);
    *rc = call(DBGV_CTL_MSG_DOMAIN_CREATE, &c, sizeof(c), &r);
    if ( *rc == 0 )
        memcpy(&id, r.p, sizeof(id));
    return id.domid;
}

static void test_srv_domains(void)
{
    struct dbgv_ctl_list_req lr = { .domid = 0, .max = 100 };
    struct dbgv_ctl_list_rep rep;
    struct dbgv_ctl_dominfo di;
    struct dbgv_ctl_domid d;
    struct reply r;
    uint32_t a, b;
    int rc;

    setup();
    a = create("alpha", 4, 2, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(a, 1);
    b = create("beta", 4, 1, &rc);
    CU_ASSERT_EQUAL(rc, 0);
    create("alpha", 4, 1, &rc);
    CU_ASSERT_EQUAL(rc, -DBGV_EEXIST);

    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_LIST, &lr, sizeof(lr), &r), 0);
    memcpy(&rep, r.p, sizeof(rep));
    CU_ASSERT_EQUAL(rep.count, 3);
    CU_ASSERT_EQUAL(rep.total, 3);
    CU_ASSERT_EQUAL(r.h.len, sizeof(rep) + 3 * sizeof(di));
    memcpy(&di, r.p + sizeof(rep), sizeof(di));
    CU_ASSERT_STRING_EQUAL(di.name, "Domain-0");
    memcpy(&di, r.p + sizeof(rep) + sizeof(di), sizeof(di));
    CU_ASSERT_STRING_EQUAL(di.name, "alpha");
    CU_ASSERT_EQUAL(di.state, DBGV_DOMSTATE_PAUSED);
    CU_ASSERT_EQUAL(di.nr_vcpus, 2);

    /* Paging: max 1 from domid 2. */
    lr.domid = 2;
    lr.max = 1;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_LIST, &lr, sizeof(lr), &r), 0);
    memcpy(&rep, r.p, sizeof(rep));
    CU_ASSERT_EQUAL(rep.count, 1);
    memcpy(&di, r.p + sizeof(rep), sizeof(di));
    CU_ASSERT_STRING_EQUAL(di.name, "beta");

    d = (struct dbgv_ctl_domid){ .domid = b };
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_UNPAUSE, &d, sizeof(d), NULL), 0);
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_INFO, &d, sizeof(d), &r), 0);
    memcpy(&di, r.p, sizeof(di));
    CU_ASSERT_EQUAL(di.state, DBGV_DOMSTATE_RUNNING);
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_PAUSE, &d, sizeof(d), NULL), 0);
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_DESTROY, &d, sizeof(d), NULL), 0);
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_INFO, &d, sizeof(d), NULL), -DBGV_ESRCH);
    /* Domain-0 cannot be paused or destroyed. */
    d.domid = 0;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_DESTROY, &d, sizeof(d), NULL), -DBGV_EPERM);
    /* Out-of-range ids are refused before the backend sees them. */
    d.domid = 0xffffff;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_PAUSE, &d, sizeof(d), NULL), -DBGV_ESRCH);
    d.domid = a;
    d.pad = 1;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_PAUSE, &d, sizeof(d), NULL), -DBGV_EINVAL);
}

/* DEBUG_STATE_LIST: every vCPU of every domain in (domid, vCPU) order,
 * paged from a (domid, vCPU) cursor; validated like the other lists. */
static void test_srv_debug_state_list(void)
{
    struct dbgv_ctl_list_req lr = { .domid = 0, .max = 100 };
    struct dbgv_ctl_dom_debug_state e;
    struct dbgv_ctl_list_rep rep;
    struct reply r;
    uint32_t a, b;
    int rc;

    setup();
    a = create("alpha", 4, 2, &rc);
    b = create("beta", 4, 3, &rc);
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_STATE_LIST, &lr, sizeof(lr), &r), 0);
    memcpy(&rep, r.p, sizeof(rep));
    CU_ASSERT_EQUAL(rep.count, 5);
    CU_ASSERT_EQUAL(rep.total, 5);
    CU_ASSERT_EQUAL(r.h.len, sizeof(rep) + 5 * sizeof(e));
    memcpy(&e, r.p + sizeof(rep) + 2 * sizeof(e), sizeof(e));
    CU_ASSERT_EQUAL(e.domid, b);
    CU_ASSERT_EQUAL(e.st.vcpu_id, 0);
    CU_ASSERT_EQUAL(e.pad, 0);
    /* From alpha's vCPU 1, two entries: alpha 1, beta 0; four remain. */
    lr = (struct dbgv_ctl_list_req){ .domid = a, .start = 1, .max = 2 };
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_STATE_LIST, &lr, sizeof(lr), &r), 0);
    memcpy(&rep, r.p, sizeof(rep));
    CU_ASSERT_EQUAL(rep.count, 2);
    CU_ASSERT_EQUAL(rep.total, 4);
    memcpy(&e, r.p + sizeof(rep), sizeof(e));
    CU_ASSERT_EQUAL(e.domid, a);
    CU_ASSERT_EQUAL(e.st.vcpu_id, 1);
    memcpy(&e, r.p + sizeof(rep) + sizeof(e), sizeof(e));
    CU_ASSERT_EQUAL(e.domid, b);
    CU_ASSERT_EQUAL(e.st.vcpu_id, 0);
    /* Past the last domain: an empty page. */
    lr = (struct dbgv_ctl_list_req){ .domid = b + 1, .max = 10 };
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_STATE_LIST, &lr, sizeof(lr), &r), 0);
    memcpy(&rep, r.p, sizeof(rep));
    CU_ASSERT_EQUAL(rep.count, 0);
    CU_ASSERT_EQUAL(rep.total, 0);
    /* A huge max is clamped to what fits in one reply. */
    lr = (struct dbgv_ctl_list_req){ .max = 0xffffffffu };
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_STATE_LIST, &lr, sizeof(lr), &r), 0);
    /* Refused before the backend: max 0, pad, out-of-range id, wrong size. */
    lr = (struct dbgv_ctl_list_req){ .max = 0 };
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_STATE_LIST, &lr, sizeof(lr), NULL), -DBGV_EINVAL);
    lr = (struct dbgv_ctl_list_req){ .max = 1, .pad = 1 };
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_STATE_LIST, &lr, sizeof(lr), NULL), -DBGV_EINVAL);
    lr = (struct dbgv_ctl_list_req){ .domid = DBGV_DOMID_MAX + 1, .max = 1 };
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_STATE_LIST, &lr, sizeof(lr), NULL), -DBGV_ESRCH);
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_STATE_LIST, &lr, sizeof(lr) - 4, NULL), -DBGV_EINVAL);
}

/* DEBUG_SUMMARY_LIST: the same walk as DEBUG_STATE_LIST, each entry the
 * 96-byte summary of the full state; a page holds 85, so 90 vCPUs take two
 * and the second starts where the cursor says. */
static void test_srv_debug_summary_list(void)
{
    struct dbgv_ctl_list_req lr = { .domid = 0, .max = 1000 };
    struct dbgv_vcpu_debug_summary e, want;
    struct dbgv_ctl_dom_debug_state full;
    struct dbgv_ctl_list_rep rep;
    struct reply r, rf;
    uint32_t ids[15];
    int rc;

    setup();
    CU_ASSERT_EQUAL(DBGV_CTL_LIST_MAX(struct dbgv_vcpu_debug_summary), 85);
    for ( int i = 0; i < 15; i++ )
    {
        char name[8];

        snprintf(name, sizeof(name), "s%d", i);
        ids[i] = create(name, 4, 6, &rc);
    }
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_SUMMARY_LIST, &lr, sizeof(lr), &r), 0);
    memcpy(&rep, r.p, sizeof(rep));
    CU_ASSERT_EQUAL(rep.count, 85);
    CU_ASSERT_EQUAL(rep.total, 90);
    CU_ASSERT_EQUAL(r.h.len, sizeof(rep) + 85 * sizeof(e));
    /* Entry 13 (domain 2, vCPU 1) equals the full state condensed. */
    memcpy(&e, r.p + sizeof(rep) + 13 * sizeof(e), sizeof(e));
    CU_ASSERT_EQUAL(e.domid, ids[2]);
    CU_ASSERT_EQUAL(e.vcpu_id, 1);
    lr = (struct dbgv_ctl_list_req){ .domid = ids[2], .start = 1, .max = 1 };
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_STATE_LIST, &lr, sizeof(lr), &rf), 0);
    memcpy(&full, rf.p + sizeof(rep), sizeof(full));
    dbgv_debug_summarize(full.domid, &full.st, &want);
    CU_ASSERT_EQUAL(memcmp(&e, &want, sizeof(e)), 0);
    /* The next page: after the last entry (domain 14, vCPU 0), five remain. */
    memcpy(&e, r.p + sizeof(rep) + 84 * sizeof(e), sizeof(e));
    CU_ASSERT_EQUAL(e.domid, ids[14]);
    CU_ASSERT_EQUAL(e.vcpu_id, 0);
    lr = (struct dbgv_ctl_list_req){ .domid = e.domid, .start = e.vcpu_id + 1, .max = 1000 };
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_SUMMARY_LIST, &lr, sizeof(lr), &r), 0);
    memcpy(&rep, r.p, sizeof(rep));
    CU_ASSERT_EQUAL(rep.count, 5);
    CU_ASSERT_EQUAL(rep.total, 5);
    memcpy(&e, r.p + sizeof(rep) + 4 * sizeof(e), sizeof(e));
    CU_ASSERT_EQUAL(e.domid, ids[14]);
    CU_ASSERT_EQUAL(e.vcpu_id, 5);
    /* A small max is honoured and total still counts the rest. */
    lr = (struct dbgv_ctl_list_req){ .domid = 0, .max = 3 };
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_SUMMARY_LIST, &lr, sizeof(lr), &r), 0);
    memcpy(&rep, r.p, sizeof(rep));
    CU_ASSERT_EQUAL(rep.count, 3);
    CU_ASSERT_EQUAL(rep.total, 90);
    /* Refused before the backend, as the other lists. */
    lr = (struct dbgv_ctl_list_req){ .max = 0 };
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_SUMMARY_LIST, &lr, sizeof(lr), NULL), -DBGV_EINVAL);
    lr = (struct dbgv_ctl_list_req){ .max = 1, .pad = 1 };
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_SUMMARY_LIST, &lr, sizeof(lr), NULL), -DBGV_EINVAL);
    lr = (struct dbgv_ctl_list_req){ .domid = DBGV_DOMID_MAX + 1, .max = 1 };
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_SUMMARY_LIST, &lr, sizeof(lr), NULL), -DBGV_ESRCH);
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_SUMMARY_LIST, &lr, sizeof(lr) - 4, NULL), -DBGV_EINVAL);
}

static int set_arm64_regs(const struct dbgv_ctl_vcpu_regs *r)
{
    return call(DBGV_CTL_MSG_VCPU_SET_REGS, r, sizeof(*r), NULL);
}

/* The arm64 boot mode (domain 1, paused): PC required, the command line and
 * ramdisk as the mask says, fields it does not name zero, padding zero. */
static void arm64_boot_regs_validation(void)
{
    const struct dbgv_ctl_vcpu_regs ok = {
        .domid = 1, .mode = DBGV_VCPU_MODE_ARM64_LINUX, .rip = 0x40080000,
        .mask = DBGV_REG_ARM64_ALL, .cmdline_ipa = 0x41e00000,
        .initrd_start = 0x41d00000, .initrd_end = 0x41d00010,
    };
    struct dbgv_ctl_vcpu_regs r = ok;

    CU_ASSERT_EQUAL(set_arm64_regs(&r), 0);
    r.mask = DBGV_REG_RIP; r.cmdline_ipa = r.initrd_start = r.initrd_end = 0;
    CU_ASSERT_EQUAL(set_arm64_regs(&r), 0);
    r = ok; r.mask &= ~DBGV_REG_RIP;                        /* no PC */
    CU_ASSERT_EQUAL(set_arm64_regs(&r), -DBGV_EINVAL);
    r = ok; r.mask |= DBGV_REG_RSP;                         /* an x86 register */
    CU_ASSERT_EQUAL(set_arm64_regs(&r), -DBGV_EINVAL);
    r = ok; r.mask &= ~DBGV_REG_ARM64_CMDLINE;              /* unnamed but set */
    CU_ASSERT_EQUAL(set_arm64_regs(&r), -DBGV_EINVAL);
    r = ok; r.mask &= ~DBGV_REG_ARM64_INITRD;
    CU_ASSERT_EQUAL(set_arm64_regs(&r), -DBGV_EINVAL);
    r = ok; r.initrd_end = r.initrd_start;                  /* empty range */
    CU_ASSERT_EQUAL(set_arm64_regs(&r), -DBGV_EINVAL);
    r = ok; r.initrd_end = r.initrd_start - 1;              /* backwards */
    CU_ASSERT_EQUAL(set_arm64_regs(&r), -DBGV_EINVAL);
    r = ok; r.arm64_pad[5] = 1;
    CU_ASSERT_EQUAL(set_arm64_regs(&r), -DBGV_EINVAL);
    r = ok; r.mode = DBGV_VCPU_MODE_LINUX64;                /* arm64 bits in x86 mode */
    CU_ASSERT_EQUAL(set_arm64_regs(&r), -DBGV_EINVAL);
}

/* The summary rule for an arm64 vCPU: the CPU's pairs (6 breakpoints, 4
 * watchpoints, as QEMU's max), owners over the 32 slots, MDSCR_EL1 as x86's
 * DR7 and the OS lock from OSLSR_EL1 in place of a status register (its status
 * word, the hypervisor's own cause record, is not shown). */
static void test_summarize_arm64(void)
{
    struct dbgv_vcpu_debug_state st = {
        .vcpu_id = 3, .policy = DBGV_POLICY_LAZY_EXIT, .step_owner = DBGV_OWNER_HOST,
        .arch = DBGV_ARCH_ARM64, .nr_slots = 32, .nr_regs = DBGV_ARM64_NR_REGS,
        .slots_present = 0x3f | 0xfu << 16,
        .last_dr6_seen = 0x2, .last_dr7_seen = 0xa001,
        .counters = { .db_exits = 7 },
    };
    struct dbgv_vcpu_debug_summary out;

    st.owner[1] = DBGV_OWNER_GUEST;
    st.owner[DBGV_ARM64_WVR(0) - DBGV_ARM64_BVR(0)] = DBGV_OWNER_HOST;
    st.owner[5] = 9;                                /* an owner this version does not know */
    st.regs[DBGV_ARM64_OSLSR] = 0xa;                /* OSLM 0b10, OSLK set */
    memset(&out, 0xee, sizeof(out));
    dbgv_debug_summarize(4, &st, &out);
    CU_ASSERT_EQUAL(out.domid, 4);
    CU_ASSERT_EQUAL(out.vcpu_id, 3);
    CU_ASSERT_EQUAL(out.arch, DBGV_ARCH_ARM64);
    CU_ASSERT_EQUAL(out.nr_slots, 32);
    CU_ASSERT_EQUAL(out.bp_pairs, 6);
    CU_ASSERT_EQUAL(out.wp_pairs, 4);
    CU_ASSERT_EQUAL(out.guest_slots, 1u << 1 | 1u << 5);
    CU_ASSERT_EQUAL(out.host_slots, 1u << 16 | 1u << 5);
    CU_ASSERT_EQUAL(out.step_owner, DBGV_OWNER_HOST);
    CU_ASSERT_EQUAL(out.last_control_seen, 0xa001);     /* MDSCR_EL1: MDE KDE SS */
    CU_ASSERT_EQUAL(out.last_status_seen, 0xa);         /* OSLSR_EL1 */
    CU_ASSERT_EQUAL(out.counters.db_exits, 7);
    /* A gap in the present pairs: up to the highest, so no owned slot is hidden. */
    st.slots_present = 0x21 | 0x2u << 16;
    dbgv_debug_summarize(4, &st, &out);
    CU_ASSERT_EQUAL(out.bp_pairs, 6);
    CU_ASSERT_EQUAL(out.wp_pairs, 2);
    /* x86 keeps DR6 and DR7 and has no pair classes. */
    st.arch = DBGV_ARCH_X86;
    st.nr_slots = 4;
    dbgv_debug_summarize(4, &st, &out);
    CU_ASSERT_EQUAL(out.bp_pairs, 0);
    CU_ASSERT_EQUAL(out.wp_pairs, 0);
    CU_ASSERT_EQUAL(out.last_status_seen, 0x2);
    CU_ASSERT_EQUAL(out.last_control_seen, 0xa001);
}

static void test_srv_validation(void)
{
    struct dbgv_ctl_domain_create c = { .name = "ok", .memory_mib = 4, .nr_vcpus = 1 };
    struct dbgv_ctl_domain_create bad;
    struct {
        struct dbgv_ctl_mem m;
        uint8_t data[DBGV_CTL_MEM_CHUNK + 8];
    } mw;
    struct dbgv_ctl_debug_policy pol = { .domid = 1, .policy = DBGV_POLICY_TRAP };
    struct dbgv_ctl_vcpu_regs regs = { .domid = 1, .mask = DBGV_REG_RIP };
    struct dbgv_ctl_ring_req ring = { .domid = 1, .max = 0 };
    int rc;

    setup();
    bad = c; bad.name[0] = '\0';
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_CREATE, &bad, sizeof(bad), NULL), -DBGV_EINVAL);
    bad = c; strcpy(bad.name, "has space");
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_CREATE, &bad, sizeof(bad), NULL), -DBGV_EINVAL);
    bad = c; memset(bad.name, 'a', sizeof(bad.name));     /* unterminated */
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_CREATE, &bad, sizeof(bad), NULL), -DBGV_EINVAL);
    bad = c; bad.name[10] = 'x';                           /* data after NUL */
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_CREATE, &bad, sizeof(bad), NULL), -DBGV_EINVAL);
    bad = c; bad.nr_vcpus = 0;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_CREATE, &bad, sizeof(bad), NULL), -DBGV_EINVAL);
    bad = c; bad.nr_vcpus = CTL_MAX_VCPUS + 1;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_CREATE, &bad, sizeof(bad), NULL), -DBGV_EINVAL);
    bad = c; bad.memory_mib = 0;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_CREATE, &bad, sizeof(bad), NULL), -DBGV_EINVAL);
    bad = c; bad.debug_policy = DBGV_POLICY_COUNT;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_CREATE, &bad, sizeof(bad), NULL), -DBGV_EINVAL);
    bad = c; bad.unbacked_access = DBGV_UNBACKED_COUNT;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_CREATE, &bad, sizeof(bad), NULL), -DBGV_EINVAL);
    bad = c; bad.timer_mode = DBGV_TIMER_MODE_COUNT;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_CREATE, &bad, sizeof(bad), NULL), -DBGV_EINVAL);
    bad = c; bad.pad[0] = 1;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_CREATE, &bad, sizeof(bad), NULL), -DBGV_EINVAL);
    CU_ASSERT_EQUAL(create("ok", 4, 1, &rc), 1);
    CU_ASSERT_EQUAL(rc, 0);

    /* Memory writes: length must match, chunk bounded, range checked. */
    memset(&mw, 0, sizeof(mw));
    mw.m.domid = 1;
    mw.m.gpa = 0x1000;
    mw.m.len = 16;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_MEM_WRITE, &mw, sizeof(mw.m) + 16, NULL), 0);
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_MEM_WRITE, &mw, sizeof(mw.m) + 15, NULL), -DBGV_EINVAL);
    mw.m.len = DBGV_CTL_MEM_CHUNK + 1;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_MEM_WRITE, &mw, sizeof(mw.m) + DBGV_CTL_MEM_CHUNK + 1, NULL),
                    -DBGV_EINVAL);
    mw.m.len = 16;
    mw.m.gpa = 4ull << 20;                                 /* just past the end */
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_MEM_WRITE, &mw, sizeof(mw.m) + 16, NULL), -DBGV_EFAULT);
    mw.m.gpa = ~0ull - 4;                                  /* wraps */
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_MEM_WRITE, &mw, sizeof(mw.m) + 16, NULL), -DBGV_EINVAL);

    pol.policy = DBGV_POLICY_COUNT;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_POLICY_SET, &pol, sizeof(pol), NULL), -DBGV_EINVAL);
    pol.policy = DBGV_POLICY_TRAP;
    pol.flags = DBGV_POLICY_F_QUIET;                       /* quiet 0 */
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_POLICY_SET, &pol, sizeof(pol), NULL), -DBGV_EINVAL);
    pol.quiet_switches = 4;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_POLICY_SET, &pol, sizeof(pol), NULL), 0);
    pol.flags = 0x80;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_POLICY_SET, &pol, sizeof(pol), NULL), -DBGV_EINVAL);

    regs.mask = 0;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_VCPU_SET_REGS, &regs, sizeof(regs), NULL), -DBGV_EINVAL);
    regs.mask = 1u << 20;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_VCPU_SET_REGS, &regs, sizeof(regs), NULL), -DBGV_EINVAL);
    regs.mask = DBGV_REG_RIP;
    regs.mode = DBGV_VCPU_MODE_LAST + 1;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_VCPU_SET_REGS, &regs, sizeof(regs), NULL), -DBGV_EINVAL);
    regs.mode = DBGV_VCPU_MODE_LINUX64;
    regs.vcpu = 5;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_VCPU_SET_REGS, &regs, sizeof(regs), NULL), -DBGV_ESRCH);
    regs.mode = DBGV_VCPU_MODE_KEEP;
    regs.vcpu = 0;
    arm64_boot_regs_validation();

    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_CONSOLE_READ, &ring, sizeof(ring), NULL), -DBGV_EINVAL);
    /* Unknown and reserved guest-debug types. */
    CU_ASSERT_EQUAL(call(0x0666, NULL, 0, NULL), -DBGV_ENOSYS);
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_GDBG_ATTACH, NULL, 0, NULL), -DBGV_ENOSYS);
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_PHYSINFO, "x", 1, NULL), -DBGV_EINVAL);
}

static void test_srv_frame_errors(void)
{
    uint8_t f[128];
    struct reply r;
    struct dbgv_ctl_hdr h;
    size_t n;

    setup();
    /* Bad payload CRC: ERROR naming the frame. */
    n = ctl_frame_build(f, sizeof(f), DBGV_CTL_MSG_PHYSINFO, 55, 0, "zz", 2);
    f[DBGV_CTL_HDR_SIZE] ^= 1;
    ctl_rx_bytes(f, n);
    CU_ASSERT_EQUAL(parse_replies(&r), 1);
    CU_ASSERT_EQUAL(r.h.type, DBGV_CTL_MSG_ERROR | DBGV_CTL_REPLY);
    CU_ASSERT_EQUAL(r.h.status, -DBGV_EBADMSG);
    CU_ASSERT_EQUAL(r.h.seq, 55);

    /* Wrong version with a consistent header: EPROTO, stream stays in sync. */
    n = ctl_frame_build(f, sizeof(f), DBGV_CTL_MSG_PHYSINFO, 56, 0, NULL, 0);
    memcpy(&h, f, sizeof(h));
    h.version = DBGV_CTL_VERSION + 1;
    h.hdr_crc = ctl_crc32(0, &h, DBGV_CTL_HDR_CRC_SPAN);
    memcpy(f, &h, sizeof(h));
    ctl_rx_bytes(f, n);
    CU_ASSERT_EQUAL(parse_replies(&r), 1);
    CU_ASSERT_EQUAL(r.h.status, -DBGV_EPROTO);
    CU_ASSERT_EQUAL(r.h.seq, 56);

    /* A reply sent to the server. */
    n = ctl_frame_build(f, sizeof(f), DBGV_CTL_MSG_PHYSINFO | DBGV_CTL_REPLY, 57, 0, NULL, 0);
    ctl_rx_bytes(f, n);
    CU_ASSERT_EQUAL(parse_replies(&r), 1);
    CU_ASSERT_EQUAL(r.h.type, DBGV_CTL_MSG_ERROR | DBGV_CTL_REPLY);

    /* Garbage: one error for the whole run of it. */
    ctl_rx_bytes("garbage garbage garbage garbage garbage", 39);
    CU_ASSERT_EQUAL(parse_replies(&r), 1);
    CU_ASSERT_EQUAL(r.h.status, -DBGV_EBADMSG);

    /* A stale partial frame is dropped by ctl_poll. */
    n = ctl_frame_build(f, sizeof(f), DBGV_CTL_MSG_PHYSINFO, 58, 0, NULL, 0);
    ctl_poll(1000);
    ctl_rx_bytes(f, 10);
    ctl_poll(1000 + CTL_RX_STALE_NS + 1);
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_PHYSINFO, NULL, 0, &r), 0);
}

static void test_srv_console_events(void)
{
    struct dbgv_ctl_ring_req rq = { .domid = 1, .max = 8, .offset = 0 };
    struct dbgv_ctl_ring_rep rr;
    struct dbgv_ctl_events_req eq = { .since_seq = 0, .domid = DBGV_DOMID_ANY, .max = 10 };
    struct dbgv_ctl_events_rep er;
    struct dbgv_ctl_event ev;
    struct reply r;
    int rc;

    setup();
    create("con", 4, 1, &rc);
    fake_console_write(1, "hello world\n");
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_CONSOLE_READ, &rq, sizeof(rq), &r), 0);
    memcpy(&rr, r.p, sizeof(rr));
    CU_ASSERT_EQUAL(rr.len, 8);
    CU_ASSERT_EQUAL(memcmp(r.p + sizeof(rr), "hello wo", 8), 0);
    CU_ASSERT_EQUAL(rr.next_offset, 8);
    rq.offset = rr.next_offset;
    rq.max = 100;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_CONSOLE_READ, &rq, sizeof(rq), &r), 0);
    memcpy(&rr, r.p, sizeof(rr));
    CU_ASSERT_EQUAL(rr.len, 4);
    CU_ASSERT_EQUAL(memcmp(r.p + sizeof(rr), "rld\n", 4), 0);
    CU_ASSERT_EQUAL(rr.end, 12);

    fake_post_event(1, DBGV_EV_BREAKPOINT, 0);
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_EVENTS_READ, &eq, sizeof(eq), &r), 0);
    memcpy(&er, r.p, sizeof(er));
    CU_ASSERT_EQUAL(er.count, 2);       /* created + breakpoint */
    memcpy(&ev, r.p + sizeof(er) + sizeof(ev), sizeof(ev));
    CU_ASSERT_EQUAL(ev.type, DBGV_EV_BREAKPOINT);
    CU_ASSERT_EQUAL(ev.seq, 2);
    CU_ASSERT_EQUAL(er.next_seq, 3);
    /* Resuming from next_seq returns nothing new. */
    eq.since_seq = er.next_seq;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_EVENTS_READ, &eq, sizeof(eq), &r), 0);
    memcpy(&er, r.p, sizeof(er));
    CU_ASSERT_EQUAL(er.count, 0);
}

/* CONSOLE_WRITE: header + exactly len bytes, len bounded, Domain-0 and
 * unknown domains refused; the reply says what was taken and the room. */
static void test_srv_console_write(void)
{
    struct {
        struct dbgv_ctl_console_write h;
        uint8_t data[DBGV_CTL_CONSOLE_WRITE_MAX + 8];
    } req;
    struct dbgv_ctl_console_write_rep rep;
    struct dbgv_ctl_ring_req rq = { .domid = 1, .max = 64, .offset = 0 };
    struct dbgv_ctl_ring_rep rr;
    struct reply r;
    int rc;

    setup();
    create("con", 4, 1, &rc);
    memset(&req, 'x', sizeof(req));
    req.h = (struct dbgv_ctl_console_write){ .domid = 1, .len = 3 };
    memcpy(req.data, "ls\n", 3);
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_CONSOLE_WRITE, &req, sizeof(req.h) + 3, &r), 0);
    CU_ASSERT_EQUAL(r.h.len, sizeof(rep));
    memcpy(&rep, r.p, sizeof(rep));
    CU_ASSERT_EQUAL(rep.accepted, 3);
    CU_ASSERT_EQUAL(rep.room, 16);
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_CONSOLE_READ, &rq, sizeof(rq), &r), 0);
    memcpy(&rr, r.p, sizeof(rr));
    CU_ASSERT_EQUAL(rr.len, 3);
    CU_ASSERT_EQUAL(memcmp(r.p + sizeof(rr), "ls\n", 3), 0);

    /* More than the receiver holds: the rest overruns. */
    req.h.len = 40;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_CONSOLE_WRITE, &req, sizeof(req.h) + 40, &r), 0);
    memcpy(&rep, r.p, sizeof(rep));
    CU_ASSERT_EQUAL(rep.accepted, 16);
    CU_ASSERT_EQUAL(fake_console_overruns(1), 24);
    /* len 0 asks for the room only. */
    req.h.len = 0;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_CONSOLE_WRITE, &req, sizeof(req.h), &r), 0);
    memcpy(&rep, r.p, sizeof(rep));
    CU_ASSERT_EQUAL(rep.accepted, 0);
    CU_ASSERT_EQUAL(rep.room, 16);

    /* Length mismatches, too long, Domain-0, unknown and reserved ids. */
    req.h.len = 3;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_CONSOLE_WRITE, &req, sizeof(req.h) + 2, NULL), -DBGV_EINVAL);
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_CONSOLE_WRITE, &req, sizeof(req.h) + 4, NULL), -DBGV_EINVAL);
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_CONSOLE_WRITE, &req, sizeof(req.h) - 1, NULL), -DBGV_EINVAL);
    req.h.len = DBGV_CTL_CONSOLE_WRITE_MAX + 1;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_CONSOLE_WRITE, &req, sizeof(req.h) + req.h.len, NULL), -DBGV_EINVAL);
    req.h.len = 1;
    req.h.domid = 0;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_CONSOLE_WRITE, &req, sizeof(req.h) + 1, NULL), -DBGV_EPERM);
    req.h.domid = 7;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_CONSOLE_WRITE, &req, sizeof(req.h) + 1, NULL), -DBGV_ESRCH);
    req.h.domid = DBGV_DOMID_MAX + 1;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_CONSOLE_WRITE, &req, sizeof(req.h) + 1, NULL), -DBGV_ESRCH);
}

/* ---- backend helpers -------------------------------------------------- */

static void test_ring(void)
{
    uint8_t store[16], out[64];
    struct ctl_ring ring;
    struct dbgv_ctl_ring_rep rep;
    uint32_t n;

    ctl_ring_init(&ring, store, sizeof(store));
    ctl_ring_write(&ring, "0123456789", 10);
    n = ctl_ring_read(&ring, 0, out, sizeof(out), &rep);
    CU_ASSERT_EQUAL(n, 10);
    CU_ASSERT_EQUAL(rep.lost, 0);
    ctl_ring_write(&ring, "abcdefghij", 10);     /* wraps, 4 bytes lost */
    n = ctl_ring_read(&ring, 10, out, sizeof(out), &rep);
    CU_ASSERT_EQUAL(n, 10);
    CU_ASSERT_EQUAL(memcmp(out, "abcdefghij", 10), 0);
    n = ctl_ring_read(&ring, 0, out, sizeof(out), &rep);
    CU_ASSERT_EQUAL(rep.lost, 4);
    CU_ASSERT_EQUAL(rep.offset, 4);
    CU_ASSERT_EQUAL(n, 16);
    CU_ASSERT_EQUAL(memcmp(out, "456789abcdefghij", 16), 0);
    /* One write bigger than the ring keeps its tail. */
    ctl_ring_write(&ring, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 26);
    n = ctl_ring_read(&ring, 0, out, sizeof(out), &rep);
    CU_ASSERT_EQUAL(n, 16);
    CU_ASSERT_EQUAL(memcmp(out, "KLMNOPQRSTUVWXYZ", 16), 0);
    CU_ASSERT_EQUAL(rep.end, 46);
    /* Reader from the future gets nothing, not garbage. */
    n = ctl_ring_read(&ring, 1000, out, sizeof(out), &rep);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(rep.next_offset, 46);
    /* Cleared (xl dmesg -c): what it held is gone, reported as lost to a
     * reader from the start; what comes after is read again. */
    ctl_ring_clear(&ring);
    n = ctl_ring_read(&ring, 0, out, sizeof(out), &rep);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(rep.lost, 46);
    CU_ASSERT_EQUAL(rep.next_offset, 46);
    ctl_ring_write(&ring, "new", 3);
    n = ctl_ring_read(&ring, 0, out, sizeof(out), &rep);
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_EQUAL(memcmp(out, "new", 3), 0);
    CU_ASSERT_EQUAL(rep.offset, 46);
}

/* The host-management messages: the server validates every field before a
 * backend sees it; the hosted backend has none of them (-ENOSYS). */
static void test_srv_host_management(void)
{
    struct dbgv_ctl_domain_rename ren = { .domid = 1, .name = "new-name" };
    struct dbgv_ctl_vcpu_affinity aff = { .domid = 1, .vcpu = 0, .cpumap = 1 };
    struct {
        struct dbgv_ctl_debug_keys h;
        char keys[DBGV_CTL_DEBUG_KEYS_MAX + 1];
    } dk = { { 1, 0 }, "h" };

    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_RENAME, &ren, sizeof(ren), NULL), -DBGV_ENOSYS);
    strcpy(ren.name, "bad name");
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_RENAME, &ren, sizeof(ren), NULL), -DBGV_EINVAL);
    memset(ren.name, 0, sizeof(ren.name));
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_RENAME, &ren, sizeof(ren), NULL), -DBGV_EINVAL);
    strcpy(ren.name, "x");
    ren.domid = 0;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_RENAME, &ren, sizeof(ren), NULL), -DBGV_EPERM);
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DOMAIN_RENAME, &ren, sizeof(ren) - 1, NULL), -DBGV_EINVAL);

    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_VCPU_SET_AFFINITY, &aff, sizeof(aff), NULL), -DBGV_ENOSYS);
    aff.vcpu = DBGV_VCPU_ALL;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_VCPU_SET_AFFINITY, &aff, sizeof(aff), NULL), -DBGV_ENOSYS);
    aff.cpumap = 0;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_VCPU_SET_AFFINITY, &aff, sizeof(aff), NULL), -DBGV_EINVAL);
    aff.cpumap = 1;
    aff.vcpu = CTL_MAX_VCPUS;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_VCPU_SET_AFFINITY, &aff, sizeof(aff), NULL), -DBGV_EINVAL);
    aff.vcpu = 0;
    aff.pad = 1;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_VCPU_SET_AFFINITY, &aff, sizeof(aff), NULL), -DBGV_EINVAL);

    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_HVLOG_CLEAR, NULL, 0, NULL), -DBGV_ENOSYS);
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_HVLOG_CLEAR, &aff, 8, NULL), -DBGV_EINVAL);

    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_KEYS, &dk, sizeof(dk.h) + 1, NULL), -DBGV_ENOSYS);
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_KEYS, &dk, sizeof(dk.h) + 2, NULL), -DBGV_EINVAL);
    dk.h.len = 0;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_KEYS, &dk, sizeof(dk.h), NULL), -DBGV_EINVAL);
    dk.h.len = DBGV_CTL_DEBUG_KEYS_MAX + 1;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_DEBUG_KEYS, &dk, sizeof(dk), NULL), -DBGV_EINVAL);

    struct dbgv_ctl_sched_params sp = { 0, 0 };
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_SCHED_PARAMS, &sp, sizeof(sp), NULL), -DBGV_ENOSYS);
    sp.tslice_us = 5000;            /* a value without the flag */
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_SCHED_PARAMS, &sp, sizeof(sp), NULL), -DBGV_EINVAL);
    sp.flags = DBGV_SCHED_F_SET_TSLICE;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_SCHED_PARAMS, &sp, sizeof(sp), NULL), -DBGV_ENOSYS);
    sp.tslice_us = DBGV_SCHED_TSLICE_MIN_US - 1;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_SCHED_PARAMS, &sp, sizeof(sp), NULL), -DBGV_EINVAL);
    sp.tslice_us = DBGV_SCHED_TSLICE_MAX_US + 1;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_SCHED_PARAMS, &sp, sizeof(sp), NULL), -DBGV_EINVAL);
    sp.flags = 2;
    sp.tslice_us = 5000;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_SCHED_PARAMS, &sp, sizeof(sp), NULL), -DBGV_EINVAL);
}

static void test_evq(void)
{
    struct dbgv_ctl_event store[4], out[8], ev = { .domid = 1 };
    struct dbgv_ctl_events_rep rep;
    struct ctl_evq q;

    ctl_evq_init(&q, store, 4);
    for ( int i = 0; i < 6; i++ )
    {
        ev.domid = i % 2 ? 2 : 1;
        CU_ASSERT_EQUAL(ctl_evq_push(&q, &ev), (uint64_t)i + 1);
    }
    /* 6 pushed into 4 slots: 1 and 2 lost. */
    CU_ASSERT_EQUAL(ctl_evq_read(&q, 1, DBGV_DOMID_ANY, out, 8, &rep), 4);
    CU_ASSERT_EQUAL(rep.lost, 2);
    CU_ASSERT_EQUAL(rep.first_seq, 3);
    CU_ASSERT_EQUAL(out[0].seq, 3);
    CU_ASSERT_EQUAL(rep.next_seq, 7);
    CU_ASSERT_EQUAL(ctl_evq_read(&q, 3, 2, out, 8, &rep), 2);
    CU_ASSERT_EQUAL(out[0].seq, 4);
    CU_ASSERT_EQUAL(ctl_evq_read(&q, 7, DBGV_DOMID_ANY, out, 8, &rep), 0);
    CU_ASSERT_EQUAL(rep.next_seq, 7);
    /* Reads bounded by max, resumable. */
    CU_ASSERT_EQUAL(ctl_evq_read(&q, 3, DBGV_DOMID_ANY, out, 1, &rep), 1);
    CU_ASSERT_EQUAL(rep.next_seq, 4);
}

/* ---- fuzz ------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static void test_fuzz(void)
{
    static uint8_t f[DBGV_CTL_MAX_FRAME + 64];
    uint32_t types[] = {
        DBGV_CTL_MSG_HELLO, DBGV_CTL_MSG_PHYSINFO, DBGV_CTL_MSG_DOMAIN_LIST,
        DBGV_CTL_MSG_DOMAIN_INFO, DBGV_CTL_MSG_DOMAIN_CREATE,
        DBGV_CTL_MSG_DOMAIN_PAUSE, DBGV_CTL_MSG_DOMAIN_UNPAUSE,
        DBGV_CTL_MSG_DOMAIN_DESTROY, DBGV_CTL_MSG_DOMAIN_SHUTDOWN,
        DBGV_CTL_MSG_MEM_WRITE, DBGV_CTL_MSG_MEM_READ,
        DBGV_CTL_MSG_VCPU_SET_REGS, DBGV_CTL_MSG_VCPU_LIST,
        DBGV_CTL_MSG_CONSOLE_READ, DBGV_CTL_MSG_HVLOG_READ,
        DBGV_CTL_MSG_CONSOLE_WRITE,
        DBGV_CTL_MSG_DEBUG_STATE_GET, DBGV_CTL_MSG_DEBUG_POLICY_SET,
        DBGV_CTL_MSG_DEBUG_STATE_LIST, DBGV_CTL_MSG_DEBUG_SUMMARY_LIST,
        DBGV_CTL_MSG_EVENTS_READ, DBGV_CTL_MSG_GDBG_SET_BP, 0, 0xffff,
    };
    struct ctl_stats st;
    struct reply r;
    int rc;

    setup();
    create("victim", 4, 2, &rc);
    for ( int i = 0; i < 20000; i++ )
    {
        uint32_t len = rnd() % 200, kind = rnd() % 8, type = types[rnd() % ARRAY_SIZE(types)];
        size_t n;

        /* Payloads of plausible structs with random fields, small domids. */
        for ( uint32_t k = 0; k < len; k++ )
            f[DBGV_CTL_HDR_SIZE + k] = (rnd() % 4) ? rnd() % 3 : rnd();
        if ( kind == 7 )
            len = rnd() % DBGV_CTL_MAX_PAYLOAD;
        n = ctl_frame_build(f, sizeof(f), type, rnd(), 0, f + DBGV_CTL_HDR_SIZE, len);
        switch ( kind )
        {
        case 0: f[rnd() % n] ^= 1u << (rnd() % 8); break;     /* bit flip */
        case 1: n = rnd() % n; break;                         /* truncated */
        case 2: for ( int k = 0; k < 8; k++ ) f[rnd() % n] = rnd(); break;
        case 3: {                                              /* lie about len */
            struct dbgv_ctl_hdr h;

            memcpy(&h, f, sizeof(h));
            h.len = rnd();
            h.hdr_crc = ctl_crc32(0, &h, DBGV_CTL_HDR_CRC_SPAN);
            memcpy(f, &h, sizeof(h));
            break;
        }
        case 4: for ( size_t k = 0; k < n; k++ ) f[k] = rnd(); break; /* noise */
        default: break;                                      /* valid frame, random fields */
        }
        ctl_rx_bytes(f, n);
        txlen = 0;                        /* discard replies */
        if ( i % 1000 == 999 )
            ctl_poll((uint64_t)i * CTL_RX_STALE_NS);  /* time passes */
    }
    /* Time passes, then a valid request is answered correctly. */
    ctl_poll(1ull << 60);
    ctl_poll((1ull << 60) + CTL_RX_STALE_NS + 1);
    txlen = 0;
    CU_ASSERT_EQUAL(call(DBGV_CTL_MSG_PHYSINFO, NULL, 0, &r), 0);
    CU_ASSERT_EQUAL(r.h.len, sizeof(struct dbgv_ctl_physinfo));
    ctl_get_stats(&st);
    CU_ASSERT(st.frames_ok + st.frames_bad >= 10000);
    /* Even without a timeout, a stream of retries recovers (as libdebugctl's
     * handshake does): up to one max frame of valid requests. */
    ctl_rx_bytes(f, 3);
    {
        struct dbgv_ctl_hello_req hr = { .client_version = DBGV_CTL_VERSION };
        int ok = 0;

        for ( int k = 0; k < 300 && !ok; k++ )
        {
            txlen = 0;
            send_req(DBGV_CTL_MSG_HELLO, 4242, &hr, sizeof(hr));
            while ( txlen )
            {
                struct reply rr;

                if ( parse_replies(&rr) && rr.h.seq == 4242 && rr.h.status == 0 )
                    ok = 1;
            }
        }
        CU_ASSERT(ok);
    }
}

/* ---- multiboot image loader ------------------------------------------- */

struct gmem {
    uint8_t *m;
    uint64_t size;
    int writes;
};

static int gwrite(void *opaque, uint64_t gpa, const void *data, uint64_t len)
{
    struct gmem *g = opaque;

    if ( gpa > g->size || len > g->size - gpa )
        return -DBGV_EFAULT;
    if ( data )
        memcpy(g->m + gpa, data, len);
    else
        memset(g->m + gpa, 0, len);
    g->writes++;
    return 0;
}

/* A minimal ELF32 multiboot image: one PT_LOAD at 1 MiB with 16 bytes of
 * code/data and 4096 bytes of BSS. */
static size_t make_elf32(uint8_t *img, uint32_t mbflags)
{
    memset(img, 0, 0x200);
    memcpy(img, "\x7f" "ELF", 4);
    img[4] = 1; img[5] = 1; img[6] = 1;
    img[16] = 2;                             /* ET_EXEC */
    img[18] = 3;                             /* EM_386 */
    img[20] = 1;
    *(uint32_t *)(img + 24) = 0x100010;      /* entry */
    *(uint32_t *)(img + 28) = 52;            /* phoff */
    *(uint16_t *)(img + 40) = 52;
    *(uint16_t *)(img + 42) = 32;
    *(uint16_t *)(img + 44) = 1;
    uint8_t *ph = img + 52;
    *(uint32_t *)(ph + 0) = 1;               /* PT_LOAD */
    *(uint32_t *)(ph + 4) = 0x100;           /* offset */
    *(uint32_t *)(ph + 8) = 0x100000;
    *(uint32_t *)(ph + 12) = 0x100000;
    *(uint32_t *)(ph + 16) = 0x40;           /* filesz */
    *(uint32_t *)(ph + 20) = 0x1040;         /* memsz */
    /* Multiboot header inside the segment. */
    *(uint32_t *)(img + 0x100) = MB_HEADER_MAGIC;
    *(uint32_t *)(img + 0x104) = mbflags;
    *(uint32_t *)(img + 0x108) = -(MB_HEADER_MAGIC + mbflags);
    memcpy(img + 0x110, "\xf4\xeb\xfd\x90", 4);   /* hlt; jmp */
    return 0x140;
}

static void test_mbimage(void)
{
    static uint8_t img[0x200];
    struct gmem g = { .size = 8 << 20 };
    struct mbimage mb;
    struct mbimage_boot boot;
    const char *why;
    size_t n = make_elf32(img, MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMORY_INFO);
    uint32_t *mbi;

    g.m = calloc(1, g.size);
    memset(g.m, 0xaa, g.size);                    /* BSS must get zeroed */
    CU_ASSERT_EQUAL_FATAL(mbimage_parse(img, n, &mb, &why), 0);
    CU_ASSERT_EQUAL(mb.entry, 0x100010);
    CU_ASSERT_EQUAL(mb.nr_segs, 1);
    CU_ASSERT_EQUAL(mb.elf_class, 1);
    CU_ASSERT_EQUAL(mb.load_end, 0x101040);
    CU_ASSERT_EQUAL(mbimage_load(&mb, img, n, g.size, NULL, "console=ttyS0 x=1", NULL, 0,
                                 gwrite, &g, &boot, &why), 0);
    CU_ASSERT_EQUAL(boot.eax, 0x2BADB002);
    CU_ASSERT_EQUAL(boot.eip, 0x100010);
    CU_ASSERT_EQUAL(boot.ebx, 0x102000);
    CU_ASSERT_EQUAL(memcmp(g.m + 0x100010, "\xf4\xeb\xfd\x90", 4), 0);
    CU_ASSERT_EQUAL(g.m[0x100040], 0);            /* BSS start */
    CU_ASSERT_EQUAL(g.m[0x10103f], 0);            /* BSS end */
    CU_ASSERT_EQUAL(g.m[0x101040], 0xaa);         /* untouched after */
    mbi = (uint32_t *)(g.m + boot.ebx);
    CU_ASSERT_EQUAL(mbi[0] & (MBINFO_F_MEM | MBINFO_F_CMDLINE), MBINFO_F_MEM | MBINFO_F_CMDLINE);
    CU_ASSERT_EQUAL(mbi[1], 640);
    CU_ASSERT_EQUAL(mbi[2], (8 << 10) - 1024);
    CU_ASSERT_STRING_EQUAL((char *)g.m + mbi[4], "console=ttyS0 x=1");
    CU_ASSERT_EQUAL(mbi[5], 0);                   /* no modules */

    /* Rejections. */
    CU_ASSERT_EQUAL(mbimage_parse(img, 0x100, &mb, &why), -DBGV_EINVAL);  /* no header */
    CU_ASSERT_PTR_NOT_NULL(why);
    n = make_elf32(img, 1u << 5);                 /* unknown required flag */
    CU_ASSERT_EQUAL(mbimage_parse(img, n, &mb, &why), -DBGV_EOPNOTSUPP);
    n = make_elf32(img, 0);
    *(uint32_t *)(img + 52 + 16) = 0x10000;       /* filesz past the file */
    CU_ASSERT_EQUAL(mbimage_parse(img, n, &mb, &why), -DBGV_EINVAL);
    n = make_elf32(img, 0);
    *(uint32_t *)(img + 52 + 20) = 0x10;          /* memsz < filesz */
    CU_ASSERT_EQUAL(mbimage_parse(img, n, &mb, &why), -DBGV_EINVAL);
    n = make_elf32(img, 0);
    *(uint16_t *)(img + 44) = 200;                /* phnum past the file */
    CU_ASSERT_EQUAL(mbimage_parse(img, n, &mb, &why), -DBGV_EINVAL);
    n = make_elf32(img, 0);
    CU_ASSERT_EQUAL(mbimage_parse(img, n, &mb, &why), 0);
    CU_ASSERT_EQUAL(mbimage_load(&mb, img, n, 1 << 20, NULL, NULL, NULL, 0, gwrite, &g, &boot, &why),
                    -DBGV_E2BIG);                 /* does not fit in 1 MiB */
    /* Random images never crash the parser. */
    for ( int i = 0; i < 3000; i++ )
    {
        n = make_elf32(img, 0);
        for ( int k = 0; k < 6; k++ )
            img[rnd() % 0x140] = rnd();
        if ( mbimage_parse(img, n, &mb, &why) == 0 )
            mbimage_load(&mb, img, n, g.size, NULL, "x", NULL, 0, gwrite, &g, &boot, &why);
    }
    free(g.m);
}

static void test_mbimage_aout_elf64(void)
{
    static uint8_t img[0x400];
    struct mbimage mb;
    const char *why;
    uint32_t fl = MB_FLAG_AOUT_KLUDGE | MB_FLAG_MEMORY_INFO;

    /* a.out kludge: header at file offset 0x20, loaded at 0x200000. */
    memset(img, 0, sizeof(img));
    uint32_t *h = (uint32_t *)(img + 0x20);
    h[0] = MB_HEADER_MAGIC; h[1] = fl; h[2] = -(MB_HEADER_MAGIC + fl);
    h[3] = 0x200020;        /* header_addr */
    h[4] = 0x200000;        /* load_addr */
    h[5] = 0x200100;        /* load_end_addr */
    h[6] = 0x201000;        /* bss_end_addr */
    h[7] = 0x200040;        /* entry */
    CU_ASSERT_EQUAL(mbimage_parse(img, sizeof(img), &mb, &why), 0);
    CU_ASSERT_EQUAL(mb.elf_class, 0);
    CU_ASSERT_EQUAL(mb.entry, 0x200040);
    CU_ASSERT_EQUAL(mb.seg[0].paddr, 0x200000);
    CU_ASSERT_EQUAL(mb.seg[0].offset, 0);
    CU_ASSERT_EQUAL(mb.seg[0].filesz, 0x100);
    CU_ASSERT_EQUAL(mb.seg[0].memsz, 0x1000);
    h[3] = 0x100000;        /* header before load address: inconsistent */
    h[2] = -(MB_HEADER_MAGIC + fl);
    CU_ASSERT_EQUAL(mbimage_parse(img, sizeof(img), &mb, &why), -DBGV_EINVAL);

    /* ELF64 with a virtual entry translated through p_vaddr. */
    memset(img, 0, sizeof(img));
    memcpy(img, "\x7f" "ELF", 4);
    img[4] = 2; img[5] = 1; img[16] = 2; img[18] = 62;
    *(uint64_t *)(img + 24) = 0xffffffff80000010ull;
    *(uint64_t *)(img + 32) = 64;
    *(uint16_t *)(img + 54) = 56;
    *(uint16_t *)(img + 56) = 1;
    uint8_t *ph = img + 64;
    *(uint32_t *)ph = 1;
    *(uint64_t *)(ph + 8) = 0x200;
    *(uint64_t *)(ph + 16) = 0xffffffff80000000ull;
    *(uint64_t *)(ph + 24) = 0x400000;
    *(uint64_t *)(ph + 32) = 0x100;
    *(uint64_t *)(ph + 40) = 0x100;
    *(uint32_t *)(img + 0x200) = MB_HEADER_MAGIC;
    *(uint32_t *)(img + 0x208) = -MB_HEADER_MAGIC;
    CU_ASSERT_EQUAL(mbimage_parse(img, 0x300, &mb, &why), 0);
    CU_ASSERT_EQUAL(mb.elf_class, 2);
    CU_ASSERT_EQUAL(mb.entry, 0x400010);
}

int main(void)
{
    CU_pSuite s;
    unsigned int failed;

    if ( CU_initialize_registry() != CUE_SUCCESS )
        return 1;
    s = CU_add_suite("control-protocol", setup, NULL);
    CU_add_test(s, "crc32", test_crc32);
    CU_add_test(s, "frame build", test_frame_build);
    CU_add_test(s, "reassembly", test_rx_basic);
    CU_add_test(s, "resync", test_rx_resync);
    CU_add_test(s, "oversize frame", test_rx_oversize);
    CU_add_test(s, "server hello", test_srv_hello);
    CU_add_test(s, "server domains", test_srv_domains);
    CU_add_test(s, "server validation", test_srv_validation);
    CU_add_test(s, "server debug state of every domain", test_srv_debug_state_list);
    CU_add_test(s, "server debug summary of every domain", test_srv_debug_summary_list);
    CU_add_test(s, "debug summary of an arm64 vCPU", test_summarize_arm64);
    CU_add_test(s, "server frame errors", test_srv_frame_errors);
    CU_add_test(s, "server console and events", test_srv_console_events);
    CU_add_test(s, "server console input (CONSOLE_WRITE)", test_srv_console_write);
    CU_add_test(s, "server host management", test_srv_host_management);
    CU_add_test(s, "ring", test_ring);
    CU_add_test(s, "event queue", test_evq);
    CU_add_test(s, "fuzz 20000 frames", test_fuzz);
    CU_add_test(s, "mbimage elf32", test_mbimage);
    CU_add_test(s, "mbimage a.out and elf64", test_mbimage_aout_elf64);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
