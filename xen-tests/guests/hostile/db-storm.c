/*
 * hostile: pcpus=1 policies=trap,adaptive native=compare
 *
 * db-storm (XSA-156 family, #DB storm): the guest single-steps a tight loop
 * for 100000 instructions, one #DB per instruction, each intercepted by the
 * hypervisor and reflected. Hardware delivers exactly one #DB with DR6.BS per
 * instruction and the loop makes the same progress; the hypervisor must keep
 * scheduling the canary on the same pCPU meanwhile and must neither lose nor
 * add a #DB.
 */
#include "guest.h"

#define LIMIT 100000UL
static volatile unsigned long steps, without_bs;

static void on_db(struct trap_frame *f)
{
    unsigned long dr6 = read_dr6();

    write_dr6(0);
    without_bs += !(dr6 & DR6_BS);
    if (++steps >= LIMIT)
        f->flags &= ~X86_EFLAGS_TF;
}

int main(void)
{
    unsigned long left = 60000;

    trap_set_handler(1, on_db);
    write_dr6(0);
    /* POPF sets TF: the first #DB follows the instruction after it. */
    asm volatile("pushfq; orq $0x100,(%%rsp); popfq\n"
                 "1: dec %0\n jnz 1b" : "+c"(left) :: "memory", "cc");
    printf("db-storm: %lu #DBs, loop counter left at %lu\n", steps, left);
    report(steps == LIMIT, "exactly %lu single-step #DBs", LIMIT);
    report(without_bs == 0, "every one reported DR6.BS");
    report(left == 0, "the loop ran to its end after TF was cleared");
    return report_summary();
}
