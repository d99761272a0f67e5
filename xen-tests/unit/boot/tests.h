/* Suite registration shared by the boot-loader unit test files. */
#ifndef UNIT_BOOT_TESTS_H
#define UNIT_BOOT_TESTS_H

#include "unit.h"

/* Path of a real Linux bzImage to test against, or NULL (main's argv[1]). */
extern const char *real_bzimage_path;

void register_bzimage_tests(void);

#endif
