/*
 * Prints the names the launcher accepts for a domain's policy= and timer_mode=
 * options, from the one table of each (hypervisor/common/policy_names.c), so
 * that the shell script cannot drift from the hypervisor and xl:
 *   abi_names policies     ->  trap lazy-exit lazy-sched adaptive
 *   abi_names timer_modes  ->  no_delay_for_missed_ticks ...
 * Run at build time; its output is substituted into dbgvisor.in.
 */
#include <stdio.h>
#include <string.h>
#include <public/control.h>
#include <public/debug.h>
#include <dbgvisor/policy_names.h>

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "policies")) {
        for (unsigned p = 0; p < DBGV_POLICY_COUNT; p++)
            printf("%s%s", p ? " " : "", dbgv_policy_name(p));
    } else if (argc == 2 && !strcmp(argv[1], "timer_modes")) {
        /* 0 is the default, named after the mode it stands for */
        for (unsigned m = 1; m < DBGV_TIMER_MODE_COUNT; m++)
            printf("%s%s", m > 1 ? " " : "", dbgv_timer_mode_name(m));
    } else {
        fprintf(stderr, "usage: abi_names policies|timer_modes\n");
        return 2;
    }
    putchar('\n');
    return 0;
}
