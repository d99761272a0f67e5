/*
 * The hypervisor's own address space: an identity map of the low 4 GiB with
 * 1 GiB blocks, so that RAM is cacheable normal memory (atomics, unaligned
 * accesses) and the first gigabyte, where QEMU virt puts its devices, is
 * Device-nGnRnE and never executable. TTBR0_EL2 with T0SZ = 32 starts the
 * walk at level 1: four entries.
 */
#include <stdint.h>
#include <asm/arm64.h>
#include <asm/sysreg.h>

#define MAIR_DEVICE_IDX  0
#define MAIR_NORMAL_IDX  1
#define MAIR_VALUE       (0x00ULL << (8 * MAIR_DEVICE_IDX) | 0xffULL << (8 * MAIR_NORMAL_IDX))

#define PTE_BLOCK        0x1ULL
#define PTE_ATTR(i)      ((uint64_t)(i) << 2)
#define PTE_SH_INNER     (3ULL << 8)
#define PTE_AF           (1ULL << 10)
#define PTE_XN           (1ULL << 54)

/* TCR_EL2 (non-VHE layout): 4 KiB granule, write-back walks, 40-bit PA. */
#define TCR_T0SZ(n)      ((uint64_t)(n))
#define TCR_IRGN0_WB     (1ULL << 8)
#define TCR_ORGN0_WB     (1ULL << 10)
#define TCR_SH0_INNER    (3ULL << 12)
#define TCR_PS_40BIT     (2ULL << 16)
#define TCR_RES1         ((1ULL << 31) | (1ULL << 23))

/* SCTLR_EL2 (non-VHE): RES1 bits, then MMU, D-cache, SP alignment, I-cache. */
#define SCTLR_RES1       0x30c50830ULL
#define SCTLR_M          (1ULL << 0)
#define SCTLR_C          (1ULL << 2)
#define SCTLR_SA         (1ULL << 3)
#define SCTLR_I          (1ULL << 12)

static uint64_t l1_table[512] __attribute__((aligned(4096)));

/* This CPU's translation registers and MMU (every pCPU, the tables are shared). */
void mmu_enable_el2(void)
{
    write_sysreg(mair_el2, MAIR_VALUE);
    write_sysreg(tcr_el2, TCR_RES1 | TCR_T0SZ(32) | TCR_IRGN0_WB | TCR_ORGN0_WB |
                          TCR_SH0_INNER | TCR_PS_40BIT);
    write_sysreg(ttbr0_el2, (uint64_t)l1_table);
    isb();
    __asm__ volatile("tlbi alle2" ::: "memory");
    dsb(sy);
    isb();
    write_sysreg(sctlr_el2, SCTLR_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I);
    isb();
}

void mmu_init_el2(void)
{
    uint64_t gib;

    l1_table[0] = 0 | PTE_BLOCK | PTE_ATTR(MAIR_DEVICE_IDX) | PTE_AF | PTE_XN;
    for (gib = 1; gib < 4; gib++)
        l1_table[gib] = (gib << 30) | PTE_BLOCK | PTE_ATTR(MAIR_NORMAL_IDX) | PTE_SH_INNER |
                        PTE_AF;
    dsb(sy);
    mmu_enable_el2();
}
