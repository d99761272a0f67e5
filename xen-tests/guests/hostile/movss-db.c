/*
 * hostile: pcpus=1 policies=trap,lazy-exit,lazy-sched,adaptive native=compare
 *
 * movss-db (XSA-260 family, "POP SS/MOV SS"): a data breakpoint on the
 * operand of MOV SS raises a #DB that the MOV SS shadow holds back until
 * after the next instruction. When that instruction is itself an event
 * (INT3, ICEBP, SYSCALL), hardware delivers the deferred #DB at the first
 * instruction of the event's handler, in the handler's context. A
 * hypervisor that intercepts INT3/ICEBP/#DB must neither lose the pending
 * #DB, nor deliver it at the wrong IP, nor let it escape into the host.
 * Each case records vector, DR6 and IP of every #DB/#BP; the record must
 * equal the native one.
 */
#include "guest.h"

#define MSR_EFER  0xC0000080
#define MSR_STAR  0xC0000081
#define MSR_LSTAR 0xC0000082
#define MSR_FMASK 0xC0000084

static volatile uint16_t ss_val = 0x10;

asm(".text\n"
    ".globl movss_nop, movss_int3, movss_icebp, movss_syscall, syscall_landing\n"
    "movss_nop:     mov ss_val(%rip), %ss\n nop\n nop\n ret\n"
    "movss_int3:    mov ss_val(%rip), %ss\n int3\n nop\n ret\n"
    "movss_icebp:   mov ss_val(%rip), %ss\n .byte 0xf1\n nop\n ret\n"
    "movss_syscall: mov ss_val(%rip), %ss\n syscall\n nop\n ret\n"
    /* SYSCALL at CPL0: RCX = return RIP, R11 = RFLAGS; go straight back. */
    "syscall_landing: nop\n push %r11\n popfq\n jmp *%rcx\n");
void movss_nop(void), movss_int3(void), movss_icebp(void), movss_syscall(void);

static void one(const char *name, void (*fn)(void))
{
    db_reset();
    write_dr6(0);
    write_dr0((unsigned long)&ss_val);
    write_dr7(0x400 | DR7_G(0) | DR7_RW(0, DR_RW_RW) | DR7_LEN(0, DR_LEN_2));
    fn();
    write_dr7(0x400);
    db_print(name, name, (void *)fn);
    report(db_count >= 1, "%s: the data breakpoint was not lost", name);
}

int main(void)
{
    extern char syscall_landing[];

    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1);            /* SCE */
    wrmsr(MSR_STAR, (uint64_t)0x08 << 32);
    wrmsr(MSR_LSTAR, (unsigned long)syscall_landing);
    wrmsr(MSR_FMASK, X86_EFLAGS_TF);
    db_install(DB_CLEAR_DR6);
    one("movss_nop", movss_nop);
    one("movss_int3", movss_int3);
    one("movss_icebp", movss_icebp);
    one("movss_syscall", movss_syscall);
    return report_summary();
}
