/*
 * Extended processor state (x87, SSE, AVX) of the vCPUs: one XSAVE area per
 * vCPU, switched around every VMRUN, and the guest's XCR0.
 */
#ifndef ASM_XSTATE_H
#define ASM_XSTATE_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

#define XSTATE_X87   (1ull << 0)
#define XSTATE_SSE   (1ull << 1)
#define XSTATE_YMM   (1ull << 2)
#define XSTATE_BNDREGS (1ull << 3)
#define XSTATE_BNDCSR  (1ull << 4)
#define XSTATE_AVX512  (7ull << 5)    /* opmask, ZMM_Hi256, Hi16_ZMM */
#define XSTATE_LEGACY_SIZE 576        /* FXSAVE image + XSAVE header */

/* Per pCPU at boot: CR4.OSXSAVE and the hypervisor's own XCR0. */
void xstate_cpu_init(void);
/* The XCR0 bits guests may enable: what is switched (x87, SSE, AVX). */
uint64_t xstate_guest_supported(void);
/* Whether guests are offered XSAVE at all (false: FXSAVE switching only). */
bool xstate_has_xsave(void);
/* Bytes of an XSAVE area holding the components in mask (standard format). */
uint32_t xstate_size(uint64_t mask);
/* Bytes of a compacted XSAVE area (XSAVEC) holding the components in mask. */
uint32_t xstate_compacted_size(uint64_t mask);

/* vCPU life cycle: the save area, and the architectural reset state
 * (FCW 0x37F, MXCSR 0x1F80, all else initial, XCR0 = x87). */
int xstate_vcpu_init(struct vcpu *v);
void xstate_vcpu_reset(struct vcpu *v);
void xstate_vcpu_destroy(struct vcpu *v);

/* Around VMRUN (GIF=0): load the vCPU's state and XCR0, then save them and
 * give the hypervisor its XCR0 back. */
void xstate_enter_guest(struct vcpu *v);
void xstate_leave_guest(struct vcpu *v);

/* The guest's vector register n (0-15) of the vCPU v loaded on this pCPU
 * (its registers stay in the CPU from load to put, exits included): 32
 * bytes, XMMn in the low 16, YMMn's upper half above (zeros, and left
 * alone, while the guest's XCR0 does not enable YMM). */
void xstate_vector_get(struct vcpu *v, unsigned n, uint8_t buf[32]);
void xstate_vector_set(struct vcpu *v, unsigned n, const uint8_t buf[32]);

/* The x87 environment as FNSTENV stores and FLDENV loads it (32-bit
 * protected-mode format): control, status (TOP, flags), tags, and the
 * last instruction's and operand's pointers and opcode. */
struct x87_env {
    uint16_t fcw, pad0, fsw, pad1, ftw, pad2;
    uint32_t fip;
    uint16_t fcs, fop;
    uint32_t fdp;
    uint16_t fds, pad3;
} __attribute__((packed));

/* The live x87's last-instruction pointers (FIP, FCS, FOP, FDP, FDS) take
 * ptrs' values, the rest of the state kept: after the hypervisor ran a
 * guest's instruction they name the guest's, never the hypervisor's. On
 * hardware they are loaded (FRSTOR's 32-bit format: 32-bit offsets); QEMU
 * TCG cannot load them and they read 0. */
void xstate_x87_set_pointers(const struct x87_env *ptrs);

/* XSETBV from the guest: 0, or the exception vector hardware raises. */
int xstate_set_xcr(struct vcpu *v, uint32_t index, uint64_t value);

#endif
