/* Suite registration shared by the unit test files. */
#ifndef UNIT_LIB_TESTS_H
#define UNIT_LIB_TESTS_H

#include "unit.h"

/* Each test file defines one of these; main() registers them. */
void register_string_tests(void);
void register_printf_tests(void);
void register_decode_tests(void);
void register_palloc_tests(void);
void register_asid_tests(void);
void register_tsc_time_tests(void);
void register_pvclock_tests(void);

#endif
