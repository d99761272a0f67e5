/*
 * hostile: pcpus=1 policies=trap,lazy-exit,lazy-sched,adaptive native=compare
 *
 * movdr-rewrite-remap: the same linear address holds a different MOV DR each
 * time it runs (issue 11). A trapped MOV DR gives the hypervisor only the
 * debug register and the direction in its exit code; the general register
 * comes from decoding the instruction, and dbgvisor caches decodes per vCPU.
 * This guest runs a MOV to DR0 at one RIP, then, at that same RIP and CR3:
 *  - rewrites its ModRM byte in place (another source register; then another
 *    debug register, which changes the exit code too);
 *  - remaps the page through its PTE (invlpg) to a page holding another
 *    encoding, and back;
 *  - remaps it one level up, through the page-directory entry, to another
 *    page table;
 *  - adds a REX prefix ahead of it (R8 as the source) on a fresh page;
 *  - maps it through a 2 MiB page-directory entry, then points that entry
 *    at another 2 MiB frame holding another encoding at the same offset,
 *    and back (the decode's walk ends one level up);
 *  - runs the same bytes at the same address in 64-bit mode and in
 *    compatibility mode (a far call through the GDT's 32-bit code segment):
 *    the mode decides the operand size, so RAX's upper half reaches DR0
 *    only in 64-bit mode.
 * On a CPU each run moves whatever register the bytes at RIP name, through
 * whatever page the tables lead to: the record printed (DR0/DR1 after each
 * step) must equal the native one under every policy. A cache keyed on the
 * RIP alone gives the old register's value.
 */
#include "guest.h"

#define WINDOW   (3UL << 39)          /* PML4[3]: tables of our own, 4 KiB pages */
#define PTE_P    0x1
#define PTE_RW   0x2
#define PDE_PS   0x80
#define BIG_A    0x400000UL           /* two free 2 MiB frames of guest RAM */
#define BIG_B    0x600000UL
#define BIG_WINDOW (WINDOW + 0x200000) /* PD[1]: a 2 MiB page */

static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));
static uint64_t pt_a[512] __attribute__((aligned(4096)));
static uint64_t pt_b[512] __attribute__((aligned(4096)));
static uint8_t page_a[4096] __attribute__((aligned(4096)));
static uint8_t page_b[4096] __attribute__((aligned(4096)));
static uint8_t page_c[4096] __attribute__((aligned(4096)));

#define CODE_OFF 0x123                /* the MOV DR's offset in its page */

static uint64_t *pml4(void)
{
    uint64_t cr3;
    asm volatile("mov %%cr3, %0" : "=r"(cr3));
    return (uint64_t *)(cr3 & ~0xfffUL);
}

static void invlpg(unsigned long va)
{
    asm volatile("invlpg (%0)" :: "r"(va) : "memory");
}

/* MOV DR (bytes), then RET, at CODE_OFF of page p. */
static void put(uint8_t *p, const uint8_t *bytes, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[CODE_OFF + i] = bytes[i];
    p[CODE_OFF + n] = 0xc3;
}

static unsigned long target = WINDOW + CODE_OFF;

/* Call the code at target with RAX, RBX, RCX and R8 holding known values. */
static void run(void)
{
    asm volatile("mov $0x1110, %%rax\n\t"
                 "mov $0x2220, %%rbx\n\t"
                 "mov $0x3330, %%rcx\n\t"
                 "mov $0x8880, %%r8\n\t"
                 "call *%0"
                 : : "r"(target) : "rax", "rbx", "rcx", "r8", "memory");
}

static void step(const char *what, unsigned long want_dr0, unsigned long want_dr1)
{
    unsigned long dr0, dr1;

    write_dr0(0);
    write_dr1(0);
    run();
    dr0 = read_dr0();
    dr1 = read_dr1();
    printf("%s: dr0 %#lx dr1 %#lx\n", what, dr0, dr1);
    report(dr0 == want_dr0 && dr1 == want_dr1, "%s", what);
}

/* mov %rax,%dr0 (mov %eax,%dr0 in 32-bit code), then a far RET, whose
 * operand is 32 bits in both modes: the return frame lcall pushed. */
static uint8_t page_d[4096] __attribute__((aligned(4096)));
#define CODE64_SEL 0x08
#define CODE32_SEL 0x18               /* lib/entry64.S: L=0, D=1 */

static void mode_step(const char *what, uint16_t sel, unsigned long want_dr0)
{
    static struct __attribute__((packed)) { uint32_t off; uint16_t sel; } far;
    unsigned long dr0;

    far.off = (uint32_t)(unsigned long)&page_d[CODE_OFF];
    far.sel = sel;
    write_dr0(0);
    asm volatile("movabs $0x100001110, %%rax\n\t"
                 "lcall *%0" : : "m"(far) : "rax", "memory");
    dr0 = read_dr0();
    printf("%s: dr0 %#lx\n", what, dr0);
    report(dr0 == want_dr0, "%s", what);
}

int main(void)
{
    static const uint8_t rax_dr0[] = { 0x0f, 0x23, 0xc0 };     /* mov %rax, %dr0 */
    static const uint8_t rcx_dr0[] = { 0x0f, 0x23, 0xc1 };     /* mov %rcx, %dr0 */
    static const uint8_t r8_dr0[] = { 0x41, 0x0f, 0x23, 0xc0 }; /* mov %r8, %dr0 */
    uint64_t *p4 = pml4();

    put(page_a, rax_dr0, sizeof(rax_dr0));
    put(page_b, rcx_dr0, sizeof(rcx_dr0));
    put(page_c, r8_dr0, sizeof(r8_dr0));
    pt_a[0] = (uint64_t)page_a | PTE_P | PTE_RW;
    pt_b[0] = (uint64_t)page_c | PTE_P | PTE_RW;
    pd[0] = (uint64_t)pt_a | PTE_P | PTE_RW;
    pdpt[0] = (uint64_t)pd | PTE_P | PTE_RW;
    p4[3] = (uint64_t)pdpt | PTE_P | PTE_RW;
    asm volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");

    step("page a, mov %rax,%dr0", 0x1110, 0);
    step("page a again", 0x1110, 0);
    page_a[CODE_OFF + 2] = 0xc3;                 /* ModRM: rm = rbx */
    step("modrm rewritten to %rbx", 0x2220, 0);
    page_a[CODE_OFF + 2] = 0xc8;                 /* ModRM: reg = dr1, rm = rax */
    step("modrm rewritten to %rax,%dr1", 0, 0x1110);
    page_a[CODE_OFF + 2] = 0xc3;
    step("modrm back to %rbx,%dr0", 0x2220, 0);
    pt_a[0] = (uint64_t)page_b | PTE_P | PTE_RW; /* the PTE now leads to page b */
    invlpg(WINDOW);
    step("pte remapped to page b (%rcx)", 0x3330, 0);
    pt_a[0] = (uint64_t)page_a | PTE_P | PTE_RW;
    invlpg(WINDOW);
    step("pte remapped back to page a (%rbx)", 0x2220, 0);
    pd[0] = (uint64_t)pt_b | PTE_P | PTE_RW;     /* the PDE now leads to another table */
    invlpg(WINDOW);
    step("pde remapped to page c (rex, %r8)", 0x8880, 0);
    pd[0] = (uint64_t)pt_a | PTE_P | PTE_RW;
    invlpg(WINDOW);
    step("pde remapped back to page a (%rbx)", 0x2220, 0);

    put((uint8_t *)BIG_A, rax_dr0, sizeof(rax_dr0));
    put((uint8_t *)BIG_B, rcx_dr0, sizeof(rcx_dr0));
    target = BIG_WINDOW + CODE_OFF;
    pd[1] = BIG_A | PDE_PS | PTE_P | PTE_RW;
    invlpg(BIG_WINDOW);
    step("2m page a (%rax)", 0x1110, 0);
    step("2m page a again", 0x1110, 0);
    pd[1] = BIG_B | PDE_PS | PTE_P | PTE_RW;   /* the large leaf now leads elsewhere */
    invlpg(BIG_WINDOW);
    step("2m pde remapped to frame b (%rcx)", 0x3330, 0);
    pd[1] = BIG_A | PDE_PS | PTE_P | PTE_RW;
    invlpg(BIG_WINDOW);
    step("2m pde remapped back to frame a (%rax)", 0x1110, 0);

    page_d[CODE_OFF] = 0x0f, page_d[CODE_OFF + 1] = 0x23, page_d[CODE_OFF + 2] = 0xc0;
    page_d[CODE_OFF + 3] = 0xcb;
    mode_step("64-bit code, mov %rax,%dr0", CODE64_SEL, 0x100001110UL);
    mode_step("the same bytes in compatibility mode, %eax", CODE32_SEL, 0x1110);
    mode_step("64-bit again", CODE64_SEL, 0x100001110UL);
    mode_step("compatibility mode again", CODE32_SEL, 0x1110);
    write_dr0(0);
    return report_summary();
}
