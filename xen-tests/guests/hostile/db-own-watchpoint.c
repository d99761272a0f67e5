/*
 * hostile: pcpus=1 policies=trap,lazy-exit,lazy-sched,adaptive native=compare
 *
 * db-own-watchpoint (XSA-156 family): the #DB handler writes a variable that
 * a data breakpoint watches, so the handler raises a nested #DB inside
 * itself, which must be delivered (trap-like, after the write, DR6.B0) while
 * the outer #DB is still running. The outer #DB comes from an execution
 * breakpoint. Repeated 500 times with the watchpoint armed throughout; each
 * round must give exactly one outer and one nested #DB.
 */
#include "guest.h"

#define ROUNDS 500
static volatile unsigned long counter, depth, outer, nested, bad;
extern char target[];

asm(".text\n.globl target\ntarget: nop\n ret\n");
void target_fn(void) __asm__("target");

static void on_db(struct trap_frame *f)
{
    unsigned long dr6 = read_dr6();

    write_dr6(0);
    if (depth) {                  /* the watchpoint, inside the handler */
        nested++;
        bad += !(dr6 & DR6_B(0)) || (dr6 & DR6_B(1));
        return;
    }
    depth = 1;
    outer++;
    bad += !(dr6 & DR6_B(1)) || f->ip != (unsigned long)target;
    counter++;                    /* hits the watchpoint: nested #DB */
    depth = 0;
    f->flags |= X86_EFLAGS_RF;    /* resume past the execution breakpoint */
}

int main(void)
{
    trap_set_handler(1, on_db);
    write_dr6(0);
    write_dr0((unsigned long)&counter);
    write_dr1((unsigned long)target);
    write_dr7(0x400 | DR7_G(0) | DR7_RW(0, DR_RW_WRITE) | DR7_LEN(0, DR_LEN_8) |
              DR7_G(1) | DR7_RW(1, DR_RW_EXEC));
    for (int i = 0; i < ROUNDS; i++)
        target_fn();
    write_dr7(0x400);
    printf("db-own-watchpoint: outer=%lu nested=%lu bad=%lu counter=%lu\n", outer, nested, bad, counter);
    report(outer == ROUNDS && nested == ROUNDS, "one outer and one nested #DB per round");
    report(bad == 0, "DR6 and IP of every #DB as on hardware");
    return report_summary();
}
