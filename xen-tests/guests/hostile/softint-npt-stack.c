/*
 * hostile: policies=trap,adaptive native=compare
 *
 * softint-npt-stack: software interrupts (INT n, prefixed INT n, INT3,
 * ICEBP) whose delivery is interrupted by an exit (issue 9, finding 7).
 * The guest arms all four of its own debug-register slots (on a function it
 * never calls), so a host debugger's watchpoint is emulated with nested
 * paging, then runs the interrupts on a stack of its own, `sw_stack`, with
 * handlers that count deliveries. test_softint_npt.sh puts a host write
 * watchpoint on that stack page: every push of the delivery takes a #NPF
 * with the event in EXITINTINFO. On hardware each interrupt is delivered
 * exactly once with the return address after the instruction; the old code
 * dropped a software interrupt found in EXITINTINFO (its RIP was already
 * past the instruction), so INT n was lost. Alone (here and natively) the
 * guest checks the same counts.
 */
#include "guest.h"

#define ROUNDS 8

/* In .data, not .bss: the entry code's clearing of .bss would hit the watchpoint. */
uint8_t sw_stack[4096] __attribute__((aligned(4096))) = { 1 };
static volatile unsigned long n_int21, n_bp, n_db, bad_ip;

asm(".text\n"
    ".globl never_called, sw_body, run_on_stack\n"
    "never_called: ret\n"
    /* void run_on_stack(void (*fn)(void), void *top) */
    "run_on_stack: push %rbp\n mov %rsp, %rbp\n mov %rsi, %rsp\n call *%rdi\n"
    "  mov %rbp, %rsp\n pop %rbp\n ret\n"
    "sw_body:\n"
    "  int $0x21\n"
    "sw_after_int: .byte 0x2e, 0x66, 0xcd, 0x21\n"
    "sw_after_pint: int3\n"
    "sw_after_int3: .byte 0xf1\n"
    "sw_after_icebp: ret\n");
void never_called(void), sw_body(void), run_on_stack(void (*fn)(void), void *top);
extern char sw_after_int[], sw_after_pint[], sw_after_int3[], sw_after_icebp[];

static void on_int21(struct trap_frame *f)
{
    n_int21++;
    if (f->ip != (unsigned long)sw_after_int && f->ip != (unsigned long)sw_after_pint)
        bad_ip++;
}

static void on_bp(struct trap_frame *f)
{
    n_bp++;
    bad_ip += f->ip != (unsigned long)sw_after_int3;
}

static void on_db(struct trap_frame *f)
{
    n_db++;
    bad_ip += f->ip != (unsigned long)sw_after_icebp;
}

int main(void)
{
    trap_set_handler(0x21, on_int21);
    trap_set_handler(3, on_bp);
    trap_set_handler(1, on_db);
    for (int i = 0; i < 4; i++)
        write_dr(i, (unsigned long)never_called);
    write_dr7(DR7_L(0) | DR7_L(1) | DR7_L(2) | DR7_L(3));
    for (int i = 0; i < ROUNDS; i++)
        run_on_stack(sw_body, sw_stack + sizeof(sw_stack));
    write_dr7(0);
    printf("int 0x21: %lu, int3: %lu, icebp: %lu, wrong return addresses: %lu\n",
           n_int21, n_bp, n_db, bad_ip);
    report(n_int21 == 2 * ROUNDS, "INT 0x21 (plain and prefixed) delivered exactly once each");
    report(n_bp == ROUNDS, "INT3 delivered exactly once each");
    report(n_db == ROUNDS, "ICEBP delivered exactly once each");
    report(bad_ip == 0, "every handler saw the return address after its instruction");
    return report_summary();
}
