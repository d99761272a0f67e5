#ifndef LIFECYCLE_TESTS_H
#define LIFECYCLE_TESTS_H
int register_lifecycle_tests(void);
#endif
