/*
 * mmio-nisv-arm64: device accesses whose data abort carries no instruction
 * syndrome (ESR ISV = 0): load/store pairs (LDP, STP, LDPSW) and single
 * loads/stores with base writeback (pre- and post-index), on the PL011.
 * Hardware just performs them; under a hypervisor they exit to EL2 with
 * nothing but the address, so the hypervisor has to decode the instruction
 * itself (Linux's I/O accessors use plain LDR/STR, but compilers emit pairs
 * and writeback forms for open-coded device access). Each check's values,
 * the registers written back and the characters sent must be bare QEMU's
 * (test_arm64.sh compares the records line for line).
 */
#include "guest.h"

#define UART      0x09000000UL
#define UART_DR   0x000
#define UART_RSR  0x004
#define PERIPHID0 0xfe0
#define PCELLID2  0xff8

int main(void)
{
    uint64_t base, a, b;
    int64_t sa, sb;

    base = UART + PERIPHID0;
    __asm__ volatile("ldp %w0, %w1, [%2]" : "=&r"(a), "=&r"(b) : "r"(base) : "memory");
    report(a == 0x11 && b == 0x10, "ldp w: PeriphID0/1 = %#lx %#lx", (unsigned long)a,
           (unsigned long)b);

    base = UART + PERIPHID0 + 8;
    __asm__ volatile("ldp %w0, %w1, [%2, #-8]" : "=&r"(a), "=&r"(b) : "r"(base) : "memory");
    report(a == 0x11 && b == 0x10, "ldp w with a negative offset: %#lx %#lx", (unsigned long)a,
           (unsigned long)b);

    base = UART + PCELLID2;
    __asm__ volatile("ldpsw %0, %1, [%2]" : "=&r"(sa), "=&r"(sb) : "r"(base) : "memory");
    report(sa == 0x05 && sb == 0xb1, "ldpsw: PCellID2/3 = %#lx %#lx", (unsigned long)sa,
           (unsigned long)sb);

    base = UART + PERIPHID0;
    __asm__ volatile("ldp %w0, %w1, [%2, #8]!" : "=&r"(a), "=&r"(b), "+r"(base) : : "memory");
    report(a == 0x14 && b == 0x00 && base == UART + PERIPHID0 + 8,
           "ldp w pre-index: %#lx %#lx, base +8", (unsigned long)a, (unsigned long)b);

    base = UART + PERIPHID0;
    __asm__ volatile("ldr %w0, [%1], #4" : "=&r"(a), "+r"(base) : : "memory");
    report(a == 0x11 && base == UART + PERIPHID0 + 4, "ldr w post-index: %#lx, base +4",
           (unsigned long)a);

    base = UART + PERIPHID0 + 8;
    __asm__ volatile("ldr %w0, [%1, #-4]!" : "=&r"(a), "+r"(base) : : "memory");
    report(a == 0x10 && base == UART + PERIPHID0 + 4, "ldr w pre-index: %#lx, base -4",
           (unsigned long)a);

    base = UART + PERIPHID0 + 8;
    __asm__ volatile("ldrb %w0, [%1], #-8" : "=&r"(a), "+r"(base) : : "memory");
    report(a == 0x14 && base == UART + PERIPHID0, "ldrb post-index: %#lx, base -8",
           (unsigned long)a);

    base = UART + PCELLID2 + 4;
    __asm__ volatile("ldrsb %0, [%1], #4" : "=&r"(sa), "+r"(base) : : "memory");
    report(sa == (int8_t)0xb1 && base == UART + PCELLID2 + 8,
           "ldrsb x post-index: %#lx (sign-extended), base +4", (unsigned long)sa);

    /* Stores: characters into the data register, the receive status register
     * (a write clears the error flags) beside it. */
    base = UART + UART_DR;
    a = '<';
    __asm__ volatile("str %w1, [%0], #4" : "+r"(base) : "r"(a) : "memory");
    report(base == UART + UART_RSR, "str w post-index to DR: base +4");
    a = '>';
    b = 0;
    base = UART + UART_DR;
    __asm__ volatile("stp %w1, %w2, [%0]" : : "r"(base), "r"(a), "r"(b) : "memory");
    base = UART + UART_DR + 16;
    a = '\n';
    __asm__ volatile("strb %w1, [%0, #-16]!" : "+r"(base) : "r"(a) : "memory");
    report(base == UART + UART_DR, "strb pre-index to DR: base -16");
    __asm__ volatile("stp wzr, wzr, [%0]" : : "r"(UART + UART_RSR) : "memory");
    report(true, "stp wzr, wzr to RSR/ECR and the next register");
    return report_summary();
}
