/*
 * hostile: native=compare
 *
 * mmio-stack: PUSHF/POPF (64- and 16-bit), LEAVE, ENTER (level 0 and 2),
 * PUSH m64 and POP m64 with the stack in MMIO: rSP is set so that the slot
 * the instruction touches ends on the I/O APIC's IOREGSEL (a byte it
 * keeps), its other bytes in a RAM page right below. The processor moves
 * RFLAGS (PUSHF stores it with VM and RF clear; POPF at CPL 0 loads all
 * but VM/VIP/VIF), rSP and rBP as with the stack in RAM (Intel SDM vol. 2
 * PUSHF/POPF/ENTER/LEAVE). dbgvisor used to end the domain ("cannot
 * emulate ... (bytes 9c ...)"). Interrupts are off while rSP points there.
 */
#include "mmio-alias.h"

#define SLOT8  (IOAPIC - 7)            /* an 8-byte slot ending on IOREGSEL */
#define TOP8   (IOAPIC + 1)            /* rSP above it */

static uint64_t slot8(void) { uint64_t v = 0; get_straddling(&v, 8); return v; }

/* Flags with a fixed value: CF PF ZF and bit 1 (0x47); IF off. */
#define FLAGS_A 0x47ull
/* OF SF ZF AF PF CF, AC and DF: POPF loads them (top byte 0, on IOREGSEL) */
#define FLAGS_B (0x8d7ull | 0x400 | 0x40000)

static void pushf_popf(void)
{
    uint64_t io_flags = 0, after, rsp_after;
    uint16_t w;

    cli();
    put_straddling(&(uint64_t){ 0 }, 8);
    asm volatile("push %2; popfq; mov %%rsp, %%r11; mov %1, %%rsp; pushfq; mov %%rsp, %0;"
                 "mov %%r11, %%rsp; push $2; popfq"
                 : "=&r"(rsp_after) : "r"(TOP8), "i"(FLAGS_A) : "r11", "memory", "cc");
    io_flags = slot8();
    report(io_flags == FLAGS_A && rsp_after == SLOT8, "pushfq onto MMIO: %#lx, rsp -8", io_flags);

    put_straddling(&(uint64_t){ FLAGS_B }, 8);
    asm volatile("mov %%rsp, %%r11; mov %2, %%rsp; popfq; mov %%rsp, %1; mov %%r11, %%rsp;"
                 "pushfq; pop %0; push $2; popfq"
                 : "=r"(after), "=&r"(rsp_after) : "r"((uint64_t)SLOT8) : "r11", "memory", "cc");
    report(after == FLAGS_B && rsp_after == TOP8, "popfq from MMIO: %#lx, rsp +8", after);

    put_straddling(&(uint16_t){ 0 }, 2);
    asm volatile("push %1; popfq; mov %%rsp, %%r11; mov %0, %%rsp; pushfw; mov %%r11, %%rsp; push $2; popfq"
                 :: "r"(TOP8), "i"(FLAGS_A) : "r11", "memory", "cc");
    get_straddling(&w, 2);
    report(w == FLAGS_A, "pushfw onto MMIO: %#x", w);

    put_straddling(&(uint16_t){ 0x8d7 }, 2);
    asm volatile("push $0x40002; popfq; mov %%rsp, %%r11; mov %1, %%rsp; popfw; mov %%r11, %%rsp;"
                 "pushfq; pop %0; push $2; popfq"
                 : "=r"(after) : "r"((uint64_t)(IOAPIC + 1 - 2)) : "r11", "memory", "cc");
    report(after == (0x8d7 | 0x40000), "popfw from MMIO: low 16 bits loaded, AC kept: %#lx", after);
    sti();
}

static void leave_enter(void)
{
    uint64_t rbp, rsp, saved = 0x0011223344556677ULL & 0x00ffffffffffffffULL;
    uint64_t frame[4] = { 0x1111, 0x2222, 0x3333, 0x4444 };

    cli();
    put_straddling(&saved, 8);
    asm volatile("mov %%rsp, %%r11; mov %%rbp, %%r10; mov %2, %%rbp; leave; mov %%rbp, %0; mov %%rsp, %1;"
                 "mov %%r11, %%rsp; mov %%r10, %%rbp"
                 : "=&r"(rbp), "=&r"(rsp) : "r"((uint64_t)SLOT8) : "r10", "r11", "memory");
    report(rbp == saved && rsp == TOP8, "leave with rbp in MMIO: rbp %#lx, rsp +8", rbp);

    put_straddling(&(uint64_t){ 0 }, 8);
    asm volatile("mov %%rsp, %%r11; mov %%rbp, %%r10; mov %2, %%rsp; mov %3, %%rbp; enter $32, $0;"
                 "mov %%rbp, %0; mov %%rsp, %1; mov %%r11, %%rsp; mov %%r10, %%rbp"
                 : "=&r"(rbp), "=&r"(rsp) : "r"(TOP8), "r"(saved) : "r10", "r11", "memory");
    report(slot8() == saved && rbp == SLOT8 && rsp == SLOT8 - 32, "enter $32,$0 onto MMIO: rbp pushed, "
           "rbp %#lx rsp %#lx", rbp, rsp);

    /* Level 2: one frame pointer copied from the old frame ([rbp-8]). */
    put_straddling(&(uint64_t){ 0 }, 8);
    asm volatile("mov %%rsp, %%r11; mov %%rbp, %%r10; mov %2, %%rsp; mov %3, %%rbp; enter $16, $2;"
                 "mov %%rbp, %0; mov %%rsp, %1; mov %%r11, %%rsp; mov %%r10, %%rbp"
                 : "=&r"(rbp), "=&r"(rsp) : "r"(TOP8), "r"(&frame[2]) : "r10", "r11", "memory");
    {
        uint64_t *below = (uint64_t *)(alias_page + 4096 - 7);
        bool ok = slot8() == (uint64_t)&frame[2] && below[-1] == frame[1] && below[-2] == SLOT8 &&
                  rbp == SLOT8 && rsp == SLOT8 - 32;
        report(ok, "enter $16,$2 onto MMIO: rbp, the copied frame pointer and the new one pushed");
    }
    sti();
}

static void push_pop_mem(void)
{
    static uint64_t src = 0x00aabbccddeeff01ULL, dst;
    uint64_t rsp;

    cli();
    put_straddling(&(uint64_t){ 0 }, 8);
    asm volatile("mov %%rsp, %%r11; mov %1, %%rsp; pushq %2; mov %%rsp, %0; mov %%r11, %%rsp"
                 : "=&r"(rsp) : "r"(TOP8), "m"(src) : "r11", "memory");
    report(slot8() == src && rsp == SLOT8, "push m64 onto MMIO: %#lx", slot8());
    asm volatile("mov %%rsp, %%r11; mov %1, %%rsp; popq %2; mov %%rsp, %0; mov %%r11, %%rsp"
                 : "=&r"(rsp) : "r"((uint64_t)SLOT8), "m"(dst) : "r11", "memory");
    report(dst == src && rsp == TOP8, "pop m64 from MMIO: %#lx", dst);
    sti();
}

int main(void)
{
    map_alias_below_ioapic();
    pushf_popf();
    leave_enter();
    push_pop_mem();
    return report_summary();
}
