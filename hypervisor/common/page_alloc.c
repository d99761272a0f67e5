/* Physical page allocator: first fit over two bitmaps of 4 KiB frames.
 *   used[]    1 = not available (reserved or allocated)
 *   managed[] 1 = page was given to the allocator (add_free) and not reserved since
 * A free page is managed and not used; an allocated page is managed and used. The
 * second map is what lets palloc_free tell a double free from freeing reserved memory
 * and count both. Runs are scanned a 64-bit word at a time so that 64 MiB domain
 * allocations stay cheap.
 *
 * Every allocation is charged to an owner (a domain, or the hypervisor for
 * plain palloc_alloc), so `xl info`/`xl list` can say where memory went and a
 * destroyed domain that still holds pages is a leak that shows.
 *
 * One lock inside: callers on several pCPUs hold different locks of their own
 * (the domain table's, the SVM bitmaps', none at AP start-up). */
#include <dbgvisor/lib.h>
#include <dbgvisor/page_alloc.h>
#include <dbgvisor/spinlock.h>

#define NFRAMES (PALLOC_LIMIT >> PAGE_SHIFT)
#define NWORDS (NFRAMES / 64)

static uint64_t used[NWORDS];
static uint64_t managed[NWORDS];
static size_t nfree, ntotal, nbad;
static spinlock_t palloc_lock = SPINLOCK_INIT;
struct palloc_owner palloc_hypervisor;

/* Freestanding: no libgcc __popcountdi2. */
static unsigned popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (unsigned)((x * 0x0101010101010101ULL) >> 56);
}

/* Sets or clears bits [first, end) of map; returns how many bits changed. */
static size_t update_range(uint64_t *map, size_t first, size_t end, bool set)
{
    size_t changed = 0;

    while (first < end) {
        size_t w = first / 64, lo = first % 64;
        size_t hi = MIN(end - w * 64, 64);      /* exclusive bit bound in this word */
        uint64_t mask = (hi == 64 ? ~0ULL : (1ULL << hi) - 1) & ~((1ULL << lo) - 1);
        uint64_t old = map[w];

        map[w] = set ? old | mask : old & ~mask;
        changed += popcount64((old ^ map[w]) & mask);
        first = w * 64 + hi;
    }
    return changed;
}

/* First index in [from, end) whose bit equals want, or end. */
static size_t find_bit(const uint64_t *map, size_t from, size_t end, bool want)
{
    while (from < end) {
        size_t w = from / 64;
        uint64_t x = want ? map[w] : ~map[w];

        x &= ~0ULL << (from % 64);
        if (x) {
            size_t i = w * 64 + (size_t)__builtin_ctzll(x);
            return MIN(i, end);
        }
        from = (w + 1) * 64;                    /* whole word skipped */
    }
    return end;
}

/* Clips [start,end) to the managed window and converts to frame numbers. */
static void to_frames(uint64_t start, uint64_t end, bool outward, size_t *f0, size_t *f1)
{
    start = MIN(start, PALLOC_LIMIT);
    end = MIN(end, PALLOC_LIMIT);
    if (outward) {
        *f0 = start >> PAGE_SHIFT;
        *f1 = (end + PAGE_SIZE - 1) >> PAGE_SHIFT;
    } else {
        *f0 = (start + PAGE_SIZE - 1) >> PAGE_SHIFT;
        *f1 = end >> PAGE_SHIFT;
    }
}

void palloc_init(void)
{
    memset(used, 0xff, sizeof(used));
    memset(managed, 0, sizeof(managed));
    nfree = ntotal = nbad = 0;
    palloc_hypervisor.pages = 0;
}

void palloc_add_free(uint64_t start, uint64_t end)
{
    size_t f0, f1;

    to_frames(start, end, false, &f0, &f1);
    f0 = MAX(f0, (size_t)1);                    /* frame 0 is never handed out */
    if (f0 >= f1)
        return;
    spin_lock(&palloc_lock);
    ntotal += update_range(managed, f0, f1, true);
    nfree += update_range(used, f0, f1, false);
    spin_unlock(&palloc_lock);
}

void palloc_reserve(uint64_t start, uint64_t end)
{
    size_t f0, f1;

    to_frames(start, end, true, &f0, &f1);
    if (f0 >= f1)
        return;
    spin_lock(&palloc_lock);
    /* Only free pages change in used[]: those were all managed and free. */
    nfree -= update_range(used, f0, f1, true);
    ntotal -= update_range(managed, f0, f1, false);
    spin_unlock(&palloc_lock);
}

static uint64_t alloc_locked(size_t npages, size_t align_pages)
{
    size_t f = 1;

    if (align_pages == 0)
        align_pages = 1;
    if (npages == 0 || npages > nfree || align_pages > NFRAMES)
        return 0;
    for (;;) {
        size_t busy;

        f = find_bit(used, f, NFRAMES, false);
        f = (f + align_pages - 1) / align_pages * align_pages;
        if (f >= NFRAMES || npages > NFRAMES - f)
            return 0;
        busy = find_bit(used, f, f + npages, true);
        if (busy == f + npages)
            break;
        f = busy + 1;
    }
    update_range(used, f, f + npages, true);
    nfree -= npages;
    return (uint64_t)f << PAGE_SHIFT;
}

/* Frees unless the range is not an allocation, or not one the owner can hold. */
static void free_locked(struct palloc_owner *owner, uint64_t addr, size_t npages)
{
    size_t f = addr >> PAGE_SHIFT;

    if ((addr & (PAGE_SIZE - 1)) || addr >= PALLOC_LIMIT || npages > NFRAMES - f ||
        npages > owner->pages ||                                  /* not all its own */
        find_bit(used, f, f + npages, false) != f + npages ||      /* already free */
        find_bit(managed, f, f + npages, false) != f + npages) {   /* reserved */
        nbad++;
        return;
    }
    update_range(used, f, f + npages, false);
    nfree += npages;
    owner->pages -= npages;
}

uint64_t palloc_alloc_for(struct palloc_owner *owner, size_t npages, size_t align_pages)
{
    uint64_t pa;

    spin_lock(&palloc_lock);
    pa = alloc_locked(npages, align_pages);
    if (pa)
        owner->pages += npages;
    spin_unlock(&palloc_lock);
    return pa;
}

void palloc_free_for(struct palloc_owner *owner, uint64_t addr, size_t npages)
{
    if (npages == 0)
        return;
    spin_lock(&palloc_lock);
    free_locked(owner, addr, npages);
    spin_unlock(&palloc_lock);
}

uint64_t palloc_alloc(size_t npages, size_t align_pages)
{
    return palloc_alloc_for(&palloc_hypervisor, npages, align_pages);
}

void palloc_free(uint64_t addr, size_t npages)
{
    palloc_free_for(&palloc_hypervisor, addr, npages);
}

size_t palloc_free_pages(void)
{
    return nfree;
}

size_t palloc_total_pages(void)
{
    return ntotal;
}

size_t palloc_bad_frees(void)
{
    return nbad;
}
