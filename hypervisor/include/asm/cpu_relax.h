/* Spin-wait hint (x86: PAUSE). */
#ifndef ASM_CPU_RELAX_H
#define ASM_CPU_RELAX_H

static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }

#endif
