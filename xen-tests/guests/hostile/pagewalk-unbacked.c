/*
 * hostile: native=no
 *
 * pagewalk-unbacked: the guest points a page-table entry at guest-physical
 * space with nothing behind it (issue 9), so the CPU's own page walk reads
 * there: a PML4 entry to an unbacked PDPT, and a PDPT entry to an unbacked
 * page directory. On a PC such a read completes with all-ones: the entry is
 * present with reserved bits set (51:MAXPHYADDR, and NX while EFER.NXE is
 * off), so every access through it raises #PF with P and RSVD in the error
 * code (W for writes, I/D for fetches with NXE on) and CR2 = the address.
 * Loads, stores, read-modify-write and compare forms, a MOVS and a jump
 * there are checked. dbgvisor used to crash the domain ("guest page tables
 * at unmapped guest-physical address"); it now walks the tables itself
 * (guest_walk.c reads entries through the bus) and raises that #PF.
 * native=no: QEMU reads 0 from unassigned memory, so there the entries are
 * not present (#PF without P/RSVD).
 */
#include "guest.h"

#define UNBACKED_TABLE 0xC0000000UL
#define PF             14
#define PF_P           0x1
#define PF_W           0x2
#define PF_RSVD        0x8
#define PF_I           0x10
#define MSR_EFER       0xC0000080u
#define EFER_NXE       (1u << 11)

static uint64_t pdpt_page[512] __attribute__((aligned(4096)));

static uint64_t *pml4(void)
{
    uint64_t cr3;
    asm volatile("mov %%cr3, %0" : "=r"(cr3));
    return (uint64_t *)(cr3 & ~0xfffUL);
}

static unsigned long cr2(void)
{
    unsigned long v;
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

/* vec and the error code of the last TRY, and whether CR2 is addr. */
static void expect_pf(int vec, unsigned long addr, unsigned long err, const char *what)
{
    report(vec == PF && last_trap.error_code == err && cr2() == addr,
           "%s at %#lx: #PF error %#lx (vector %d, error %#lx, cr2 %#lx)", what, addr, err, vec,
           (unsigned long)last_trap.error_code, cr2());
}

static void accesses(unsigned long va, unsigned long fetch_err)
{
    static uint8_t ram[8];
    unsigned long rsi = va, rdi = (unsigned long)ram, val = 0;
    int vec;

    vec = TRY_ASM("movq (%1), %0", : "=r"(val) : "r"(va));
    expect_pf(vec, va, PF_P | PF_RSVD, "load");
    (void)val;
    vec = TRY_ASM("movl $1, (%0)", : : "r"(va));
    expect_pf(vec, va, PF_P | PF_W | PF_RSVD, "store");
    vec = TRY_ASM("addl $1, 8(%0)", : : "r"(va));
    expect_pf(vec, va + 8, PF_P | PF_W | PF_RSVD, "add to memory");
    vec = TRY_ASM("cmpb $1, 0x10(%0)", : : "r"(va));
    expect_pf(vec, va + 0x10, PF_P | PF_RSVD, "compare with memory");
    vec = TRY_ASM("movsb", : "+S"(rsi), "+D"(rdi) :);
    expect_pf(vec, va, PF_P | PF_RSVD, "movsb from there");
    report(rsi == va && rdi == (unsigned long)ram, "the faulting movsb left RSI/RDI alone");
    vec = TRY_ASM("jmp *%0", : : "r"(va + 0x20));
    expect_pf(vec, va + 0x20, fetch_err, "jump");
}

int main(void)
{
    uint64_t *p4 = pml4();
    unsigned long via_pml4 = 1UL << 39, via_pdpt = 2UL << 39;

    p4[1] = UNBACKED_TABLE | 7;                       /* PML4[1] -> unbacked PDPT */
    pdpt_page[0] = (UNBACKED_TABLE + 0x1000) | 7;     /* PML4[2] -> PDPT -> unbacked PD */
    p4[2] = (uint64_t)pdpt_page | 7;
    flush_tlb();

    accesses(via_pml4 + 0x1230, PF_P | PF_RSVD);
    accesses(via_pdpt + 0x4560, PF_P | PF_RSVD);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);      /* bit 63 no longer reserved, */
    accesses(via_pml4 + 0x1230, PF_P | PF_RSVD | PF_I); /* bits 51:MAXPHYADDR still are */
    report(true, "the domain is still running");
    return report_summary();
}
