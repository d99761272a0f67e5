/* The domain life cycle (domain.c): legal transitions one by one, then the
 * races that matter on a multi-pCPU host, run on two host threads: a control
 * request (pause/unpause) against a vCPU ending its domain, and two vCPUs
 * ending it at once. An ended domain must stay ended until destroyed. */
#include <CUnit/Basic.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include <dbgvisor/domain.h>
#include <dbgvisor/events.h>

#include "fakes.h"

static struct domain *make_domain(const char *name, unsigned vcpus)
{
    struct domain_config cfg = { .name = name, .mem_bytes = 1u << 20, .vcpus = vcpus };
    struct domain *d = NULL;

    CU_ASSERT_FATAL(domain_create(&cfg, &d) == 0);
    return d;
}

static void test_transitions(void)
{
    struct domain *d = make_domain("seq", 2);

    CU_ASSERT_EQUAL(d->state, DOMAIN_BUILDING);
    CU_ASSERT_EQUAL(domain_pause(d), -1);            /* not started yet */
    CU_ASSERT_EQUAL(d->state, DOMAIN_BUILDING);
    CU_ASSERT_EQUAL(domain_unpause(d), 0);
    CU_ASSERT_EQUAL(d->state, DOMAIN_ACTIVE);
    CU_ASSERT_EQUAL(d->vcpus[0]->state, VCPU_RUNNABLE);
    CU_ASSERT_EQUAL(d->vcpus[1]->state, VCPU_OFFLINE);  /* waits for its SIPI */
    CU_ASSERT_EQUAL(domain_unpause(d), 0);           /* already running */
    CU_ASSERT_EQUAL(domain_pause(d), 0);
    CU_ASSERT_EQUAL(d->state, DOMAIN_PAUSED);
    CU_ASSERT_EQUAL(domain_pause(d), 0);             /* already paused */
    domain_crash(d, "test %d", 1);
    CU_ASSERT_EQUAL(d->state, DOMAIN_CRASHED);
    CU_ASSERT_EQUAL(d->exit_code, -1);
    CU_ASSERT_STRING_EQUAL(d->crash_reason, "test 1");
    CU_ASSERT_EQUAL(domain_pause(d), -1);
    CU_ASSERT_EQUAL(domain_unpause(d), -1);
    domain_shutdown(d, 0);
    domain_pause_from_vcpu(d);
    CU_ASSERT_EQUAL(d->state, DOMAIN_CRASHED);        /* ended is final */
    CU_ASSERT_EQUAL(d->exit_code, -1);
    CU_ASSERT_STRING_EQUAL(d->crash_reason, "test 1");
    CU_ASSERT_EQUAL(domain_destroy(d), 0);
    CU_ASSERT_EQUAL(d->state, DOMAIN_FREE);
    CU_ASSERT_EQUAL(domain_destroy(d), -1);

    d = make_domain("seq2", 1);
    domain_shutdown(d, 7);                           /* shut down before it ran */
    CU_ASSERT_EQUAL(d->state, DOMAIN_SHUTDOWN);
    CU_ASSERT_EQUAL(domain_unpause(d), -1);
    CU_ASSERT_EQUAL(d->state, DOMAIN_SHUTDOWN);
    CU_ASSERT_EQUAL(d->exit_code, 7);
    CU_ASSERT_EQUAL(domain_destroy(d), 0);
}

/* Two host threads, started together, each doing its part on one domain. */
struct race {
    struct domain *d;
    atomic_int ready, ended;
    unsigned spin;                  /* how long the ending thread waits */
};

static void start_together(struct race *r)
{
    atomic_fetch_add(&r->ready, 1);
    while (atomic_load(&r->ready) < 2)
        ;
}

static void *control_side(void *arg)
{
    struct race *r = arg;

    start_together(r);
    do {
        domain_pause(r->d);
        domain_unpause(r->d);
    } while (!atomic_load(&r->ended));
    domain_pause(r->d);             /* once more after the crash, as `xl pause` would */
    domain_unpause(r->d);
    return NULL;
}

static void *crashing_vcpu(void *arg)
{
    struct race *r = arg;

    start_together(r);
    for (volatile unsigned i = 0; i < r->spin; i++)
        ;
    domain_crash(r->d, "triple fault");
    atomic_store(&r->ended, 1);
    return NULL;
}

static void *shutting_vcpu(void *arg)
{
    struct race *r = arg;

    start_together(r);
    domain_shutdown(r->d, 5);
    return NULL;
}

static void *crashing_now(void *arg)
{
    struct race *r = arg;

    start_together(r);
    domain_crash(r->d, "triple fault");
    return NULL;
}

/* Rounds per race test: as many as fit in a few seconds, at most this. */
#define RACE_ROUNDS 20000
#define RACE_SECONDS 3

static bool out_of_time(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec - t0->tv_sec >= RACE_SECONDS;
}

static void run_race(struct race *r, void *(*a)(void *), void *(*b)(void *))
{
    pthread_t ta, tb;

    atomic_store(&r->ready, 0);
    atomic_store(&r->ended, 0);
    pthread_create(&ta, NULL, a, r);
    pthread_create(&tb, NULL, b, r);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
}

/* A pause or unpause racing with a crash must never bring the domain back. */
static void test_pause_vs_crash(void)
{
    unsigned revived = 0, round;
    struct timespec t0;
    struct race r;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (round = 0; round < RACE_ROUNDS && !out_of_time(&t0); round++) {
        r.d = make_domain("race", 1);
        domain_unpause(r.d);
        r.spin = round % 512;
        run_race(&r, control_side, crashing_vcpu);
        revived += r.d->state != DOMAIN_CRASHED;
        domain_crash(r.d, "cleanup");
        domain_destroy(r.d);
    }
    CU_ASSERT_EQUAL(revived, 0);
    if (revived)
        fprintf(stderr, "\n  %u of %u crashed domains were left paused or running\n",
                revived, round);
}

/* Two vCPUs ending the domain at once: one wins, the state agrees with the
 * exit code, and the end is announced once. */
static void test_end_vs_end(void)
{
    unsigned twice = 0, inconsistent = 0, round;
    struct timespec t0;
    struct race r;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (round = 0; round < RACE_ROUNDS && !out_of_time(&t0); round++) {
        fake_reset();
        r.d = make_domain("race2", 2);
        domain_unpause(r.d);
        run_race(&r, shutting_vcpu, crashing_now);
        twice += fake_events(DBGV_EV_DOMAIN_SHUTDOWN) + fake_events(DBGV_EV_DOMAIN_CRASHED) != 1;
        inconsistent += r.d->state == DOMAIN_SHUTDOWN ? r.d->exit_code != 5
                                                      : r.d->exit_code != -1;
        domain_destroy(r.d);
    }
    CU_ASSERT_EQUAL(twice, 0);
    CU_ASSERT_EQUAL(inconsistent, 0);
    if (twice || inconsistent)
        fprintf(stderr, "\n  of %u rounds: %u announced twice, %u with the other's exit code\n",
                round, twice, inconsistent);
}

static CU_TestInfo lifecycle_tests[] = {
    { "legal transitions, ended is final", test_transitions },
    { "pause/unpause racing a crash", test_pause_vs_crash },
    { "shutdown racing a crash", test_end_vs_end },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { .pName = "domain life cycle", .pTests = lifecycle_tests },
    CU_SUITE_INFO_NULL,
};

/* Exit status 1 when any assertion failed. */
int main(void)
{
    unsigned failed;

    if (CU_initialize_registry() != CUE_SUCCESS || CU_register_suites(suites) != CUE_SUCCESS)
        return 2;
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
