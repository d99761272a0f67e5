/*
 * hostile: policies=trap,adaptive native=compare
 *
 * int3-prefixes: legacy prefixes before INT3 (CC), INT 3 (CD 03), INT n and
 * ICEBP (F1) (issue 9, finding 9). The CPU accepts any number of legacy
 * prefixes (66 67 F2 F3 and segment overrides, a REX before the opcode)
 * up to the 15-byte instruction limit; a longer instruction is #GP(0). The
 * handler's return address is the end of the whole instruction, RF is clear
 * in the pushed flags, DR6 gets no new bits from INT3/ICEBP. From ring 3,
 * INT3 and INT n through a DPL-0 gate are #GP(vector*8+2); ICEBP is not
 * DPL-checked. Under a hypervisor that sees INT3/INT n/ICEBP as intercepts
 * (QEMU reports RIP at the first prefix), each must be decoded whole: the old
 * code crashed the domain on the first prefix byte ("unexpected software
 * interrupt opcode 0x2e"), stepped ICEBP by one byte and gave ring-3 INT3
 * the handler without the DPL check.
 */
#include "guest.h"

#define DR6_FIXED 0xffff0ff0UL

/* Each case: the instruction under test at the label, then `ret`. */
#define CASE(name, bytes) #name ": .byte " bytes "\n ret\n"
asm(".text\n"
    CASE(plain_int3, "0xcc")
    CASE(plain_int_3, "0xcd, 0x03")
    CASE(plain_icebp, "0xf1")
    CASE(cs11_int3, "0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e, 0xcc")
    CASE(opsize_int3, "0x66, 0xcc")
    CASE(addrsize_int3, "0x67, 0xcc")
    CASE(repne_int3, "0xf2, 0xcc")
    CASE(rep_int3, "0xf3, 0xcc")
    CASE(rexw_int3, "0x48, 0xcc")
    CASE(segs_int3, "0x26,0x36,0x3e,0x64,0x65, 0xcc")
    CASE(max14_int3, "0x66,0x67,0xf2,0xf3,0x26,0x2e,0x36,0x3e,0x64,0x65,0x2e,0x2e,0x66,0x40, 0xcc")
    CASE(opsize_int_3, "0x66, 0xcd, 0x03")
    CASE(reps_int_3, "0xf3, 0xf2, 0xcd, 0x03")
    CASE(cs5_int_3, "0x2e,0x2e,0x2e,0x2e,0x2e, 0xcd, 0x03")
    CASE(max13_int_3, "0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x67, 0xcd, 0x03")
    CASE(opsize_icebp, "0x66, 0xf1")
    CASE(cs_icebp, "0x2e, 0xf1")
    CASE(rep_addr_icebp, "0xf3, 0x67, 0xf1")
    CASE(max14_icebp, "0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x66, 0xf1")
    /* Single-stepping into a prefixed INT3 and ICEBP. */
    "tf_int3: pushfq\n orq $0x100,(%rsp)\n popfq\n"
    "  .byte 0x2e, 0x66, 0xcc\n"
    "  pushfq\n andq $~0x100,(%rsp)\n popfq\n ret\n"
    "tf_icebp: pushfq\n orq $0x100,(%rsp)\n popfq\n"
    "  .byte 0x2e, 0x66, 0xf1\n"
    "  pushfq\n andq $~0x100,(%rsp)\n popfq\n ret\n"
    /* In a MOV SS shadow. */
    "ss_int3: mov %ss, %eax\n mov %eax, %ss\n .byte 0x2e, 0xcc\n ret\n"
    "ss_icebp: mov %ss, %eax\n mov %eax, %ss\n .byte 0x2e, 0xf1\n ret\n"
    /* Ring 3: fn returns 7 through the DPL-3 gate 0x80 (prefixed INT n). */
    "user_int80: mov $7, %edi\n .byte 0x2e, 0x66, 0xcd, 0x80\n ret\n"
    "user_int3: .byte 0x2e, 0x2e, 0xcc\n ret\n"
    "user_int_21: .byte 0xf3, 0xcd, 0x21\n ret\n"
    "user_icebp: .byte 0x66, 0xf1\n ret\n");

struct sw_case { const char *name; void (*fn)(void); unsigned long vec, len; };
#define DECL(n) void n(void);
DECL(plain_int3) DECL(plain_int_3) DECL(plain_icebp) DECL(cs11_int3) DECL(opsize_int3)
DECL(addrsize_int3) DECL(repne_int3) DECL(rep_int3) DECL(rexw_int3) DECL(segs_int3)
DECL(max14_int3) DECL(opsize_int_3) DECL(reps_int_3) DECL(cs5_int_3) DECL(max13_int_3)
DECL(opsize_icebp) DECL(cs_icebp) DECL(rep_addr_icebp) DECL(max14_icebp)
DECL(tf_int3) DECL(tf_icebp) DECL(ss_int3) DECL(ss_icebp)
long user_int80(void), user_int3(void), user_int_21(void), user_icebp(void);

static const struct sw_case cases[] = {
    { "plain_int3", plain_int3, 3, 1 },       { "plain_int_3", plain_int_3, 3, 2 },
    { "plain_icebp", plain_icebp, 1, 1 },     { "cs11_int3", cs11_int3, 3, 12 },
    { "opsize_int3", opsize_int3, 3, 2 },     { "addrsize_int3", addrsize_int3, 3, 2 },
    { "repne_int3", repne_int3, 3, 2 },       { "rep_int3", rep_int3, 3, 2 },
    { "rexw_int3", rexw_int3, 3, 2 },         { "segs_int3", segs_int3, 3, 6 },
    { "max14_int3", max14_int3, 3, 15 },      { "opsize_int_3", opsize_int_3, 3, 3 },
    { "reps_int_3", reps_int_3, 3, 4 },       { "cs5_int_3", cs5_int_3, 3, 7 },
    { "max13_int_3", max13_int_3, 3, 15 },    { "opsize_icebp", opsize_icebp, 1, 2 },
    { "cs_icebp", cs_icebp, 1, 2 },           { "rep_addr_icebp", rep_addr_icebp, 1, 3 },
    { "max14_icebp", max14_icebp, 1, 15 },
};

static void print_events(const char *name, const void *base)
{
    unsigned n = db_count < DB_MAX_EVENTS ? db_count : DB_MAX_EVENTS;

    printf("%s: %u event(s)\n", name, db_count);
    for (unsigned i = 0; i < n; i++)
        printf("%s #%u: vec=%lu ip=+%#lx new-dr6=%#lx rf=%lu tf=%lu\n", name, i,
               db_events[i].vector, db_events[i].ip - (unsigned long)base,
               db_events[i].dr6 & ~DR6_FIXED, (db_events[i].flags >> 16) & 1,
               (db_events[i].flags >> 8) & 1);
}

static void run(const char *name, void (*fn)(void))
{
    db_reset();
    write_dr6(DR6_FIXED);
    fn();
    print_events(name, (const void *)fn);
}

static void user(const char *name, long (*fn)(void), long want, unsigned long err)
{
    long r = run_user(fn);

    printf("%s: ring 3 -> %ld (error %#lx)\n", name, r, r < -1 ? last_trap.error_code : 0);
    report(r == want && (r >= 0 || last_trap.error_code == err),
           "%s from ring 3 gives %ld, error code %#lx", name, want, err);
}

int main(void)
{
    int vec;

    db_install(0);
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        const struct sw_case *c = &cases[i];
        run(c->name, c->fn);
        report(db_count == 1 && db_events[0].vector == c->vec &&
               db_events[0].ip == (unsigned long)c->fn + c->len &&
               !(db_events[0].flags & X86_EFLAGS_RF) && !(db_events[0].dr6 & ~DR6_FIXED),
               "%s: vector %lu once, ip after the %lu-byte instruction, RF clear, no DR6 bits",
               c->name, c->vec, c->len);
    }

    db_limit = 4;           /* runaway guard for the stepped cases */
    run("tf_int3", tf_int3);
    run("tf_icebp", tf_icebp);
    db_limit = DB_MAX_EVENTS;
    run("ss_int3", ss_int3);
    report(db_count == 1 && db_events[0].vector == 3 &&
           db_events[0].ip == (unsigned long)ss_int3 + 6, "prefixed INT3 in a MOV SS shadow");
    run("ss_icebp", ss_icebp);
    report(db_count >= 1 && db_events[db_count - 1].vector == 1 &&
           db_events[db_count - 1].ip == (unsigned long)ss_icebp + 6,
           "prefixed ICEBP in a MOV SS shadow");

    /* 15 prefixes + CC and 15 prefixes + F1: 16 bytes, #GP(0), no #BP/#DB. */
    db_reset();
    vec = TRY_ASM(".byte 0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e, 0xcc", ::);
    printf("16-byte int3: vector %d error %#lx, %u #BP/#DB\n", vec, last_trap.error_code, db_count);
    report(vec == 13 && last_trap.error_code == 0 && db_count == 0, "16-byte INT3 is #GP(0)");
    db_reset();
    vec = TRY_ASM(".byte 0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66, 0xf1", ::);
    printf("16-byte icebp: vector %d error %#lx, %u #BP/#DB\n", vec, last_trap.error_code, db_count);
    report(vec == 13 && last_trap.error_code == 0 && db_count == 0, "16-byte ICEBP is #GP(0)");

    user("user_int80", user_int80, 7, 0);
    user("user_int3", user_int3, -1 - 13, 3 * 8 + 2);
    user("user_int_21", user_int_21, -1 - 13, 0x21 * 8 + 2);
    user("user_icebp", user_icebp, -1 - 1, 0);
    return report_summary();
}
