/* dr-bp: hardware breakpoints as the guest sees them. Execution breakpoints
 * in each slot (fault-like, resumed with RF), write watchpoints of length
 * 1/2/4/8 (trap-like, exact range), read/write watchpoints, and DR6
 * B0-B3 being replaced per hit while BS accumulates. */
#include "guest.h"

#define DR6_FIXED 0xffff0ff0UL

/* Targets with known addresses: each is `nop; <hit>: nop; ret`. */
asm(".text\n"
    ".globl bp_t0, bp_t1, bp_t2, bp_t3\n"
    "bp_t0: nop; nop; ret\n"
    "bp_t1: nop; nop; ret\n"
    "bp_t2: nop; nop; ret\n"
    "bp_t3: nop; nop; ret\n"
    /* Stores/loads whose next instruction is a known label. */
    "st1: movb %sil,(%rdi)\n st1_end: ret\n"
    "st2: movw %si,(%rdi)\n st2_end: ret\n"
    "st4: movl %esi,(%rdi)\n st4_end: ret\n"
    "st8: movq %rsi,(%rdi)\n st8_end: ret\n"
    "ld4: movl (%rdi),%eax\n ld4_end: ret\n"
    /* Single-step one instruction, then run into breakpoints at bs_l2/bs_l3. */
    "bs_seq: pushfq\n orq $0x100,(%rsp)\n popfq\n"
    "bs_l1: nop\n bs_l2: nop\n bs_l3: nop\n ret\n"
    ".globl st1, st2, st4, st8, ld4, st1_end, st2_end, st4_end, st8_end, ld4_end\n"
    ".globl bs_seq, bs_l2, bs_l3\n");
void bp_t0(void), bp_t1(void), bp_t2(void), bp_t3(void);
void st1(volatile void *addr, unsigned long val), st2(volatile void *addr, unsigned long val);
void st4(volatile void *addr, unsigned long val), st8(volatile void *addr, unsigned long val);
uint32_t ld4(volatile void *addr);
extern char st1_end[], st2_end[], st4_end[], st8_end[], ld4_end[];
void bs_seq(void);
extern char bs_l2[], bs_l3[];
static void (*const targets[4])(void) = { bp_t0, bp_t1, bp_t2, bp_t3 };

static volatile uint64_t wvar[4] __attribute__((aligned(32)));

typedef void (*store_fn)(volatile void *addr, unsigned long val);

static void arm(int n, unsigned long addr, int rw, int len)
{
    write_dr7(0);
    write_dr(n, addr);
    write_dr6(0);
    write_dr7(DR7_L(n) | DR7_RW(n, rw) | DR7_LEN(n, len));
    db_reset();
}

static void disarm(void)
{
    write_dr7(0);
    for (int n = 0; n < 4; n++)
        write_dr(n, 0);
    write_dr6(0);
}

static bool one_event(unsigned long ip, unsigned long dr6)
{
    return db_count == 1 && db_events[0].vector == 1 && db_events[0].ip == ip &&
           db_events[0].dr6 == dr6;
}

static void exec_slots(void)
{
    for (int n = 0; n < 4; n++) {
        unsigned long hit = (unsigned long)targets[n] + 1;
        arm(n, hit, DR_RW_EXEC, DR_LEN_1);
        targets[n]();
        char what[24], sym[8];
        snprintf(what, sizeof(what), "exec dr%d", n);
        snprintf(sym, sizeof(sym), "bp_t%d", n);
        db_print(what, sym, (void *)targets[n]);
        report(one_event(hit, DR6_FIXED | DR6_B(n)), "exec breakpoint in dr%d: fault at target, B%d", n, n);
    }
    /* All four at once: each target hits its own slot exactly once. */
    write_dr7(0);
    for (int n = 0; n < 4; n++)
        write_dr(n, (unsigned long)targets[n] + 1);
    write_dr6(0);
    db_reset();
    write_dr7(0xff);
    for (int n = 0; n < 4; n++)
        targets[n]();
    db_print("exec all", "bp_t0", (void *)bp_t0);
    bool ok = db_count == 4;
    for (int n = 0; ok && n < 4; n++)
        ok = db_events[n].ip == (unsigned long)targets[n] + 1 &&
             (db_events[n].dr6 & 0xf) == DR6_B(n);
    report(ok, "four exec breakpoints armed together hit in order");
    disarm();
}

static void write_watch(void)
{
    static const struct { int len, code; store_fn st; char *end; } w[] = {
        { 1, DR_LEN_1, st1, st1_end }, { 2, DR_LEN_2, st2, st2_end },
        { 4, DR_LEN_4, st4, st4_end }, { 8, DR_LEN_8, st8, st8_end },
    };
    volatile uint8_t *base = (volatile uint8_t *)&wvar[1];

    for (unsigned i = 0; i < ARRAY_SIZE(w); i++) {
        char what[32];
        arm(0, (unsigned long)base, DR_RW_WRITE, w[i].code);
        /* Hit at the start of the range, trap after the store. */
        w[i].st(base, 0x11);
        snprintf(what, sizeof(what), "write len%d first", w[i].len);
        db_print(what, "st", (void *)w[i].st);
        report(one_event((unsigned long)w[i].end, DR6_FIXED | DR6_B(0)),
               "write watchpoint len %d: trap after the store, B0", w[i].len);
        /* Last byte of the range hits; the byte after it does not. */
        db_reset();
        st1(base + w[i].len - 1, 0x22);
        report(db_count == 1, "write watchpoint len %d: last byte hits (%u)", w[i].len, db_count);
        db_reset();
        st1(base + w[i].len, 0x33);
        st1(base - 1, 0x44);
        report(db_count == 0, "write watchpoint len %d: neighbours do not hit (%u)", w[i].len, db_count);
        /* A load never hits a write-only watchpoint. */
        db_reset();
        ld4(base);
        report(db_count == 0, "write watchpoint len %d: load does not hit (%u)", w[i].len, db_count);
    }
    disarm();
}

static void rw_watch(void)
{
    volatile uint8_t *base = (volatile uint8_t *)&wvar[2];

    arm(2, (unsigned long)base, DR_RW_RW, DR_LEN_4);
    uint32_t v = ld4(base + 2);       /* overlaps the range */
    db_print("rw load", "ld4", (void *)ld4);
    report(one_event((unsigned long)ld4_end, DR6_FIXED | DR6_B(2)) && v == 0,
           "read/write watchpoint: load hits, trap after it, B2");
    db_reset();
    st4(base, 0x55);
    db_print("rw store", "st4", (void *)st4);
    report(one_event((unsigned long)st4_end, DR6_FIXED | DR6_B(2)), "read/write watchpoint: store hits");
    disarm();
}

/* DR6.BS survives breakpoint hits while B0-B3 are replaced per hit
 * (kvm-unit-tests "hw breakpoint (test that dr6.BS is not cleared)"). The
 * handler does not clear DR6 here. */
static void dr6_accumulate(void)
{
    db_install(0);
    /* BS preset by software, then two breakpoint hits. */
    write_dr7(0);
    write_dr0((unsigned long)bp_t0 + 1);
    write_dr1((unsigned long)bp_t1 + 1);
    write_dr6(DR6_BS);
    db_reset();
    write_dr7(DR7_L(0) | DR7_L(1));
    bp_t0();
    bp_t1();
    write_dr7(0);
    db_print("bs preset", "bp_t0", (void *)bp_t0);
    report(db_count == 2 && db_events[0].dr6 == (DR6_FIXED | DR6_BS | DR6_B(0)) &&
           db_events[1].dr6 == (DR6_FIXED | DR6_BS | DR6_B(1)),
           "preset BS kept by breakpoint hits, B0 replaced by B1");

    /* BS set by a real single-step whose next instruction has a breakpoint.
     * The step trap and the breakpoint may be reported as one #DB (QEMU
     * does) or two; either way BS stays and B0 is replaced by B1. */
    db_install(DB_STOP_TF);
    write_dr0((unsigned long)bs_l2);
    write_dr1((unsigned long)bs_l3);
    write_dr6(0);
    db_reset();
    write_dr7(DR7_L(0) | DR7_L(1));
    bs_seq();
    write_dr7(0);
    db_print("step+bp", "bs_seq", (void *)bs_seq);
    unsigned n = db_count;
    bool ok = n >= 2 && n <= 3;
    for (unsigned i = 0; ok && i < n; i++)
        ok = (db_events[i].dr6 & DR6_BS) && db_events[i].ip == (unsigned long)(i + 1 < n ? bs_l2 : bs_l3);
    ok = ok && (db_events[n - 1].dr6 & 0xf) == DR6_B(1) && (db_events[n - 2].dr6 & 0xf) == DR6_B(0);
    report(ok, "single-step then breakpoints: BS kept, B0 then B1 (%u events)", n);
    disarm();
    db_install(DB_CLEAR_DR6);
}

int main(void)
{
    db_install(DB_CLEAR_DR6);
    exec_slots();
    write_watch();
    rw_watch();
    dr6_accumulate();
    return report_summary();
}
