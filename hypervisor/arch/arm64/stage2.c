/*
 * Stage-2 translation: each domain's guest-physical (IPA) space. A 4 GiB IPA
 * space (VTCR_EL2.T0SZ = 32) walked from level 1; guest RAM is mapped with
 * 2 MiB blocks, and nothing else is mapped, so every device access (the
 * PL011, anything unbacked) is a stage-2 data abort the hypervisor emulates.
 */
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/page_alloc.h>
#include <asm/arm64.h>
#include <asm/sysreg.h>

#define S2_TABLE          0x3ULL
#define S2_BLOCK          0x1ULL
#define S2_MEMATTR_NORMAL (0xfULL << 2)     /* outer/inner write-back */
#define S2_AP_RW          (3ULL << 6)
#define S2_SH_INNER       (3ULL << 8)
#define S2_AF             (1ULL << 10)
#define S2_ADDR_MASK      0x0000fffffffff000ULL

#define VTCR_T0SZ(n)      ((uint64_t)(n))
#define VTCR_SL0_L1       (1ULL << 6)
#define VTCR_IRGN0_WB     (1ULL << 8)
#define VTCR_ORGN0_WB     (1ULL << 10)
#define VTCR_SH0_INNER    (3ULL << 12)
#define VTCR_PS_40BIT     (2ULL << 16)
#define VTCR_RES1         (1ULL << 31)

#define SZ_1G             (1ULL << 30)
#define SZ_2M             (1ULL << 21)

/* Tables are the domain's pages (d->pages), given back by stage2_destroy. */
static uint64_t *table_alloc(struct domain *d)
{
    uint64_t pa = palloc_alloc_for(&d->pages, 1, 1);

    if (pa)
        memset((void *)pa, 0, PAGE_SIZE);
    return (uint64_t *)pa;
}

int stage2_init(struct domain *d)
{
    uint64_t *root = table_alloc(d);

    if (!root)
        return -1;
    d->arch.s2_root_pa = (uint64_t)root;
    return 0;
}

void stage2_destroy(struct domain *d)
{
    uint64_t *l1 = (uint64_t *)d->arch.s2_root_pa;
    unsigned i;

    if (!l1)
        return;
    for (i = 0; i < PAGE_SIZE / sizeof(*l1); i++)
        if ((l1[i] & 3) == S2_TABLE)
            palloc_free_for(&d->pages, l1[i] & S2_ADDR_MASK, 1);
    palloc_free_for(&d->pages, d->arch.s2_root_pa, 1);
    d->arch.s2_root_pa = 0;
}

int stage2_map_ram(struct domain *d, uint64_t ipa, uint64_t hpa, uint64_t size)
{
    uint64_t *l1 = (uint64_t *)d->arch.s2_root_pa, off;

    if ((ipa | hpa | size) & (SZ_2M - 1) || ipa + size > 4 * SZ_1G)
        return -1;
    for (off = 0; off < size; off += SZ_2M) {
        uint64_t *l1e = &l1[(ipa + off) >> 30], *l2;
        if (!(*l1e & S2_TABLE)) {
            l2 = table_alloc(d);
            if (!l2)
                return -1;
            *l1e = (uint64_t)l2 | S2_TABLE;
        }
        l2 = (uint64_t *)(*l1e & S2_ADDR_MASK);
        l2[((ipa + off) >> 21) & 511] = (hpa + off) | S2_BLOCK | S2_MEMATTR_NORMAL |
                                         S2_AP_RW | S2_SH_INNER | S2_AF;
    }
    dsb(ishst);
    return 0;
}

void stage2_activate(struct domain *d)
{
    write_sysreg(vtcr_el2, VTCR_RES1 | VTCR_T0SZ(32) | VTCR_SL0_L1 | VTCR_IRGN0_WB |
                           VTCR_ORGN0_WB | VTCR_SH0_INNER | VTCR_PS_40BIT);
    /* VTCR_EL2.VS = 0: 8-bit VMIDs, so ids past 255 share one with an earlier
     * domain (this load's flush below keeps them apart). */
    write_sysreg(vttbr_el2, (uint64_t)(d->id & 0xff) << 48 | d->arch.s2_root_pa);
    isb();
    /* This pCPU's entries for the VMID: another vCPU of the domain left them
     * (a guest's local TLBI reaches only its own pCPU). */
    __asm__ volatile("tlbi vmalls12e1" ::: "memory");
    dsb(nsh);
    isb();
}
