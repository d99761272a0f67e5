/* Suite registration shared by the unit test files. */
#ifndef UNIT_LIB_TESTS_H
#define UNIT_LIB_TESTS_H

#include <CUnit/CUnit.h>

struct unit_test {
    const char *name;
    CU_TestFunc fn;
};

/* Each test file defines one of these; main() registers them. */
void register_string_tests(void);
void register_printf_tests(void);
void register_decode_tests(void);
void register_palloc_tests(void);
void register_asid_tests(void);

/* Adds a suite holding tests[0..n); aborts the run if CUnit fails. */
void add_suite(const char *name, const struct unit_test *tests, size_t n);

#endif
