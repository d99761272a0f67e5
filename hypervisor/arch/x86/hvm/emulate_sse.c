/*
 * SSE/AVX moves aimed at MMIO (a kernel's memcpy_toio/fromio, a driver's
 * 16-byte register window): MOVD/MOVQ, MOVSS/MOVSD, MOVUPS/MOVAPS/MOVUPD/
 * MOVAPD, MOVDQU/MOVDQA, MOVNTDQ/MOVNTPS/MOVNTPD, MOVNTDQA, MOVLPS/MOVLPD/
 * MOVHPS/MOVHPD and the VEX forms of the two-operand ones.
 * The guest's XMM/YMM registers stay in the CPU while its exits are
 * handled (xstate.c switches them only when the vCPU is put), so the
 * emulator reads and writes the live registers. A load writes the destination as
 * the processor does: a scalar load zeroes the rest of the XMM register;
 * a legacy-SSE load keeps bits 255:128, a VEX.128 one clears them.
 * Alignment (#GP for MOVAPS and friends) and CR0.TS/CR4.OSFXSR (#NM/#UD)
 * are checked by the CPU before the access that exited.
 */
#include <asm/xstate.h>
#include <dbgvisor/lib.h>
#include "emulate_internal.h"

/* Whether the form writes memory (the others load the register). */
static bool is_store(const struct x86_mem_insn *in)
{
    switch (in->opcode) {
    case 0x0f11: case 0x0f29: case 0x0f2b: case 0x0f7f: case 0x0fd6: case 0x0fe7:
    case 0x0f13: case 0x0f17:
        return true;
    case 0x0f7e:
        return in->simd_prefix == 0x66;         /* MOVD/MOVQ r/m, xmm; F3: MOVQ xmm, m64 */
    }
    return false;
}

/* MOVLPS/MOVHPS and the PD forms move one half of the XMM register and
 * leave the rest alone (their VEX forms take a second source: not decoded). */
static unsigned half_offset(const struct x86_mem_insn *in, bool *half)
{
    *half = in->opcode >= 0x0f12 && in->opcode <= 0x0f17;
    return *half && in->opcode >= 0x0f16 ? 8 : 0;
}

bool emulate_simd_move(struct emul *e)
{
    const struct x86_mem_insn *in = &e->insn;
    unsigned size = in->size, width, at;
    uint8_t reg[32], buf[32];
    bool half;

    if (size > sizeof(buf))
        return false;
    at = half_offset(in, &half);
    if (half && in->vex && !is_store(in))
        return false;                   /* VMOVLPS/VMOVHPS loads merge a second source */
    xstate_vector_get(e->v, in->reg, reg);
    if (is_store(in)) {
        emul_mem_write(e, reg + at, size);
        return true;
    }
    emul_mem_read(e, buf, size);
    memcpy(reg + at, buf, size);
    /* What the load writes beyond the operand is zeroed: up to bit 127 for
     * scalar loads, up to 255 for any VEX load; legacy SSE keeps 255:128. */
    width = in->vex ? 32 : 16;
    if (!half && size < width)
        memset(reg + size, 0, width - size);
    xstate_vector_set(e->v, in->reg, reg);
    return true;
}
