/*
 * hostile: policies=trap,adaptive native=compare
 *
 * exception-errcodes: faults of segment loads, far transfers and event
 * delivery carry their architectural error code and the RIP of the faulting
 * instruction (issue 9, finding 14): a selector beyond the GDT limit is
 * #GP(selector), a not-present data segment #NP(selector), the same in SS
 * #SS(selector), an SS with RPL != CPL #GP(selector), a far call to a
 * not-present code segment #NP(selector), INT n through a gate whose code
 * segment is not present #NP(selector), INT n through a not-present gate
 * #NP(n*8+2) (both with RIP at the INT, which an injected INT n cannot
 * give without NextRIP), and a #GP whose own gate is not present a #DF(0) (contributory
 * during contributory). test_exception_step.sh runs the same guest while a
 * host debugger single-steps the faulting instructions (then the hypervisor
 * intercepts and re-injects the faults itself, and must apply the same
 * double-fault rules); alone it must equal bare QEMU.
 */
#include "guest.h"

#define SEL_NP_DATA 0x50
#define SEL_NP_CODE 0x58

static uint64_t gdt[12] __attribute__((aligned(16)));
struct { uint32_t off; uint16_t sel; } __attribute__((packed)) far_np = { 0, SEL_NP_CODE };

struct idtr { uint16_t limit; uint64_t base; } __attribute__((packed));

/* Each faulting instruction has a global label, for the host debugger. */
#define FAULT(name, insn, ...) ({ \
    asm volatile("lea " #name "(%%rip), %0" : "=r"(at)); \
    TRY_ASM(".globl " #name "\n" #name ": " insn, __VA_ARGS__); })

static void show(const char *name, int vec, unsigned long at, int want_vec, unsigned long want_err)
{
    unsigned long err = vec >= 0 ? last_trap.error_code : 0;
    unsigned long ip = vec >= 0 ? last_trap.ip : 0;

    printf("%s: vector %d error %#lx rip %s\n", name, vec, err,
           ip == at ? "at the instruction" : "elsewhere");
    report(vec == want_vec && err == want_err && ip == at,
           "%s: vector %d, error code %#lx, RIP of the faulting instruction", name, want_vec,
           want_err);
}

static void gdt_setup(void)
{
    struct idtr d;

    asm volatile("sgdt %0" : "=m"(d));
    memcpy(gdt, (void *)d.base, d.limit + 1u);
    gdt[SEL_NP_DATA >> 3] = 0x00CF12000000FFFFull;   /* data, P=0 */
    gdt[SEL_NP_CODE >> 3] = 0x00AF1A000000FFFFull;   /* code64, P=0 */
    d.limit = sizeof(gdt) - 1;
    d.base = (uint64_t)(unsigned long)gdt;
    asm volatile("lgdt %0" :: "m"(d));
}

static uint64_t *idt_gate(int vector)
{
    struct idtr d;

    asm volatile("sidt %0" : "=m"(d));
    return (uint64_t *)(unsigned long)(d.base + 16u * (unsigned)vector);
}

int main(void)
{
    unsigned long at;
    int vec;
    uint64_t *gp_gate = idt_gate(13), *g21 = idt_gate(0x21), saved;

    gdt_setup();

    vec = FAULT(ee_ds_limit, "mov %0, %%ds", :: "r"(0x1230));
    show("ds beyond the gdt limit", vec, at, 13, 0x1230);
    vec = FAULT(ee_ds_np, "mov %0, %%ds", :: "r"(SEL_NP_DATA));
    show("ds not present", vec, at, 11, SEL_NP_DATA);
    vec = FAULT(ee_ss_np, "mov %0, %%ss", :: "r"(SEL_NP_DATA));
    show("ss not present", vec, at, 12, SEL_NP_DATA);
    vec = FAULT(ee_ss_rpl, "mov %0, %%ss", :: "r"(0x23));
    show("ss rpl 3 at cpl 0", vec, at, 13, 0x20);
    vec = FAULT(ee_call_np, "lcall *far_np(%%rip)", ::);
    show("far call not present", vec, at, 11, SEL_NP_CODE);

    saved = *g21;
    *g21 = (*g21 & ~(0xffffull << 16)) | ((uint64_t)SEL_NP_CODE << 16);
    vec = FAULT(ee_int_cs_np, "int $0x21", ::);
    show("int 0x21 handler segment not present", vec, at, 11, SEL_NP_CODE);
    *g21 = saved & ~(1ull << 47);
    vec = FAULT(ee_int_np, "int $0x21", ::);
    show("int 0x21 gate not present", vec, at, 11, 0x21 * 8 + 2);

    saved = *gp_gate;
    *gp_gate &= ~(1ull << 47);
    vec = FAULT(ee_df, "mov %0, %%ds", :: "r"(0x1230));
    *gp_gate = saved;
    show("#gp with its gate not present", vec, at, 8, 0);

    /* The data segments still work after all that. */
    asm volatile("mov %0, %%ds; mov %0, %%ss" :: "r"(0x10));
    return report_summary();
}
