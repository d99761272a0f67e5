/*
 * hostile: policies=trap native=no
 *
 * unbacked-gpa: loads and stores at guest-physical addresses with no RAM or
 * device behind them (issue 9, finding 10): just above the end of RAM, in
 * the hole at 2 GiB, at 3 GiB and just below the local APIC. On hardware a
 * read nobody claims completes with all-ones (master abort) and a write is
 * dropped; the domain keeps running. dbgvisor does the same by default
 * (unbacked_access="ignore"; "crash" ends the domain instead). Every access
 * size and the MOV forms (load, store of a register and of an immediate,
 * MOVZX, MOVSX) are checked. An instruction fetch there would execute the
 * bytes FF FF, which is #UD (group 5 /7): dbgvisor injects #UD.
 * native=no: QEMU reads 0 from unassigned memory where hardware (and
 * dbgvisor) gives all-ones, and executes those zero bytes.
 */
#include "guest.h"

#define UD 6

static void probe(unsigned long gpa)
{
    volatile uint8_t *p8 = (volatile uint8_t *)gpa;
    volatile uint16_t *p16 = (volatile uint16_t *)(gpa + 0x10);
    volatile uint32_t *p32 = (volatile uint32_t *)(gpa + 0x20);
    volatile uint64_t *p64 = (volatile uint64_t *)(gpa + 0x40);
    uint64_t movzx8, movzx16, movsx8, movsx16;

    report(*p8 == 0xff && *p16 == 0xffff && *p32 == 0xffffffffu && *p64 == ~0ull,
           "%#lx: 8/16/32/64-bit loads give all-ones", gpa);
    asm volatile("movzbq %1, %0" : "=r"(movzx8) : "m"(*p8));
    asm volatile("movzwq %1, %0" : "=r"(movzx16) : "m"(*p16));
    asm volatile("movsbq %1, %0" : "=r"(movsx8) : "m"(*p8));
    asm volatile("movswq %1, %0" : "=r"(movsx16) : "m"(*p16));
    report(movzx8 == 0xff && movzx16 == 0xffff && movsx8 == ~0ull && movsx16 == ~0ull,
           "%#lx: MOVZX/MOVSX see all-ones", gpa);
    *p8 = 0x12;
    *p16 = 0x1234;
    *p32 = 0x12345678u;
    *p64 = 0x1122334455667788ull;
    asm volatile("movl $0x5a5a5a5a, %0" : "=m"(*p32));
    report(*p8 == 0xff && *p16 == 0xffff && *p32 == 0xffffffffu && *p64 == ~0ull,
           "%#lx: stores are dropped", gpa);
}

int main(void)
{
    unsigned long ram_end = (mem_upper_bytes() + 0xfffff) & ~0xfffffUL;
    unsigned long addrs[] = { ram_end, ram_end + 0x123450, 0x80000000UL, 0xC0000000UL, 0xFED00000UL };

    for (unsigned i = 0; i < ARRAY_SIZE(addrs); i++)
        probe(addrs[i]);

    /* Fetching from an unbacked page: #UD at the target, domain alive. */
    unsigned long target = 0xC0001000UL;
    int vec = TRY_ASM("jmp *%0", : : "r"(target));
    report(vec == UD && last_trap.ip == target, "a jump into unbacked memory raises #UD there (vector %d)", vec);
    report(true, "the domain is still running");
    return report_summary();
}
