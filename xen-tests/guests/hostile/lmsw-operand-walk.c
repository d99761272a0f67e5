/*
 * hostile: policies=trap native=compare
 *
 * lmsw-operand-walk: LMSW with a memory operand is intercepted (a CR0
 * write) before the CPU reads the operand: SVM checks instruction
 * intercepts before exceptions of memory accesses (AMD APM vol 2 15.7), so
 * the hypervisor reads it, and must do so as the CPU would (issue 9: the
 * read used to be the debugger's probe, which ended the domain on a page
 * that is not present and never set Accessed). An explicit supervisor data
 * read: a page not present raises #PF with error 0 and CR2 at the operand;
 * a present one gets Accessed (not Dirty) in its leaf and the levels above.
 * (SMAP, which would need tables without U/S on the guest's own memory, is
 * checked in unit/emulate's walker tests.)
 */
#include "guest.h"

#define PF          14
#define PTE_P       0x001UL
#define PTE_RW      0x002UL
#define PTE_US      0x004UL
#define PTE_A       0x020UL
#define PTE_D       0x040UL

#define VA_BASE     (1UL << 39)                 /* PML4[1], ours */
#define VA(i)       (VA_BASE + (i) * 4096UL)
enum { PG_NP, PG_OK, NPAGES };

static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));
static uint64_t pt[512] __attribute__((aligned(4096)));
static uint16_t pages[NPAGES][2048] __attribute__((aligned(4096)));

static uint64_t *pml4(void) { return (uint64_t *)(read_cr3() & ~0xfffUL); }

/* Maps page i with flags, the levels above with A cleared. */
static void map(unsigned i, uint64_t flags)
{
    pml4()[1] = (uint64_t)pdpt | PTE_P | PTE_RW | PTE_US;
    pdpt[0] = (uint64_t)pd | PTE_P | PTE_RW | PTE_US;
    pd[0] = (uint64_t)pt | PTE_P | PTE_RW | PTE_US;
    pt[i] = (uint64_t)pages[i] | flags;
    flush_tlb();
}

static int lmsw_at(unsigned i)
{
    volatile uint16_t *op = (volatile uint16_t *)(VA(i) + 0x10);
    return TRY_ASM("lmsw %0", :: "m"(*op));
}

int main(void)
{
    unsigned long cr0 = read_cr0();
    int vec;

    for (unsigned i = 0; i < NPAGES; i++)
        pages[i][8] = (uint16_t)cr0;            /* the MSW LMSW will load: no change */

    map(PG_NP, 0);
    vec = lmsw_at(PG_NP);
    printf("LMSW from a page not present: vector %d error %#lx cr2 %#lx\n", vec,
           (unsigned long)last_trap.error_code, read_cr2());
    report(vec == PF && last_trap.error_code == 0 && read_cr2() == VA(PG_NP) + 0x10,
           "LMSW from a page not present raises #PF (error 0) at the operand");

    map(PG_OK, PTE_P | PTE_RW);
    vec = lmsw_at(PG_OK);
    report(vec == -1 && read_cr0() == cr0, "LMSW from a present page loads the MSW");
    report((pt[PG_OK] & (PTE_A | PTE_D)) == PTE_A && (pd[0] & PTE_A) && (pdpt[0] & PTE_A),
           "the read set Accessed in every level, not Dirty (leaf %#lx)", (unsigned long)pt[PG_OK]);

    return report_summary();
}
