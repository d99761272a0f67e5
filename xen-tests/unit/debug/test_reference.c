/* Differential tests: the debug core's MOV DR emulation (trapped) and the whole core with
 * the fake CPU (untrapped) against the independent reference model (ref_model.c), over
 * every register number, direction, CPL, CR4.DE, operand size and DR7.GD, for a set of
 * values that touch every reserved and fixed bit, under every policy. */
#include <stdio.h>
#include <string.h>

#include "ref_model.h"
#include "tests.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct dbg_vcpu v;

static const uint64_t values[] = {
    0, ~0ULL, 0xffffffffULL, 0x100000001ULL, 0x8000000000000000ULL, 0x2000, 0xffffdfffULL,
    0x1000, 0x800, 0x10000, 0x4002, 0xd800, 0xdeadbeef12345678ULL, 0xffff03ffULL,
};

/* The state both start from: distinct slots, BS|B0 in DR6, an armed DR7, GD optional. */
static const uint64_t start_dr[4] = { 0x1000, 0x7fff12345678ULL, 0xffff800000000008ULL, 0x3ff8 };
#define START_DR6 0x4001ULL
#define START_DR7 (0x400ULL | 0x1 | 0x10 | (0x1ULL << 24))

static void start(enum dbgv_debug_policy p, bool gd, struct ref_cpu *ref)
{
    fake_reset();
    vcpu_start(&v, 0, p, 8);
    run_once(&v);
    memset(ref, 0, sizeof(*ref));
    ref->dr6 = REF_DR6_RESET;
    ref->dr7 = REF_DR7_RESET;
    ref->long_mode = true;
    for (unsigned n = 0; n < 8; n++) {
        uint64_t val = n < 4 ? start_dr[n] : n == 6 ? START_DR6 : START_DR7 | (gd ? 0x2000 : 0);

        if (n == 4 || n == 5)
            continue;
        CU_ASSERT_EQUAL(mov_to_dr(&v, n, val), DBG_ACCESS_DONE);
        CU_ASSERT_EQUAL(ref_mov_dr(ref, n, true, &val), REF_DONE);
    }
}

/* The guest's registers as the core holds them (the slots synced if the guest owns them). */
static void core_view(uint64_t out[6])
{
    dbg_on_deschedule(&v);
    memcpy(out, v.dr, 4 * sizeof(uint64_t));
    out[4] = v.status;
    out[5] = v.control;
    dbg_on_schedule(&v);
}

static unsigned mismatches;

static void compare(const char *policy, const struct dbg_access *a, uint64_t gd,
                    enum dbg_access_result got, uint64_t got_val, enum ref_outcome want,
                    uint64_t want_val, const struct ref_cpu *ref)
{
    uint64_t view[6], model[6] = { ref->dr[0], ref->dr[1], ref->dr[2], ref->dr[3],
                                   ref->dr6, ref->dr7 };
    bool same;

    core_view(view);
    same = got == ref_as_core(want) && memcmp(view, model, sizeof(view)) == 0 &&
           (want != REF_DONE || a->write || got_val == want_val);
    CU_ASSERT(same);
    if (!same && mismatches++ < 10)
        fprintf(stderr, "\n  %s: %s dr%u cpl=%u de=%d %s-bit gd=%d value=%#llx: core %d "
                "(read %#llx, dr6 %#llx dr7 %#llx), model %d (read %#llx, dr6 %#llx dr7 %#llx)",
                policy, a->write ? "write" : "read", a->reg, a->cpl, a->cr4_de,
                a->long_mode ? "64" : "32", gd != 0, (unsigned long long)a->value, got,
                (unsigned long long)got_val, (unsigned long long)view[4],
                (unsigned long long)view[5], ref_as_core(want), (unsigned long long)want_val,
                (unsigned long long)ref->dr6, (unsigned long long)ref->dr7);
}

static void differential(enum dbgv_debug_policy p, const char *name)
{
    mismatches = 0;
    for (unsigned reg = 0; reg < 16; reg++)
        for (unsigned mode = 0; mode < 16; mode++)
            for (unsigned i = 0; i < ARRAY_LEN(values); i++) {
                bool write = mode & 1, gd = mode & 8;
                struct dbg_access a = { .reg = (uint8_t)reg, .write = write,
                                        .cpl = (mode & 2) ? 3 : 0, .cr4_de = (mode & 4) != 0,
                                        .long_mode = (i & 1) == 0, .value = values[i] };
                struct ref_cpu ref;
                uint64_t want_val = values[i];

                if (!write && i > 1)
                    continue;   /* a read has no operand: two runs cover both sizes */
                start(p, gd, &ref);
                ref.cpl = a.cpl;
                ref.cr4_de = a.cr4_de;
                ref.long_mode = a.long_mode;
                enum ref_outcome want = ref_mov_dr(&ref, reg, write, &want_val);
                struct dbg_access done = a;
                enum dbg_access_result got = guest_mov_dr(&v, &done);
                compare(name, &a, gd, got, done.value, want, want_val, &ref);
            }
}

static void test_trap(void)       { differential(DBGV_POLICY_TRAP, "trap"); }
static void test_lazy_exit(void)  { differential(DBGV_POLICY_LAZY_EXIT, "lazy-exit"); }
static void test_lazy_sched(void) { differential(DBGV_POLICY_LAZY_SCHED, "lazy-sched"); }
static void test_adaptive(void)   { differential(DBGV_POLICY_ADAPTIVE, "adaptive"); }

/* The model itself, on the values the manuals spell out. */
static void test_model(void)
{
    CU_ASSERT_EQUAL(ref_dr6_stored(0, false), 0xffff0ff0);
    CU_ASSERT_EQUAL(ref_dr6_stored(0xffffffff, false), 0xffffefff);
    CU_ASSERT_EQUAL(ref_dr6_stored(0, true), 0xfffe0ff0);
    CU_ASSERT_EQUAL(ref_dr7_stored(0, false), 0x400);
    CU_ASSERT_EQUAL(ref_dr7_stored(0xffffffff, false), 0xffff27ff);
    CU_ASSERT_EQUAL(ref_dr7_stored(0xffffffff, true), 0xffff2fff);
}

int register_reference_tests(void)
{
    CU_pSuite s = CU_add_suite("MOV DR against the reference model", NULL, NULL);

    if (!s)
        return -1;
    if (!CU_add_test(s, "the reference model's register layouts", test_model) ||
        !CU_add_test(s, "trap: core emulation equals the model", test_trap) ||
        !CU_add_test(s, "lazy-exit: core + fake CPU equal the model", test_lazy_exit) ||
        !CU_add_test(s, "lazy-sched: core + fake CPU equal the model", test_lazy_sched) ||
        !CU_add_test(s, "adaptive: core + fake CPU equal the model", test_adaptive))
        return -1;
    return 0;
}
