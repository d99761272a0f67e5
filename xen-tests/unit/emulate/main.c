/* CUnit runner for the emulator unit tests. */
#include "tests.h"

int main(void)
{
    static void (*const reg[])(void) = { register_alu_tests, register_walk_tests, register_decode_mem_tests,
                                          register_seg_tests, register_x87_tests,
                                          register_vec_alu_tests };

    return unit_main(reg, sizeof(reg) / sizeof(reg[0]));
}
