/*
 * hostile: flavour=32 native=compare
 *
 * mmio-insns32: instructions that take a 32-bit pointer or stack slot from
 * MMIO, in 32-bit protected mode (issue 9): near CALL and JMP through the
 * xAPIC timer's initial count (a 32-bit read/write register: the target is
 * stored there first), PUSH m32 and POP m32 on it, and DIV with #DE and
 * IDIV on it. Hardware performs these accesses; dbgvisor used to end the
 * domain ("cannot emulate APIC access") and now emulates them with the
 * stack, return address and EIP as the CPU leaves them.
 */
#include "guest.h"

#define TIMER_ICR  (APIC_BASE_ADDR + 0x380)
#define DE         0

static volatile uint32_t *const icr = (volatile uint32_t *)TIMER_ICR;
static volatile unsigned calls;
static volatile uint32_t return_seen;

__attribute__((noinline)) static void called(void)
{
    calls++;
    return_seen = (uint32_t)(uintptr_t)__builtin_return_address(0);
}

static void call_and_jump(void)
{
    uint32_t esp_before, esp_after, after_call;

    *icr = (uint32_t)(uintptr_t)called;
    asm volatile("movl %%esp, %0\n\t"
                 "call *(%3)\n\t"
                 "1: movl $1b, %2\n\t"
                 "movl %%esp, %1"
                 : "=m"(esp_before), "=m"(esp_after), "=m"(after_call)
                 : "r"(TIMER_ICR) : "eax", "ecx", "edx", "memory");
    report(calls == 1 && esp_after == esp_before && return_seen == after_call,
           "call *m32 through the APIC: the target ran and returned after the call");

    uint32_t landed = 0;
    asm volatile("movl $2f, %%eax\n\t"
                 "movl %%eax, (%1)\n\t"
                 "jmp *(%1)\n\t"
                 "movl $1, %0\n\t"
                 "2:"
                 : "+r"(landed) : "r"(TIMER_ICR) : "eax", "memory");
    report(landed == 0, "jmp *m32 through the APIC: landed on the target");
    *icr = 0;
}

static void push_pop(void)
{
    uint32_t got = 0, esp_before, esp_after;

    *icr = 0x13572468;
    asm volatile("movl %%esp, %1\n\tpushl (%3)\n\tpopl %0\n\tmovl %%esp, %2"
                 : "=r"(got), "=&r"(esp_before), "=&r"(esp_after) : "r"(TIMER_ICR) : "memory");
    report(got == 0x13572468 && esp_before == esp_after, "pushl from the APIC: %#x", got);

    asm volatile("pushl %1\n\tpopl (%0)" : : "r"(TIMER_ICR), "r"(0x2468ace0u) : "memory");
    report(*icr == 0x2468ace0u, "popl into the APIC: %#x", *icr);

    asm volatile("pushl %1\n\tpopl 0(%0)" : : "r"(TIMER_ICR), "r"(0x11u) : "memory");
    report(*icr == 0x11, "popl into the APIC again: %#x", *icr);
    *icr = 0;
}

static void divide(void)
{
    uint32_t a = 100, d = 0;
    int vec;

    *icr = 0;
    vec = TRY_ASM("divl (%2)", : "+a"(a), "+d"(d) : "r"(TIMER_ICR));
    report(vec == DE && a == 100, "divl by a zero APIC register: #DE (vector %d)", vec);
    *icr = 7;
    a = 100;
    d = 0;
    vec = TRY_ASM("divl (%2)", : "+a"(a), "+d"(d) : "r"(TIMER_ICR));
    report(vec == -1 && a == 14 && d == 2, "divl 100 / 7 = 14 r 2 (%u r %u)", a, d);
    a = (uint32_t)-100;
    d = (uint32_t)-1;
    vec = TRY_ASM("idivl (%2)", : "+a"(a), "+d"(d) : "r"(TIMER_ICR));
    report(vec == -1 && a == (uint32_t)-14 && d == (uint32_t)-2, "idivl -100 / 7 = -14 r -2");
    *icr = 0;
}

int main(void)
{
    call_and_jump();
    push_pop();
    divide();
    return report_summary();
}
