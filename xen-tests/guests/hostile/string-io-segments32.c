/*
 * hostile: flavour=32 pcpus=1 policies=trap native=compare
 *
 * string-io-segments32: OUTS and INS in 32-bit protected mode with
 * segments whose bases differ (issue 9). OUTS reads DS:ESI unless a
 * segment override (CS, SS, ES, FS, GS) names another segment; INS always
 * writes ES:EDI (its destination cannot be overridden; a prefix is
 * ignored). SVM can report the source segment in the IOIO EXITINFO1, but
 * only with decode assists, which QEMU TCG does not offer: it leaves those
 * bits 0 (ES), so the old hypervisor read every OUTS source through ES's
 * base and printed the wrong bytes. Each OUTS below prints one line from a
 * table in which every segment's base selects a different text: a wrong
 * segment prints a different line than bare QEMU does. Limits and null
 * selectors: hardware raises #GP(0) for an element past the limit or through
 * a null selector; QEMU TCG checks neither for data accesses, and the
 * emulation follows the CPU the guest runs on, so the record (vector, how
 * far the REP got) must equal bare QEMU's.
 */
#include "guest.h"

#define SEL_CODE 0x08
#define SEL_FLAT 0x10
#define SEL_B1   0x18     /* data, base = BASE1 */
#define SEL_B2   0x20     /* data, base = BASE2 */
#define SEL_B3   0x28     /* data, base = BASE3 */
#define SEL_LIM  0x30     /* data, base 0, limit: the end of table line 1 */

#define LINE 24
/* Line i of the table sits at offset i * LINE; the bases shift the view. */
static char table[8][LINE] = {
    "flat base              \n",
    "base B1                \n",
    "base B2                \n",
    "base B3                \n",
};
static uint64_t gdt[7] __attribute__((aligned(8)));
static uint8_t inbuf[64];

static uint64_t data_desc(uint32_t base)
{
    return 0xffffull | ((uint64_t)(base & 0xffffff) << 16) | (0x92ull << 40) |
           (0xfull << 48) | (0xcull << 52) | ((uint64_t)(base >> 24) << 56);
}

/* Byte-granular 32-bit data segment at base 0 ending at `limit`. */
static uint64_t small_desc(uint32_t limit)
{
    return (limit & 0xffff) | (0x92ull << 40) | ((uint64_t)(limit >> 16) << 48) | (0x4ull << 52);
}

/* fs rep outsb of cx bytes from fs:si with FS = sel; returns the vector or -1. */
static int fs_outs(uint16_t sel, unsigned long *si, unsigned long *cx)
{
    return TRY_ASM("push %%fs; mov %w[s], %%fs\n\tfs rep outsb\n\tpop %%fs",
                   : "+S"(*si), "+c"(*cx) : [s] "r"(sel), "d"(0x3f8));
}

/* Each based segment's base is chosen so that offset `table` reads line n. */
static uint32_t base_for(unsigned n) { return n * LINE; }

#define OUTS_WITH(prefix, ds, es, fs, gs, ss)                                           \
    do {                                                                                \
        unsigned long si = (unsigned long)table, cx = LINE;                            \
        asm volatile("push %%ds; push %%es; push %%fs; push %%gs; push %%ss\n"          \
                     "mov %w[d], %%ds; mov %w[e], %%es; mov %w[f], %%fs\n"              \
                     "mov %w[g], %%gs; mov %w[s], %%ss\n"                               \
                     prefix " rep outsb\n"                                              \
                     "pop %%ss; pop %%gs; pop %%fs; pop %%es; pop %%ds"                 \
                     : "+S"(si), "+c"(cx)                                               \
                     : "d"(0x3f8), [d] "r"(ds), [e] "r"(es), [f] "r"(fs), [g] "r"(gs),  \
                       [s] "r"(ss)                                                      \
                     : "memory");                                                       \
        report(cx == 0 && si == (unsigned long)table + LINE, "%s", prefix " rep outsb"); \
    } while (0)

int main(void)
{
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) d;

    gdt[0] = 0;
    gdt[1] = 0x00CF9A000000FFFFull;
    gdt[2] = 0x00CF92000000FFFFull;
    gdt[3] = data_desc(base_for(1));
    gdt[4] = data_desc(base_for(2));
    gdt[5] = data_desc(base_for(3));
    gdt[6] = small_desc((uint32_t)(unsigned long)table + 2 * LINE - 1);
    d.limit = sizeof(gdt) - 1;
    d.base = (uint32_t)(unsigned long)gdt;
    asm volatile("lgdt %0" :: "m"(d));
    printf("string-io-segments32: each line names the segment base OUTS used\n");

    /* Default DS (based), ES flat: must print B1. */
    OUTS_WITH("", SEL_B1, SEL_FLAT, SEL_B2, SEL_B3, SEL_FLAT);
    /* FS override: B2, not DS's B1 nor ES's flat. */
    OUTS_WITH("fs", SEL_B1, SEL_FLAT, SEL_B2, SEL_B3, SEL_FLAT);
    /* GS override: B3. */
    OUTS_WITH("gs", SEL_B1, SEL_FLAT, SEL_B2, SEL_B3, SEL_FLAT);
    /* ES override with ES based: B2. */
    OUTS_WITH("es", SEL_B1, SEL_B2, SEL_FLAT, SEL_B3, SEL_FLAT);
    /* CS override: CS is flat while DS is based. */
    OUTS_WITH("cs", SEL_B1, SEL_B2, SEL_B3, SEL_B3, SEL_FLAT);
    /* SS override: SS flat, DS based. */
    OUTS_WITH("ss", SEL_B3, SEL_B2, SEL_B1, SEL_B1, SEL_FLAT);
    /* Several prefixes: the last segment override counts. */
    OUTS_WITH("fs; gs", SEL_B1, SEL_FLAT, SEL_B2, SEL_B3, SEL_FLAT);
    /* DS override while ES is based (an explicit DS, as the default). */
    OUTS_WITH("ds", SEL_B2, SEL_B3, SEL_FLAT, SEL_FLAT, SEL_FLAT);

    /* Past the limit, then through a null FS: printed, compared with bare QEMU. */
    unsigned long si = (unsigned long)table + LINE + 8, cx = LINE;
    int vec = fs_outs(SEL_LIM, &si, &cx);
    printf("| across the limit: vector %d, %lu left, esi +%lu\n", vec, cx,
           si - (unsigned long)table);
    si = (unsigned long)table; cx = 1;
    vec = fs_outs(0, &si, &cx);
    printf(" | null fs: vector %d, %lu left, esi +%lu\n", vec, cx, si - (unsigned long)table);

    /* INS writes ES:EDI whatever the prefix says. */
    for (unsigned pass = 0; pass < 2; pass++) {
        unsigned long di = (unsigned long)inbuf, cx = 4;
        memset(inbuf, 0, sizeof(inbuf));
        if (pass == 0)
            asm volatile("push %%es; mov %w2, %%es; rep insb; pop %%es"
                         : "+D"(di), "+c"(cx) : "r"(SEL_B1), "d"(0x3fd) : "memory");
        else
            asm volatile("push %%es; push %%fs; mov %w2, %%es; mov %w3, %%fs\n"
                         "fs rep insb; pop %%fs; pop %%es"
                         : "+D"(di), "+c"(cx) : "r"(SEL_B1), "r"(SEL_B2), "d"(0x3fd) : "memory");
        unsigned at = base_for(1);
        report(cx == 0 && inbuf[at] != 0 && inbuf[at + 3] == inbuf[at] && inbuf[0] == 0,
               "%srep insb wrote through ES's base (%#x at +%u)", pass ? "fs " : "",
               inbuf[at], at);
    }
    return report_summary();
}
