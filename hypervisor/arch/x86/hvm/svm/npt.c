/*
 * Nested page tables (AMD64 long-mode format). 4 KiB leaf pages so that
 * single pages can later be write- or execute-protected for emulated
 * watchpoints. NPT walks are user accesses: every level needs U=1.
 */
#include <asm/npt.h>
#include <asm/x86.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/page_alloc.h>
#include <dbgvisor/percpu.h>
#include <dbgvisor/sched.h>

#define PTE_P  0x001ull
#define PTE_W  0x002ull
#define PTE_U  0x004ull
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

static uint64_t *table_alloc(struct domain *d)
{
    uint64_t pa = palloc_alloc_for(&d->pages, 1, 1);
    if (!pa)
        return NULL;
    memset((void *)pa, 0, PAGE_SIZE);
    return (uint64_t *)pa;
}

/* Returns the leaf PTE for gpa, creating tables when `create`. */
static uint64_t *npt_walk(struct domain *d, uint64_t gpa, bool create)
{
    if (!d->arch.npt_root_pa) {
        if (!create)
            return NULL;
        uint64_t *root = table_alloc(d);
        if (!root)
            return NULL;
        d->arch.npt_root_pa = (uint64_t)root;
    }
    uint64_t *table = (uint64_t *)d->arch.npt_root_pa;
    for (int level = 3; level > 0; level--) {
        unsigned idx = (gpa >> (12 + 9 * level)) & 511;
        if (!(table[idx] & PTE_P)) {
            if (!create)
                return NULL;
            uint64_t *next = table_alloc(d);
            if (!next)
                return NULL;
            table[idx] = (uint64_t)next | PTE_P | PTE_W | PTE_U;
        }
        table = (uint64_t *)(table[idx] & PTE_ADDR);
    }
    return &table[(gpa >> 12) & 511];
}

static uint64_t perm_bits(unsigned perm)
{
    uint64_t bits = PTE_U;
    if (perm & NPT_R)
        bits |= PTE_P;
    if (perm & NPT_W)
        bits |= PTE_W;
    if (!(perm & NPT_X))
        bits |= PTE_NX;
    return bits;
}

int npt_map(struct domain *d, uint64_t gpa, uint64_t hpa, uint64_t len, unsigned perm)
{
    for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
        uint64_t *pte = npt_walk(d, gpa + off, true);
        if (!pte)
            return -1;
        *pte = ((hpa + off) & PTE_ADDR) | perm_bits(perm);
    }
    return 0;
}

int npt_protect(struct domain *d, uint64_t gpa, unsigned perm)
{
    uint64_t *pte = npt_walk(d, gpa, false);
    if (!pte)
        return -1;
    *pte = (*pte & PTE_ADDR) | perm_bits(perm);
    return 0;
}

/* The request is v->arch.flush_tlb, set here and taken by svm_vcpu_run after
 * it has set in_guest, both sequentially consistent: either the vCPU takes
 * the request at an entry after this call, or this call sees in_guest and
 * (with wait) waits until it has left guest mode or taken the request. The
 * waiting only ever waits for vCPUs in guest mode, which leave at the IPI, so
 * two pCPUs flushing at once cannot wait for each other. */
void npt_flush_domain(struct domain *d, bool wait)
{
    struct vcpu *self = this_pcpu()->current;

    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        __atomic_store_n(&v->arch.flush_tlb, true, __ATOMIC_SEQ_CST);
        if (v != self && __atomic_load_n(&v->arch.in_guest, __ATOMIC_SEQ_CST))
            sched_vcpu_exit_guest(v);
    }
    if (!wait)
        return;
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        for (unsigned spins = 1; v != self &&
             __atomic_load_n(&v->arch.in_guest, __ATOMIC_SEQ_CST) &&
             __atomic_load_n(&v->arch.flush_tlb, __ATOMIC_SEQ_CST); spins++) {
            if (spins % 65536 == 0)
                sched_vcpu_exit_guest(v);   /* it may have moved to another pCPU */
            cpu_relax();
        }
    }
}

static void free_level(struct domain *d, uint64_t table_pa, int level)
{
    uint64_t *table = (uint64_t *)table_pa;
    if (level > 0)
        for (int i = 0; i < 512; i++)
            if (table[i] & PTE_P)
                free_level(d, table[i] & PTE_ADDR, level - 1);
    palloc_free_for(&d->pages, table_pa, 1);
}

void npt_destroy(struct domain *d)
{
    if (d->arch.npt_root_pa)
        free_level(d, d->arch.npt_root_pa, 3);
    d->arch.npt_root_pa = 0;
}
