/* Suite registration of the local APIC unit tests. */
#ifndef UNIT_VLAPIC_TESTS_H
#define UNIT_VLAPIC_TESTS_H

#include "unit.h"

void register_x2apic_tests(void);

#endif
