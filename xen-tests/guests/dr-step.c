/* dr-step: TF single-step as the guest sees it, through instructions a
 * hypervisor intercepts and emulates (OUT, IN, CPUID): one #DB with DR6.BS
 * after every instruction. Also POPF setting TF (first trap after the next
 * instruction), the MOV SS shadow (trap deferred one instruction) and STI. */
#include "guest.h"

#define DR6_FIXED 0xffff0ff0UL
#define TF_ON  "pushfq\n orq $0x100,(%rsp)\n popfq\n"
#define TF_OFF "pushfq\n andq $~0x100,(%rsp)\n popfq\n"

asm(".text\n"
    /* Sequence A: s0..s9 are the instruction boundaries we expect traps at. */
    ".globl step_a, step_a_pts\n"
    "step_a: push %rbx\n" TF_ON
    "sa0: nop\n"
    "sa1: mov $0x3f8,%dx\n"          /* UART THR: prints 'Z' into the record */
    "sa2: mov $0x5a,%al\n"
    "sa3: out %al,%dx\n"
    "sa4: mov $0x3fd,%dx\n"
    "sa5: in %dx,%al\n"
    "sa6: xor %eax,%eax\n"
    "sa7: cpuid\n"
    "sa8: pushfq\n"
    "sa9: andq $~0x100,(%rsp)\n"
    "sa10: popfq\n"
    "sa11: nop\n"
    "sa12: pop %rbx\n ret\n"
    ".section .rodata\n .align 8\n"
    "step_a_pts: .quad sa1, sa2, sa3, sa4, sa5, sa6, sa7, sa8, sa9, sa10, sa11, 0\n"
    ".text\n"
    /* Sequence B: MOV SS inhibits the trap after it; it comes after the next insn. */
    ".globl step_b, step_b_pts\n"
    "step_b: " TF_ON
    "sb0: mov %ss,%ax\n"
    "sb1: mov %ax,%ss\n"
    "sb2: nop\n"
    "sb3: nop\n"
    "sb4: " TF_OFF
    "ret\n"
    ".section .rodata\n .align 8\n"
    "step_b_pts: .quad sb1, sb3, sb4, sb4+1, sb4+9, sb4+10, 0\n"
    ".text\n"
    /* Sequence C: STI with TF set (no interrupt pending). */
    ".globl step_c, step_c_pts\n"
    "step_c: " TF_ON
    "sc0: sti\n"
    "sc1: nop\n"
    "sc2: cli\n"
    "sc3: nop\n"
    "sc4: " TF_OFF
    "ret\n"
    ".section .rodata\n .align 8\n"
    "step_c_pts: .quad sc1, sc2, sc3, sc4, sc4+1, sc4+9, sc4+10, 0\n"
    ".text\n");

void step_a(void), step_b(void), step_c(void);
extern const unsigned long step_a_pts[], step_b_pts[], step_c_pts[];

/* pts[] lists the trap IPs the architecture predicts. TF is sampled at the
 * start of an instruction, so the POPF that clears TF still traps after
 * itself (the TF_OFF sequence is pushfq 1 byte, andq 8, popfq 1). */
static void run(const char *name, void (*seq)(void), const unsigned long *pts)
{
    db_reset();
    write_dr6(0);
    seq();
    if (seq == step_a)
        printf("'\n");                 /* closes the line the stepped OUT wrote into */
    db_print(name, name, (void *)seq);
    unsigned want = 0;
    while (pts[want])
        want++;
    bool ok = db_count == want;
    for (unsigned i = 0; ok && i < want; i++)
        ok = db_events[i].ip == pts[i] && db_events[i].dr6 == (DR6_FIXED | DR6_BS);
    report(ok, "%s: %u single-step traps at the expected boundaries with DR6=BS", name, want);
}

int main(void)
{
    db_install(DB_CLEAR_DR6);
    printf("step_a: stepped OUT writes '");
    run("step_a", step_a, step_a_pts);
    run("step_b", step_b, step_b_pts);  /* no trap at sb2: MOV SS shadow */
    run("step_c", step_c, step_c_pts);  /* STI does not defer the trap */
    return report_summary();
}
