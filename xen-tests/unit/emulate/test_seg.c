/*
 * Segment and descriptor-table instructions through the whole MMIO
 * emulator (hvm_emulate_insn on fake RAM, the operand in a fake device):
 * MOV Sreg,m16, LES, far CALL/JMP, LTR/LLDT, SGDT/LGDT/SMSW, with the
 * descriptor checks and error codes of the SDM/APM and UMIP/CPL checks.
 * 32-bit protected mode without paging unless a case says otherwise.
 */
#include <string.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <dbgvisor/domain.h>
#include "tests.h"

#define GDT     0x1000u
#define CODE    0x3000u
#define STACK   0x8000u
#define DISP    0x00, 0x00, 0xc0, 0xfe          /* disp32 = FAKE_MMIO_BASE */

static struct vmcb_save *save(void)
{
    return &fake_vcpu.arch.vmcb->save;
}

static void gdt_set(unsigned sel, uint64_t desc)
{
    memcpy(fake_ram + GDT + (sel & ~7u), &desc, 8);
}

static uint64_t gdt_get(unsigned sel)
{
    uint64_t d;
    memcpy(&d, fake_ram + GDT + (sel & ~7u), 8);
    return d;
}

static void setup32(void)
{
    struct vmcb_save *s;

    fake_reset();
    s = save();
    s->cr0 = X86_CR0_PE;
    s->cs.sel = 0x08;
    s->cs.attrib = 0xc9b;                   /* 32-bit code */
    s->ss.attrib = 0xc93;                   /* B: 32-bit stack */
    s->gdtr.base = GDT;
    s->gdtr.limit = 0x4f;
    s->rip = CODE;
    fake_vcpu.arch.gpr[GPR_RSP] = STACK;
    gdt_set(0x08, 0x00CF9A000000FFFFull);   /* code, DPL 0 */
    gdt_set(0x10, 0x00CF92000000FFFFull);   /* data, accessed clear */
    gdt_set(0x18, 0x12CF92345600FFFFull);   /* data, base 0x12345600 */
    gdt_set(0x20, 0x00CF12000000FFFFull);   /* data, not present */
    gdt_set(0x28, 0x0000EC0000080000ull);   /* call gate */
    gdt_set(0x30, 0x0000890020000067ull);   /* 32-bit TSS, available, base 0x2000 */
    gdt_set(0x38, 0x00CFF2000000FFFFull);   /* data, DPL 3 */
    gdt_set(0x40, 0x0000820030000017ull);   /* LDT at 0x3000 */
}

static void run(const uint8_t *b, size_t n)
{
    memcpy(fake_ram + save()->rip, b, n);
    hvm_emulate_insn(&fake_vcpu, FAKE_MMIO_BASE, "test");
}
#define RUN(...) do { static const uint8_t b_[] = { __VA_ARGS__ }; run(b_, sizeof(b_)); } while (0)

static void put_sel(uint16_t sel, unsigned at)
{
    memcpy(fake_mmio + at, &sel, 2);
}

static void assert_fault(int vector, uint32_t error)
{
    CU_ASSERT_EQUAL(injected_vector, vector);
    CU_ASSERT_EQUAL(injected_error, error);
    CU_ASSERT_EQUAL(save()->rip, CODE);     /* faults leave RIP at the instruction */
}

static void test_mov_ds(void)
{
    setup32();
    put_sel(0x18, 0);
    RUN(0x8e, 0x1d, DISP);                  /* mov ds, [mmio] */
    CU_ASSERT_EQUAL(injected_vector, -1);
    CU_ASSERT_EQUAL(save()->ds.sel, 0x18);
    CU_ASSERT_EQUAL(save()->ds.base, 0x12345600);
    CU_ASSERT_EQUAL(save()->ds.limit, 0xffffffff);
    CU_ASSERT_EQUAL(save()->ds.attrib, 0xc93);  /* accessed */
    CU_ASSERT((gdt_get(0x18) & (1ull << 40)) != 0);
    CU_ASSERT_EQUAL(save()->rip, CODE + 6);
}

static void test_mov_sreg_faults(void)
{
    setup32();
    put_sel(0x50, 0);                       /* past the limit */
    RUN(0x8e, 0x1d, DISP);
    assert_fault(X86_EXC_GP, 0x50);
    setup32();
    put_sel(0x20, 0);                       /* not present: #NP */
    RUN(0x8e, 0x05, DISP);                  /* mov es */
    assert_fault(X86_EXC_NP, 0x20);
    setup32();
    put_sel(0x23, 0);                       /* RPL 3 above DPL 0: #GP first, RPL cleared */
    RUN(0x8e, 0x05, DISP);
    assert_fault(X86_EXC_GP, 0x20);
    setup32();
    put_sel(0x20, 0);
    RUN(0x8e, 0x15, DISP);                  /* mov ss: #SS */
    assert_fault(X86_EXC_SS, 0x20);
    setup32();
    put_sel(0x08, 0);
    RUN(0x8e, 0x15, DISP);                  /* code in SS */
    assert_fault(X86_EXC_GP, 0x08);
    setup32();
    put_sel(0, 0);
    RUN(0x8e, 0x15, DISP);                  /* null SS outside 64-bit code */
    assert_fault(X86_EXC_GP, 0);
    setup32();
    save()->cpl = 3;
    put_sel(0x13, 0);                       /* DPL 0 data at CPL 3 */
    RUN(0x8e, 0x25, DISP);                  /* mov fs */
    assert_fault(X86_EXC_GP, 0x10);
    setup32();
    RUN(0x8e, 0x0d, DISP);                  /* mov cs: #UD */
    assert_fault(X86_EXC_UD, 0);
}

static void test_mov_ss_shadow(void)
{
    setup32();
    put_sel(0x10, 0);
    RUN(0x8e, 0x15, DISP);
    CU_ASSERT_EQUAL(injected_vector, -1);
    CU_ASSERT_EQUAL(save()->ss.sel, 0x10);
    CU_ASSERT_EQUAL(fake_vcpu.arch.vmcb->control.int_state & 1, 1);
}

static void test_les(void)
{
    setup32();
    fake_vcpu.arch.gpr[GPR_RAX] = 0xffffffff00000000ull;
    memcpy(fake_mmio, "\x78\x56\x34\x12", 4);
    put_sel(0x10, 4);
    RUN(0xc4, 0x05, DISP);                  /* les eax, [mmio] */
    CU_ASSERT_EQUAL(injected_vector, -1);
    CU_ASSERT_EQUAL(fake_vcpu.arch.gpr[GPR_RAX], 0x12345678);
    CU_ASSERT_EQUAL(save()->es.sel, 0x10);
    CU_ASSERT_EQUAL(save()->rip, CODE + 6);
}

static void test_far_call(void)
{
    uint32_t pushed[2];

    setup32();
    save()->cs.sel = 0x08;
    memcpy(fake_mmio, "\x00\x50\x00\x00", 4);
    put_sel(0x08, 4);
    RUN(0xff, 0x1d, DISP);                  /* lcall [mmio] */
    CU_ASSERT_EQUAL(injected_vector, -1);
    CU_ASSERT_EQUAL(save()->rip, 0x5000);
    CU_ASSERT_EQUAL(save()->cs.sel, 0x08);
    CU_ASSERT_EQUAL(fake_vcpu.arch.gpr[GPR_RSP], STACK - 8);
    memcpy(pushed, fake_ram + STACK - 8, 8);
    CU_ASSERT_EQUAL(pushed[0], CODE + 6);   /* return EIP, then CS */
    CU_ASSERT_EQUAL(pushed[1], 0x08);
}

/* Through a 32-bit call gate (the pointer's offset ignored): CS:EIP from
 * the gate, 4-byte pushes; a 16-bit gate pushes 2 bytes; the gate's DPL
 * below the selector's RPL is #GP(gate); a non-present one #NP(gate). */
static void test_call_gate(void)
{
    uint32_t pushed[2];
    uint16_t pushed16[2];

    setup32();
    gdt_set(0x28, 0x00008C0000086000ull);   /* 32-bit call gate, DPL 0: 0x08:0x6000 */
    memcpy(fake_mmio, "\x00\x50\x00\x00", 4);
    put_sel(0x28, 4);
    RUN(0xff, 0x1d, DISP);                  /* lcall [mmio] */
    CU_ASSERT_EQUAL(injected_vector, -1);
    CU_ASSERT_EQUAL(save()->rip, 0x6000);
    CU_ASSERT_EQUAL(save()->cs.sel, 0x08);
    memcpy(pushed, fake_ram + STACK - 8, 8);
    CU_ASSERT_EQUAL(pushed[0], CODE + 6);
    CU_ASSERT_EQUAL(pushed[1], 0x08);

    setup32();
    gdt_set(0x28, 0x0000840000086000ull);   /* 16-bit call gate */
    put_sel(0x28, 4);
    RUN(0xff, 0x1d, DISP);
    CU_ASSERT_EQUAL(save()->rip, 0x6000);
    CU_ASSERT_EQUAL(fake_vcpu.arch.gpr[GPR_RSP], STACK - 4);
    memcpy(pushed16, fake_ram + STACK - 4, 4);
    CU_ASSERT_EQUAL(pushed16[0], CODE + 6);
    CU_ASSERT_EQUAL(pushed16[1], 0x08);

    setup32();
    gdt_set(0x28, 0x00008C0000086000ull);
    put_sel(0x2b, 4);                       /* RPL 3 > gate DPL 0 */
    RUN(0xff, 0x2d, DISP);                  /* ljmp [mmio] */
    assert_fault(X86_EXC_GP, 0x28);

    setup32();
    gdt_set(0x28, 0x00000C0000086000ull);   /* not present */
    put_sel(0x28, 4);
    RUN(0xff, 0x2d, DISP);
    assert_fault(X86_EXC_NP, 0x28);
}

static void test_far_jmp_faults(void)
{
    setup32();
    put_sel(0x10, 4);                       /* data segment */
    RUN(0xff, 0x2d, DISP);
    assert_fault(X86_EXC_GP, 0x10);
    setup32();
    put_sel(0, 4);
    RUN(0xff, 0x2d, DISP);
    assert_fault(X86_EXC_GP, 0);
    setup32();
    gdt_set(0x48, 0x00CF1A000000FFFFull);   /* code, not present */
    save()->gdtr.limit = 0x4f;
    put_sel(0x48, 4);
    RUN(0xff, 0x1d, DISP);                  /* lcall: no push before #NP */
    assert_fault(X86_EXC_NP, 0x48);
    CU_ASSERT_EQUAL(fake_vcpu.arch.gpr[GPR_RSP], STACK);
    setup32();
    gdt_set(0x08, 0x00409A0000000FFFull);  /* limit 0xfff */
    memcpy(fake_mmio, "\x00\x10\x00\x00", 4);   /* 0x1000: past the limit */
    put_sel(0x08, 4);
    RUN(0xff, 0x2d, DISP);
    assert_fault(X86_EXC_GP, 0);
}

static void test_far_jmp_real_mode(void)
{
    fake_reset();
    save()->rip = CODE;
    memcpy(fake_ram + 0x100, "\x34\x12\x00\xf0", 4);    /* f000:1234 */
    run((const uint8_t[]){ 0xff, 0x2e, 0x00, 0x01 }, 4);  /* ljmp [0x100] */
    CU_ASSERT_EQUAL(injected_vector, -1);
    CU_ASSERT_EQUAL(save()->cs.sel, 0xf000);
    CU_ASSERT_EQUAL(save()->cs.base, 0xf0000);
    CU_ASSERT_EQUAL(save()->rip, 0x1234);
}

static void test_ltr_lldt(void)
{
    setup32();
    put_sel(0x30, 0);
    RUN(0x0f, 0x00, 0x1d, DISP);            /* ltr [mmio] */
    CU_ASSERT_EQUAL(injected_vector, -1);
    CU_ASSERT_EQUAL(save()->tr.sel, 0x30);
    CU_ASSERT_EQUAL(save()->tr.base, 0x2000);
    CU_ASSERT_EQUAL(save()->tr.attrib & 0xf, 0xb);      /* busy */
    CU_ASSERT_EQUAL((gdt_get(0x30) >> 40) & 0xf, 0xb);
    save()->rip = CODE;
    RUN(0x0f, 0x00, 0x1d, DISP);            /* busy now: #GP(sel) */
    assert_fault(X86_EXC_GP, 0x30);
    setup32();
    put_sel(0, 0);
    RUN(0x0f, 0x00, 0x1d, DISP);            /* null: #GP(0) (QEMU loads it) */
    assert_fault(X86_EXC_GP, 0);
    setup32();
    put_sel(0x40, 0);
    RUN(0x0f, 0x00, 0x15, DISP);            /* lldt */
    CU_ASSERT_EQUAL(injected_vector, -1);
    CU_ASSERT_EQUAL(save()->ldtr.sel, 0x40);
    CU_ASSERT_EQUAL(save()->ldtr.base, 0x3000);
    CU_ASSERT_EQUAL(save()->ldtr.limit, 0x17);
    setup32();
    put_sel(0x10, 0);
    RUN(0x0f, 0x00, 0x15, DISP);            /* not an LDT */
    assert_fault(X86_EXC_GP, 0x10);
    setup32();
    save()->cpl = 3;
    put_sel(0x40, 0);
    RUN(0x0f, 0x00, 0x15, DISP);
    assert_fault(X86_EXC_GP, 0);
    fake_reset();                            /* real mode: #UD */
    save()->rip = CODE;
    run((const uint8_t[]){ 0x0f, 0x00, 0x16, 0x00, 0x01 }, 5);
    assert_fault(X86_EXC_UD, 0);
}

/* VERR (0f 00 /4) / VERW (/5) [mmio]: ZF = the segment's accessibility. */
static bool verify(uint16_t sel, bool write)
{
    setup32();
    save()->rflags = write ? 0x2 : 0x2 | 0x40;  /* ZF the opposite of most answers */
    put_sel(sel, 0);
    if (write)
        RUN(0x0f, 0x00, 0x2d, DISP);
    else
        RUN(0x0f, 0x00, 0x25, DISP);
    CU_ASSERT_EQUAL(injected_vector, -1);
    CU_ASSERT_EQUAL(save()->rip, CODE + 7);
    return save()->rflags & 0x40;
}

static void test_verr_verw(void)
{
    CU_ASSERT(verify(0x10, false));             /* data: readable */
    CU_ASSERT(verify(0x10, true));              /* and writable */
    CU_ASSERT(verify(0x08, false));             /* readable code */
    CU_ASSERT(!verify(0x08, true));             /* code is never writable */
    CU_ASSERT(verify(0x20, false));             /* not present: not checked */
    CU_ASSERT(!verify(0x13, false));            /* RPL 3 above DPL 0 */
    CU_ASSERT(verify(0x3b, true));              /* DPL 3, RPL 3 */
    CU_ASSERT(!verify(0x30, false));            /* TSS: a system descriptor */
    CU_ASSERT(!verify(0x28, false));            /* call gate */
    CU_ASSERT(!verify(0x00, false));            /* null */
    CU_ASSERT(!verify(0x50, false));            /* past the GDT limit: no #GP */
    setup32();
    save()->cpl = 3;
    save()->cs.sel = 0x0b;
    put_sel(0x10, 0);
    RUN(0x0f, 0x00, 0x25, DISP);                /* CPL 3 above DPL 0 */
    CU_ASSERT_EQUAL(save()->rflags & 0x40, 0);
    setup32();
    save()->cr0 = 0;
    RUN(0x0f, 0x00, 0x25, DISP);                /* real mode: #UD */
    CU_ASSERT_EQUAL(injected_vector, X86_EXC_UD);
}

/* POPF (9D) with the stack in the device at CPL 3, IOPL 0: CF loads, IF and
 * IOPL stay; at CPL 0 both load. PUSHF stores RF clear. */
static void test_popf_pushf_privilege(void)
{
    uint32_t val = 0x3001;                      /* IOPL 3, CF; IF clear */

    setup32();
    save()->ss.limit = 0xffffffff;
    save()->cpl = 3;
    save()->rflags = 0x202;
    fake_vcpu.arch.gpr[GPR_RSP] = FAKE_MMIO_BASE;
    memcpy(fake_mmio, &val, 4);
    RUN(0x9d);
    CU_ASSERT_EQUAL(injected_vector, -1);
    CU_ASSERT_EQUAL(save()->rflags, 0x203);
    CU_ASSERT_EQUAL(fake_vcpu.arch.gpr[GPR_RSP], FAKE_MMIO_BASE + 4);
    setup32();
    save()->ss.limit = 0xffffffff;
    save()->rflags = 0x202;
    fake_vcpu.arch.gpr[GPR_RSP] = FAKE_MMIO_BASE;
    memcpy(fake_mmio, &val, 4);
    RUN(0x9d);                                  /* CPL 0: IF and IOPL load too */
    CU_ASSERT_EQUAL(save()->rflags, 0x3003);
    setup32();
    save()->ss.limit = 0xffffffff;
    save()->rflags = 0x10203;                   /* RF */
    fake_vcpu.arch.gpr[GPR_RSP] = FAKE_MMIO_BASE + 4;
    RUN(0x9c);
    memcpy(&val, fake_mmio, 4);
    CU_ASSERT_EQUAL(val, 0x203);
    CU_ASSERT_EQUAL(fake_vcpu.arch.gpr[GPR_RSP], FAKE_MMIO_BASE);
}

static void test_table_registers(void)
{
    uint16_t limit;
    uint32_t base;

    setup32();
    RUN(0x0f, 0x01, 0x05, DISP);            /* sgdt [mmio] */
    memcpy(&limit, fake_mmio, 2);
    memcpy(&base, fake_mmio + 2, 4);
    CU_ASSERT_EQUAL(limit, 0x4f);
    CU_ASSERT_EQUAL(base, GDT);
    setup32();
    save()->cpl = 3;
    save()->cr4 = 1u << 11;                  /* UMIP */
    RUN(0x0f, 0x01, 0x25, DISP);            /* smsw at CPL 3 */
    assert_fault(X86_EXC_GP, 0);
    setup32();
    save()->cpl = 3;
    save()->cr0 |= 0x10;
    RUN(0x0f, 0x01, 0x25, DISP);            /* without UMIP: stored */
    CU_ASSERT_EQUAL(injected_vector, -1);
    CU_ASSERT_EQUAL(fake_mmio[0], 0x11);
    setup32();
    memcpy(fake_mmio, "\xff\x07\x00\x00\x40\x00", 6);
    RUN(0x0f, 0x01, 0x1d, DISP);            /* lidt [mmio] */
    CU_ASSERT_EQUAL(save()->idtr.limit, 0x7ff);
    CU_ASSERT_EQUAL(save()->idtr.base, 0x400000);
    setup32();
    save()->cpl = 3;
    RUN(0x0f, 0x01, 0x15, DISP);            /* lgdt at CPL 3 */
    assert_fault(X86_EXC_GP, 0);
    CU_ASSERT_EQUAL(save()->gdtr.base, GDT);
}

void register_seg_tests(void)
{
    static const struct { const char *name; void (*fn)(void); } tests[] = {
        { "mov ds,m16: descriptor loaded, accessed bit set", test_mov_ds },
        { "mov sreg faults: #GP/#NP/#SS with the selector, #UD for CS", test_mov_sreg_faults },
        { "mov ss,m16 shadows the next instruction", test_mov_ss_shadow },
        { "les: offset to the register, selector to ES", test_les },
        { "far call m16:32: CS and EIP pushed, CS loaded", test_far_call },
        { "far jmp/call faults", test_far_jmp_faults },
        { "far call/jmp through a call gate", test_call_gate },
        { "far jmp in real mode: base = selector << 4", test_far_jmp_real_mode },
        { "ltr/lldt: busy TSS, type, CPL and mode checks", test_ltr_lldt },
        { "sgdt/smsw/lidt/lgdt: UMIP and CPL", test_table_registers },
        { "verr/verw: ZF by type, DPL, CPL and RPL, never a fault", test_verr_verw },
        { "popf/pushf on an MMIO stack: privilege rules, RF", test_popf_pushf_privilege },
    };
    CU_pSuite s = CU_add_suite("segment and table instructions on MMIO", NULL, NULL);

    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
        CU_add_test(s, tests[i].name, tests[i].fn);
}
