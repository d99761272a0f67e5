/*
 * hostile: native=compare
 *
 * mmio-seg: instructions that load or store segment and descriptor-table
 * state with an operand in MMIO (issue 9): MOV Sreg,m16 (ES, SS, DS, FS,
 * GS), LFS/LGS/LSS with m16:32 and m16:64 pointers, far JMP and far CALL
 * through m16:32 and m16:64 pointers (to code, through 64-bit call gates,
 * and to a TSS: #GP(sel), long mode has no task switch), SGDT/SIDT/SLDT/STR/SMSW stores and
 * LGDT/LIDT/LLDT/LTR/LMSW loads, VERR/VERW (ZF by type, DPL against CPL
 * and RPL, no present check, no fault), with the descriptor checks and the error
 * codes hardware gives (#GP(0) for a null CS, #GP(sel) for a data segment
 * as CS, an RPL above CPL, a selector past the GDT limit, an execute-only
 * segment in DS, a code segment in SS; #NP(sel)/#SS(sel) for a segment not
 * present; #GP(sel) for LTR of a busy TSS). The selector comes from the
 * I/O APIC's IOREGSEL (offset 0: a byte both QEMU and dbgvisor keep and
 * read back in 2-byte accesses); pointers straddle a RAM page mapped just
 * below the I/O APIC, so the offset is in RAM and the selector in MMIO (the
 * access exits on its second part). Hardware performs these accesses;
 * dbgvisor used to end the domain ("cannot emulate IOAPIC access").
 */
#include "mmio-alias.h"

#define GP 13
#define NP 11
#define SS_FAULT 12


/* The lib's GDT (null, code64 0x08, data 0x10, code32 0x18, user data 0x20,
 * user code 0x28, TSS 0x30) and descriptors to load and fault on. */
static uint64_t gdt[20] __attribute__((aligned(16)));
static uint64_t ldt[2];
static uint8_t tss2[0x68];
#define SEL_NP_DATA  0x40
#define SEL_NP_CODE  0x48
#define SEL_LDT      0x50
#define SEL_TSS      0x60
#define SEL_XONLY    0x70
#define SEL_DATA3    0x78
#define SEL_GATE_CALL 0x80              /* 64-bit call gates: 16 bytes each */
#define SEL_GATE_JMP 0x90
#define SEL_PAST     0xf8

extern uint64_t gdt64[];
extern char far_target[], far_jumped[], gate_jumped[];
static volatile unsigned far_calls;

asm(".pushsection .text\n"
    "far_target:\n\t"
    "incl far_calls(%rip)\n\t"
    "lretq\n"
    ".popsection");

struct __attribute__((packed)) dtr { uint16_t limit; uint64_t base; };

static uint64_t system_desc(uint64_t base, uint32_t limit, unsigned type)
{
    return (limit & 0xffff) | ((base & 0xffffff) << 16) | ((uint64_t)type << 40) | (1ull << 47) |
           ((uint64_t)(limit >> 16) << 48) | ((base >> 24 & 0xff) << 56);
}

/* A 64-bit call gate, DPL 0, to target in code64 (0x08). */
static void call_gate64(unsigned sel, uint64_t target)
{
    gdt[sel / 8] = (target & 0xffff) | (0x08ull << 16) | (0x8cull << 40) | ((target >> 16 & 0xffff) << 48);
    gdt[sel / 8 + 1] = target >> 32;
}

static void setup(void)
{
    struct dtr d = { sizeof(gdt) - 1, (uint64_t)gdt };
    for (int i = 0; i < 8; i++)
        gdt[i] = gdt64[i];
    gdt[SEL_NP_DATA / 8] = 0x00CF12000000FFFFull;
    gdt[SEL_NP_CODE / 8] = 0x00AF1A000000FFFFull;
    gdt[SEL_LDT / 8] = system_desc((uint64_t)ldt, sizeof(ldt) - 1, 2);
    gdt[SEL_TSS / 8] = system_desc((uint64_t)tss2, sizeof(tss2) - 1, 9);
    gdt[SEL_XONLY / 8] = 0x00CF98000000FFFFull;
    gdt[SEL_DATA3 / 8] = 0x00CFF2000000FFFFull;
    ldt[1] = 0x00CF12000000FFFFull;             /* 0x0c: not present */
    call_gate64(SEL_GATE_CALL, (uint64_t)far_target);
    call_gate64(SEL_GATE_JMP, (uint64_t)gate_jumped);
    asm volatile("lgdt %0" :: "m"(d));
    map_alias_below_ioapic();
}

static void put_ptr(unsigned offset_size, uint64_t offset, uint8_t sel)
{
    memcpy(alias_page + 4096 - offset_size, &offset, offset_size);
    *ioregsel = sel;
}
#define PTR(size) ((void *)(IOAPIC - (size)))

static void check_fault(int vec, int want, unsigned long err, const char *what)
{
    bool ok = vec == want && (want < 0 || last_trap.error_code == err);

    if (!ok)
        printf("# %s: vector %d error %#lx\n", what, vec, vec < 0 ? 0 : last_trap.error_code);
    if (want < 0)
        report(ok, "%s: no fault", what);
    else
        report(ok, "%s: vector %d error %#lx", what, want, err);
}

static uint16_t sreg(int n)
{
    uint16_t v = 0;
    switch (n) {
    case 0: asm volatile("mov %%es, %0" : "=r"(v)); break;
    case 2: asm volatile("mov %%ss, %0" : "=r"(v)); break;
    case 3: asm volatile("mov %%ds, %0" : "=r"(v)); break;
    case 4: asm volatile("mov %%fs, %0" : "=r"(v)); break;
    default: asm volatile("mov %%gs, %0" : "=r"(v)); break;
    }
    return v;
}

static void mov_sreg(void)
{
    int vec;

    *ioregsel = 0x10;
    vec = TRY_ASM("mov (%0), %%es", : : "r"(IOAPIC));
    report(vec == -1 && sreg(0) == 0x10, "mov es, m16: ES = %#x", sreg(0));
    *ioregsel = 0x20;
    vec = TRY_ASM("mov (%0), %%ds", : : "r"(IOAPIC));
    report(vec == -1 && sreg(3) == 0x20, "mov ds, m16 (DPL 3 data at CPL 0): DS = %#x", sreg(3));
    asm volatile("mov %0, %%ds" :: "r"(0x10));
    *ioregsel = 0;
    vec = TRY_ASM("mov (%0), %%fs", : : "r"(IOAPIC));
    report(vec == -1 && sreg(4) == 0, "mov fs, m16 (null): FS = %#x", sreg(4));
    *ioregsel = 0x08;
    vec = TRY_ASM("mov (%0), %%gs", : : "r"(IOAPIC));
    report(vec == -1 && sreg(5) == 0x08, "mov gs, m16 (readable code): GS = %#x", sreg(5));
    *ioregsel = 0x10;
    vec = TRY_ASM("mov (%0), %%ss", : : "r"(IOAPIC));
    report(vec == -1 && sreg(2) == 0x10, "mov ss, m16: SS = %#x", sreg(2));

    *ioregsel = SEL_XONLY;
    check_fault(TRY_ASM("mov (%0), %%ds", : : "r"(IOAPIC)), GP, SEL_XONLY, "mov ds, execute-only code");
    *ioregsel = SEL_NP_DATA;
    check_fault(TRY_ASM("mov (%0), %%es", : : "r"(IOAPIC)), NP, SEL_NP_DATA, "mov es, not present");
    *ioregsel = SEL_NP_DATA;
    check_fault(TRY_ASM("mov (%0), %%ss", : : "r"(IOAPIC)), SS_FAULT, SEL_NP_DATA, "mov ss, not present");
    *ioregsel = 0x08;
    check_fault(TRY_ASM("mov (%0), %%ss", : : "r"(IOAPIC)), GP, 0x08, "mov ss, code segment");
    *ioregsel = SEL_DATA3;
    check_fault(TRY_ASM("mov (%0), %%ss", : : "r"(IOAPIC)), GP, SEL_DATA3, "mov ss, DPL 3 at CPL 0");
    *ioregsel = SEL_PAST;
    check_fault(TRY_ASM("mov (%0), %%gs", : : "r"(IOAPIC)), GP, SEL_PAST, "mov gs, past the GDT limit");
    asm volatile("mov %0, %%es; mov %0, %%fs; mov %0, %%gs" :: "r"(0x10));
    report(gdt[0x20 / 8] & (1ull << 40), "the loaded descriptor's accessed bit is set");
}

static void sti_if(unsigned long flags)
{
    if (flags & X86_EFLAGS_IF)
        sti();
}

/* POP FS/GS with RSP at the I/O APIC: the slot's low word is IOREGSEL. */
static void pop_segment(void)
{
    unsigned long flags = read_flags();
    uint64_t rsp_after = 0;

    cli();
    *ioregsel = 0x20;
    asm volatile("mov %%rsp, %%r8; mov %1, %%rsp; pop %%fs; mov %%rsp, %0; mov %%r8, %%rsp"
                 : "=r"(rsp_after) : "r"(IOAPIC) : "r8", "memory");
    sti_if(flags);
    report(sreg(4) == 0x20 && rsp_after == IOAPIC + 8, "pop fs from an MMIO stack: FS %#x, RSP +%lu",
           sreg(4), rsp_after - IOAPIC);
    *ioregsel = SEL_NP_DATA;
    asm volatile("mov %%rsp, %%r8; mov %1, %%rsp; lea 1f(%%rip), %%r9; mov %%r9, trap_fixup\n\t"
                 "pop %%gs\n1:\tmovq $0, trap_fixup; mov %%rsp, %0; mov %%r8, %%rsp"
                 : "=r"(rsp_after) : "r"(IOAPIC) : "r8", "r9", "memory");
    report(rsp_after == IOAPIC, "pop gs of a segment not present: RSP unchanged");
    asm volatile("mov %0, %%fs; mov %0, %%gs" :: "r"(0x10));
}

static void load_far_pointer(void)
{
    unsigned long flags = read_flags();
    uint64_t r = 0;
    int vec;

    put_ptr(4, 0x12345678, 0x10);
    vec = TRY_ASM("lfs (%1), %k0", : "+r"(r) : "r"(PTR(4)));
    report(vec == -1 && r == 0x12345678 && sreg(4) == 0x10, "lfs r32, m16:32: %#lx, FS %#x", r, sreg(4));
    put_ptr(8, 0x123456789abcdef0ull, 0x20);
    vec = TRY_ASM("rex64 lgs (%1), %k0", : "+r"(r) : "r"(PTR(8)));
    report(vec == -1 && r == 0x123456789abcdef0ull && sreg(5) == 0x20, "lgs r64, m16:64: %#lx, GS %#x",
           r, sreg(5));
    put_ptr(4, 0x87654321, 0x10);
    r = ~0ul;
    cli();
    asm volatile("mov %%rsp, %%r8; lss (%1), %%esp; mov %%esp, %k0; mov %%r8, %%rsp"
                 : "+r"(r) : "r"(PTR(4)) : "r8", "memory");
    sti_if(flags);
    report(r == 0x87654321 && sreg(2) == 0x10, "lss esp, m16:32: %#lx, SS %#x", r, sreg(2));
    put_ptr(4, 0xabcd, 0x08);
    r = 0x1111;
    check_fault(TRY_ASM("lss (%1), %k0", : "+r"(r) : "r"(PTR(4))), GP, 0x08, "lss, code segment");
    report(r == 0x1111, "a faulting lss leaves its register alone");
    put_ptr(4, 0xabcd, SEL_NP_DATA);
    check_fault(TRY_ASM("lfs (%1), %k0", : "+r"(r) : "r"(PTR(4))), NP, SEL_NP_DATA, "lfs, not present");
    asm volatile("mov %0, %%fs; mov %0, %%gs" :: "r"(0x10));
}

static void far_transfers(void)
{
    unsigned before;
    int vec;

    put_ptr(8, (uint64_t)far_target, 0x08);
    before = far_calls;
    vec = TRY_ASM("rex64 lcall *(%0)", : : "r"(PTR(8)));
    report(vec == -1 && far_calls == before + 1, "lcall m16:64 through the I/O APIC: called, returned");
    put_ptr(4, (uint64_t)far_jumped, 0x08);
    vec = TRY_ASM("ljmp *(%0)\n\tud2\n\t.globl far_jumped\nfar_jumped:", : : "r"(PTR(4)));
    report(vec == -1, "ljmp m16:32 through the I/O APIC: landed on the target");
    put_ptr(8, (uint64_t)far_target, 0);
    check_fault(TRY_ASM("rex64 ljmp *(%0)", : : "r"(PTR(8))), GP, 0, "ljmp, null selector");
    put_ptr(8, (uint64_t)far_target, 0x10);
    check_fault(TRY_ASM("rex64 lcall *(%0)", : : "r"(PTR(8))), GP, 0x10, "lcall, data segment");
    put_ptr(8, (uint64_t)far_target, 0x0b);
    check_fault(TRY_ASM("rex64 lcall *(%0)", : : "r"(PTR(8))), GP, 0x08, "lcall, RPL 3 > CPL");
    put_ptr(8, (uint64_t)far_target, SEL_NP_CODE);
    check_fault(TRY_ASM("rex64 ljmp *(%0)", : : "r"(PTR(8))), NP, SEL_NP_CODE, "ljmp, not present");
    put_ptr(8, (uint64_t)far_target, SEL_PAST);
    check_fault(TRY_ASM("rex64 ljmp *(%0)", : : "r"(PTR(8))), GP, SEL_PAST, "ljmp, past the GDT limit");
    put_ptr(8, 0x8000000000000000ull, 0x08);
    check_fault(TRY_ASM("rex64 ljmp *(%0)", : : "r"(PTR(8))), GP, 0, "ljmp, non-canonical target");
    report(far_calls == before + 1, "no faulting far call ran its target");

    put_ptr(8, 0, SEL_GATE_CALL);
    vec = TRY_ASM("rex64 lcall *(%0)", : : "r"(PTR(8)));
    report(vec == -1 && far_calls == before + 2, "lcall through a 64-bit call gate: called, returned");
    put_ptr(4, 0, SEL_GATE_JMP);
    vec = TRY_ASM("ljmp *(%0)\n\tud2\n\t.globl gate_jumped\ngate_jumped:", : : "r"(PTR(4)));
    report(vec == -1, "ljmp through a 64-bit call gate: landed on the gate's target");
    put_ptr(8, 0, SEL_GATE_CALL | 3);
    check_fault(TRY_ASM("rex64 lcall *(%0)", : : "r"(PTR(8))), GP, SEL_GATE_CALL, "lcall, gate DPL 0 < RPL 3");
    put_ptr(8, 0, SEL_TSS);
    check_fault(TRY_ASM("rex64 lcall *(%0)", : : "r"(PTR(8))), GP, SEL_TSS, "lcall to a TSS in long mode");
}

static void table_stores(void)
{
    struct dtr now;
    uint16_t limit;
    uint8_t low;

    asm volatile("sgdt %0" : "=m"(now));
    *ioregsel = 0;
    asm volatile("sgdt (%0)" :: "r"(PTR(2)) : "memory");
    memcpy(&limit, alias_page + 4094, 2);
    low = (uint8_t)*ioregsel;
    report(limit == now.limit && low == (uint8_t)now.base, "sgdt across RAM and MMIO: %#x %#x", limit, low);
    asm volatile("sidt %0" : "=m"(now));
    asm volatile("sidt (%0)" :: "r"(PTR(2)) : "memory");
    memcpy(&limit, alias_page + 4094, 2);
    low = (uint8_t)*ioregsel;
    report(limit == now.limit && low == (uint8_t)now.base, "sidt across RAM and MMIO: %#x %#x", limit, low);
    asm volatile("sldt (%0)" :: "r"(IOAPIC) : "memory");
    report((uint8_t)*ioregsel == 0, "sldt m16: %#x", *ioregsel & 0xff);
    asm volatile("str (%0)" :: "r"(IOAPIC) : "memory");
    report((uint8_t)*ioregsel == 0x30, "str m16: %#x", *ioregsel & 0xff);
    asm volatile("smsw (%0)" :: "r"(IOAPIC) : "memory");
    report((uint8_t)*ioregsel == (uint8_t)read_cr0(), "smsw m16: %#x", *ioregsel & 0xff);
}

static void table_loads(void)
{
    struct dtr saved_g, saved_i, g, i;
    uint16_t ldtr = 0xffff, tr = 0;
    unsigned long flags = read_flags();

    cli();
    asm volatile("sgdt %0; sidt %1" : "=m"(saved_g), "=m"(saved_i));
    put_ptr(2, 0x1234, 0x58);
    asm volatile("lgdt (%2); sgdt %0; lgdt %1" : "=m"(g) : "m"(saved_g), "r"(PTR(2)) : "memory");
    put_ptr(2, 0x0fff, 0x68);
    asm volatile("lidt (%2); sidt %0; lidt %1" : "=m"(i) : "m"(saved_i), "r"(PTR(2)) : "memory");
    sti_if(flags);
    report(g.limit == 0x1234 && g.base == 0x58, "lgdt across RAM and MMIO: %#x %#lx", g.limit, g.base);
    report(i.limit == 0x0fff && i.base == 0x68, "lidt across RAM and MMIO: %#x %#lx", i.limit, i.base);

    *ioregsel = SEL_LDT;
    asm volatile("lldt (%1); sldt %0" : "=r"(ldtr) : "r"(IOAPIC) : "memory");
    report(ldtr == SEL_LDT, "lldt m16: LDTR %#x", ldtr);
    *ioregsel = 0x14;
    check_fault(TRY_ASM("mov (%0), %%gs", : : "r"(IOAPIC)), GP, 0x14, "mov gs, past the LDT limit");
    *ioregsel = 0x0c;
    check_fault(TRY_ASM("mov (%0), %%gs", : : "r"(IOAPIC)), NP, 0x0c, "mov gs, LDT's empty entry");
    *ioregsel = 0x10;
    check_fault(TRY_ASM("lldt (%0)", : : "r"(IOAPIC)), GP, 0x10, "lldt, not an LDT descriptor");
    *ioregsel = 0;
    asm volatile("lldt (%1); sldt %0" : "=r"(ldtr) : "r"(IOAPIC) : "memory");
    report(ldtr == 0, "lldt m16 (null): LDTR %#x", ldtr);

    *ioregsel = SEL_TSS;
    asm volatile("ltr (%1); str %0" : "=r"(tr) : "r"(IOAPIC) : "memory");
    report(tr == SEL_TSS && ((gdt[SEL_TSS / 8] >> 40) & 0xf) == 0xb, "ltr m16: TR %#x, TSS busy", tr);
    check_fault(TRY_ASM("ltr (%0)", : : "r"(IOAPIC)), GP, SEL_TSS, "ltr, busy TSS");
    gdt[0x30 / 8] &= ~(2ull << 40);             /* back to the lib's TSS */
    asm volatile("ltr %w0" :: "r"(0x30));

    *ioregsel = (uint8_t)read_cr0() | 8;
    asm volatile("lmsw (%0)" :: "r"(IOAPIC) : "memory");
    report(read_cr0() & 8, "lmsw m16: CR0.TS set");
    asm volatile("clts");
}

/* VERR/VERW of a selector from RAM and from MMIO (its high byte on
 * IOREGSEL): ZF set if the segment can be read (written) at CPL with the
 * selector's RPL; the present bit is not checked, a system descriptor, an
 * out-of-limit or null selector clear it, nothing faults. */
static bool verify(const void *operand, bool write)
{
    uint8_t zf;
    if (write)
        asm volatile("verw (%1); setz %0" : "=r"(zf) : "r"(operand) : "cc", "memory");
    else
        asm volatile("verr (%1); setz %0" : "=r"(zf) : "r"(operand) : "cc", "memory");
    return zf;
}

static void verr_verw(void)
{
    static const uint16_t sels[] = { 0x0000, 0x0008, 0x0010, 0x0013, 0x0018, 0x0020, 0x0023, 0x0028,
                                     0x002b, SEL_TSS, SEL_NP_DATA, SEL_XONLY, SEL_GATE_CALL, SEL_PAST };

    for (unsigned i = 0; i < sizeof(sels) / sizeof(sels[0]); i++) {
        for (int write = 0; write < 2; write++) {
            uint16_t ram = sels[i];
            bool zf_ram = verify(&ram, write), zf_io;

            *ioregsel = (uint8_t)(sels[i] >> 8);
            memcpy(alias_page + 4095, &sels[i], 1);
            zf_io = verify((void *)(IOAPIC - 1), write);
            report(zf_io == zf_ram, "%s %#06x from MMIO: ZF=%d as from RAM", write ? "verw" : "verr",
                   sels[i], zf_io);
        }
    }
}

int main(void)
{
    setup();
    verr_verw();
    mov_sreg();
    load_far_pointer();
    pop_segment();
    far_transfers();
    table_stores();
    table_loads();
    return report_summary();
}
