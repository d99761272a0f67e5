/*
 * ASID allocation per pCPU with generations (asm/svm_asid.h). A fresh ASID costs
 * nothing: its number was not used on this pCPU since the last flush of all ASIDs. So
 * moving to another pCPU, or a wish to flush (INIT, NPT changes), takes a fresh ASID
 * instead of a flush; only running out of numbers flushes, once per generation.
 */
#include <asm/svm_asid.h>
#include <dbgvisor/percpu.h>

struct svm_asid_pool svm_asid_pools[MAX_PCPUS];

_Static_assert(MAX_PCPUS <= 1u << SVM_ASID_STAMP_CPU_BITS, "a pCPU number fits in a stamp");

void svm_asid_cpu_init(unsigned cpu, uint32_t nr_asids)
{
    svm_asid_pools[cpu] = (struct svm_asid_pool){
        .stamp = (1ull << SVM_ASID_STAMP_CPU_BITS) | cpu, .next = 1, .limit = nr_asids };
}

void svm_asid_vcpu_init(struct svm_asid *a)
{
    *a = (struct svm_asid){ .asid = 0, .cpu = -1, .stamp = 0 };
}

uint8_t svm_asid_assign(struct svm_asid *a, unsigned cpu)
{
    struct svm_asid_pool *p = &svm_asid_pools[cpu];
    uint8_t tlb = SVM_TLB_CONTROL_NONE;

    if (p->next >= p->limit) {
        /* Out of numbers: every vCPU holding one of this generation's ASIDs gets a new
         * one at its next entry here, and this entry flushes what they left behind. */
        p->stamp += 1ull << SVM_ASID_STAMP_CPU_BITS;     /* the next generation */
        p->next = 1;
        tlb = SVM_TLB_CONTROL_FLUSH_ALL;
    }
    a->asid = p->next++;
    a->cpu = (int)cpu;
    a->stamp = p->stamp;
    return tlb;
}

uint64_t svm_asid_generation(unsigned cpu)
{
    return svm_asid_pools[cpu].stamp >> SVM_ASID_STAMP_CPU_BITS;
}
