/* Page allocator: hand-written scenarios plus a random walk against a reference model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/page_alloc.h>
#include "tests.h"

#define PG(n) ((uint64_t)(n) * PAGE_SIZE)
#define MiB (1024ULL * 1024)
#define GiB (1024 * MiB)

static void test_init(void)
{
    palloc_init();
    CU_ASSERT_EQUAL(palloc_free_pages(), 0);
    CU_ASSERT_EQUAL(palloc_total_pages(), 0);
    CU_ASSERT_EQUAL(palloc_alloc(1, 1), 0);
    CU_ASSERT_EQUAL(palloc_bad_frees(), 0);
}

static void test_rounding_and_page0(void)
{
    palloc_init();
    palloc_add_free(0, PG(4));                  /* page 0 is never handed out */
    CU_ASSERT_EQUAL(palloc_free_pages(), 3);
    CU_ASSERT_EQUAL(palloc_total_pages(), 3);
    CU_ASSERT_EQUAL(palloc_alloc(1, 1), PG(1));

    palloc_init();
    palloc_add_free(PG(10) + 1, PG(13) - 1);    /* rounded inward: pages 11 only */
    CU_ASSERT_EQUAL(palloc_free_pages(), 1);
    CU_ASSERT_EQUAL(palloc_alloc(1, 1), PG(11));
    palloc_add_free(PG(20) + 1, PG(21) + 5);    /* rounds to nothing */
    palloc_add_free(PG(30), PG(30));
    palloc_add_free(PG(31), PG(30));            /* inverted */
    CU_ASSERT_EQUAL(palloc_free_pages(), 0);

    palloc_init();
    palloc_add_free(PG(100), PG(110));
    palloc_reserve(PG(102) + 0xfff, PG(104) + 1);  /* rounded outward: 102..104 */
    CU_ASSERT_EQUAL(palloc_free_pages(), 7);
    CU_ASSERT_EQUAL(palloc_total_pages(), 7);
    CU_ASSERT_EQUAL(palloc_alloc(3, 1), PG(105));
    CU_ASSERT_EQUAL(palloc_alloc(2, 1), PG(100));
    CU_ASSERT_EQUAL(palloc_alloc(2, 1), PG(108));
    CU_ASSERT_EQUAL(palloc_alloc(1, 1), 0);
}

static void test_overlapping_adds(void)
{
    palloc_init();
    palloc_add_free(PG(50), PG(70));
    palloc_add_free(PG(60), PG(80));            /* overlap is not counted twice */
    CU_ASSERT_EQUAL(palloc_free_pages(), 30);
    CU_ASSERT_EQUAL(palloc_total_pages(), 30);
    palloc_reserve(PG(40), PG(55));
    palloc_reserve(PG(45), PG(52));             /* reserving reserved memory is a no-op */
    CU_ASSERT_EQUAL(palloc_free_pages(), 25);
    CU_ASSERT_EQUAL(palloc_total_pages(), 25);
}

static void test_above_4g(void)
{
    palloc_init();
    palloc_add_free(4 * GiB - PG(16), 8 * GiB); /* clipped at 4 GiB */
    CU_ASSERT_EQUAL(palloc_free_pages(), 16);
    palloc_add_free(5 * GiB, 6 * GiB);
    CU_ASSERT_EQUAL(palloc_free_pages(), 16);
    CU_ASSERT_EQUAL(palloc_alloc(16, 1), 4 * GiB - PG(16));
    CU_ASSERT_EQUAL(palloc_alloc(1, 1), 0);
    palloc_reserve(5 * GiB, 6 * GiB);
    palloc_free(5 * GiB, 1);                    /* not ours */
    CU_ASSERT_EQUAL(palloc_bad_frees(), 1);
    palloc_free(4 * GiB - PG(16), 16);
    CU_ASSERT_EQUAL(palloc_free_pages(), 16);
}

static void test_alignment(void)
{
    palloc_init();
    palloc_add_free(PG(1), PG(4096));
    CU_ASSERT_EQUAL(palloc_alloc(1, 16), PG(16));
    CU_ASSERT_EQUAL(palloc_alloc(1, 1), PG(1));
    CU_ASSERT_EQUAL(palloc_alloc(1, 0), PG(2));   /* 0 means no alignment */
    CU_ASSERT_EQUAL(palloc_alloc(4, 16), PG(32));
    CU_ASSERT_EQUAL(palloc_alloc(20, 16), PG(48));
    CU_ASSERT_EQUAL(palloc_alloc(1, 512), PG(512));
    CU_ASSERT_EQUAL(palloc_alloc(1, 3), PG(3));   /* not a power of two */
    CU_ASSERT_EQUAL(palloc_alloc(1, 3), PG(6));
    CU_ASSERT_EQUAL(palloc_alloc(1, 8192), 0);    /* no aligned frame in the range */
    CU_ASSERT_EQUAL(palloc_alloc(1, (size_t)-1), 0);
    CU_ASSERT_EQUAL(palloc_alloc(0, 1), 0);
}

/* Runs that start, end and span 64-bit bitmap words at every offset. */
static void test_word_boundaries(void)
{
    for (unsigned start = 56; start < 72; start++)
        for (unsigned len = 1; len < 140; len += 7) {
            palloc_init();
            palloc_add_free(PG(start), PG(start + len));
            CU_ASSERT_EQUAL(palloc_free_pages(), len);
            CU_ASSERT_EQUAL(palloc_alloc(len + 1, 1), 0);
            CU_ASSERT_EQUAL(palloc_alloc(len, 1), PG(start));
            CU_ASSERT_EQUAL(palloc_free_pages(), 0);
            palloc_free(PG(start), len);
            CU_ASSERT_EQUAL(palloc_free_pages(), len);
            palloc_reserve(PG(start + len / 2), PG(start + len / 2 + 1));
            CU_ASSERT_EQUAL(palloc_free_pages(), len - 1);
            CU_ASSERT_EQUAL(palloc_alloc(len, 1), 0);
        }
    CU_ASSERT_EQUAL(palloc_bad_frees(), 0);
}

static void test_fragmentation(void)
{
    uint64_t a[100];

    palloc_init();
    palloc_add_free(PG(1), PG(201));
    for (int i = 0; i < 100; i++)
        CU_ASSERT_EQUAL(a[i] = palloc_alloc(1, 1), PG(1 + i));
    for (int i = 0; i < 100; i += 2)
        palloc_free(a[i], 1);
    CU_ASSERT_EQUAL(palloc_free_pages(), 150);
    CU_ASSERT_EQUAL(palloc_alloc(2, 1), PG(101));  /* holes are one page wide */
    CU_ASSERT_EQUAL(palloc_alloc(1, 1), PG(1));    /* first fit reuses a hole */
    CU_ASSERT_EQUAL(palloc_alloc(1, 1), PG(3));
    palloc_free(a[5], 1);                           /* page 6 joins holes 5 and 7 */
    CU_ASSERT_EQUAL(palloc_alloc(2, 1), PG(5));
    CU_ASSERT_EQUAL(palloc_alloc(97, 1), PG(103));
    CU_ASSERT_EQUAL(palloc_alloc(1, 1), PG(7));
    CU_ASSERT_EQUAL(palloc_alloc(2, 1), 0);
    CU_ASSERT_EQUAL(palloc_bad_frees(), 0);
}

static void test_exhaustion_and_reuse(void)
{
    size_t n;

    palloc_init();
    palloc_add_free(PG(1), PG(1025));
    for (n = 0; palloc_alloc(1, 1); n++)
        ;
    CU_ASSERT_EQUAL(n, 1024);
    CU_ASSERT_EQUAL(palloc_free_pages(), 0);
    palloc_free(PG(500), 1);
    CU_ASSERT_EQUAL(palloc_alloc(1, 1), PG(500));
    palloc_free(PG(100), 10);
    CU_ASSERT_EQUAL(palloc_alloc(11, 1), 0);
    CU_ASSERT_EQUAL(palloc_alloc(10, 1), PG(100));
    CU_ASSERT_EQUAL(palloc_total_pages(), 1024);
}

static void test_bad_frees(void)
{
    uint64_t a;

    palloc_init();
    palloc_add_free(PG(1), PG(65));
    palloc_reserve(PG(40), PG(41));
    a = palloc_alloc(8, 1);
    CU_ASSERT_EQUAL(a, PG(1));
    palloc_free(a, 8);
    palloc_free(a, 8);                      /* double free */
    CU_ASSERT_EQUAL(palloc_bad_frees(), 1);
    a = palloc_alloc(8, 1);
    palloc_free(a, 9);                      /* tail page 9 was never allocated */
    CU_ASSERT_EQUAL(palloc_bad_frees(), 2);
    CU_ASSERT_EQUAL(palloc_free_pages(), 63 - 8);   /* the bad call changed nothing */
    palloc_free(PG(40), 1);                 /* reserved */
    palloc_free(0, 1);                      /* page 0 is reserved */
    palloc_free(a + 1, 1);                  /* misaligned */
    palloc_free(4 * GiB, 1);                /* out of range */
    palloc_free(PG(1), (size_t)-1);         /* length overflow */
    CU_ASSERT_EQUAL(palloc_bad_frees(), 7);
    palloc_free(a, 0);                      /* empty: nothing to do, not an error */
    CU_ASSERT_EQUAL(palloc_bad_frees(), 7);
    /* Reserving allocated memory takes it out of the pool: freeing it is bad. */
    palloc_reserve(a, a + PG(1));
    CU_ASSERT_EQUAL(palloc_total_pages(), 62);
    palloc_free(a, 8);
    CU_ASSERT_EQUAL(palloc_bad_frees(), 8);
    palloc_free(a + PG(1), 7);
    CU_ASSERT_EQUAL(palloc_free_pages(), 62);
    CU_ASSERT_EQUAL(palloc_bad_frees(), 8);
}

/* 64 MiB domain allocations out of 3.5 GiB with a busy bottom: must be quick. */
static void test_large_fast(void)
{
    clock_t t0 = clock();
    uint64_t dom[50];
    int n = 0;

    palloc_init();
    palloc_add_free(MiB, 3 * GiB + 512 * MiB);
    palloc_reserve(0, 64 * MiB);            /* e.g. the hypervisor image */
    for (uint64_t p = 64 * MiB; p < 128 * MiB; p += PG(2))
        palloc_reserve(p, p + PG(1));       /* a fragmented region to skip over */
    for (n = 0; n < 50; n++) {
        dom[n] = palloc_alloc(16384, 512);  /* 64 MiB, 2 MiB aligned */
        if (!dom[n])
            break;
        CU_ASSERT_EQUAL(dom[n] % (2 * MiB), 0);
        CU_ASSERT(dom[n] >= 128 * MiB);
    }
    CU_ASSERT_EQUAL(n, 50);
    for (int i = 0; i < n; i += 2)
        palloc_free(dom[i], 16384);
    for (int i = 0; i < n; i += 2)
        CU_ASSERT_EQUAL(palloc_alloc(16384, 512), dom[i]);
    CU_ASSERT_EQUAL(palloc_bad_frees(), 0);
    CU_ASSERT((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
}

/* Random walk over a 1024-frame window against an obvious one-byte-per-frame model. */
enum { MFREE, MUSED, MRESV };
#define WIN 1024

static uint64_t model_alloc(uint8_t *m, size_t n, size_t align)
{
    for (size_t f = align; f + n <= WIN; f += align) {
        size_t k = 0;

        while (k < n && m[f + k] == MFREE)
            k++;
        if (k == n) {
            memset(m + f, MUSED, n);
            return PG(f);
        }
    }
    return 0;
}

static void test_model(void)
{
    static uint8_t m[WIN];
    unsigned seed = 4242, bad = 0;
    size_t mbad = 0;

    palloc_init();
    memset(m, MRESV, sizeof(m));
    for (int iter = 0; iter < 20000; iter++) {
        size_t a = (unsigned)rand_r(&seed) % WIN, len = 1 + (unsigned)rand_r(&seed) % 40;
        size_t b = MIN(a + len, (size_t)WIN);

        switch (rand_r(&seed) % 8) {
        case 0:
            palloc_add_free(PG(a), PG(b));
            for (size_t f = MAX(a, (size_t)1); f < b; f++)
                m[f] = MFREE;
            break;
        case 1:
            palloc_reserve(PG(a), PG(b));
            memset(m + a, MRESV, b - a);
            break;
        case 2: case 3: case 4: {
            static const size_t aligns[] = { 1, 1, 1, 2, 4, 16, 64 };
            size_t al = aligns[(unsigned)rand_r(&seed) % ARRAY_SIZE(aligns)];

            bad += palloc_alloc(len, al) != model_alloc(m, len, al);
            break;
        }
        default: {
            size_t k = 0;

            while (a + k < b && m[a + k] == MUSED)
                k++;
            if (k == b - a && a < b) {
                memset(m + a, MFREE, k);
            } else {
                mbad++;
            }
            palloc_free(PG(a), b - a);
            break;
        }
        }
        size_t nfree = 0, ntotal = 0;
        for (size_t f = 0; f < WIN; f++) {
            nfree += m[f] == MFREE;
            ntotal += m[f] != MRESV;
        }
        bad += nfree != palloc_free_pages() || ntotal != palloc_total_pages() ||
               mbad != palloc_bad_frees();
        if (bad) {
            fprintf(stderr, "\n  model diverged at iteration %d\n", iter);
            break;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

/* Every page is charged to its owner; frees beyond what an owner holds are refused. */
static void test_owners(void)
{
    struct palloc_owner a = { 0 }, b = { 0 };
    uint64_t pa, pb, ph;

    palloc_init();
    palloc_add_free(PG(1), PG(1025));
    ph = palloc_alloc(3, 1);
    pa = palloc_alloc_for(&a, 512, 512);
    pb = palloc_alloc_for(&b, 7, 1);
    CU_ASSERT(ph && pa && pb);
    CU_ASSERT_EQUAL(palloc_hypervisor.pages, 3);
    CU_ASSERT_EQUAL(a.pages, 512);
    CU_ASSERT_EQUAL(b.pages, 7);
    CU_ASSERT_EQUAL(palloc_free_pages() + 3 + 512 + 7, palloc_total_pages());
    CU_ASSERT_EQUAL(palloc_alloc_for(&a, 4096, 1), 0);   /* failed: nothing charged */
    CU_ASSERT_EQUAL(a.pages, 512);

    palloc_free_for(&b, pa, 512);               /* b holds 7: refused, nothing freed */
    CU_ASSERT_EQUAL(palloc_bad_frees(), 1);
    CU_ASSERT_EQUAL(b.pages, 7);
    CU_ASSERT_EQUAL(a.pages, 512);
    palloc_free_for(&b, pb, 7);
    palloc_free_for(&a, pa, 512);
    palloc_free_for(&a, pa, 1);                 /* double free: refused */
    CU_ASSERT_EQUAL(palloc_bad_frees(), 2);
    CU_ASSERT_EQUAL(a.pages + b.pages, 0);
    palloc_free(ph, 3);
    CU_ASSERT_EQUAL(palloc_hypervisor.pages, 0);
    CU_ASSERT_EQUAL(palloc_free_pages(), palloc_total_pages());
}

void register_palloc_tests(void)
{
    static const struct unit_test t[] = {
        { "init: everything reserved", test_init },
        { "rounding and page 0", test_rounding_and_page0 },
        { "overlapping add/reserve", test_overlapping_adds },
        { "4 GiB limit", test_above_4g },
        { "alignment", test_alignment },
        { "64-bit word boundaries", test_word_boundaries },
        { "fragmentation", test_fragmentation },
        { "exhaustion and reuse", test_exhaustion_and_reuse },
        { "double/bad frees", test_bad_frees },
        { "64 MiB allocations", test_large_fast },
        { "random walk vs model", test_model },
        { "owners", test_owners },
    };
    add_suite("page_alloc", t, ARRAY_SIZE(t));
}
