/* dr-icebp: ICEBP (0xF1) raises a trap-like #DB with RIP after it; INT3
 * (0xCC) and INT 3 (CD 03) raise #BP, vector 3, RIP after the instruction.
 * A hypervisor must reflect all three to the guest unchanged. */
#include "guest.h"

#define DR6_FIXED 0xffff0ff0UL

asm(".text\n"
    ".globl do_icebp, do_int3, do_int_3, do_icebp_tf\n"
    "do_icebp: .byte 0xf1\n ret\n"
    "do_int3: int3\n ret\n"
    "do_int_3: .byte 0xcd, 0x03\n ret\n"
    /* ICEBP while single-stepping. */
    "do_icebp_tf: pushfq\n orq $0x100,(%rsp)\n popfq\n"
    "  .byte 0xf1\n"
    "  pushfq\n andq $~0x100,(%rsp)\n popfq\n ret\n");
void do_icebp(void), do_int3(void), do_int_3(void), do_icebp_tf(void);

static void one(const char *name, void (*fn)(void), unsigned long vec, unsigned len)
{
    db_reset();
    write_dr6(0);
    fn();
    db_print(name, name, (void *)fn);
    report(db_count == 1 && db_events[0].vector == vec &&
           db_events[0].ip == (unsigned long)fn + len,
           "%s: vector %lu, ip after the %u-byte instruction", name, vec, len);
}

int main(void)
{
    db_install(DB_CLEAR_DR6);
    one("do_icebp", do_icebp, 1, 1);
    /* ICEBP's #DB reports no condition: B0-B3, BD, BS, BT stay as they were
     * (clear here), so DR6 holds only its fixed-1 bits, as on the CPU. */
    unsigned long extra = db_count == 1 ? db_events[0].dr6 & ~DR6_FIXED : ~0UL;
    printf("do_icebp: dr6 bits beyond fixed: %#lx\n", extra);
    report(db_count == 1 && db_events[0].dr6 == DR6_FIXED, "do_icebp: dr6 = %#lx, no condition bits",
           DR6_FIXED);
    one("do_int3", do_int3, 3, 1);
    one("do_int_3", do_int_3, 3, 2);

    /* Recorded only: how ICEBP combines with a pending single-step. */
    db_reset();
    write_dr6(0);
    db_install(DB_CLEAR_DR6);
    do_icebp_tf();
    db_print("do_icebp_tf", "do_icebp_tf", (void *)do_icebp_tf);
    return report_summary();
}
