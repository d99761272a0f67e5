/*
 * The guest page walker (hypervisor/arch/x86/hvm/guest_walk.c) on tables in
 * fake guest RAM: the rights of U/S, R/W with CR0.WP, NX with EFER.NXE,
 * SMEP and SMAP (EFLAGS.AC, implicit accesses), the #PF error code's P, W,
 * U, RSVD and I/D, and Accessed/Dirty: A in every level walked, D in the
 * leaf for writes, nothing for a faulting leaf or a probe. The expected
 * values are the architecture's (AMD APM vol. 2 §5.6, §5.7; QEMU TCG's
 * SMAP rule for implicit accesses), written out per case.
 */
#include <string.h>
#include <asm/decode.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <dbgvisor/domain.h>
#include "tests.h"

#define P   0x001ull
#define RW  0x002ull
#define US  0x004ull
#define A   0x020ull
#define D   0x040ull
#define NX  (1ull << 63)
#define CR0_WP (1ull << 16)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)
#define EFL_AC (1ull << 18)

#define PML4 0x1000
#define PDPT 0x2000
#define PD   0x3000
#define PT   0x4000
#define VA(i) (0x400000ull + (i) * 0x1000ull)
#define PA(i) (0x100000ull + (i) * 0x1000ull)

static struct vmcb_save *save(void) { return &fake_vcpu.arch.vmcb->save; }

static uint64_t *entry(uint64_t gpa) { return (uint64_t *)(fake_ram + gpa); }

/* 4-level paging, CR0.WP set, tables whose upper levels are P|RW|US. */
static void long_mode(void)
{
    fake_reset();
    save()->cr0 = X86_CR0_PE | X86_CR0_PG | CR0_WP;
    save()->cr4 = X86_CR4_PAE;
    save()->efer = EFER_LME | EFER_LMA;
    save()->cr3 = PML4;
    *entry(PML4) = PDPT | P | RW | US;
    *entry(PDPT) = PD | P | RW | US;
    *entry(PD + 2 * 8) = PT | P | RW | US;
}

static void map(unsigned i, uint64_t flags)
{
    *entry(PT + i * 8) = PA(i) | flags;
}

static uint64_t leaf(unsigned i) { return *entry(PT + i * 8); }

/* Translates VA(i) + 0x10; returns the error code, or ~0u for success (the gpa checked). */
static uint32_t walk(unsigned i, unsigned access)
{
    uint64_t gpa = 0;
    uint32_t err = 0xdead;

    if (guest_translate(&fake_vcpu, VA(i) + 0x10, access, &gpa, &err) == GW_OK) {
        CU_ASSERT_EQUAL(gpa, PA(i) + 0x10);
        return ~0u;
    }
    return err;
}

static void test_write_protect(void)
{
    long_mode();
    map(0, P);                                          /* read-only, supervisor */
    CU_ASSERT_EQUAL(walk(0, GA_READ), ~0u);
    CU_ASSERT_EQUAL(walk(0, GA_WRITE), PF_PRESENT | PF_WRITE);
    save()->cr0 &= ~CR0_WP;
    CU_ASSERT_EQUAL(walk(0, GA_WRITE), ~0u);            /* the supervisor may write */
    save()->cpl = 3;
    map(1, P | US);
    CU_ASSERT_EQUAL(walk(1, GA_WRITE), PF_PRESENT | PF_WRITE | PF_USER);   /* WP or not */
    /* read-only at an upper level counts as well */
    map(2, P | RW | US);
    *entry(PDPT) &= ~RW;
    CU_ASSERT_EQUAL(walk(2, GA_WRITE), PF_PRESENT | PF_WRITE | PF_USER);
}

static void test_user_supervisor(void)
{
    long_mode();
    map(0, P | RW);
    map(1, P | RW | US);
    save()->cpl = 3;
    CU_ASSERT_EQUAL(walk(0, GA_READ), PF_PRESENT | PF_USER);
    CU_ASSERT_EQUAL(walk(0, GA_WRITE), PF_PRESENT | PF_WRITE | PF_USER);
    CU_ASSERT_EQUAL(walk(1, GA_WRITE), ~0u);
    /* an implicit access (descriptor tables) is a supervisor one at any CPL */
    CU_ASSERT_EQUAL(walk(0, GA_READ | GA_IMPLICIT), ~0u);
    /* U/S clear at an upper level makes the whole range supervisor */
    *entry(PML4) &= ~US;
    CU_ASSERT_EQUAL(walk(1, GA_READ), PF_PRESENT | PF_USER);
    /* not present: no P, but W and U */
    save()->cpl = 3;
    *entry(PML4) |= US;
    map(3, 0);
    CU_ASSERT_EQUAL(walk(3, GA_WRITE), PF_WRITE | PF_USER);
}

static void test_no_execute(void)
{
    long_mode();
    map(0, P | RW | NX);
    CU_ASSERT_EQUAL(walk(0, GA_FETCH), PF_PRESENT | PF_RSVD);   /* NXE off: bit 63 reserved */
    save()->efer |= EFER_NXE;
    CU_ASSERT_EQUAL(walk(0, GA_FETCH), PF_PRESENT | PF_FETCH);
    CU_ASSERT_EQUAL(walk(0, GA_READ), ~0u);
    /* NX in an upper level */
    map(1, P | RW);
    *entry(PD + 2 * 8) |= NX;
    CU_ASSERT_EQUAL(walk(1, GA_FETCH), PF_PRESENT | PF_FETCH);
    *entry(PD + 2 * 8) &= ~NX;
    CU_ASSERT_EQUAL(walk(1, GA_FETCH), ~0u);
    /* a fetch from a page not present carries I/D (NXE is on) */
    map(2, 0);
    CU_ASSERT_EQUAL(walk(2, GA_FETCH), PF_FETCH);
}

static void test_smep_smap(void)
{
    long_mode();
    map(0, P | RW | US);
    CU_ASSERT_EQUAL(walk(0, GA_FETCH), ~0u);
    save()->cr4 |= CR4_SMEP;                            /* I/D set with SMEP even without NXE */
    CU_ASSERT_EQUAL(walk(0, GA_FETCH), PF_PRESENT | PF_FETCH);
    save()->cpl = 3;
    CU_ASSERT_EQUAL(walk(0, GA_FETCH), ~0u);            /* SMEP is about supervisor fetches */
    save()->cpl = 0;
    save()->cr4 = X86_CR4_PAE | CR4_SMAP;
    CU_ASSERT_EQUAL(walk(0, GA_READ), PF_PRESENT);
    CU_ASSERT_EQUAL(walk(0, GA_WRITE), PF_PRESENT | PF_WRITE);
    save()->rflags |= EFL_AC;                           /* STAC: explicit accesses pass */
    CU_ASSERT_EQUAL(walk(0, GA_READ), ~0u);
    CU_ASSERT_EQUAL(walk(0, GA_READ | GA_IMPLICIT), ~0u);   /* below CPL 3 AC counts (QEMU) */
    save()->cpl = 3;
    CU_ASSERT_EQUAL(walk(0, GA_READ | GA_IMPLICIT), PF_PRESENT);   /* implicit at CPL 3: never */
    CU_ASSERT_EQUAL(walk(0, GA_READ), ~0u);             /* a user access is no SMAP matter */
    /* a supervisor page is untouched by SMAP */
    save()->cpl = 0;
    save()->rflags = 0;
    map(1, P | RW);
    CU_ASSERT_EQUAL(walk(1, GA_WRITE), ~0u);
}

static void test_accessed_dirty(void)
{
    long_mode();
    map(0, P | RW);
    CU_ASSERT_EQUAL(walk(0, GA_READ), ~0u);
    CU_ASSERT_EQUAL(leaf(0) & (A | D), A);
    CU_ASSERT(*entry(PML4) & A);
    CU_ASSERT(*entry(PDPT) & A);
    CU_ASSERT(*entry(PD + 2 * 8) & A);
    CU_ASSERT_EQUAL(walk(0, GA_WRITE), ~0u);
    CU_ASSERT_EQUAL(leaf(0) & (A | D), A | D);
    /* a faulting leaf keeps its bits; the levels above were used and get A */
    map(1, P);
    *entry(PML4) &= ~A;
    CU_ASSERT_EQUAL(walk(1, GA_WRITE), PF_PRESENT | PF_WRITE);
    CU_ASSERT_EQUAL(leaf(1) & (A | D), 0);
    CU_ASSERT(*entry(PML4) & A);
    /* D only in the leaf */
    CU_ASSERT_EQUAL(*entry(PD + 2 * 8) & D, 0);
    /* the debugger's probe changes nothing and checks no rights */
    map(2, P);
    CU_ASSERT_EQUAL(walk(2, GA_PROBE | GA_WRITE), ~0u);
    CU_ASSERT_EQUAL(leaf(2) & (A | D), 0);
}

static void test_2m_page(void)
{
    uint64_t gpa;
    uint32_t err;

    long_mode();
    *entry(PD + 3 * 8) = 0x800000 | P | RW | US | 0x80;     /* 2 MiB page at VA 6 MiB */
    CU_ASSERT_EQUAL(guest_translate(&fake_vcpu, 0x612345, GA_WRITE, &gpa, &err), GW_OK);
    CU_ASSERT_EQUAL(gpa, 0x812345);
    CU_ASSERT_EQUAL(*entry(PD + 3 * 8) & (A | D), A | D);
    *entry(PD + 3 * 8) &= ~RW;
    CU_ASSERT_EQUAL(guest_translate(&fake_vcpu, 0x612345, GA_WRITE, &gpa, &err), GW_FAULT);
    CU_ASSERT_EQUAL(err, PF_PRESENT | PF_WRITE);
}

/* 32-bit paging: no NX, so a fetch fault has no I/D unless SMEP is on. */
static void test_32bit(void)
{
    uint64_t gpa;
    uint32_t err;

    fake_reset();
    save()->cr0 = X86_CR0_PE | X86_CR0_PG | CR0_WP;
    save()->cr3 = PML4;
    save()->efer = EFER_NXE;
    *(uint32_t *)(fake_ram + PML4 + 1 * 4) = PT | P | RW | US;      /* VA 4 MiB */
    *(uint32_t *)(fake_ram + PT) = PA(0) | P | US;
    save()->cpl = 3;
    CU_ASSERT_EQUAL(guest_translate(&fake_vcpu, 0x400010, GA_WRITE, &gpa, &err), GW_FAULT);
    CU_ASSERT_EQUAL(err, PF_PRESENT | PF_WRITE | PF_USER);
    CU_ASSERT_EQUAL(guest_translate(&fake_vcpu, 0x400010, GA_READ, &gpa, &err), GW_OK);
    CU_ASSERT_EQUAL(*(uint32_t *)(fake_ram + PT) & A, A);
    CU_ASSERT_EQUAL(*(uint32_t *)(fake_ram + PML4 + 4) & A, A);
    *(uint32_t *)(fake_ram + PT) = 0;
    CU_ASSERT_EQUAL(guest_translate(&fake_vcpu, 0x400010, GA_FETCH, &gpa, &err), GW_FAULT);
    CU_ASSERT_EQUAL(err, PF_USER);                      /* no I/D: NX does not exist here */
}

/* An access straddling two pages faults as a whole, before any byte moves. */
static void test_straddle(void)
{
    uint32_t val = 0x11223344;

    long_mode();
    save()->cs.attrib = 0x29b;
    map(0, P | RW);
    map(1, P);                                          /* read-only */
    memset(fake_ram + PA(0), 0, 0x1000);
    CU_ASSERT_FALSE(guest_access_linear(&fake_vcpu, X86_SEG_DS, VA(0) + 0xffe, &val, 4, GA_WRITE));
    CU_ASSERT_EQUAL(injected_vector, X86_EXC_PF);
    CU_ASSERT_EQUAL(injected_error, PF_PRESENT | PF_WRITE);
    CU_ASSERT_EQUAL(save()->cr2, VA(1));
    CU_ASSERT_EQUAL(fake_ram[PA(0) + 0xffe], 0);
    map(1, P | RW);
    CU_ASSERT_TRUE(guest_access_linear(&fake_vcpu, X86_SEG_DS, VA(0) + 0xffe, &val, 4, GA_WRITE));
    CU_ASSERT_EQUAL(fake_ram[PA(0) + 0xffe], 0x44);
    CU_ASSERT_EQUAL(fake_ram[PA(1) + 1], 0x11);
}

/* The traced walk (for decode caches) records each entry read, changes nothing. */
static void test_trace(void)
{
    struct guest_walk_trace t;
    uint64_t gpa;

    long_mode();
    map(0, P);
    CU_ASSERT_EQUAL(guest_translate_traced(&fake_vcpu, VA(0), &gpa, NULL, &t), GW_OK);
    CU_ASSERT_EQUAL(t.n, 4);
    CU_ASSERT_EQUAL(t.gpa[0], PML4);
    CU_ASSERT_EQUAL(t.gpa[3], PT);
    CU_ASSERT_EQUAL(t.val[3], PA(0) | P);
    CU_ASSERT_EQUAL(t.size[3], 8);
    CU_ASSERT_EQUAL(leaf(0) & A, 0);
}

/* guest_read_linear's kinds: a system-table read is a supervisor access
 * whatever the CPL (SMAP still applies at CPL 3) and sets A; the debugger's
 * read checks nothing and sets nothing; neither injects a fault. */
static void test_read_kinds(void)
{
    uint64_t buf = 0;

    long_mode();
    save()->cpl = 3;
    map(0, P);                                          /* a supervisor page (an IDT) */
    *(uint64_t *)(fake_ram + PA(0)) = 0x1122334455667788ull;
    CU_ASSERT_EQUAL(guest_read_linear(&fake_vcpu, VA(0), &buf, 8, GR_DEBUGGER), 8);
    CU_ASSERT_EQUAL(buf, 0x1122334455667788ull);
    CU_ASSERT_EQUAL(leaf(0) & A, 0);
    CU_ASSERT_EQUAL(guest_read_linear(&fake_vcpu, VA(0), &buf, 8, GR_SYSTEM), 8);
    CU_ASSERT_EQUAL(leaf(0) & A, A);
    save()->cr4 |= CR4_SMAP;
    save()->rflags = EFL_AC;
    map(1, P | US);                                     /* a user page under SMAP */
    CU_ASSERT_EQUAL(guest_read_linear(&fake_vcpu, VA(1), &buf, 8, GR_SYSTEM), 0);
    CU_ASSERT_EQUAL(leaf(1) & A, 0);
    CU_ASSERT_EQUAL(guest_read_linear(&fake_vcpu, VA(1), &buf, 8, GR_DEBUGGER), 8);
    map(2, 0);                                          /* not present */
    CU_ASSERT_EQUAL(guest_read_linear(&fake_vcpu, VA(2), &buf, 8, GR_SYSTEM), 0);
    CU_ASSERT_EQUAL(injected_vector, -1);               /* the caller decides */
}

void register_walk_tests(void)
{
    static const struct unit_test tests[] = {
        { "R/W with CR0.WP", test_write_protect },
        { "read kinds: system and debugger", test_read_kinds },
        { "U/S, implicit accesses, not present", test_user_supervisor },
        { "NX with EFER.NXE", test_no_execute },
        { "SMEP and SMAP", test_smep_smap },
        { "Accessed and Dirty", test_accessed_dirty },
        { "2 MiB page", test_2m_page },
        { "32-bit paging", test_32bit },
        { "an access straddling pages", test_straddle },
        { "the traced walk", test_trace },
    };
    add_suite("guest page walker", tests, sizeof(tests) / sizeof(tests[0]));
}
