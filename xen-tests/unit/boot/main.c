/* CUnit runner for the boot-loader unit tests. Usage: unit-boot-tests [BZIMAGE] */
#include <stdio.h>
#include <unistd.h>
#include "tests.h"

const char *real_bzimage_path;

int main(int argc, char **argv)
{
    static void (*const reg[])(void) = { register_bzimage_tests };

    if (argc > 1 && access(argv[1], R_OK) == 0)
        real_bzimage_path = argv[1];
    printf("real bzImage: %s\n", real_bzimage_path ? real_bzimage_path :
           "absent (run scripts/fetch-linux.sh); synthetic headers only");
    return unit_main(reg, sizeof(reg) / sizeof(reg[0]));
}
