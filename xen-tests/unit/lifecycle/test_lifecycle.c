/* The domain life cycle (domain.c): legal transitions one by one, then the
 * races that matter on a multi-pCPU host, run on two host threads: a control
 * request (pause/unpause) against a vCPU ending its domain, and two vCPUs
 * ending it at once. An ended domain must stay ended until destroyed. */
#include <CUnit/Basic.h>
#include <pthread.h>
#include <sched.h>
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

/* Two host threads that stay up for a whole test and, round after round,
 * start together on a fresh domain, each doing its part. */
struct race {
    struct domain *d;
    void (*side[2])(struct race *);
    unsigned spin;                  /* how long the ending side waits */
    atomic_int go, done, ended, stop;
};

static void wait_until(atomic_int *v, int at_least, atomic_int *stop)
{
    for (unsigned n = 1; atomic_load(v) < at_least; n++)
        if (stop && atomic_load(stop))
            return;
        else if (n % 4096 == 0)
            sched_yield();          /* the host may have fewer free cores than threads */
}

struct worker {
    struct race *r;
    unsigned side;
};

static void *worker_thread(void *arg)
{
    struct worker *w = arg;
    struct race *r = w->r;

    for (int round = 1;; round++) {
        wait_until(&r->go, round, &r->stop);
        if (atomic_load(&r->stop))
            return NULL;
        r->side[w->side](r);
        atomic_fetch_add(&r->done, 1);
    }
}

static void control_side(struct race *r)
{
    do {
        domain_pause(r->d);
        domain_unpause(r->d);
    } while (!atomic_load(&r->ended));
    domain_pause(r->d);             /* once more after the crash, as `xl pause` would */
    domain_unpause(r->d);
}

static void crashing_vcpu(struct race *r)
{
    for (volatile unsigned i = 0; i < r->spin; i++)
        ;
    domain_crash(r->d, "triple fault");
    atomic_store(&r->ended, 1);
}

static void shutting_vcpu(struct race *r)
{
    domain_shutdown(r->d, 5);
}

static void crashing_now(struct race *r)
{
    domain_crash(r->d, "triple fault");
}

/* Rounds per race test: as many as fit in a few seconds, at most this. */
#define RACE_ROUNDS 100000
#define RACE_SECONDS 2

static bool out_of_time(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec - t0->tv_sec >= RACE_SECONDS;
}

/* Runs rounds of a against b: before each, setup(r) makes r->d; after it,
 * check(r) counts what went wrong. Returns the number of rounds. */
static unsigned run_race(void (*a)(struct race *), void (*b)(struct race *),
                         void (*setup)(struct race *, unsigned), void (*check)(struct race *))
{
    struct race r = { .side = { a, b } };
    struct worker w[2] = { { &r, 0 }, { &r, 1 } };
    pthread_t t[2];
    struct timespec t0;
    unsigned round;

    for (unsigned i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker_thread, &w[i]);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (round = 0; round < RACE_ROUNDS && !out_of_time(&t0); round++) {
        setup(&r, round);
        atomic_store(&r.ended, 0);
        atomic_store(&r.done, 0);
        atomic_fetch_add(&r.go, 1);
        wait_until(&r.done, 2, NULL);
        check(&r);
        domain_destroy(r.d);
    }
    atomic_store(&r.stop, 1);
    for (unsigned i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    return round;
}

static unsigned revived, twice, inconsistent;

static void setup_running(struct race *r, unsigned round)
{
    fake_reset();
    r->d = make_domain("race", 2);
    domain_unpause(r->d);
    r->spin = round % 512;
}

static void check_still_crashed(struct race *r)
{
    revived += r->d->state != DOMAIN_CRASHED;
}

/* A pause or unpause racing with a crash must never bring the domain back. */
static void test_pause_vs_crash(void)
{
    unsigned rounds;

    revived = 0;
    rounds = run_race(control_side, crashing_vcpu, setup_running, check_still_crashed);
    CU_ASSERT_EQUAL(revived, 0);
    if (revived)
        fprintf(stderr, "\n  %u of %u crashed domains were left paused or running\n",
                revived, rounds);
}

static void check_one_end(struct race *r)
{
    twice += fake_events(DBGV_EV_DOMAIN_SHUTDOWN) + fake_events(DBGV_EV_DOMAIN_CRASHED) != 1;
    inconsistent += r->d->state == DOMAIN_SHUTDOWN ? r->d->exit_code != 5
                                                   : r->d->exit_code != -1;
}

/* Two vCPUs ending the domain at once: one wins, the state agrees with the
 * exit code, and the end is announced once. */
static void test_end_vs_end(void)
{
    unsigned rounds;

    twice = inconsistent = 0;
    rounds = run_race(shutting_vcpu, crashing_now, setup_running, check_one_end);
    CU_ASSERT_EQUAL(twice, 0);
    CU_ASSERT_EQUAL(inconsistent, 0);
    if (twice || inconsistent)
        fprintf(stderr, "\n  of %u rounds: %u announced twice, %u with the other's exit code\n",
                rounds, twice, inconsistent);
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
