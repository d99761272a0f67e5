/*
 * CUnit tests of the shared-memory control transport: the ring ends
 * (shmring.c) and the hypervisor's slot server (shm_server.c) over the
 * hosted control server and fake backend, with the client's side played
 * by hand so it can be hostile: impossible indices, oversize frames,
 * garbage, a client that never reads its replies, a take-over mid-frame.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/Basic.h>
#include <dbgvisor/control_shm.h>
#include <dbgvisor/ctlframe.h>
#include <dbgvisor/shmring.h>
#include <public/ctlshm.h>
#include "fake_backend.h"

/* The server's default channel (COM2) and log: unused here. */
void ctl_tx_bytes(const void *buf, size_t len) { }
static int warnings;
void log_printk(int lvl, const char *fmt, ...) { warnings++; }

/* ---- ring ends --------------------------------------------------------- */

static void test_ring_basic(void)
{
    uint32_t prod = 0xfffffff0u, cons = 0xfffffff0u, n;   /* indices wrap */
    uint8_t data[64], out[64];
    struct shm_ring w, r;

    shm_ring_init_writer(&w, &prod, &cons, data, sizeof(data));
    shm_ring_init_reader(&r, &prod, &cons, data, sizeof(data));
    CU_ASSERT_EQUAL(shm_ring_space(&w, &n), 0);
    CU_ASSERT_EQUAL(n, 64);
    CU_ASSERT_EQUAL(shm_ring_avail(&r, &n), 0);
    CU_ASSERT_EQUAL(n, 0);
    for ( int round = 0; round < 5; round++ )
    {
        uint8_t in[40];

        for ( int i = 0; i < 40; i++ )
            in[i] = (uint8_t)(round * 40 + i);
        shm_ring_write(&w, in, 40);
        CU_ASSERT_EQUAL(shm_ring_space(&w, &n), 0);
        CU_ASSERT_EQUAL(n, 24);
        CU_ASSERT_EQUAL(shm_ring_avail(&r, &n), 0);
        CU_ASSERT_EQUAL(n, 40);
        CU_ASSERT_EQUAL(shm_ring_read(&r, out, n, 64), 40);  /* wraps */
        CU_ASSERT_EQUAL(memcmp(in, out, 40), 0);
        CU_ASSERT_EQUAL(cons, prod);
    }
}

static void test_ring_hostile(void)
{
    uint32_t prod = 100, cons = 100, n;
    uint8_t data[64];
    struct shm_ring w, r;

    shm_ring_init_reader(&r, &prod, &cons, data, sizeof(data));
    prod = 100 + 65;                    /* more than the ring holds */
    CU_ASSERT_EQUAL(shm_ring_avail(&r, &n), -DBGV_EIO);
    CU_ASSERT_EQUAL(n, 0);
    prod = 99;                          /* behind the reader */
    CU_ASSERT_EQUAL(shm_ring_avail(&r, &n), -DBGV_EIO);
    prod = 164;                         /* exactly full is fine */
    CU_ASSERT_EQUAL(shm_ring_avail(&r, &n), 0);
    CU_ASSERT_EQUAL(n, 64);
    /* The reader's own index is private: scribbling the shared copy
     * does not move it. */
    cons = 7;
    CU_ASSERT_EQUAL(shm_ring_avail(&r, &n), 0);
    CU_ASSERT_EQUAL(n, 64);

    prod = cons = 500;
    shm_ring_init_writer(&w, &prod, &cons, data, sizeof(data));
    cons = 501;                         /* consumed more than was written */
    CU_ASSERT_EQUAL(shm_ring_space(&w, &n), -DBGV_EIO);
    cons = 500 - 65;
    CU_ASSERT_EQUAL(shm_ring_space(&w, &n), -DBGV_EIO);
    cons = 500;
    prod = 0;                           /* the writer's index is private too */
    CU_ASSERT_EQUAL(shm_ring_space(&w, &n), 0);
    CU_ASSERT_EQUAL(n, 64);
}

/* ---- the slot server, with a hand-played client ------------------------ */

#define REGION (1u << 20)
static uint8_t *region;
static struct dbgv_shm_hdr *hdr;

struct client {
    struct dbgv_shm_slot *s;
    struct shm_ring req, rep;
    struct ctl_rx rx;
    uint8_t rxbuf[DBGV_CTL_MAX_FRAME] __attribute__((aligned(8)));
};
static struct client cl;
static uint64_t now = 1;

static void poll_hv(void)
{
    now += 1000;
    ctl_shm_poll(now);
}

static void attach(void)
{
    free(region);
    region = aligned_alloc(4096, REGION);
    memset(region, 0xa5, REGION);        /* whatever the file held */
    fake_reset();
    ctl_init();
    CU_ASSERT_FATAL(ctl_shm_attach(region, REGION) == 0);
    hdr = (struct dbgv_shm_hdr *)region;
}

static void client_session(unsigned int slot)
{
    uint8_t *rings;

    cl.s = (struct dbgv_shm_slot *)(region + hdr->slot_offset + slot * hdr->slot_stride);
    rings = (uint8_t *)cl.s + DBGV_SHM_PAGE;
    cl.s->owner = 1234;
    cl.s->session++;
    CU_ASSERT(ctl_shm_pending());
    poll_hv();
    CU_ASSERT_EQUAL(cl.s->session_ack, cl.s->session);
    shm_ring_init_writer(&cl.req, &cl.s->req_prod, &cl.s->req_cons, rings, hdr->ring_size);
    shm_ring_init_reader(&cl.rep, &cl.s->rep_prod, &cl.s->rep_cons,
                         rings + hdr->ring_size, hdr->ring_size);
    ctl_rx_init(&cl.rx, cl.rxbuf);
}

static void client_send_raw(const void *buf, uint32_t len)
{
    uint32_t space;

    CU_ASSERT_FATAL(shm_ring_space(&cl.req, &space) == 0 && space >= len);
    shm_ring_write(&cl.req, buf, len);
}

static void client_send(uint16_t type, uint32_t seq, const void *p, uint32_t len)
{
    static uint8_t f[DBGV_CTL_MAX_FRAME];
    size_t n = ctl_frame_build(f, sizeof(f), type, seq, 0, p, len);

    CU_ASSERT_FATAL(n > 0);
    client_send_raw(f, (uint32_t)n);
}

/* Next reply frame from the reply ring: its header, or magic 0 if none. */
static struct dbgv_ctl_hdr client_reply(void)
{
    struct dbgv_ctl_hdr h = { 0 };
    struct ctl_rx_error e;
    uint32_t n;
    uint8_t b;

    for ( ;; )
    {
        enum ctl_rx_result r = ctl_rx_step(&cl.rx, &e);

        CU_ASSERT_NOT_EQUAL(r, CTL_RX_ERROR);   /* the server sends no junk */
        if ( r == CTL_RX_FRAME )
        {
            memcpy(&h, ctl_rx_hdr(&cl.rx), sizeof(h));
            return h;
        }
        if ( shm_ring_avail(&cl.rep, &n) || !n )
            return h;
        shm_ring_read(&cl.rep, &b, n, 1);
        ctl_rx_push(&cl.rx, b);
    }
}

/* A HELLO request frame in f (DBGV_CTL_MAX_FRAME bytes); its size. */
static size_t hello_frame(uint8_t *f, uint32_t seq)
{
    struct dbgv_ctl_hello_req req = { .client_version = DBGV_CTL_VERSION };

    return ctl_frame_build(f, DBGV_CTL_MAX_FRAME, DBGV_CTL_MSG_HELLO, seq, 0,
                           &req, sizeof(req));
}

static void hello(uint32_t seq)
{
    struct dbgv_ctl_hello_req req = { .client_version = DBGV_CTL_VERSION };

    client_send(DBGV_CTL_MSG_HELLO, seq, &req, sizeof(req));
}

static void test_shm_attach(void)
{
    uint8_t small[3 * 4096];

    CU_ASSERT_EQUAL(ctl_shm_attach(small, sizeof(small)), -DBGV_E2BIG);
    attach();
    CU_ASSERT_EQUAL(hdr->magic, DBGV_SHM_MAGIC);
    CU_ASSERT_EQUAL(hdr->nr_slots, DBGV_SHM_MAX_SLOTS);
    CU_ASSERT(hdr->ring_size >= 16384 && !(hdr->ring_size & (hdr->ring_size - 1)));
    CU_ASSERT(hdr->slot_offset + hdr->nr_slots * hdr->slot_stride <= REGION);
    CU_ASSERT_FALSE(ctl_shm_pending());
    uint64_t beat = hdr->heartbeat;
    poll_hv();
    CU_ASSERT_EQUAL(hdr->heartbeat, beat + 1);
}

static void test_shm_roundtrip(void)
{
    struct dbgv_ctl_hdr h;

    attach();
    client_session(3);
    hello(41);
    CU_ASSERT(ctl_shm_pending());
    poll_hv();
    h = client_reply();
    CU_ASSERT_EQUAL(h.type, DBGV_CTL_MSG_HELLO | DBGV_CTL_REPLY);
    CU_ASSERT_EQUAL(h.seq, 41);
    CU_ASSERT_EQUAL(h.status, 0);
    CU_ASSERT_FALSE(ctl_shm_pending());

    /* Pipelined: many requests at once, answered in order. */
    for ( uint32_t i = 0; i < 20; i++ )
        hello(100 + i);
    poll_hv();
    for ( uint32_t i = 0; i < 20; i++ )
        CU_ASSERT_EQUAL(client_reply().seq, 100 + i);
    CU_ASSERT_EQUAL(client_reply().magic, 0);
}

/* Slots are separate streams: half a frame in one does not disturb another. */
static void test_shm_slots_separate(void)
{
    static uint8_t f[DBGV_CTL_MAX_FRAME];
    size_t n = hello_frame(f, 5);
    struct client other;

    attach();
    client_session(0);
    client_send_raw(f, 20);              /* slot 0: a torn frame */
    other = cl;
    client_session(1);
    hello(6);
    poll_hv();
    CU_ASSERT_EQUAL(client_reply().seq, 6);
    cl = other;
    client_send_raw(f + 20, (uint32_t)n - 20);
    poll_hv();
    CU_ASSERT_EQUAL(client_reply().seq, 5);
}

static void test_shm_hostile_indices(void)
{
    struct dbgv_ctl_hdr h;
    uint32_t prod;

    attach();
    client_session(2);
    warnings = 0;
    prod = cl.s->req_prod;
    cl.s->req_prod = prod + hdr->ring_size + 1;   /* more than the ring */
    CU_ASSERT(ctl_shm_pending());
    poll_hv();
    CU_ASSERT_EQUAL(cl.s->error, -DBGV_EIO);
    CU_ASSERT_EQUAL(warnings, 1);
    CU_ASSERT_EQUAL(client_reply().magic, 0);     /* nothing was served */
    CU_ASSERT_FALSE(ctl_shm_pending());           /* a stopped slot is quiet */
    poll_hv();
    CU_ASSERT_EQUAL(warnings, 1);                 /* logged once */

    /* A new session recovers the slot. */
    client_session(2);
    CU_ASSERT_EQUAL(cl.s->error, 0);
    hello(9);
    poll_hv();
    CU_ASSERT_EQUAL(client_reply().seq, 9);

    /* The client claims to have consumed replies never written. */
    cl.s->rep_cons = cl.s->rep_prod + 1;
    hello(10);
    poll_hv();
    CU_ASSERT_EQUAL(cl.s->error, -DBGV_EIO);

    /* The client overwrites the server's own index: ignored. */
    client_session(2);
    cl.s->req_cons = 12345;
    hello(11);
    poll_hv();
    h = client_reply();
    CU_ASSERT_EQUAL(h.seq, 11);
    CU_ASSERT_EQUAL(cl.s->error, 0);

    struct ctl_shm_stats st;
    ctl_shm_get_stats(&st);
    CU_ASSERT_EQUAL(st.corrupt, 2);
}

/* The header is shared too: a client that rewrites the layout changes
 * nothing on the hypervisor's side (it keeps its own copy). */
static void test_shm_hostile_header(void)
{
    attach();
    client_session(1);                  /* the client learnt the layout */
    hdr->ring_size = 1u << 30;          /* then rewrites it */
    hdr->slot_stride = 1u << 31;
    hdr->slot_offset = 0;
    hdr->nr_slots = 1000;
    cl.s->session++;                    /* a restart re-derives the rings */
    poll_hv();
    CU_ASSERT_EQUAL(cl.s->session_ack, cl.s->session);
    hello(55);
    poll_hv();
    CU_ASSERT_EQUAL(client_reply().seq, 55);
    CU_ASSERT(!ctl_shm_pending());
}

static void test_shm_bad_frames(void)
{
    static uint8_t f[DBGV_CTL_MAX_FRAME + 64];
    struct dbgv_ctl_hdr h;

    attach();
    client_session(4);
    /* A header claiming an oversize payload: -EMSGSIZE, and the server
     * does not wait for the bytes it claims. */
    ctl_frame_build(f, sizeof(f), DBGV_CTL_MSG_HELLO, 77, 0, NULL, 0);
    ((struct dbgv_ctl_hdr *)f)->len = 1u << 30;
    ((struct dbgv_ctl_hdr *)f)->hdr_crc = ctl_crc32(0, f, DBGV_CTL_HDR_CRC_SPAN);
    client_send_raw(f, DBGV_CTL_HDR_SIZE);
    hello(78);
    poll_hv();
    h = client_reply();
    CU_ASSERT_EQUAL(h.type, DBGV_CTL_MSG_ERROR | DBGV_CTL_REPLY);
    CU_ASSERT_EQUAL(h.status, -DBGV_EMSGSIZE);
    CU_ASSERT_EQUAL(h.seq, 77);
    CU_ASSERT_EQUAL(client_reply().seq, 78);

    /* Garbage: one error for the run, then the next frame. */
    memset(f, 'x', 5000);
    client_send_raw(f, 5000);
    hello(79);
    poll_hv();
    h = client_reply();
    CU_ASSERT_EQUAL(h.status, -DBGV_EBADMSG);
    CU_ASSERT_EQUAL(client_reply().seq, 79);

    /* A torn frame goes stale and is dropped; the next one is served. */
    client_send(DBGV_CTL_MSG_HELLO, 80, NULL, 0);
    cl.req.pos -= 10;                   /* "un-send" the tail: torn */
    cl.s->req_prod = cl.req.pos;
    poll_hv();
    now += CTL_RX_STALE_NS + 1;
    poll_hv();
    hello(81);
    poll_hv();
    do
        h = client_reply();
    while ( h.magic && h.seq != 81 );
    CU_ASSERT_EQUAL(h.seq, 81);
}

/* A pass long after the server's clock last moved (the host descheduled
 * QEMU): bytes received in it are fresh, not stale. */
static void test_shm_late_pass(void)
{
    static uint8_t f[DBGV_CTL_MAX_FRAME];
    size_t n = hello_frame(f, 31);

    attach();
    client_session(7);
    client_send_raw(f, 16);
    now += 10 * CTL_RX_STALE_NS;
    ctl_shm_poll(now);
    client_send_raw(f + 16, (uint32_t)n - 16);
    poll_hv();
    CU_ASSERT_EQUAL(client_reply().seq, 31);
}

/* A client that never reads replies: the server stops taking requests when
 * a maximal reply would not fit, and never overruns the reply ring. */
static void test_shm_reply_backpressure(void)
{
    uint32_t sent = 0, space, used;

    attach();
    client_session(5);
    for ( int round = 0; round < 200; round++ )
    {
        while ( shm_ring_space(&cl.req, &space) == 0 && space > 200 )
        {
            hello(1000 + sent);
            sent++;
        }
        poll_hv();
    }
    used = cl.s->rep_prod - cl.s->rep_cons;
    CU_ASSERT(used <= hdr->ring_size);
    CU_ASSERT(hdr->ring_size - used < DBGV_CTL_MAX_FRAME);  /* it filled up */
    CU_ASSERT_EQUAL(cl.s->error, 0);
    CU_ASSERT(ctl_shm_pending());       /* requests wait, not lost */
    /* Reading the replies lets the rest through, in order, none lost. */
    for ( uint32_t i = 0; i < sent; i++ )
    {
        struct dbgv_ctl_hdr h = client_reply();

        if ( !h.magic )
        {
            poll_hv();
            h = client_reply();
        }
        CU_ASSERT_EQUAL_FATAL(h.seq, 1000 + i);
    }
}

/* A new session mid-frame: the predecessor's bytes are forgotten. */
static void test_shm_takeover(void)
{
    static uint8_t f[DBGV_CTL_MAX_FRAME];
    size_t n = hello_frame(f, 5);

    attach();
    client_session(6);
    client_send_raw(f, (uint32_t)n - 1);
    poll_hv();
    hello(6);                           /* not yet answered: behind the torn one */
    client_session(6);                  /* a new client takes over */
    hello(7);
    poll_hv();
    CU_ASSERT_EQUAL(client_reply().seq, 7);
    CU_ASSERT_EQUAL(client_reply().magic, 0);
}

static uint8_t *f_buf(void)
{
    static uint8_t f[DBGV_CTL_MAX_FRAME];

    return f;
}

/* Random index scribbling never crashes or overruns (run under ASan in
 * development): whatever happens, the server's writes stay in the ring. */
static void test_shm_fuzz(void)
{
    attach();
    srand(7);
    for ( int i = 0; i < 20000; i++ )
    {
        struct dbgv_shm_slot *s = (struct dbgv_shm_slot *)
            (region + hdr->slot_offset + (rand() % hdr->nr_slots) * hdr->slot_stride);
        uint8_t *req = (uint8_t *)s + DBGV_SHM_PAGE;

        switch ( rand() % 6 )
        {
        case 0: s->req_prod += rand() % 9000; break;
        case 1: s->req_prod = rand(); break;
        case 2: s->rep_cons = s->rep_prod - rand() % 3; break;
        case 3: s->session += rand() % 2; break;
        case 4: {
            struct dbgv_ctl_hello_req h = { .client_version = DBGV_CTL_VERSION };
            uint32_t off = s->req_prod & (hdr->ring_size - 1);
            size_t n = ctl_frame_build(f_buf(), DBGV_CTL_MAX_FRAME, DBGV_CTL_MSG_HELLO,
                                       i, 0, &h, sizeof(h));
            if ( off + n <= hdr->ring_size )
                memcpy(req + off, f_buf(), n);
            s->req_prod += (uint32_t)n;
            break;
        }
        default: s->rep_cons = s->rep_prod; break;
        }
        poll_hv();
    }
    CU_PASS("survived");
}

int main(void)
{
    CU_pSuite s;
    unsigned int failed;

    if ( CU_initialize_registry() != CUE_SUCCESS )
        return 1;
    s = CU_add_suite("control-shm", NULL, NULL);
    CU_add_test(s, "ring ends", test_ring_basic);
    CU_add_test(s, "ring hostile indices", test_ring_hostile);
    CU_add_test(s, "attach and layout", test_shm_attach);
    CU_add_test(s, "round trip and pipelining", test_shm_roundtrip);
    CU_add_test(s, "slots are separate streams", test_shm_slots_separate);
    CU_add_test(s, "hostile indices stop the slot", test_shm_hostile_indices);
    CU_add_test(s, "hostile header", test_shm_hostile_header);
    CU_add_test(s, "oversize, garbage, torn frames", test_shm_bad_frames);
    CU_add_test(s, "a late pass keeps fresh bytes", test_shm_late_pass);
    CU_add_test(s, "reply back-pressure", test_shm_reply_backpressure);
    CU_add_test(s, "take-over mid-frame", test_shm_takeover);
    CU_add_test(s, "fuzz 20000 scribbles", test_shm_fuzz);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    free(region);
    return failed ? 1 : 0;
}
