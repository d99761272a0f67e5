/* Shared CUnit scaffolding of the hosted unit tests: table-driven suites and one runner. */
#ifndef UNIT_COMMON_UNIT_H
#define UNIT_COMMON_UNIT_H

#include <CUnit/CUnit.h>
#include <stddef.h>

struct unit_test {
    const char *name;
    CU_TestFunc fn;
};

/* Adds a suite holding tests[0..n); aborts the run if CUnit fails. */
void add_suite(const char *name, const struct unit_test *tests, size_t n);

/* Registers through each of reg[0..n), runs everything (basic interface) and
 * returns the exit status: 0 all passed, 1 failures, 2 CUnit itself failed. */
int unit_main(void (*const reg[])(void), size_t n);

#endif
