/* dr32: debug registers from a 32-bit protected-mode guest. MOV DR moves 32
 * bits here, so the hypervisor must decode and emulate it with 32-bit
 * operands (no REX, 32-bit GPRs) and hand back 32-bit values. Prints a
 * record and TAP lines; exit 0 iff all passed. */
#include "guest.h"

asm(".pushsection .text\n.globl d32_target\nd32_target: nop; nop; ret\n.popsection\n");
void d32_target(void);
static volatile uint32_t watched;

int main(void)
{
    static const unsigned long vals[4] = { 0x00401000, 0xdeadbee0, 0x7ffff008, 0xfffff000 };

    write_dr0(vals[0]); write_dr1(vals[1]); write_dr2(vals[2]); write_dr3(vals[3]);
    report(read_dr0() == vals[0] && read_dr1() == vals[1] && read_dr2() == vals[2] &&
           read_dr3() == vals[3], "dr0-3 read back as 32-bit values");
    write_dr6(0);
    printf("dr6 after writing 0: %#lx\n", read_dr6());
    report(read_dr6() == 0xffff0ff0, "dr6 reads its fixed-1 bits");
    write_dr7(0x400 | DR7_L(0));
    printf("dr7: %#lx\n", read_dr7());
    report((read_dr7() & 0xffff27ff) == (0x400 | DR7_L(0)), "dr7 reads back");

    db_install(DB_CLEAR_DR6);
    db_reset();
    write_dr0((unsigned long)d32_target + 1);
    write_dr1((unsigned long)&watched);
    write_dr7(DR7_L(0) | DR7_L(1) | DR7_RW(1, DR_RW_WRITE) | DR7_LEN(1, DR_LEN_4));
    d32_target();
    watched = 42;
    write_dr7(0x400);
    printf("#DB count %u\n", db_count);
    for (unsigned int i = 0; i < db_count && i < DB_MAX_EVENTS; i++)
        printf("#DB %u: dr6=%#lx ip=d32_target%c%#lx\n", i, db_events[i].dr6,
               db_events[i].ip >= (unsigned long)d32_target ? '+' : '-',
               db_events[i].ip >= (unsigned long)d32_target
                   ? db_events[i].ip - (unsigned long)d32_target
                   : (unsigned long)d32_target - db_events[i].ip);
    report(db_count == 2, "an execution breakpoint and a write watchpoint fired");
    report(db_count >= 1 && (db_events[0].dr6 & 0xf) == 1, "first #DB: B0");
    report(db_count >= 2 && (db_events[1].dr6 & 0xf) == 2, "second #DB: B1");
    return report_summary();
}
