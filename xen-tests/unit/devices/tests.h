/* Suite registration shared by the device-model unit test files. */
#ifndef UNIT_DEVICES_TESTS_H
#define UNIT_DEVICES_TESTS_H

#include "unit.h"

void register_vpit_tests(void);
void register_vpic_tests(void);

#endif
