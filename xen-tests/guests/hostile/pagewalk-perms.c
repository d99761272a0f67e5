/*
 * hostile: native=compare
 *
 * pagewalk-perms: accesses the hypervisor makes on the guest's behalf must
 * obey the guest's page tables as the CPU's own do (issue 9). String port
 * I/O (INS/OUTS exit before touching memory) and the MMIO emulator (a MOVS
 * whose first access is MMIO exits, the rest is emulated) walk the guest's
 * tables in the hypervisor, which used to check only P and reserved bits
 * and never set Accessed/Dirty. Checked here against a 4 KiB mapping of
 * the guest's own: `rep insb` into a read-only page with CR0.WP=1 raises
 * #PF with P|W (error 0x3) and CR2 at the page, RDI/RCX telling how far it
 * got; with CR0.WP=0 the same supervisor write goes through; a CMPS at
 * CPL 3 of the (user-mapped) xAPIC page with a supervisor page raises #PF
 * with P|U (0x5); `rep insb`/`rep outsb` and an emulated MOVS set A in
 * every level and D in the leaf for a write (A only for a read), with the
 * tables' entries cleared beforehand; a page not present gives #PF with W
 * and no P. Hardware makes every one of these checks and updates.
 */
#include "guest.h"

#define PF          14
#define PF_P_W      0x3
#define PTE_P       0x001UL
#define PTE_RW      0x002UL
#define PTE_US      0x004UL
#define PTE_PCD     0x010UL
#define PTE_A       0x020UL
#define PTE_D       0x040UL
#define CR0_WP      (1UL << 16)
#define TIMER_ICR   (APIC_BASE_ADDR + 0x380)
#define PORT        0x3fc      /* the UART's MCR: a register on QEMU and dbgvisor alike */

#define VA_BASE     (1UL << 39)                 /* PML4[1], ours */
#define VA(i)       (VA_BASE + (i) * 4096UL)
enum { PG_APIC, PG_SUPER, PG_RO, PG_AD, PG_NP, PG_OUT, NPAGES };

static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));
static uint64_t pt[512] __attribute__((aligned(4096)));
static uint8_t pages[NPAGES][4096] __attribute__((aligned(4096)));

static uint64_t *pml4(void)
{
    return (uint64_t *)(read_cr3() & ~0xfffUL);
}

/* Maps page i with `flags`, the upper levels with A cleared. */
static void map(unsigned i, uint64_t flags)
{
    uint64_t pa = i == PG_APIC ? APIC_BASE_ADDR : (uint64_t)pages[i];

    pml4()[1] = (uint64_t)pdpt | PTE_P | PTE_RW | PTE_US;
    pdpt[0] = (uint64_t)pd | PTE_P | PTE_RW | PTE_US;
    pd[0] = (uint64_t)pt | PTE_P | PTE_RW | PTE_US;
    pt[i] = pa | flags;
    flush_tlb();
}

static const char *bits(uint64_t pte)
{
    static const char *names[4] = { "-", "A", "D", "AD" };
    return names[((pte & PTE_A) ? 1 : 0) | ((pte & PTE_D) ? 2 : 0)];
}

static void expect_pf(int vec, unsigned long addr, unsigned long err, const char *what)
{
    report(vec == PF && last_trap.error_code == err && read_cr2() == addr,
           "%s: #PF error %#lx at %#lx (vector %d, error %#lx, cr2 %#lx)", what, err, addr, vec,
           (unsigned long)last_trap.error_code, read_cr2());
}

static void string_io_rights(void)
{
    unsigned long rdi, rcx;
    int vec;

    write_cr0(read_cr0() | CR0_WP);
    map(PG_RO, PTE_P);                                  /* read-only, supervisor */
    rdi = VA(PG_RO) + 0xffc; rcx = 8;
    vec = TRY_ASM("cld; rep insb", : "+D"(rdi), "+c"(rcx) : "d"(PORT));
    expect_pf(vec, VA(PG_RO) + 0xffc, PF_P_W, "rep insb into a read-only page, CR0.WP=1");
    report(rdi == VA(PG_RO) + 0xffc && rcx == 8, "nothing was written (rdi +%#lx, rcx %lu)",
           rdi - VA(PG_RO), rcx);

    write_cr0(read_cr0() & ~CR0_WP);
    rdi = VA(PG_RO) + 0x10; rcx = 4;
    vec = TRY_ASM("cld; rep insb", : "+D"(rdi), "+c"(rcx) : "d"(PORT));
    report(vec == -1 && rcx == 0, "rep insb into a read-only page, CR0.WP=0: written (vector %d)", vec);
    report((pt[PG_RO] & (PTE_A | PTE_D)) == (PTE_A | PTE_D), "and the leaf is now %s",
           bits(pt[PG_RO]));
    write_cr0(read_cr0() | CR0_WP);

    map(PG_NP, 0);                                      /* not present */
    rdi = VA(PG_NP) + 0x20; rcx = 2;
    vec = TRY_ASM("cld; rep insb", : "+D"(rdi), "+c"(rcx) : "d"(PORT));
    expect_pf(vec, VA(PG_NP) + 0x20, 0x2, "rep insb into a page not present");
}

static void accessed_dirty(void)
{
    unsigned long rsi, rdi, rcx;
    int vec;

    /* INS writes: A in every level, D in the leaf */
    map(PG_AD, PTE_P | PTE_RW);
    pml4()[1] &= ~PTE_A; pdpt[0] &= ~PTE_A; pd[0] &= ~PTE_A;
    flush_tlb();
    rdi = VA(PG_AD); rcx = 3;
    vec = TRY_ASM("cld; rep insb", : "+D"(rdi), "+c"(rcx) : "d"(PORT));
    report(vec == -1 && (pt[PG_AD] & (PTE_A | PTE_D)) == (PTE_A | PTE_D),
           "rep insb set the leaf's A and D: %s", bits(pt[PG_AD]));
    report((pml4()[1] & pdpt[0] & pd[0] & PTE_A) != 0, "and A in the PML4E, PDPTE and PDE: %s %s %s",
           bits(pml4()[1]), bits(pdpt[0]), bits(pd[0]));

    /* OUTS reads: A only */
    map(PG_OUT, PTE_P | PTE_RW);
    rsi = VA(PG_OUT); rcx = 3;
    vec = TRY_ASM("cld; rep outsb", : "+S"(rsi), "+c"(rcx) : "d"(PORT));
    report(vec == -1 && (pt[PG_OUT] & (PTE_A | PTE_D)) == PTE_A,
           "rep outsb set the leaf's A, not D: %s", bits(pt[PG_OUT]));

    /* an emulated MOVS: the APIC read exits, the RAM write is the emulator's */
    map(PG_APIC, PTE_P | PTE_RW | PTE_US | PTE_PCD);
    map(PG_AD, PTE_P | PTE_RW);
    *(volatile uint32_t *)TIMER_ICR = 0x4242;
    rsi = VA(PG_APIC) + 0x380; rdi = VA(PG_AD) + 0x100; rcx = 1;
    asm volatile("cld; rep movsl" : "+S"(rsi), "+D"(rdi), "+c"(rcx) : : "memory");
    *(volatile uint32_t *)TIMER_ICR = 0;
    report(*(uint32_t *)(pages[PG_AD] + 0x100) == 0x4242 &&
           (pt[PG_AD] & (PTE_A | PTE_D)) == (PTE_A | PTE_D),
           "movsl from the APIC set the destination's A and D: %s", bits(pt[PG_AD]));
}

/* At CPL 3: a CMPS whose first operand is the user-mapped APIC page (the
 * MMIO read exits) and whose second is a supervisor page (the emulator's
 * read, which must fault), then a MOVS from the APIC into that page. */
static long user_cmps(void)
{
    unsigned long rsi = VA(PG_APIC) + 0x380, rdi = VA(PG_SUPER) + 0x40, rcx = 1;

    asm volatile("cld; repe cmpsl" : "+S"(rsi), "+D"(rdi), "+c"(rcx) : : "memory", "cc");
    return (long)rcx;
}

static long user_movs(void)
{
    unsigned long rsi = VA(PG_APIC) + 0x380, rdi = VA(PG_SUPER) + 0x40;

    asm volatile("cld; movsl" : "+S"(rsi), "+D"(rdi) : : "memory");
    return 0;
}

static void user_rights(void)
{
    long r;

    map(PG_APIC, PTE_P | PTE_RW | PTE_US | PTE_PCD);
    map(PG_SUPER, PTE_P | PTE_RW);
    memset(pages[PG_SUPER], 0x33, 0x100);
    *(volatile uint32_t *)TIMER_ICR = 0x77;
    r = run_user(user_cmps);
    report(r == -1 - PF && last_trap.error_code == 0x5 && read_cr2() == VA(PG_SUPER) + 0x40,
           "CPL 3 cmpsl of the APIC with a supervisor page: #PF error 0x5 (result %ld, error %#lx, cr2 %#lx)",
           r, (unsigned long)last_trap.error_code, read_cr2());
    r = run_user(user_movs);
    report(r == -1 - PF && last_trap.error_code == 0x7 && read_cr2() == VA(PG_SUPER) + 0x40,
           "CPL 3 movsl from the APIC into a supervisor page: #PF error 0x7 (result %ld, error %#lx, cr2 %#lx)",
           r, (unsigned long)last_trap.error_code, read_cr2());
    report(*(uint32_t *)(pages[PG_SUPER] + 0x40) == 0x33333333, "the supervisor page is unchanged");
    *(volatile uint32_t *)TIMER_ICR = 0;
    pt[PG_SUPER] |= PTE_US;
    flush_tlb();
    r = run_user(user_movs);
    report(r == 0 && *(uint32_t *)(pages[PG_SUPER] + 0x40) == 0,
           "the same into a user page: done (result %ld)", r);
}

int main(void)
{
    string_io_rights();
    accessed_dirty();
    user_rights();
    return report_summary();
}
