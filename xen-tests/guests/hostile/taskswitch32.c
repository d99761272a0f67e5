/*
 * hostile: flavour=32 policies=trap,adaptive native=compare
 *
 * taskswitch32: hardware task switches in 32-bit protected mode (issue 9,
 * finding 14). A far JMP to a TSS selector switches to task B, which jumps
 * back to task A; a far CALL to B nests it (NT set, back link = A) and B's
 * IRET returns. The CPU saves and loads the full register state through
 * the TSSs, sets and clears the busy bits, sets CR0.TS and loads TR. Under
 * SVM the switch is an intercept (0x7D) that the old code did not handle:
 * the domain crashed ("unhandled exit 0x7d"). Bare QEMU performs the switch;
 * so must the hypervisor. A task switch also clears DR7's local enables
 * (L0-L3) and keeps the global ones: with L0 and G1 armed, DR7 must read
 * 0x408 afterwards, also while MOV DR is trapped (the debug core's view of
 * DR7 used to keep L0).
 */
#include "guest.h"

#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_TSS_A 0x18
#define SEL_TSS_B 0x20

struct tss32 {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt, iomap;
} __attribute__((packed));

static uint64_t gdt[5] __attribute__((aligned(8)));
static struct tss32 tss_a, tss_b;
static uint8_t stack_b[4096] __attribute__((aligned(16)));
volatile uint32_t b_runs, b_tr, b_flags, b_link, b_mode;   /* b_mode: 0 JMP back, 1 IRET */

static uint64_t tss_desc(struct tss32 *t)
{
    uint32_t base = (uint32_t)(unsigned long)t;

    return (sizeof(*t) - 1) | ((uint64_t)(base & 0xffffff) << 16) | (0x89ull << 40) |
           ((uint64_t)(base >> 24) << 56);
}

/* Task B: record, then go back to A by JMP or by IRET (NT set by a CALL). */
asm(".text\n"
    ".globl task_b\n"
    "task_b:\n"
    "  call task_b_record\n"
    "  cmpl $0, b_mode\n"
    "  jne 1f\n"
    "  ljmp $0x18, $0\n"
    "  jmp task_b\n"
    "1: iret\n"
    "  jmp task_b\n");
void task_b(void);

void task_b_record(void);
void task_b_record(void)
{
    uint16_t tr;
    unsigned long f = read_flags();

    asm volatile("str %0" : "=r"(tr));
    b_runs++;
    b_tr = tr;
    b_flags = (uint32_t)f;
    b_link = tss_b.link;
}

static unsigned desc_type(unsigned sel) { return (unsigned)(gdt[sel >> 3] >> 40) & 0xf; }

static void record(const char *what)
{
    uint16_t tr;

    asm volatile("str %0" : "=r"(tr));
    printf("%s: b_runs=%u tr_in_b=%#x nt_in_b=%u link=%#x | tr=%#x type_a=%#x type_b=%#x "
           "cr0.ts=%lu nt=%lu\n", what, b_runs, b_tr, (b_flags >> 14) & 1, b_link, tr,
           desc_type(SEL_TSS_A), desc_type(SEL_TSS_B), (read_cr0() >> 3) & 1,
           (read_flags() >> 14) & 1);
}

int main(void)
{
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) d;
    volatile uint32_t keep = 0x5a5a1234;
    uint32_t esi_after;

    gdt[0] = 0;
    gdt[1] = 0x00CF9A000000FFFFull;
    gdt[2] = 0x00CF92000000FFFFull;
    gdt[3] = tss_desc(&tss_a);
    gdt[4] = tss_desc(&tss_b);
    d.limit = sizeof(gdt) - 1;
    d.base = (uint32_t)(unsigned long)gdt;
    asm volatile("lgdt %0" :: "m"(d));
    asm volatile("ltr %w0" :: "r"(SEL_TSS_A));

    tss_b.eip = (uint32_t)(unsigned long)task_b;
    tss_b.eflags = 0x2;
    tss_b.esp = (uint32_t)(unsigned long)(stack_b + sizeof(stack_b));
    tss_b.cs = SEL_CODE;
    tss_b.ss = tss_b.ds = tss_b.es = tss_b.fs = tss_b.gs = SEL_DATA;
    tss_b.iomap = sizeof(tss_b);
    tss_a.iomap = sizeof(tss_a);
    record("before");
    write_dr(0, (unsigned long)task_b + 1);     /* execute breakpoints nothing runs */
    write_dr(1, (unsigned long)task_b + 2);
    write_dr(7, 0x409);                         /* L0 | G1 */

    /* JMP to the TSS: B runs and jumps back; A's registers survive. */
    b_mode = 0;
    asm volatile("mov $0x600dcafe, %%esi\n ljmp $0x20, $0\n mov %%esi, %0"
                 : "=r"(esi_after) :: "esi", "memory");
    record("jmp");
    report(b_runs == 1 && b_tr == SEL_TSS_B && esi_after == 0x600dcafe && keep == 0x5a5a1234,
           "far JMP to a TSS: task B ran with TR=B, task A resumed with its registers");
    report((read_cr0() & 8) != 0, "a task switch sets CR0.TS");
    {
        unsigned long dr7 = read_dr(7);
        report(dr7 == 0x408, "the task switch cleared DR7.L0 and kept G1 (DR7 %#lx)", dr7);
        write_dr(7, 0x400);
    }
    asm volatile("clts");

    asm volatile("ljmp $0x20, $0" ::: "memory");
    record("jmp again");
    report(b_runs == 2 && desc_type(SEL_TSS_A) == 0xb && desc_type(SEL_TSS_B) == 0x9,
           "second JMP resumes B where it left; busy bits follow the running task");

    /* CALL: nested, NT and back link; B's IRET returns. */
    b_mode = 1;
    asm volatile("lcall $0x20, $0" ::: "memory");
    record("call");
    report(b_runs == 3 && ((b_flags >> 14) & 1) && b_link == SEL_TSS_A,
           "far CALL to a TSS: NT set in B, back link = A; IRET returns to A");
    asm volatile("clts");

    /* A task gate in the IDT: INT 0x40 switches to B like a CALL. */
    {
        struct { uint16_t limit; uint32_t base; } __attribute__((packed)) idtr;
        uint64_t *idt;
        asm volatile("sidt %0" : "=m"(idtr));
        idt = (uint64_t *)(unsigned long)idtr.base;
        idt[0x40] = ((uint64_t)SEL_TSS_B << 16) | (0x85ull << 40);
        asm volatile("int $0x40" ::: "memory");
        record("int task gate");
        report(b_runs == 4 && ((b_flags >> 14) & 1) && b_link == SEL_TSS_A,
               "INT through a task gate: B runs nested; IRET returns to A");
        asm volatile("clts");
    }
    return report_summary();
}
