/*
 * The MMIO target the mmio-seg, mmio-x87 and mmio-vec guests share: the
 * I/O APIC's IOREGSEL (offset 0), a byte that both bare QEMU and dbgvisor
 * keep and read back in accesses of any size, with a RAM page mapped right
 * below it (linear 0xFEBFF000), so an operand can be RAM up to its last
 * byte and MMIO there: the access exits on its second part.
 */
#ifndef HOSTILE_MMIO_ALIAS_H
#define HOSTILE_MMIO_ALIAS_H

#include "guest.h"

#define IOAPIC      0xFEC00000UL
#define ALIAS_LIN   (IOAPIC - 0x1000)

static volatile uint32_t *const ioregsel = (volatile uint32_t *)IOAPIC;
static uint8_t alias_page[4096] __attribute__((aligned(4096)));
static uint64_t alias_pt[512] __attribute__((aligned(4096)));

/* Maps ALIAS_LIN onto alias_page (one 4 KiB page in the 2 MiB slot below
 * the I/O APIC of the library's identity map). */
static inline void map_alias_below_ioapic(void)
{
    uint64_t *pml4 = (uint64_t *)(read_cr3() & ~0xfffUL);
    uint64_t *pdpt = (uint64_t *)(pml4[0] & ~0xfffUL);
    uint64_t *pd = (uint64_t *)(pdpt[3] & ~0xfffUL);

    alias_pt[511] = (uint64_t)alias_page | 3;
    pd[(ALIAS_LIN >> 21) & 511] = (uint64_t)alias_pt | 3;
    flush_tlb();
}

/* An operand of size bytes ending on IOREGSEL, holding v / read back. */
static inline void *straddling_operand(unsigned size)
{
    return (void *)(IOAPIC - (size - 1));
}

static inline void *put_straddling(const void *v, unsigned size)
{
    memcpy(alias_page + 4096 - (size - 1), v, size - 1);
    *ioregsel = ((const uint8_t *)v)[size - 1];
    return straddling_operand(size);
}

static inline void get_straddling(void *v, unsigned size)
{
    memcpy(v, alias_page + 4096 - (size - 1), size - 1);
    ((uint8_t *)v)[size - 1] = (uint8_t)*ioregsel;
}

static inline bool same_bytes(const void *a, const void *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (((const uint8_t *)a)[i] != ((const uint8_t *)b)[i])
            return false;
    return true;
}

#endif
