/*
 * hostile: pcpus=1 policies=trap,lazy-exit,lazy-sched,adaptive native=compare
 *
 * pending-db-shadow (XSA-308 family): a single-step or data-breakpoint #DB
 * that is pending while the guest sits in a MOV SS or STI interrupt shadow,
 * and the instruction in the shadow is one the hypervisor intercepts and
 * emulates (CPUID, OUT, RDMSR, HLT-free). The hypervisor then holds the
 * pending #DB across a VM exit and entry: it must deliver it exactly once,
 * after the right instruction, with the right DR6 — never drop it, never
 * deliver it twice, never deliver it inside the shadow. Every case's
 * record must equal the native one.
 */
#include "guest.h"

#define TF_ON  "pushfq\n orq $0x100,(%rsp)\n popfq\n"
#define TF_OFF "pushfq\n andq $~0x100,(%rsp)\n popfq\n"

static volatile uint16_t ss_val = 0x10;

asm(".text\n"
    ".globl shadow_cpuid, shadow_out, shadow_rdmsr, sti_cpuid, watch_cpuid\n"
    /* TF + MOV SS shadow over an intercepted CPUID. */
    "shadow_cpuid: push %rbx\n" TF_ON
    "  mov %ss,%ax\n mov %ax,%ss\n xor %eax,%eax\n cpuid\n nop\n" TF_OFF
    "  pop %rbx\n ret\n"
    /* TF + MOV SS shadow over an intercepted OUT (POST port). */
    "shadow_out: " TF_ON
    "  mov %ss,%ax\n mov %ax,%ss\n out %al,$0x80\n nop\n" TF_OFF " ret\n"
    /* TF + MOV SS shadow over an intercepted RDMSR (APIC_BASE). */
    "shadow_rdmsr: push %rdx\n push %rcx\n" TF_ON
    "  mov %ss,%ax\n mov %ax,%ss\n mov $0x1b,%ecx\n rdmsr\n nop\n" TF_OFF
    "  pop %rcx\n pop %rdx\n ret\n"
    /* TF + STI shadow over CPUID (IF was 0, nothing pending). */
    "sti_cpuid: push %rbx\n" TF_ON
    "  sti\n xor %eax,%eax\n cpuid\n cli\n nop\n" TF_OFF
    "  pop %rbx\n ret\n"
    /* Data breakpoint on the MOV SS operand, then CPUID in its shadow. */
    "watch_cpuid: push %rbx\n"
    "  mov ss_val(%rip), %ss\n xor %eax,%eax\n cpuid\n nop\n"
    "  pop %rbx\n ret\n");
void shadow_cpuid(void), shadow_out(void), shadow_rdmsr(void), sti_cpuid(void), watch_cpuid(void);

static void one(const char *name, void (*fn)(void), bool watch)
{
    db_reset();
    write_dr6(0);
    if (watch) {
        write_dr0((unsigned long)&ss_val);
        write_dr7(0x400 | DR7_G(0) | DR7_RW(0, DR_RW_RW) | DR7_LEN(0, DR_LEN_2));
    }
    fn();
    write_dr7(0x400);
    db_print(name, name, (void *)fn);
    unsigned int bs = 0;
    for (unsigned int i = 0; i < db_count && i < DB_MAX_EVENTS; i++)
        bs += !!(db_events[i].dr6 & (DR6_BS | DR6_B(0)));
    report(db_count >= 1 && bs == db_count, "%s: every #DB says why (BS or B0)", name);
}

int main(void)
{
    db_install(DB_CLEAR_DR6);
    one("shadow_cpuid", shadow_cpuid, false);
    one("shadow_out", shadow_out, false);
    one("shadow_rdmsr", shadow_rdmsr, false);
    one("sti_cpuid", sti_cpuid, false);
    one("watch_cpuid", watch_cpuid, true);
    return report_summary();
}
