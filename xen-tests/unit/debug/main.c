/* CUnit runner for the debug-core tests: basic interface, non-zero exit on any failure. */
#include <CUnit/Basic.h>
#include <stdio.h>

#include "tests.h"

int main(void)
{
    unsigned failures;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    if (register_semantics_tests() || register_access_tests() || register_policy_tests() ||
        register_routing_tests() || register_reset_tests() || register_reference_tests() ||
        register_entry_tests()) {
        fprintf(stderr, "cannot register tests: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
