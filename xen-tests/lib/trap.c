/* IDT, exception dispatch, TRY_ASM fixups, ring-3 return, TSS. */
#include "guest.h"

extern char vector_stubs[];
void trap_dispatch(struct trap_frame *f);
void console_force_unlock(void);

struct trap_record last_trap = { .vector = -1 };
uint32_t unexpected_exit_code = 3;
unsigned long trap_fixup;
static trap_handler_t handlers[256];

#ifdef __x86_64__
struct idt_gate {
    uint16_t off_lo, sel;
    uint8_t ist, type;
    uint16_t off_mid;
    uint32_t off_hi, rsvd;
} __attribute__((packed));
#define KERNEL_CS 0x08
#else
struct idt_gate {
    uint16_t off_lo, sel;
    uint8_t zero, type;
    uint16_t off_hi;
} __attribute__((packed));
#define KERNEL_CS 0x08
#endif

static struct idt_gate idt[256] __attribute__((aligned(16)));
struct {
    uint16_t limit;
    unsigned long base;
} __attribute__((packed)) idt_desc;

static const char *const names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS", "#NP",
    "#SS", "#GP", "#PF", "RSV", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

const char *vector_name(int v)
{
    if (v >= 0 && v < 32 && names[v])
        return names[v];
    return v < 0 ? "none" : "int";
}

static void set_gate(int v, unsigned long addr, int dpl)
{
    struct idt_gate *g = &idt[v];
    g->off_lo = addr & 0xFFFF;
    g->sel = KERNEL_CS;
    g->type = 0x8E | (dpl << 5);     /* present, 32/64-bit interrupt gate */
#ifdef __x86_64__
    g->off_mid = (addr >> 16) & 0xFFFF;
    g->off_hi = (uint32_t)(addr >> 32);
#else
    g->off_hi = (addr >> 16) & 0xFFFF;
#endif
}

#ifdef __x86_64__
struct tss64 {
    uint32_t rsvd0;
    uint64_t rsp[3];
    uint64_t rsvd1;
    uint64_t ist[7];
    uint64_t rsvd2;
    uint16_t rsvd3, iomap;
} __attribute__((packed));
static struct tss64 tss __attribute__((aligned(16)));
static uint8_t ring0_stack[8192] __attribute__((aligned(16)));
extern uint64_t gdt64[];
extern uint64_t user_saved_rsp;
extern int user_active;
extern char run_user_return[];

static void tss_init(void)
{
    unsigned long base = (unsigned long)&tss;
    tss.rsp[0] = (unsigned long)(ring0_stack + sizeof(ring0_stack));
    tss.iomap = sizeof(tss);
    gdt64[6] = (sizeof(tss) - 1) | ((base & 0xFFFFFF) << 16) | (0x89ULL << 40) |
               ((uint64_t)(base >> 24 & 0xFF) << 56);
    gdt64[7] = base >> 32;
    asm volatile("ltr %w0" :: "r"(0x30));
}

void tss_set_ist(int ist, unsigned long stack_top)
{
    tss.ist[ist - 1] = stack_top;
}

void trap_set_ist(int vector, int ist)
{
    idt[vector].ist = ist;
}

/* Leaving ring 3: `int $0x80` returns fn's result, anything else -1-vector. */
static void user_return(struct trap_frame *f)
{
    if (f->vector == 0x80) {
        f->rax = f->rdi;
    } else {
        last_trap.vector = f->vector;
        last_trap.error_code = f->error_code;
        last_trap.ip = f->ip;
        last_trap.count++;
        f->rax = -1 - (long)f->vector;
    }
    f->ip = (unsigned long)run_user_return;
    f->cs = KERNEL_CS;
    f->ss = 0x10;
    f->sp = user_saved_rsp;
    f->flags = 0x2;
}
#endif

void trap_load_idt(void)
{
    asm volatile("lidt %0" :: "m"(idt_desc));
}

void trap_init(void)
{
    for (int v = 0; v < 256; v++)
        set_gate(v, (unsigned long)vector_stubs + 16 * v, 0);
#ifdef __x86_64__
    set_gate(0x80, (unsigned long)vector_stubs + 16 * 0x80, 3);
    tss_init();
#endif
    idt_desc.limit = sizeof(idt) - 1;
    idt_desc.base = (unsigned long)idt;
    trap_load_idt();
}

void trap_set_handler(int vector, trap_handler_t h)
{
    handlers[vector] = h;
}

void trap_dispatch(struct trap_frame *f)
{
    int v = (int)f->vector;

#ifdef __x86_64__
    if ((f->cs & 3) && user_active) {
        user_return(f);
        return;
    }
#endif
    if (handlers[v]) {
        handlers[v](f);
        return;
    }
    if (v == SPURIOUS_VECTOR)
        return;
    last_trap.vector = v;
    last_trap.error_code = f->error_code;
    last_trap.ip = f->ip;
    last_trap.count++;
    if (v < 32 && trap_fixup) {
        f->ip = trap_fixup;
        trap_fixup = 0;
        return;
    }
    console_force_unlock();
    printf("unexpected %s vector %d err=%#lx ip=%#lx flags=%#lx\n", vector_name(v), v,
           f->error_code, f->ip, f->flags);
    guest_exit(unexpected_exit_code);
}

#define DR_CASE(n) \
    case n: return TRY_ASM("mov %0,%%dr" #n, :: "r"(v)); \

int try_write_dr(int n, unsigned long v)
{
    switch (n) {
    DR_CASE(0) DR_CASE(1) DR_CASE(2) DR_CASE(3)
    DR_CASE(4) DR_CASE(5) DR_CASE(6) DR_CASE(7)
    }
    return -1;
}
#undef DR_CASE

#define DR_CASE(n) \
    case n: return TRY_ASM("mov %%dr" #n ",%0", : "=r"(*v) :);
int try_read_dr(int n, unsigned long *v)
{
    *v = 0;
    switch (n) {
    DR_CASE(0) DR_CASE(1) DR_CASE(2) DR_CASE(3)
    DR_CASE(4) DR_CASE(5) DR_CASE(6) DR_CASE(7)
    }
    return -1;
}
#undef DR_CASE

unsigned long read_dr(int n)
{
    unsigned long v;
    int e = try_read_dr(n, &v);
    if (e >= 0) {
        printf("read_dr(%d) raised %s\n", n, vector_name(e));
        guest_exit(unexpected_exit_code);
    }
    return v;
}

void write_dr(int n, unsigned long v)
{
    int e = try_write_dr(n, v);
    if (e >= 0) {
        printf("write_dr(%d, %#lx) raised %s\n", n, v, vector_name(e));
        guest_exit(unexpected_exit_code);
    }
}

int try_rdmsr(uint32_t msr, uint64_t *val)
{
    uint32_t lo = 0, hi = 0;
    int vec = TRY_ASM("rdmsr", : "=a"(lo), "=d"(hi) : "c"(msr));
    *val = ((uint64_t)hi << 32) | lo;
    return vec;
}

int try_wrmsr(uint32_t msr, uint64_t val)
{
    return TRY_ASM("wrmsr", : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
}
