/*
 * hostile: pcpus=1 policies=trap,lazy-exit,lazy-sched,adaptive native=compare
 *
 * gd-loop (DR7.GD): general detect set, then MOV DR. The CPU raises #DB with
 * DR6.BD before the MOV executes and clears DR7.GD on delivery; this handler
 * sets GD again and returns, so the MOV faults again: a #DB loop the guest
 * controls. After 20000 rounds the handler leaves GD clear and the MOV
 * completes once. Every round must show BD, GD clear on entry, the IP of the
 * MOV, and the hypervisor must never let the MOV through early or let a
 * stale GD leak into the canary.
 */
#include "guest.h"

#define ROUNDS 20000UL
static volatile unsigned long rounds, bad_dr6, gd_on_entry, bad_ip;
extern char gd_mov[];

static void on_db(struct trap_frame *f)
{
    unsigned long dr6 = read_dr6(), dr7 = read_dr7();

    write_dr6(0);
    bad_dr6 += !(dr6 & DR6_BD);
    gd_on_entry += !!(dr7 & DR7_GD);
    bad_ip += f->ip != (unsigned long)gd_mov;
    if (++rounds < ROUNDS)
        write_dr7(dr7 | DR7_GD);
}

int main(void)
{
    unsigned long v = 0x1234;

    trap_set_handler(1, on_db);
    write_dr6(0);
    write_dr7(0x400 | DR7_GD);
    asm volatile("gd_mov: mov %0, %%dr0" :: "r"(v) : "memory");
    printf("gd-loop: %lu rounds, dr0=%#lx dr7=%#lx\n", rounds, read_dr0(), read_dr7());
    report(rounds == ROUNDS, "the MOV faulted exactly %lu times", ROUNDS);
    report(bad_dr6 == 0 && gd_on_entry == 0 && bad_ip == 0,
           "every #DB had DR6.BD, GD clear on entry, IP at the MOV");
    report(read_dr0() == v, "the MOV completed once GD stayed clear");
    write_dr0(0);
    return report_summary();
}
