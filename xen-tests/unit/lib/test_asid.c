/* SVM ASID allocation (hypervisor/arch/x86/hvm/svm/asid.c) against a model of the TLB:
 * entries tagged (pCPU, ASID, owner vCPU), TLB_CONTROL=1 drops a pCPU's entries. The
 * invariant: a vCPU never enters with an ASID under which another vCPU's entries are
 * still in that pCPU's TLB. QEMU offers 16 ASIDs (15 for guests), so 40 vCPUs wrap. */
#include <stdlib.h>
#include <string.h>
#include <asm/svm_asid.h>
#include "tests.h"

#define NR_ASIDS 16
#define NCPU     2
#define NVCPU    40

static struct svm_asid vcpu[NVCPU];
static int tlb_owner[NCPU][NR_ASIDS];      /* -1: no live entries under that ASID */
static unsigned flushes[NCPU];

static void setup(void)
{
    for (unsigned c = 0; c < NCPU; c++) {
        svm_asid_cpu_init(c, NR_ASIDS);
        for (unsigned a = 0; a < NR_ASIDS; a++)
            tlb_owner[c][a] = -1;
        flushes[c] = 0;
    }
    for (unsigned i = 0; i < NVCPU; i++)
        svm_asid_vcpu_init(&vcpu[i]);
}

/* vCPU i enters on pCPU c (and runs, filling the TLB under its ASID). */
static void enter(unsigned i, unsigned c, bool want_flush)
{
    uint8_t tlb = svm_asid_for_entry(&vcpu[i], c, want_flush);
    uint32_t a = vcpu[i].asid;

    CU_ASSERT(tlb == SVM_TLB_CONTROL_NONE || tlb == SVM_TLB_CONTROL_FLUSH_ALL);
    if (tlb == SVM_TLB_CONTROL_FLUSH_ALL) {
        flushes[c]++;
        for (unsigned k = 0; k < NR_ASIDS; k++)
            tlb_owner[c][k] = -1;
    }
    CU_ASSERT(a >= 1 && a < NR_ASIDS);           /* never the host's ASID 0 */
    CU_ASSERT(tlb_owner[c][a] == -1 || tlb_owner[c][a] == (int)i);
    if (want_flush)                               /* its own old entries must be gone too */
        CU_ASSERT(tlb_owner[c][a] == -1);
    tlb_owner[c][a] = (int)i;
}

static void test_no_flush_while_it_fits(void)
{
    setup();
    for (unsigned round = 0; round < 5; round++)
        for (unsigned i = 0; i < NR_ASIDS - 1; i++)
            enter(i, 0, false);
    CU_ASSERT_EQUAL(flushes[0], 0);               /* 15 vCPUs keep their ASIDs, no flush */
    CU_ASSERT_EQUAL(svm_asid_generation(0), 1);
    for (unsigned i = 0; i < NR_ASIDS - 1; i++)
        CU_ASSERT_EQUAL(vcpu[i].asid, i + 1);
}

static void test_wrap_flushes_once_per_generation(void)
{
    setup();
    for (unsigned round = 0; round < 6; round++)
        for (unsigned i = 0; i < NVCPU; i++)
            enter(i, 0, false);
    /* 240 entries, every one a fresh ASID (the pool turns over before anyone returns):
     * the first 15 come from the initial generation, then a flush every 15 entries. */
    CU_ASSERT_EQUAL(flushes[0], (6 * NVCPU - 1) / (NR_ASIDS - 1));
    CU_ASSERT_EQUAL(svm_asid_generation(0), 1 + flushes[0]);
    CU_ASSERT_EQUAL(flushes[1], 0);               /* the other pCPU is left alone */
}

static void test_migration_and_flush_requests(void)
{
    setup();
    enter(0, 0, false);
    uint32_t first = vcpu[0].asid;
    enter(0, 0, false);
    CU_ASSERT_EQUAL(vcpu[0].asid, first);         /* same pCPU, same generation: kept */
    enter(0, 1, false);                           /* moved: a fresh ASID there */
    enter(0, 0, false);                           /* and back: not its stale one */
    CU_ASSERT_NOT_EQUAL(vcpu[0].asid, first);
    uint32_t before = vcpu[0].asid;
    enter(0, 0, true);                            /* flush request: a fresh ASID */
    CU_ASSERT_NOT_EQUAL(vcpu[0].asid, before);
    CU_ASSERT_EQUAL(flushes[0] + flushes[1], 0);
}

static void test_random_walk(void)
{
    srand(9);
    setup();
    for (unsigned step = 0; step < 20000; step++)
        enter((unsigned)rand() % NVCPU, (unsigned)rand() % NCPU, rand() % 50 == 0);
    CU_ASSERT(flushes[0] > 0 && flushes[1] > 0);
}

void register_asid_tests(void)
{
    static const struct unit_test tests[] = {
        { "15 vCPUs on one pCPU: ASIDs kept, no flush", test_no_flush_while_it_fits },
        { "40 vCPUs on one pCPU: wrap flushes once per generation",
          test_wrap_flushes_once_per_generation },
        { "migration and flush requests take a fresh ASID", test_migration_and_flush_requests },
        { "random walk against the TLB model", test_random_walk },
    };
    add_suite("SVM ASIDs", tests, sizeof(tests) / sizeof(tests[0]));
}
