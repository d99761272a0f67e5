/* An independent reference model of the architectural MOV DR semantics (AMD APM vol 2
 * 13.1.1, Intel SDM vol 3 17.2), written from the manuals and deliberately sharing no code
 * or constants with hypervisor/: the fake CPU executes untrapped accesses with it, and the
 * differential tests compare the debug core's emulation with it. */
#ifndef REF_MODEL_H
#define REF_MODEL_H

#include <stdbool.h>
#include <stdint.h>

/* What one CPU's debug registers and the relevant mode bits are. */
struct ref_cpu {
    uint64_t dr[4];
    uint64_t dr6, dr7;
    unsigned cpl;
    bool cr4_de;
    bool long_mode;     /* 64-bit mode: 64-bit operands */
    bool rtm;           /* the CPU offers RTM: DR6 bit 16 and DR7 bit 11 are writable */
};

enum ref_outcome { REF_DONE, REF_GP, REF_UD, REF_DB };

/* The register after a write of v (no fault checks), and its reset values. */
uint64_t ref_dr6_stored(uint64_t v, bool rtm);
uint64_t ref_dr7_stored(uint64_t v, bool rtm);
#define REF_DR6_RESET 0xffff0ff0ULL
#define REF_DR7_RESET 0x400ULL

/* MOV to/from DR`reg` as the CPU executes it: faults in the CPU's order, a general-detect
 * #DB sets DR6.BD and clears DR7.GD, a write updates the register, a read fills *val. */
enum ref_outcome ref_mov_dr(struct ref_cpu *c, unsigned reg, bool write, uint64_t *val);

#endif
