/*
 * dr-basic-arm64: the AArch64 self-hosted debug registers from EL1, as the
 * guest sees them natively and as a dbgvisor domain (every access traps to
 * EL2 there, MDCR_EL2.TDA/TDOSA): the OS lock, value/control registers read
 * back with the CPU's masks, a hardware breakpoint and a write watchpoint
 * taken at EL1 with their ESR/ELR/FAR, PSTATE.D masking them, and an access
 * to a breakpoint this CPU does not have (UNDEFINED). Its output is compared
 * line for line with a native run (xen-tests/integration/test_arm64.sh).
 */
#include "guest.h"

#define OSLSR_OSLK      (1UL << 1)
#define MDSCR_KDE       (1UL << 13)
#define MDSCR_MDE       (1UL << 15)
/* DBGBCR: E, PMC = EL1 only, BAS = all four bytes (an A64 instruction). */
#define BCR_EL1_EXEC    (1UL | 1UL << 1 | 0xfUL << 5)
/* DBGWCR: E, PAC = EL1 only, LSC = store, BAS = eight bytes. */
#define WCR_EL1_STORE   (1UL | 1UL << 1 | 2UL << 3 | 0xffUL << 5)
#define ISS_WNR         (1UL << 6)
#define FSC_DEBUG       0x22

/* Written by the exception handlers, behind the compiler's back. */
static volatile struct trap_frame last;
static volatile unsigned hits;
static volatile uint64_t watched __attribute__((aligned(8)));

/* Debug exceptions: record, disarm the breakpoint or watchpoint (AArch64 has no
 * resume flag), and return to the instruction, which now completes. */
static void on_debug(struct trap_frame *f)
{
    for (unsigned i = 0; i < sizeof(*f) / 8; i++)
        ((volatile uint64_t *)&last)[i] = ((uint64_t *)f)[i];
    hits++;
    if (ESR_EC(f->esr) == EC_BKPT_CUR)
        write_sysreg(dbgbcr0_el1, 0);
    else
        write_sysreg(dbgwcr0_el1, 0);
    isb();
}

static volatile bool undef_taken;
static void on_undef(struct trap_frame *f)
{
    undef_taken = true;
    f->elr += 4;
}

static void __attribute__((noinline)) bp_target(void)
{
    __asm__ volatile("nop");
}

static void os_lock(void)
{
    uint64_t oslsr = read_sysreg(oslsr_el1);

    report(oslsr & OSLSR_OSLK, "OS lock set out of reset (OSLSR_EL1 %#lx)", (unsigned long)oslsr);
    write_sysreg(oslar_el1, 0);
    isb();
    oslsr = read_sysreg(oslsr_el1);
    report(!(oslsr & OSLSR_OSLK), "OSLAR_EL1 = 0 clears it (OSLSR_EL1 %#lx)", (unsigned long)oslsr);
}

/* Patterns with reserved bits set: what comes back is what this CPU stores
 * (RES0 bits may be stored or not; the native comparison decides). */
static void read_back(unsigned nbp, unsigned nwp)
{
    write_sysreg(dbgbvr0_el1, 0x40123457UL);
    write_sysreg(dbgbcr0_el1, 0x00000094UL);     /* E = 0, BAS = 0b0100, PMC = 2 */
    write_sysreg(dbgbvr1_el1, 0xffff800000001003UL);
    write_sysreg(dbgwvr0_el1, 0x40200007UL);
    write_sysreg(dbgwcr0_el1, 0x1f001fe6UL);     /* E = 0, MASK = 31, BAS = 0xff, ... */
    write_sysreg(dbgwvr1_el1, 0xfffffffffffffff8UL);
    write_sysreg(mdscr_el1, MDSCR_KDE | MDSCR_MDE | 1UL << 12);
    isb();
    printf("DBGBVR0 %#lx DBGBCR0 %#lx DBGBVR1 %#lx\n", (unsigned long)read_sysreg(dbgbvr0_el1),
           (unsigned long)read_sysreg(dbgbcr0_el1), (unsigned long)read_sysreg(dbgbvr1_el1));
    printf("DBGWVR0 %#lx DBGWCR0 %#lx DBGWVR1 %#lx\n", (unsigned long)read_sysreg(dbgwvr0_el1),
           (unsigned long)read_sysreg(dbgwcr0_el1), (unsigned long)read_sysreg(dbgwvr1_el1));
    printf("MDSCR_EL1 %#lx\n", (unsigned long)read_sysreg(mdscr_el1));
    report(read_sysreg(dbgwvr1_el1) == 0xfffffffffffffff8UL, "DBGWVR1 keeps its value");
    report((read_sysreg(mdscr_el1) & (MDSCR_KDE | MDSCR_MDE)) == (MDSCR_KDE | MDSCR_MDE),
           "MDSCR_EL1 KDE and MDE read back set");
    write_sysreg(dbgbcr0_el1, 0);
    write_sysreg(dbgwcr0_el1, 0);
    (void)nbp;
    (void)nwp;
}

static void breakpoint(void)
{
    hits = 0;
    write_sysreg(dbgbvr0_el1, (uint64_t)bp_target);
    write_sysreg(dbgbcr0_el1, BCR_EL1_EXEC);
    isb();
    __asm__ volatile("msr daifset, #8" ::: "memory");   /* PSTATE.D masks it */
    bp_target();
    report(hits == 0, "no breakpoint exception while PSTATE.D is set");
    __asm__ volatile("msr daifclr, #8" ::: "memory");
    bp_target();
    report(hits == 1, "breakpoint on bp_target taken once");
    report(ESR_EC(last.esr) == EC_BKPT_CUR && (last.esr & 0x3f) == FSC_DEBUG,
           "ESR_EL1 %#lx: breakpoint exception, same EL", (unsigned long)last.esr);
    report(last.elr == (uint64_t)bp_target, "ELR_EL1 is the breakpointed instruction");
    report(read_sysreg(dbgbcr0_el1) == 0, "the handler's DBGBCR0 write took effect");
}

static void watchpoint(void)
{
    hits = 0;
    watched = 1;
    write_sysreg(dbgwvr0_el1, (uint64_t)&watched);
    write_sysreg(dbgwcr0_el1, WCR_EL1_STORE);
    isb();
    report(watched == 1 && hits == 0, "a load does not hit a store watchpoint");
    watched = 0x1234;
    report(hits == 1, "store watchpoint taken once");
    report(ESR_EC(last.esr) == EC_WATCH_CUR && (last.esr & ISS_WNR) &&
           (last.esr & 0x3f) == FSC_DEBUG,
           "ESR_EL1 %#lx: watchpoint exception, write, same EL", (unsigned long)last.esr);
    report(last.far == (uint64_t)&watched, "FAR_EL1 is the watched address");
    report(watched == 0x1234, "the store completed after the handler returned");
}

static void missing_breakpoint(unsigned nbp)
{
    if (nbp >= 16) {
        report(true, "all 16 breakpoints implemented: no missing register to probe");
        return;
    }
    undef_taken = false;
    /* DBGBVR<nbp>: op0 2, op1 0, CRn 0, CRm nbp, op2 4, as a raw MRS encoding. */
    switch (nbp) {
    case 2: __asm__ volatile("mrs x0, dbgbvr2_el1" ::: "x0"); break;
    case 6: __asm__ volatile("mrs x0, dbgbvr6_el1" ::: "x0"); break;
    default: __asm__ volatile("mrs x0, dbgbvr15_el1" ::: "x0"); break;
    }
    report(undef_taken, "DBGBVR%u (not implemented) is UNDEFINED", nbp < 16 ? nbp : 15);
}

int main(void)
{
    uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);
    unsigned nbp = (unsigned)((dfr0 >> 12) & 0xf) + 1, nwp = (unsigned)((dfr0 >> 20) & 0xf) + 1;

    set_trap_handler(EC_BKPT_CUR, on_debug);
    set_trap_handler(EC_WATCH_CUR, on_debug);
    set_trap_handler(EC_UNKNOWN, on_undef);
    printf("dr-basic-arm64: %u breakpoints, %u watchpoints\n", nbp, nwp);
    report(nbp >= 2 && nwp >= 2, "at least two breakpoints and two watchpoints");
    os_lock();
    read_back(nbp, nwp);
    write_sysreg(mdscr_el1, MDSCR_KDE | MDSCR_MDE);
    isb();
    breakpoint();
    watchpoint();
    missing_breakpoint(nbp);
    write_sysreg(mdscr_el1, 0);
    return report_summary();
}
