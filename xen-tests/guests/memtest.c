/* memtest: fill RAM from 16 MiB to mem_upper with a seed-derived pattern,
 * verify it, print a checksum. Two domains with different seeds prove
 * isolation. probe=1 reads a GPA above RAM instead; probe=2 reads a selector
 * there with LAR, which the MMIO emulator does not carry out (the domain
 * ends after one re-execution: a deterministic reexecuted_insns for tests). */
#include "guest.h"

#define START   0x1000000UL
#define PROBE_DEFAULT 0xC0000000UL

static uint32_t pattern(uint32_t seed, uint32_t addr)
{
    /* xorshift mix of address and seed: cheap, and every word differs. */
    uint32_t x = addr ^ (seed * 0x9E3779B9u);
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x * 0x85EBCA6Bu;          /* non-linear, so the checksum is not trivially 0 */
}

int main(void)
{
    uint32_t seed = cmdline_uint("seed", 1);
    uint64_t end = mem_upper_bytes();

    if (cmdline_uint("probe", 0)) {
        unsigned long gpa = cmdline_uint("addr", PROBE_DEFAULT);
        printf("memtest: probing gpa %#lx above ram end %#llx\n", gpa, end);
        if (cmdline_uint("probe", 0) == 2)
            asm volatile("lar (%0), %%eax" : : "r"(gpa) : "rax", "cc", "memory");
        uint32_t v = *(volatile uint32_t *)gpa;
        printf("memtest: probe read %#x\n", v);
        return 0;
    }
    if (end > 0xFFF00000ULL)
        end = 0xFFF00000ULL;
    end &= ~3ULL;
    if (end <= START) {
        printf("memtest: not enough ram (end %#llx)\n", end);
        return 1;
    }
    printf("memtest: seed=%u range %#lx-%#llx\n", seed, START, end);
    for (uint32_t a = START; a < end; a += 4)
        *(volatile uint32_t *)a = pattern(seed, a);
    uint32_t sum = 2166136261u, bad = 0;
    for (uint32_t a = START; a < end; a += 4) {
        uint32_t v = *(volatile uint32_t *)a;
        if (v != pattern(seed, a) && bad++ < 5)
            printf("memtest: mismatch at %#x: %#x != %#x\n", a, v, pattern(seed, a));
        sum = (sum ^ v) * 16777619u;    /* FNV-1a over words */
    }
    printf("memtest: seed=%u bytes=%llu errors=%u checksum=%08x\n", seed, end - START, bad, sum);
    return bad ? 1 : 0;
}
