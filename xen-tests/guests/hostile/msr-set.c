/*
 * hostile: native=no
 *
 * msr-set: the MSRs a current OS touches behave architecturally (issue 9,
 * finding 13). Each MSR is read, written with a valid value and read back,
 * and written with a reserved value, which must raise #GP and change
 * nothing. MISC_ENABLE reads; TSC writes move RDTSC and TSC_ADJUST by the
 * same amount (SDM 17.17.3) and TSC_ADJUST writes move the TSC; TSC_AUX,
 * SPEC_CTRL/PRED_CMD and the MTRRs exist exactly when CPUID says so; PAT
 * and MTRR writes with reserved memory types raise #GP; AMD HWCR and
 * SYSCFG read, VM_CR reads SVM disabled and locked (nested SVM is not
 * offered) and rejects writes; DEBUGCTL keeps LBR/BTF and rejects reserved
 * bits; LSTAR/CSTAR/KERNEL_GS_BASE reject non-canonical addresses; any
 * other MSR raises #GP.
 * native=no: QEMU TCG answers every RDMSR (0 for unknown MSRs) and accepts
 * every WRMSR, so the #GP checks cannot hold on bare QEMU.
 */
#include "guest.h"

#define GP 13


/* A valid write that must read back as written. */
static void check_rw(uint32_t msr, uint64_t val, const char *name)
{
    uint64_t got = ~val;
    int w = try_wrmsr(msr, val), r = try_rdmsr(msr, &got);
    report(w == -1 && r == -1 && got == val, "%s: %#llx reads back (write vec %d, read vec %d, got %#llx)",
           name, (unsigned long long)val, w, r, (unsigned long long)got);
}

/* A reserved write: #GP and the old value stays. */
static void check_gp_write(uint32_t msr, uint64_t val, const char *name)
{
    uint64_t before = 0, after = 1;
    try_rdmsr(msr, &before);
    int w = try_wrmsr(msr, val);
    try_rdmsr(msr, &after);
    report(w == GP && after == before, "%s: writing %#llx raises #GP and changes nothing",
           name, (unsigned long long)val);
}

static void check_absent(uint32_t msr, const char *name)
{
    uint64_t v;
    report(try_rdmsr(msr, &v) == GP && try_wrmsr(msr, 0) == GP, "%s (%#x): not offered, #GP on read and write", name, msr);
}

static bool near(uint64_t got, uint64_t want) { return got >= want && got - want < (1ull << 34); }

static void tsc_checks(void)
{
    bool has_adjust = cpuid(7, 0).b & BIT(1);
    uint64_t adj0 = 0, adj1 = 0, adj2 = 0, tsc;

    report(has_adjust, "CPUID.7.EBX[1] offers TSC_ADJUST");
    report(try_rdmsr(0x3b, &adj0) == -1, "TSC_ADJUST reads");
    uint64_t before = rdtsc();
    report(try_wrmsr(0x10, 1ull << 44) == -1, "IA32_TSC is writable");
    tsc = rdtsc();
    report(near(tsc, 1ull << 44), "RDTSC continues from the written TSC (%#llx)", (unsigned long long)tsc);
    try_rdmsr(0x10, &tsc);
    report(near(tsc, 1ull << 44), "RDMSR(TSC) continues from the written TSC");
    try_rdmsr(0x3b, &adj1);
    int64_t moved = (int64_t)(adj1 - adj0), want = (int64_t)((1ull << 44) - before);
    report(moved <= want && want - moved < (1ll << 34), "the TSC write moved TSC_ADJUST by the same amount");
    report(try_wrmsr(0x3b, adj1 + (1ull << 40)) == -1, "TSC_ADJUST is writable");
    tsc = rdtsc();
    report(near(tsc, (1ull << 44) + (1ull << 40)), "a TSC_ADJUST write moves the TSC by the same amount");
    try_rdmsr(0x3b, &adj2);
    report(adj2 == adj1 + (1ull << 40), "TSC_ADJUST reads back");
}

static void tsc_aux_checks(void)
{
    bool rdtscp = cpuid(0x80000001, 0).d & BIT(27), rdpid = cpuid(7, 0).c & BIT(22);
    if (!rdtscp && !rdpid) {
        check_absent(0xc0000103, "TSC_AUX");
        uint32_t a, c, d;
        int vec = TRY_ASM("rdtscp", : "=a"(a), "=c"(c), "=d"(d) :);
        report(vec == 6, "RDTSCP not offered: #UD (vector %d)", vec);
        return;
    }
    check_rw(0xc0000103, 0x1234, "TSC_AUX");
    check_gp_write(0xc0000103, 1ull << 32, "TSC_AUX");
    if (rdtscp) {
        uint32_t aux = 0, a, d;
        int vec = TRY_ASM("rdtscp", : "=a"(a), "=c"(aux), "=d"(d) :);
        report(vec == -1 && aux == 0x1234, "RDTSCP returns TSC_AUX in ECX");
    }
}

static void mtrr_checks(void)
{
    uint64_t cap = 0;
    if (!(cpuid(1, 0).d & BIT(12))) {
        check_absent(0xfe, "MTRRcap");
        return;
    }
    report(try_rdmsr(0xfe, &cap) == -1 && (cap & 0xff) >= 1 && (cap & BIT(8)), "MTRRcap reads, with variable and fixed ranges");
    check_gp_write(0xfe, cap, "MTRRcap (read-only)");
    check_rw(0x2ff, 0xc06, "MTRRdefType");
    check_gp_write(0x2ff, 0xc02, "MTRRdefType (type 2 reserved)");
    check_gp_write(0x2ff, 0x1c06, "MTRRdefType (bit 12 reserved)");
    check_rw(0x250, 0x0606060606060606ull, "MTRRfix64K_00000");
    check_rw(0x268, 0x0504010006050401ull, "MTRRfix4K_C0000");
    check_gp_write(0x258, 0x0606060606060603ull, "MTRRfix16K_80000 (type 3 reserved)");
    check_rw(0x200, 0x80000006ull, "MTRRphysBase0");
    check_rw(0x201, 0xff80000800ull, "MTRRphysMask0");
    check_gp_write(0x200, 0x80000007ull, "MTRRphysBase0 (type 7 reserved)");
    check_gp_write(0x201, 1ull << 63, "MTRRphysMask0 (above MAXPHYADDR)");
    check_gp_write(0x200, 0x80000106ull, "MTRRphysBase0 (bit 8 reserved)");
    unsigned vcnt = cap & 0xff;
    uint64_t v;
    report(try_rdmsr(0x200 + 2 * vcnt, &v) == GP, "variable MTRR pair %u (beyond VCNT) raises #GP", vcnt);
    check_rw(0x2ff, 0, "MTRRdefType (disabled again)");
}

static void spec_ctrl_checks(void)
{
    struct cpuid_regs l7 = cpuid(7, 0), l88 = cpuid(0x80000008, 0);
    bool spec = (l7.d & BIT(26)) || (l88.b & BIT(14)), pred = (l7.d & BIT(26)) || (l88.b & BIT(12));
    if (spec) {
        check_rw(0x48, 0, "SPEC_CTRL");
        check_gp_write(0x48, 1ull << 40, "SPEC_CTRL");
    } else {
        check_absent(0x48, "SPEC_CTRL");
    }
    if (pred)
        report(try_wrmsr(0x49, 1) == -1, "PRED_CMD accepts IBPB");
    else
        check_absent(0x49, "PRED_CMD");
}

int main(void)
{
    uint64_t v = 0, misc = 0;

    /* MISC_ENABLE: readable; writing back what was read is accepted. */
    report(try_rdmsr(0x1a0, &misc) == -1, "IA32_MISC_ENABLE reads (%#llx)", (unsigned long long)misc);
    report(try_wrmsr(0x1a0, misc) == -1, "IA32_MISC_ENABLE takes back its own value");
    check_gp_write(0x1a0, misc | (1ull << 63), "IA32_MISC_ENABLE (reserved bit 63)");

    tsc_checks();
    tsc_aux_checks();

    /* PAT: types 2, 3 and 8..255 are reserved. */
    check_rw(0x277, 0x0007040600070406ull, "PAT (power-up value)");
    check_rw(0x277, 0x0001050406070400ull, "PAT (every valid type)");
    check_gp_write(0x277, 0x0007040600070402ull, "PAT (type 2)");
    check_gp_write(0x277, 0x0807040600070406ull, "PAT (type 8)");
    check_rw(0x277, 0x0007040600070406ull, "PAT (restored)");

    mtrr_checks();
    spec_ctrl_checks();

    /* AMD system configuration: readable; VM_CR says SVM is disabled and locked. */
    report(try_rdmsr(0xc0010015, &v) == -1, "HWCR reads");
    report(try_rdmsr(0xc0010010, &v) == -1, "SYSCFG reads");
    report(!(cpuid(0x80000001, 0).c & BIT(2)), "CPUID offers no SVM");
    report(try_rdmsr(0xc0010114, &v) == -1 && (v & 0x18) == 0x18, "VM_CR reads SVMDIS|LOCK (%#llx)", (unsigned long long)v);
    report(try_wrmsr(0xc0010114, 0) == GP, "VM_CR rejects writes");
    check_absent(0xc0010117, "VM_HSAVE_PA");

    /* DEBUGCTL: LBR and BTF are kept; reserved bits raise #GP. */
    check_rw(0x1d9, 1, "DEBUGCTL.LBR");
    check_rw(0x1d9, 2, "DEBUGCTL.BTF");
    check_rw(0x1d9, 0, "DEBUGCTL cleared");
    check_gp_write(0x1d9, 1ull << 31, "DEBUGCTL (reserved bit 31)");

    /* Linear addresses must be canonical. */
    check_rw(0xc0000082, 0xffff800000001000ull, "LSTAR (canonical)");
    check_gp_write(0xc0000082, 0x0100000000001000ull, "LSTAR (non-canonical)");
    check_gp_write(0xc0000102, 0x8000000000000000ull, "KERNEL_GS_BASE (non-canonical)");
    check_gp_write(0xc0000083, 0x1234567800000000ull, "CSTAR (non-canonical)");

    /* Everything else. */
    check_absent(0x12345678, "an unknown MSR");
    check_absent(0xc0011234, "an unknown AMD MSR");
    check_absent(0x1234, "an unknown low MSR");
    return report_summary();
}
