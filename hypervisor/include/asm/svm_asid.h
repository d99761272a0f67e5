/*
 * SVM address-space IDs (hvm/svm/asid.c). Guest TLB entries are tagged with the ASID of
 * the VMCB that made them, so a world switch needs no flush as long as no two vCPUs
 * ever use one ASID on one pCPU with live entries. ASIDs are handed out per pCPU in
 * generations, as Xen and KVM do: a vCPU keeps its ASID while it stays on a pCPU whose
 * generation has not moved on; when the pCPU runs out, it starts a new generation and
 * flushes all ASIDs once.
 */
#ifndef ASM_SVM_ASID_H
#define ASM_SVM_ASID_H

#include <stdbool.h>
#include <stdint.h>

/* A pCPU's generation and number in one value, (generation << 8) | pCPU: equal
 * stamps mean the same pCPU and generation, so the entry path compares once. */
#define SVM_ASID_STAMP_CPU_BITS 8

/* The ASID a vCPU holds: valid on pCPU `cpu` while `stamp` is that pCPU's. */
struct svm_asid {
    uint32_t asid;
    int      cpu;                 /* -1: none yet */
    uint64_t stamp;               /* 0: none yet (pCPU generations start at 1) */
};

/* A pCPU's numbers (asid.c keeps them; the entry path reads the stamp). */
struct svm_asid_pool {
    uint64_t stamp;               /* generation 1 at start: a vCPU's 0 never matches */
    uint32_t next;                /* next unused ASID in this generation */
    uint32_t limit;               /* ASIDs are 1 .. limit-1 */
};
extern struct svm_asid_pool svm_asid_pools[];

/* VMCB TLB_CONTROL values */
#define SVM_TLB_CONTROL_NONE      0
#define SVM_TLB_CONTROL_FLUSH_ALL 1   /* every ASID on this pCPU */

/* Per pCPU at start-up: nr_asids from CPUID 0x8000000A EBX (ASID 0 is the host's). */
void svm_asid_cpu_init(unsigned cpu, uint32_t nr_asids);
/* A vCPU that never ran. */
void svm_asid_vcpu_init(struct svm_asid *a);
/* Before VMRUN on pCPU `cpu`: keep a's ASID if still valid there and no flush is wanted,
 * else give it a fresh one (starting a new generation on wrap). Returns the TLB_CONTROL
 * value the entry must carry. */
uint8_t svm_asid_assign(struct svm_asid *a, unsigned cpu);
/* Whether a's ASID is still valid on pCPU `cpu` (every entry but the first on a pCPU). */
static inline bool svm_asid_valid_on(const struct svm_asid *a, unsigned cpu)
{
    return a->stamp == svm_asid_pools[cpu].stamp;
}
static inline uint8_t svm_asid_for_entry(struct svm_asid *a, unsigned cpu, bool want_flush)
{
    if (!want_flush && svm_asid_valid_on(a, cpu))
        return SVM_TLB_CONTROL_NONE;
    return svm_asid_assign(a, cpu);
}
/* The pCPU's current generation (for tests and diagnostics). */
uint64_t svm_asid_generation(unsigned cpu);

#endif
