/* Spin-wait hint (arm64: YIELD). */
#ifndef ASM_CPU_RELAX_H
#define ASM_CPU_RELAX_H

static inline void cpu_relax(void) { __asm__ volatile("yield" ::: "memory"); }

#endif
