/*
 * hostile: copies=2 pcpus=1 policies=trap,adaptive native=compare
 *
 * x87-secret: the x87 register stack and environment must never cross
 * domains (issue 9, finding 1). Two copies share one pCPU. Copy 0 pushes a
 * secret 80-bit value on the x87 stack and keeps it there across timer
 * sleeps (so it is descheduled); after each it checks ST0 holds the exact
 * 80 bits and that the status word (TOP) and tag word are unchanged. Copy 1
 * keeps three markers of its own in other physical registers, ending with TOP 0 and FSW 0 (a stack only
 * the tags show to be in use); after each sleep it dumps all eight physical
 * registers (FNSAVE, then FRSTOR to put them back), must never find the
 * secret there, and checks its own TOP and tags. On hardware
 * the whole x87 state (FXSAVE/XSAVE component 0) belongs to the task that
 * loaded it. Natively copy 0 runs alone and must pass the same way.
 */
#include "guest.h"

#define ROUNDS 40

struct x87_reg { uint64_t mantissa; uint16_t sign_exponent; } __attribute__((packed));

struct x87_save {                       /* FNSAVE image, 32-bit protected/long mode */
    uint16_t fcw, r0, fsw, r1, ftw, r2;
    uint32_t fip;
    uint16_t fcs, fop;
    uint32_t fdp;
    uint16_t fds, r3;
    struct x87_reg st[8];
} __attribute__((packed));

static const struct x87_reg secret = { 0xc0ffee5ec7e75ec7ULL, 0x4abc };
static const struct x87_reg marker = { 0x8badf00dfeedfaceULL, 0x3ffe };

static void push(const struct x87_reg *r) { asm volatile("fldt %0" :: "m"(*r)); }

static void peek_st0(struct x87_reg *r)     /* copy ST0 out, stack unchanged */
{
    asm volatile("fld %%st(0); fstpt %0" : "=m"(*r));
}

static void save_all(struct x87_save *s)     /* FNSAVE re-inits: FRSTOR back */
{
    asm volatile("fnsave %0; frstor %0" : "+m"(*s));
}

static bool same(const struct x87_reg *a, const struct x87_reg *b)
{
    return a->mantissa == b->mantissa && a->sign_exponent == b->sign_exponent;
}

int main(void)
{
    bool victim = cmdline_uint("copy", 0) == 0;
    unsigned kept = 0, env_kept = 0, leaked = 0;
    struct x87_save first, now;
    struct x87_reg r;

    asm volatile("fninit");
    if (victim) {
        push(&secret);                  /* physical register 7 */
    } else {                            /* away from copy 0's register 7 */
        asm volatile("fincstp; fincstp; fincstp");
        push(&marker);                  /* physical registers 2, 1, 0: */
        push(&marker);                  /* TOP 0 and FSW 0, but in use */
        push(&marker);
    }
    save_all(&first);
    for (int i = 0; i < ROUNDS; i++) {
        sleep_ticks(20000 + (victim ? 0 : 7000));
        save_all(&now);
        env_kept += now.fsw == first.fsw && now.ftw == first.ftw && now.fcw == first.fcw;
        if (victim) {
            peek_st0(&r);
            kept += same(&r, &secret);
        } else {
            for (int j = 0; j < 8; j++)
                leaked += same(&now.st[j], &secret);
        }
    }
    if (victim)
        report(kept == ROUNDS, "the secret in ST0 survived every sleep bit for bit");
    else
        report(leaked == 0, "no sleep showed another domain's x87 register");
    report(env_kept == ROUNDS, "status word (TOP), tag word and control word survived every sleep");
    return report_summary();
}
