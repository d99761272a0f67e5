/* CUnit runner for the hypervisor's library unit tests (basic interface). */
#include <stdio.h>
#include <stdlib.h>
#include <CUnit/Basic.h>
#include "tests.h"

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

int main(void)
{
    unsigned failures;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    register_string_tests();
    register_printf_tests();
    register_decode_tests();
    register_palloc_tests();
    register_asid_tests();
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    if (CU_get_error() != CUE_SUCCESS)
        failures++;
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
