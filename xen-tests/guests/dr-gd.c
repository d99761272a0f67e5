/* dr-gd: DR7.GD general detect. Any MOV DR with GD set raises a fault-like
 * #DB before the MOV executes, DR6.BD set, and the CPU clears GD on delivery
 * so the handler can use the debug registers; the MOV then re-executes. */
#include "guest.h"

#define DR6_FIXED 0xffff0ff0UL

asm(".text\n"
    ".globl gd_rd0, gd_wr1, gd_wr7, gd_rd6, gd_rd4\n"
    "gd_rd0: mov %dr0,%rax\n ret\n"
    "gd_wr1: mov %rdi,%dr1\n ret\n"
    "gd_wr7: mov %rdi,%dr7\n ret\n"
    "gd_rd6: mov %dr6,%rax\n ret\n"
    "gd_rd4: mov %dr4,%rax\n ret\n");
unsigned long gd_rd0(void), gd_rd6(void), gd_rd4(void);
void gd_wr1(unsigned long), gd_wr7(unsigned long);

static void check(const char *what, void *insn, unsigned long dr7_armed)
{
    db_print(what, what, insn);
    unsigned long dr7_now = read_dr7();
    printf("%s: dr7 armed %#lx, in handler %#lx, after %#lx\n", what, dr7_armed,
           db_count ? db_events[0].dr7 : 0, dr7_now);
    report(db_count == 1 && db_events[0].ip == (unsigned long)insn &&
           (db_events[0].dr6 & DR6_BD) && !(db_events[0].dr7 & DR7_GD),
           "%s: #DB at the MOV, DR6.BD, GD clear in handler", what);
}

int main(void)
{
    unsigned long v;

    db_install(DB_CLEAR_DR6);
    write_dr0(0x1234000);

    unsigned long armed = DR7_GD | 0x400;
    write_dr6(0); db_reset(); write_dr7(armed);
    v = gd_rd0();
    check("gd_rd0", (void *)gd_rd0, armed);
    report(v == 0x1234000, "gd_rd0: MOV re-executed after the handler (%#lx)", v);

    write_dr6(0); db_reset(); write_dr7(armed);
    gd_wr1(0x5678000);
    check("gd_wr1", (void *)gd_wr1, armed);
    report(read_dr1() == 0x5678000, "gd_wr1: write took effect after the handler");

    /* Writing DR7 itself is caught too; the re-executed write then lands. */
    armed = DR7_GD | DR7_L(0) | 0x400;
    write_dr6(0); db_reset(); write_dr7(armed);
    gd_wr7(0x400);
    check("gd_wr7", (void *)gd_wr7, armed);
    report(read_dr7() == 0x400, "gd_wr7: DR7 write landed after the handler");

    /* DR6 and, with CR4.DE=0, its DR4 alias. */
    write_cr4(read_cr4() & ~X86_CR4_DE);
    armed = DR7_GD | 0x400;
    write_dr6(0); db_reset(); write_dr7(armed);
    v = gd_rd6();
    check("gd_rd6", (void *)gd_rd6, armed);
    printf("gd_rd6: re-executed read %#lx\n", v);
    write_dr6(0); db_reset(); write_dr7(armed);
    gd_rd4();
    check("gd_rd4", (void *)gd_rd4, armed);

    /* The CPU never clears DR6.BD: it stays until software writes DR6. */
    db_install(0);
    write_dr6(0);
    db_reset();
    write_dr7(DR7_GD | 0x400);
    gd_rd0();
    v = read_dr6();
    printf("dr6 after gd with no clearing: %#lx\n", v);
    report(v == (DR6_FIXED | DR6_BD), "DR6.BD remains set until software clears it");
    write_dr6(0);
    write_dr7(0);
    return report_summary();
}
