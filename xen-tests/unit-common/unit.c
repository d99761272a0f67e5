/* Shared CUnit scaffolding (see unit.h). */
#include <stdio.h>
#include <stdlib.h>
#include <CUnit/Basic.h>
#include "unit.h"

void add_suite(const char *name, const struct unit_test *tests, size_t n)
{
    CU_pSuite s = CU_add_suite(name, NULL, NULL);

    for (size_t i = 0; s && i < n; i++)
        if (!CU_add_test(s, tests[i].name, tests[i].fn))
            s = NULL;
    if (!s) {
        fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
        exit(2);
    }
}

int unit_main(void (*const reg[])(void), size_t n)
{
    unsigned failures;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    for (size_t i = 0; i < n; i++)
        reg[i]();
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    if (CU_get_error() != CUE_SUCCESS)
        failures++;
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
