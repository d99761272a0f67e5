/*
 * hostile: native=compare
 *
 * x87-pointer-leak: the x87 last-instruction pointers (FIP/FCS, FDP/FDS,
 * FOP) are guest-readable state (FNSTENV, FNSAVE, FXSAVE) and must never
 * name the hypervisor. On hardware they name the guest's last non-control
 * x87 instruction and its memory operand (AMD APM vol. 1 "x87 Pointers":
 * FIP is the instruction's offset, FDP the operand's effective address,
 * FOP its opcode; FLDENV/FRSTOR/FXRSTOR load them, FNINIT clears them).
 * dbgvisor runs an x87 instruction with an MMIO operand on the host
 * (emulate_x87.c "bounce") and moves the x87 stack through memory when it
 * switches vCPUs (xstate.c); on the host CPU those instructions set the
 * pointers to the hypervisor's own code and buffers, and QEMU TCG's FLDENV
 * does not load them, so the guest read the hypervisor's addresses.
 * Checked after FLD m32 from MMIO (FNSTENV, FNSAVE, FXSAVE64) and after an
 * x87 instruction on RAM followed by a sleep (the vCPU is put off and back
 * on its pCPU): each field holds the guest's own value or 0, the value the
 * host CPU leaves where it cannot load the pointers (QEMU TCG loads them
 * with no instruction; natively QEMU shows the guest's values).
 */
#include "mmio-alias.h"

struct fpu_env32 {
    uint32_t fcw, fsw, ftw, fip;
    uint16_t fcs, fop;
    uint32_t fdp;
    uint16_t fds, pad;
};

struct fpu_save32 {
    struct fpu_env32 env;
    uint8_t st[8][10];
};

struct fxsave64 {
    uint16_t fcw, fsw;
    uint8_t ftw, pad0;
    uint16_t fop;
    uint64_t fip, fdp;
    uint8_t rest[512 - 24];
} __attribute__((aligned(16)));

static uint16_t sel_cs(void) { uint16_t s; asm volatile("mov %%cs, %0" : "=r"(s)); return s; }
static uint16_t sel_ds(void) { uint16_t s; asm volatile("mov %%ds, %0" : "=r"(s)); return s; }

/* What hardware would hold after the instruction at ip with its operand at
 * dp (FOP: the opcode's low 3 bits and ModRM). */
struct pointers { uint64_t ip, dp; uint16_t fop; };

/* A field is the guest's own value or 0 (never anything else). */
static bool own_or_zero(uint64_t v, uint64_t own) { return v == own || v == 0; }

static bool env_ok(const struct fpu_env32 *e, const struct pointers *p, const char *what)
{
    bool ok = own_or_zero(e->fip, (uint32_t)p->ip) && own_or_zero(e->fdp, (uint32_t)p->dp) &&
              own_or_zero(e->fcs, sel_cs()) && own_or_zero(e->fds, sel_ds()) &&
              own_or_zero(e->fop & 0x7ff, p->fop);
    if (!ok)
        printf("# %s: fip %#x (insn %#lx) fcs %#x fop %#x fdp %#x (operand %#lx) fds %#x\n", what,
               e->fip, p->ip, e->fcs, e->fop, e->fdp, p->dp, e->fds);
    return ok;
}

static bool fxsave_ok(const struct fxsave64 *x, const struct pointers *p, const char *what)
{
    bool ok = own_or_zero(x->fip, p->ip) && own_or_zero(x->fdp, p->dp) && own_or_zero(x->fop, p->fop);
    if (!ok)
        printf("# %s: fip %#lx (insn %#lx) fop %#x fdp %#lx (operand %#lx)\n", what, x->fip, p->ip,
               x->fop, x->fdp, p->dp);
    return ok;
}

/* FLD m32 from the operand, leaving one value on the stack. */
static void fld_at(const void *operand, struct pointers *p)
{
    uint64_t ip;
    asm volatile("fninit; lea 1f(%%rip), %0; 1: flds (%1)" : "=&r"(ip) : "r"(operand) : "memory");
    p->ip = ip;
    p->dp = (uint64_t)operand;
    /* D9 /0: FOP is opcode bits 2-0 and the ModRM the assembler chose */
    p->fop = (uint16_t)((1u << 8) | *(const uint8_t *)(ip + 1));
}

static void after_mmio_load(void)
{
    static const float one = 1.0f;
    struct fpu_env32 env;
    struct fpu_save32 save;
    static struct fxsave64 fx;
    struct pointers p;

    put_straddling(&one, 4);
    fld_at(straddling_operand(4), &p);
    asm volatile("fnstenv %0; fldcw %1" : "=m"(env) : "m"(env.fcw));
    report(env_ok(&env, &p, "fnstenv"), "FNSTENV after FLD m32 from MMIO: FIP/FCS/FOP/FDP/FDS the guest's or 0");

    fld_at(straddling_operand(4), &p);
    asm volatile("fnsave %0" : "=m"(save));
    report(env_ok(&save.env, &p, "fnsave"), "FNSAVE after FLD m32 from MMIO: pointers the guest's or 0");

    fld_at(straddling_operand(4), &p);
    asm volatile("fxsave64 %0" : "=m"(fx));
    report(fxsave_ok(&fx, &p, "fxsave64"), "FXSAVE64 after FLD m32 from MMIO: FIP/FOP/FDP the guest's or 0");
    asm volatile("fninit");
}

/* The x87 stack in use across a sleep: the vCPU leaves its pCPU and comes
 * back, its x87 state moved through the hypervisor's memory. */
static void across_switch(void)
{
    static const float two = 2.0f;
    struct fpu_env32 env;
    struct pointers p;

    fld_at(&two, &p);
    sleep_ticks(1000000);     /* about 1 ms: the vCPU blocks */
    asm volatile("fnstenv %0" : "=m"(env));
    asm volatile("fninit");
    report(env_ok(&env, &p, "after sleep"), "FNSTENV after a sleep with the x87 stack in use: pointers the guest's or 0");
}

int main(void)
{
    map_alias_below_ioapic();
    sse_enable();
    after_mmio_load();
    across_switch();
    return report_summary();
}
