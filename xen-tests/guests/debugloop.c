/* debugloop: a guest that keeps debugging itself, for `make run` and dbgtop:
 * every round it hits its own execution breakpoint and write watchpoint,
 * single-steps a few instructions with TF, checks that each #DB arrived with
 * the DR6 bare hardware would give, and sleeps. A line every `every` rounds.
 *   rounds=N (0 = forever, the default), every=N (500), delay=N (timer count, 200000) */
#include "guest.h"

asm(".pushsection .text.debugloop, \"ax\"\n"
    ".globl dl_target, dl_steps\n"
    "dl_target: nop; nop; ret\n"
    "dl_steps: pushfq\n orq $0x100,(%rsp)\n popfq\n"
    "nop\n nop\n nop\n"
    "pushfq\n andq $~0x100,(%rsp)\n popfq\n ret\n"
    ".popsection\n");
void dl_target(void), dl_steps(void);
static volatile uint64_t watched;

/* One round; returns true when the recorded #DBs are the expected ones. */
static bool round_ok(unsigned long i)
{
    db_reset();
    write_dr0((unsigned long)dl_target + 1);
    write_dr1((unsigned long)&watched);
    write_dr7(DR7_L(0) | DR7_L(1) | DR7_RW(1, DR_RW_WRITE) | DR7_LEN(1, DR_LEN_8));
    dl_target();
    watched = i;
    dl_steps();
    write_dr7(0x400);
    /* exec hit (B0), watchpoint (B1), then single-steps (BS) */
    if (db_count < 3 || (db_events[0].dr6 & 0xf) != 1 || (db_events[1].dr6 & 0xf) != 2)
        return false;
    for (unsigned int k = 2; k < db_count && k < DB_MAX_EVENTS; k++)
        if (!(db_events[k].dr6 & (1ul << 14)))
            return false;
    return true;
}

int main(void)
{
    unsigned long rounds = cmdline_uint("rounds", 0), every = cmdline_uint("every", 500);
    unsigned long delay = cmdline_uint("delay", 200000), bad = 0;

    db_install(DB_CLEAR_DR6);
    for (unsigned long i = 1; rounds == 0 || i <= rounds; i++) {
        if (!round_ok(i))
            bad++;
        if (i % every == 0)
            printf("debugloop: round %lu, %lu bad, last round %u #DB\n", i, bad, db_count);
        sleep_ticks((uint32_t)delay);
    }
    printf("debugloop: done, %lu bad round(s)\n", bad);
    return bad ? 1 : 0;
}
