/* Hypervisor's own interrupt and exception handling. */
#ifndef ASM_TRAPS_H
#define ASM_TRAPS_H

#include <stdint.h>

/* Layout pushed by arch/x86/entry.S; keep in sync. */
struct cpu_regs {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};

#define VECTOR_CONTROL  0xE0   /* COM2: the control channel has bytes */
#define VECTOR_TIMER    0xEF   /* local APIC timer: scheduler tick */
#define VECTOR_KICK     0xF0   /* IPI: make a pCPU re-run its scheduler */
#define VECTOR_EXIT_GUEST 0xF1 /* IPI: only make a pCPU leave guest mode */
#define VECTOR_SPURIOUS 0xFF

typedef void (*irq_handler_t)(struct cpu_regs *regs);

void traps_init(void);           /* build the IDT (BSP) */
void traps_load(void);           /* load it (every pCPU) */
void set_irq_handler(uint8_t vector, irq_handler_t fn);
/* Prints a register dump and a frame-pointer backtrace. */
void dump_backtrace(uint64_t rbp);
/* A fatal hypervisor error: report and end the machine with HV_EXIT_FAULT. */
void __attribute__((noreturn)) hv_panic(const char *fmt, ...);

#endif
