/* selfdebug: a guest that debugs itself, for running under a host debugger
 * (docs/guest-debug.md, xen-tests/integration/test_guestdebug.sh, test_gdb.sh).
 *
 * It arms its own execution breakpoint (DR0) and write watchpoint (DR1),
 * single-steps a short sequence with TF, and records every #DB with its
 * DR6, the TF/RF bits of the interrupted flags and the IP. The printed
 * record must be the same with and without a host debugger that sets its
 * own breakpoints on the same and on other instructions and steps through
 * the guest's own stepping. The code the host debugs lives on a page of
 * its own, the watched variables on another. */
#include "guest.h"

asm(".pushsection .text.selfdebug, \"ax\"\n"
    ".balign 4096\n"
    ".globl sd_base, sd_target, sd_host_only, sd_step_seq, sd_s1, sd_s2, sd_s3, sd_s4, sd_s5\n"
    "sd_base:\n"
    "sd_target: nop; nop; ret\n"            /* guest and host break at sd_target+1 */
    "sd_host_only: nop; nop; ret\n"         /* only the host breaks here */
    "sd_step_seq: pushfq\n orq $0x100,(%rsp)\n popfq\n"  /* the guest steps itself */
    "sd_s1: nop\n"
    "sd_s2: movq $5,%rax\n"
    "sd_s3: addq $1,%rax\n"
    "sd_s4: pushfq\n"                       /* its image must show the guest's TF only */
    "sd_s5: popq %rdx\n pushq %rdx\n andq $~0x100,(%rsp)\n popfq\n movq %rdx,%rax\n ret\n"
    /* SYSCALL at CPL0 into a handler that records the flags it got and
     * returns with R11's flags (clobbers rax, rcx, r11). */
    ".globl sd_sys, sd_sys_entry\n"
    "sd_sys: syscall\n ret\n"
    "sd_sys_entry: pushfq\n popq %rax\n movq %rax, sd_sys_hflags(%rip)\n"
    " movq %r11, sd_sys_r11(%rip)\n pushq %r11\n popfq\n jmp *%rcx\n"
    ".balign 4096\n"
    ".popsection\n");
void sd_target(void), sd_host_only(void), sd_sys(void);
extern char sd_sys_entry[];
volatile unsigned long sd_sys_hflags, sd_sys_r11;
unsigned long sd_step_seq(void);
extern char sd_base[], sd_s1[], sd_s2[];

/* Watched variables on a page of their own: [0] by the guest and the host,
 * [8] by the host only. */
volatile uint64_t sd_vars[512] __attribute__((aligned(4096)));

static void print_record(void)
{
    unsigned int n = db_count < DB_MAX_EVENTS ? db_count : DB_MAX_EVENTS;

    printf("selfdebug: %u event(s)\n", db_count);
    for (unsigned int i = 0; i < n; i++) {
        const struct db_event *e = &db_events[i];
        long off = (long)(e->ip - (unsigned long)sd_base);
        printf("selfdebug #%u: vec=%lu dr6=%#lx tf=%lu rf=%lu ip=sd_base%c%#lx\n", i,
               e->vector, e->dr6, (e->flags >> 8) & 1, (e->flags >> 16) & 1,
               off < 0 ? '-' : '+', off < 0 ? -off : off);
    }
}

int main(void)
{
    unsigned long flags_seen;
    int rounds = 3;

    db_install(DB_CLEAR_DR6);
    db_reset();
    write_dr0((unsigned long)sd_target + 1);
    write_dr1((unsigned long)&sd_vars[0]);
    write_dr6(0);
    write_dr7(DR7_L(0) | DR7_L(1) | DR7_RW(1, DR_RW_WRITE) | DR7_LEN(1, DR_LEN_8));
    for (int i = 0; i < rounds; i++) {
        sd_target();
        sd_vars[0] = i + 1;
        sd_host_only();
        sd_vars[8] = i + 1;
    }
    flags_seen = sd_step_seq();
    /* A fault the host may single-step into: #UD, no C handler, resumed. */
    int ud = TRY_ASM(".globl sd_ud\n\tsd_ud: ud2", : :);
    /* SYSCALL saves RFLAGS in R11 and masks TF with SFMASK. */
    wrmsr(0xC0000080, rdmsr(0xC0000080) | 1);          /* EFER.SCE */
    wrmsr(0xC0000081, 0x08ull << 32);                   /* STAR: CS 0x08, SS 0x10 */
    wrmsr(0xC0000082, (unsigned long)sd_sys_entry);     /* LSTAR */
    wrmsr(0xC0000084, X86_EFLAGS_TF);                   /* SFMASK */
    sd_sys();
    unsigned long dr0 = read_dr0(), dr1 = read_dr1(), dr7 = read_dr7();
    write_dr7(0);

    print_record();
    printf("selfdebug: pushf image tf=%lu\n", (flags_seen >> 8) & 1);
    printf("selfdebug: dr0=sd_base+%#lx dr1=%s dr7=%#lx\n", dr0 - (unsigned long)sd_base,
           dr1 == (unsigned long)&sd_vars[0] ? "sd_vars" : "other", dr7);
    printf("selfdebug: vars %lu %lu\n", (unsigned long)sd_vars[0], (unsigned long)sd_vars[8]);
    printf("selfdebug: ud2 -> vector %d\n", ud);
    printf("selfdebug: syscall r11.tf=%lu handler.tf=%lu\n", (sd_sys_r11 >> 8) & 1,
           (sd_sys_hflags >> 8) & 1);
    /* 3 exec hits, 3 watchpoint hits, and 8 steps: QEMU traps right after
     * the POPF that sets TF, then after s1 ... s5, pushq, andq, and the
     * POPF that clears TF. */
    report(db_count == 3 + 3 + 8, "selfdebug: %u #DB (14 expected)", db_count);
    report(((flags_seen >> 8) & 1) == 1, "selfdebug: PUSHF under TF shows the guest's TF");
    report(dr0 == (unsigned long)sd_target + 1 && dr1 == (unsigned long)&sd_vars[0],
           "selfdebug: DR0/DR1 read back as written");
    report(ud == 6, "selfdebug: ud2 raised #UD");
    report(!(sd_sys_r11 & X86_EFLAGS_TF) && !(sd_sys_hflags & X86_EFLAGS_TF),
           "selfdebug: SYSCALL saved and ran without TF");
    return report_summary();
}
