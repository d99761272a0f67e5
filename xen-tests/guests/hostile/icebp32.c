/*
 * hostile: flavour=32 policies=trap,adaptive native=compare
 *
 * icebp32: ICEBP (F1), INT3 and INTO in 32-bit protected mode (issue 9,
 * findings 8 and 9). The return address is the end of the whole
 * instruction, prefixes included, and in 32-bit code EIP wraps at 4 GiB: an
 * ICEBP at EIP 0xFFFFFFFF (a code segment whose base puts that offset just
 * below a page we own) returns to EIP 0. Also in a MOV SS shadow, after STI,
 * and single-stepped. The old code advanced EIP by one byte without the
 * wrap and without ending the interrupt shadow, and crashed on prefixes.
 */
#include "guest.h"

#define DR6_FIXED 0xffff0ff0UL
#define WRAP_CS 0x18

static uint64_t gdt[4] __attribute__((aligned(8)));
static uint8_t blob[64] __attribute__((aligned(64)));
struct { uint32_t off; uint16_t sel; } __attribute__((packed)) wrap_ptr;

#define CASE(name, bytes) #name ": .byte " bytes "\n ret\n"
asm(".text\n"
    CASE(plain_icebp, "0xf1")
    CASE(opsize_icebp, "0x66, 0xf1")
    CASE(cs_icebp, "0x2e, 0xf1")
    CASE(segs_rep_icebp, "0x26, 0x64, 0xf3, 0x67, 0xf1")
    CASE(cs_int3, "0x2e, 0x2e, 0xcc")
    CASE(opsize_int_3, "0x66, 0xcd, 0x03")
    /* INTO with OF set (0x7f + 1 overflows a signed byte). */
    "opsize_into: mov $0x7f, %al\n add $1, %al\n .byte 0x66, 0xce\n ret\n"
    "into_clear: xor %eax, %eax\n .byte 0x2e, 0xce\n ret\n"
    "ss_icebp: mov %ss, %eax\n mov %eax, %ss\n .byte 0xf1\n ret\n"
    "sti_icebp: pushf\n sti\n .byte 0x3e, 0xf1\n popf\n ret\n"
    "tf_icebp: pushf\n orl $0x100,(%esp)\n popf\n"
    "  .byte 0x66, 0xf1\n"
    "  pushf\n andl $~0x100,(%esp)\n popf\n ret\n"
    /* Far jump to WRAP_CS:wrap_ptr.off; the blob jumps back to wrap_back. */
    "do_wrap: ljmp *wrap_ptr\n"
    "wrap_back: ret\n");
void plain_icebp(void), opsize_icebp(void), cs_icebp(void), segs_rep_icebp(void), cs_int3(void),
     opsize_int_3(void), opsize_into(void), into_clear(void), ss_icebp(void), sti_icebp(void),
     tf_icebp(void), do_wrap(void);
extern char wrap_back[];

static const struct { const char *name; void (*fn)(void); unsigned long vec, end; } cases[] = {
    { "plain_icebp", plain_icebp, 1, 1 },     { "opsize_icebp", opsize_icebp, 1, 2 },
    { "cs_icebp", cs_icebp, 1, 2 },           { "segs_rep_icebp", segs_rep_icebp, 1, 5 },
    { "cs_int3", cs_int3, 3, 3 },             { "opsize_int_3", opsize_int_3, 3, 3 },
    { "opsize_into", opsize_into, 4, 6 },     { "ss_icebp", ss_icebp, 1, 5 },
    { "sti_icebp", sti_icebp, 1, 4 },
};

static void print_events(const char *name, const void *base)
{
    unsigned n = db_count < DB_MAX_EVENTS ? db_count : DB_MAX_EVENTS;

    printf("%s: %u event(s)\n", name, db_count);
    for (unsigned i = 0; i < n; i++)
        printf("%s #%u: vec=%lu ip=%s%#lx new-dr6=%#lx rf=%lu tf=%lu if=%lu\n", name, i,
               db_events[i].vector, base ? "+" : "", db_events[i].ip - (unsigned long)base,
               db_events[i].dr6 & ~DR6_FIXED, (db_events[i].flags >> 16) & 1,
               (db_events[i].flags >> 8) & 1, (db_events[i].flags >> 9) & 1);
}

static void run(const char *name, void (*fn)(void), const void *base)
{
    db_reset();
    write_dr6(DR6_FIXED);
    fn();
    print_events(name, base);
}

/* A code segment whose base is the byte after blob[15]: offsets 0xFFFFFFFx
 * wrap to the blob's first bytes, offset 0 is blob[16]. */
static void wrap_setup(void)
{
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) d;
    uint32_t base = (uint32_t)(unsigned long)&blob[16];

    gdt[0] = 0;
    gdt[1] = 0x00CF9A000000FFFFull;
    gdt[2] = 0x00CF92000000FFFFull;
    gdt[3] = 0x00CF9A000000FFFFull | ((uint64_t)(base & 0xffffff) << 16) |
             ((uint64_t)(base >> 24) << 56);
    d.limit = sizeof(gdt) - 1;
    d.base = (uint32_t)(unsigned long)gdt;
    asm volatile("lgdt %0" :: "m"(d));
    /* At offset 0: ljmp $0x08, $wrap_back */
    blob[16] = 0xea;
    memcpy(&blob[17], &(uint32_t){ (uint32_t)(unsigned long)wrap_back }, 4);
    memcpy(&blob[21], &(uint16_t){ 0x08 }, 2);
}

static void wrap_case(const char *name, uint8_t b14, uint8_t b15, unsigned long vec)
{
    blob[14] = b14;
    blob[15] = b15;
    wrap_ptr.off = 0xfffffffe;
    wrap_ptr.sel = WRAP_CS;
    run(name, do_wrap, NULL);
    report(db_count == 1 && db_events[0].vector == vec && db_events[0].ip == 0,
           "%s at 0xFFFFFFFF: vector %lu, EIP wraps to 0", name, vec);
}

/* Vector 4 (INTO) is recorded like #DB/#BP. */
static void on_of(struct trap_frame *f)
{
    unsigned i = db_count++;

    if (i < DB_MAX_EVENTS)
        db_events[i] = (struct db_event){ .vector = f->vector, .dr6 = read_dr6(),
                                          .ip = f->ip, .flags = f->flags };
}

int main(void)
{
    db_install(0);
    trap_set_handler(4, on_of);
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        run(cases[i].name, cases[i].fn, (const void *)cases[i].fn);
        report(db_count == 1 && db_events[0].vector == cases[i].vec &&
               db_events[0].ip == (unsigned long)cases[i].fn + cases[i].end &&
               !(db_events[0].flags & X86_EFLAGS_RF),
               "%s: vector %lu once, return address +%lu, RF clear", cases[i].name,
               cases[i].vec, cases[i].end);
    }
    run("into_clear", into_clear, (const void *)into_clear);
    report(db_count == 0, "INTO without OF: no event");
    db_limit = 4;
    run("tf_icebp", tf_icebp, (const void *)tf_icebp);
    db_limit = DB_MAX_EVENTS;

    wrap_setup();
    wrap_case("wrap_nop_icebp", 0x90, 0xf1, 1);
    wrap_case("wrap_cs_icebp", 0x2e, 0xf1, 1);
    wrap_case("wrap_cs_int3", 0x2e, 0xcc, 3);
    wrap_case("wrap_int_3", 0xcd, 0x03, 3);
    return report_summary();
}
