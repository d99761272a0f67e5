/* Physical page allocator over 4 KiB frames below 4 GiB.
 * Metadata is a static bitmap; the allocator never touches the memory it
 * manages (callers zero what they get). Page 0 is never handed out. */
#ifndef DBGVISOR_PAGE_ALLOC_H
#define DBGVISOR_PAGE_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE 4096UL
#define PAGE_SHIFT 12
#define PALLOC_LIMIT (1ULL << 32)   /* addresses at or above this are ignored */

/* Who holds allocated pages: each domain has one (RAM, NPT tables, VMCBs,
 * extended-state areas), plain palloc_alloc charges palloc_hypervisor. */
struct palloc_owner {
    size_t pages;                                         /* allocated and not freed */
};
extern struct palloc_owner palloc_hypervisor;

void palloc_init(void);                                   /* everything reserved */
void palloc_add_free(uint64_t start, uint64_t end);       /* [start,end) becomes free (page-rounded inward) */
void palloc_reserve(uint64_t start, uint64_t end);        /* [start,end) becomes used (page-rounded outward) */
uint64_t palloc_alloc(size_t npages, size_t align_pages); /* contiguous run, start aligned to align_pages*4K; returns phys addr or 0 when none */
void palloc_free(uint64_t addr, size_t npages);           /* double free or freeing reserved memory: ignored and counted */
/* The same, charged to owner; a free of more than the owner holds is a bad free. */
uint64_t palloc_alloc_for(struct palloc_owner *owner, size_t npages, size_t align_pages);
void palloc_free_for(struct palloc_owner *owner, uint64_t addr, size_t npages);
size_t palloc_free_pages(void);
size_t palloc_total_pages(void);                          /* pages added free and not reserved since */
size_t palloc_bad_frees(void);                            /* palloc_free calls ignored so far */

#endif
