/*
 * isolation-arm64: two domains of this guest share a pCPU (test_arm64.sh runs
 * them from one boot bundle on one pCPU and on two). Each reads the EL0/EL1
 * registers a vCPU can write without trapping as they are out of reset (the
 * thread IDs, CONTEXTIDR, FAR/AFSR/PAR, MAIR/AMAIR, SP_EL0, a
 * pointer-authentication key, the EL1 physical timer's CVAL/CTL, SCXTNUM_EL0/EL1
 * (FEAT_CSV2_2), DISR_EL1 (FEAT_RAS), FPCR, SME's
 * SVCR and ZA array (the secret is kept in streaming mode, ZA on), the SVE Z and P registers at the longest
 * vector): none may hold what the other domain wrote. Then it fills them
 * with its own secret (from the physical counter at its start, so the two
 * domains differ) and checks, after sleeping in WFIT (the other domain runs
 * meanwhile) and after spinning through several time slices (preempted),
 * that every one still holds it. Its own RAM ends where its device tree says;
 * the addresses past it (where the other domain's RAM may sit in the host)
 * give external aborts. On bare QEMU the record is the same line for line.
 */
#include "guest.h"

int memcmp(const void *a, const void *b, size_t n);

#define CPACR_FPEN  (3UL << 20)
#define CPACR_ZEN   (3UL << 16)
#define CPACR_SMEN  (3UL << 24)
#define RAM_END     0x44000000UL   /* 0x40000000 + 64 MiB */
#define EC_DABT_CUR 0x25
#define ROUNDS      6
#define VL_MAX      256

struct regs {
    uint64_t sys[17];
    uint64_t fpcr, svcr;
    uint8_t z[32 * VL_MAX];
    uint8_t p[16 * VL_MAX / 8];
};

static const char *const sys_names[] = {
    "TPIDR_EL0", "TPIDRRO_EL0", "TPIDR_EL1", "CONTEXTIDR_EL1", "FAR_EL1", "AFSR0_EL1",
    "AFSR1_EL1", "PAR_EL1", "MAIR_EL1", "AMAIR_EL1", "SP_EL0", "APIAKeyLo_EL1",
    "CNTP_CVAL_EL0", "CNTP_CTL_EL0", "SCXTNUM_EL0", "SCXTNUM_EL1", "DISR_EL1",
};

static bool has_sve, has_pauth, has_sme, has_scxtnum, has_ras;
static uint64_t vl, svl;
static struct regs now, mine;
static uint8_t za_now[VL_MAX * VL_MAX], za_mine[VL_MAX * VL_MAX];

/* ZA row by row (PSTATE.ZA set). */
static void za_store(uint8_t *buf)
{
    uint64_t row;

    for (row = 0; row < svl; row++)
        __asm__ volatile(".arch_extension sme\n mov w12, %w0\n str za[w12, 0], [%1]"
                         : : "r"(row), "r"(buf + row * svl) : "x12", "memory");
}

static void za_load(const uint8_t *buf)
{
    uint64_t row;

    for (row = 0; row < svl; row++)
        __asm__ volatile(".arch_extension sme\n mov w12, %w0\n ldr za[w12, 0], [%1]"
                         : : "r"(row), "r"(buf + row * svl) : "x12", "memory");
}

static void read_regs(struct regs *r)
{
    r->sys[0] = read_sysreg(tpidr_el0);
    r->sys[1] = read_sysreg(tpidrro_el0);
    r->sys[2] = read_sysreg(tpidr_el1);
    r->sys[3] = read_sysreg(contextidr_el1);
    r->sys[4] = read_sysreg(far_el1);
    r->sys[5] = read_sysreg(afsr0_el1);
    r->sys[6] = read_sysreg(afsr1_el1);
    r->sys[7] = read_sysreg(par_el1);
    r->sys[8] = read_sysreg(mair_el1);
    r->sys[9] = read_sysreg(amair_el1);
    r->sys[10] = read_sysreg(sp_el0);
    r->sys[11] = has_pauth ? read_sysreg(s3_0_c2_c1_0) : 0;
    r->sys[12] = read_sysreg(cntp_cval_el0);
    r->sys[13] = read_sysreg(cntp_ctl_el0) & 3;     /* ENABLE, IMASK (ISTATUS is the timer's) */
    r->sys[14] = has_scxtnum ? read_sysreg(s3_3_c13_c0_7) : 0;
    r->sys[15] = has_scxtnum ? read_sysreg(s3_0_c13_c0_7) : 0;
    r->sys[16] = has_ras ? read_sysreg(s3_0_c12_c1_1) : 0;
    __asm__ volatile("mrs %0, fpcr" : "=r"(r->fpcr));
    r->svcr = has_sme ? read_sysreg(s3_3_c4_c2_2) : 0;
    if (has_sve)
        __asm__ volatile(".arch_extension sve\n"
                         ".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
                         "str z\\n, [%0, #\\n, mul vl]\n"
                         ".endr\n"
                         ".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
                         "str p\\n, [%1, #\\n, mul vl]\n"
                         ".endr\n"
                         : : "r"(r->z), "r"(r->p) : "memory");
}

static void write_regs(const struct regs *r)
{
    write_sysreg(tpidr_el0, r->sys[0]);
    write_sysreg(tpidrro_el0, r->sys[1]);
    write_sysreg(tpidr_el1, r->sys[2]);
    write_sysreg(contextidr_el1, r->sys[3]);
    write_sysreg(far_el1, r->sys[4]);
    write_sysreg(afsr0_el1, r->sys[5]);
    write_sysreg(afsr1_el1, r->sys[6]);
    write_sysreg(par_el1, r->sys[7]);
    write_sysreg(mair_el1, r->sys[8]);
    write_sysreg(amair_el1, r->sys[9]);
    write_sysreg(sp_el0, r->sys[10]);
    if (has_pauth)
        write_sysreg(s3_0_c2_c1_0, r->sys[11]);
    write_sysreg(cntp_cval_el0, r->sys[12]);
    write_sysreg(cntp_ctl_el0, r->sys[13]);
    if (has_scxtnum) {
        write_sysreg(s3_3_c13_c0_7, r->sys[14]);
        write_sysreg(s3_0_c13_c0_7, r->sys[15]);
    }
    if (has_ras)
        write_sysreg(s3_0_c12_c1_1, r->sys[16]);
    __asm__ volatile("msr fpcr, %0" : : "r"(r->fpcr));
    if (has_sve)
        __asm__ volatile(".arch_extension sve\n"
                         ".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
                         "ldr z\\n, [%0, #\\n, mul vl]\n"
                         ".endr\n"
                         ".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
                         "ldr p\\n, [%1, #\\n, mul vl]\n"
                         ".endr\n"
                         : : "r"(r->z), "r"(r->p) : "memory");
    isb();
}

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* The secret: every register filled from a generator seeded at our start.
 * PAR_EL1 and the MAIRs keep only the bits the CPU stores; FPCR the
 * rounding mode and flush-to-zero. */
static void make_secret(struct regs *r, uint64_t seed)
{
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(r->sys); i++)
        r->sys[i] = next(&seed) | 1;
    r->sys[7] &= 0xff0000fffffff000UL;      /* PAR_EL1 of a fault-free walk: PA, attrs */
    r->sys[4] &= ~0xfUL;
    r->sys[10] &= ~0xfUL;
    r->sys[5] = r->sys[6] = 0;              /* AFSR: RES0 on QEMU */
    r->sys[13] = 2;                         /* physical timer off, masked: no interrupt */
    r->fpcr = (next(&seed) & 3) << 22 | 1UL << 24;
    for (i = 0; i < sizeof(r->z); i += 8) {
        uint64_t v = next(&seed);
        memcpy(&r->z[i], &v, 8);
    }
    for (i = 0; i < sizeof(r->p); i += 8) {
        uint64_t v = next(&seed);
        memcpy(&r->p[i], &v, 8);
    }
}

/* Compare what the CPU holds with what was written (the CPU's own view of
 * it: write then read once, so bits it does not store are not counted). */
static unsigned differences(const struct regs *a, const struct regs *b)
{
    unsigned n = 0, i;

    for (i = 0; i < ARRAY_SIZE(a->sys); i++)
        n += a->sys[i] != b->sys[i];
    n += a->fpcr != b->fpcr;
    n += a->svcr != b->svcr;
    for (i = 0; has_sve && i < 32 * vl; i++)
        n += a->z[(i / vl) * vl + i % vl] != b->z[(i / vl) * vl + i % vl];
    for (i = 0; has_sve && i < 16 * vl / 8; i++)
        n += a->p[i] != b->p[i];
    return n;
}

static volatile uint64_t aborts, abort_far;

static void on_data_abort(struct trap_frame *f)
{
    aborts++;
    abort_far = f->far;
    f->elr += 4;
}

int main(void)
{
    uint64_t isar1 = read_sysreg(id_aa64isar1_el1), isar2 = read_sysreg(id_aa64isar2_el1);
    unsigned i, zero = 0, round;

    has_pauth = ((isar1 >> 4) & 0xf) || ((isar1 >> 8) & 0xf) || ((isar2 >> 12) & 0xf);
    has_sve = (read_sysreg(id_aa64pfr0_el1) >> 32) & 0xf;
    has_sme = (read_sysreg(id_aa64pfr1_el1) >> 24) & 0xf;
    has_scxtnum = ((read_sysreg(id_aa64pfr0_el1) >> 56) & 0xf) >= 2;     /* FEAT_CSV2_2 */
    has_ras = (read_sysreg(id_aa64pfr0_el1) >> 28) & 0xf;
    write_sysreg(cpacr_el1, CPACR_FPEN | (has_sve ? CPACR_ZEN : 0) | (has_sme ? CPACR_SMEN : 0));
    isb();
    if (has_sme) {
        write_sysreg(s3_0_c1_c2_6, 0xf);                /* SMCR_EL1: the longest vector */
        isb();
        __asm__ volatile(".arch_extension sme\n rdsvl %0, #1" : "=r"(svl));
    }
    if (has_sve) {
        write_sysreg(s3_0_c1_c2_0, 0xf);                /* ZCR_EL1: the longest vector */
        isb();
        __asm__ volatile(".arch_extension sve\n rdvl %0, #1" : "=r"(vl));
    }
    printf("SVE %s, SME %s, pointer authentication %s\n", has_sve ? "yes" : "no",
           has_sme ? "yes" : "no", has_pauth ? "yes" : "no");

    /* Out of reset: nothing of another domain's. */
    read_regs(&now);
    for (i = 0; i < ARRAY_SIZE(sys_names); i++)
        report(now.sys[i] == 0, "%s out of reset: %#lx", sys_names[i], (unsigned long)now.sys[i]);
    report(now.fpcr == 0, "FPCR out of reset: %#lx", (unsigned long)now.fpcr);
    for (i = 0; has_sve && i < 32 * vl; i++)
        zero += now.z[i] == 0;
    report(!has_sve || zero == 32 * vl, "Z0-Z31 out of reset: all %lu bytes zero",
           (unsigned long)(32 * vl));
    for (i = 0, zero = 0; has_sve && i < 2 * vl; i++)
        zero += now.p[i] == 0;
    report(!has_sve || zero == 2 * vl, "P0-P15 out of reset: all zero");
    report(now.svcr == 0, "SVCR out of reset: %#lx (streaming mode and ZA off)", (unsigned long)now.svcr);
    if (has_sme) {                  /* streaming mode and ZA on: zeroed, not another domain's */
        __asm__ volatile(".arch_extension sme\n smstart" ::: "memory");
        za_store(za_now);
        for (i = 0, zero = 0; i < svl * svl; i++)
            zero += za_now[i] == 0;
        report(zero == svl * svl, "ZA when enabled: all %lu bytes zero", (unsigned long)(svl * svl));
    }

    /* Our secret: kept while the other domain runs. */
    make_secret(&mine, read_sysreg(cntpct_el0) | 1);
    write_regs(&mine);
    read_regs(&mine);                       /* as the CPU stores them */
    for (i = 0; has_sme && i < svl * svl; i++)
        za_mine[i] = mine.z[i % sizeof(mine.z)] ^ (uint8_t)(i / sizeof(mine.z));
    if (has_sme)
        za_load(za_mine);
    for (round = 0; round < ROUNDS; round++) {
        if (round % 2)
            spin_ms(30);                    /* through several slices: preempted */
        else
            sleep_ms(5);                    /* blocked: the other domain runs */
        read_regs(&now);
        if (has_sme)
            za_store(za_now);
        report(differences(&now, &mine) == 0 && (!has_sme || memcmp(za_now, za_mine, svl * svl) == 0),
               "round %u (%s): every register holds our secret", round,
               round % 2 ? "preempted" : "slept");
    }

    /* Past our RAM: external aborts, whatever is there in the host. */
    set_trap_handler(EC_DABT_CUR, on_data_abort);
    for (i = 0; i < 3; i++) {
        uint64_t addr = RAM_END + (uint64_t)i * 0x2000000UL;
        aborts = 0;
        (void)*(volatile uint64_t *)addr;
        report(aborts == 1 && abort_far == addr, "load at %#lx past our RAM: external abort",
               (unsigned long)addr);
    }
    if (has_sme)
        __asm__ volatile(".arch_extension sme\n smstop" ::: "memory");
    return report_summary();
}
