/*
 * SSE/AVX arithmetic whose source operand is MMIO (m32/m64/m128/m256):
 * ANDPS/ANDNPS/ORPS/XORPS (and PD), ADD/MUL/SUB/MIN/DIV/MAX in PS/PD/SS/SD,
 * PADDQ/PADDD/PSUBD/PSUBQ, PAND/PANDN/POR/PXOR, PCMPEQB/W/D, CMPPS/PD/SS/SD
 * (predicates 0-7), legacy SSE
 * (destination = destination op source) and VEX.128/256 (destination =
 * VEX.vvvv op source). The operand is read from the device into a buffer
 * and the host CPU runs the same operation on it with the guest's values in
 * a scratch register (the guest's own, saved and put back) and the guest's
 * MXCSR, which is live while the exit is handled (xstate.c), so rounding,
 * DAZ/FTZ, NaN propagation and the flags are the processor's. The run has
 * every exception masked: a result whose exception the guest left unmasked
 * raises #XM (CR4.OSXMMEXCPT) or #UD in the guest instead, the destination
 * unchanged and the flags the masked run raised added to MXCSR (hardware
 * sets only the ones it detected before stopping, which may be fewer).
 * Writes beyond the result as the processor does: legacy SSE keeps bits
 * 255:128, VEX.128 clears them, scalar forms keep (legacy) or take from
 * vvvv (VEX) the bits above the element.
 */
#include <asm/decode.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <asm/xstate.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include "emulate_internal.h"

#define CR4_OSXSAVE (1ull << 18)
#define XCR0_SSE_YMM (XSTATE_SSE | XSTATE_YMM)
#define MXCSR_FLAGS 0x3fu
#define MXCSR_MASKS 0x1f80u

/* The scratch register: the hypervisor is built without SSE, so only a
 * hosted build (the unit tests) needs to be told it is clobbered. */
#ifdef __SSE__
#define SCRATCH_CLOBBER "memory", "xmm0"
#else
#define SCRATCH_CLOBBER "memory"
#endif

/* x: 32 bytes in (the first source) and out (the result), m: the operand. */
typedef void (*vec_op_fn)(uint8_t *x, const uint8_t *m);

#define LEGACY(name, mn)                                                                \
    static void name(uint8_t *x, const uint8_t *m)                                      \
    {                                                                                   \
        __asm__ volatile("movdqu (%0), %%xmm0\n\t" mn " (%1), %%xmm0\n\t"               \
                         "movdqu %%xmm0, (%0)" :: "r"(x), "r"(m) : SCRATCH_CLOBBER);    \
    }
#define VEX(name, mn, reg, mov)                                                         \
    static void name(uint8_t *x, const uint8_t *m)                                      \
    {                                                                                   \
        __asm__ volatile(mov " (%0), %%" reg "0\n\t" mn " (%1), %%" reg "0, %%" reg "0\n\t" \
                         mov " %%" reg "0, (%0)" :: "r"(x), "r"(m) : SCRATCH_CLOBBER);  \
    }
/* One instruction: its legacy form and its VEX.128 and VEX.256 forms. */
#define FORMS(id, mn)                                                                   \
    LEGACY(id##_sse, #mn) VEX(id##_v128, "v" #mn, "xmm", "vmovdqu")                     \
    VEX(id##_v256, "v" #mn, "ymm", "vmovdqu")
#define SCALAR(id, mn) LEGACY(id##_sse, #mn) VEX(id##_v128, "v" #mn, "xmm", "vmovdqu")

FORMS(andps, andps) FORMS(andpd, andpd) FORMS(andnps, andnps) FORMS(andnpd, andnpd)
FORMS(orps, orps) FORMS(orpd, orpd) FORMS(xorps, xorps) FORMS(xorpd, xorpd)
FORMS(addps, addps) FORMS(addpd, addpd) SCALAR(addss, addss) SCALAR(addsd, addsd)
FORMS(mulps, mulps) FORMS(mulpd, mulpd) SCALAR(mulss, mulss) SCALAR(mulsd, mulsd)
FORMS(subps, subps) FORMS(subpd, subpd) SCALAR(subss, subss) SCALAR(subsd, subsd)
FORMS(minps, minps) FORMS(minpd, minpd) SCALAR(minss, minss) SCALAR(minsd, minsd)
FORMS(divps, divps) FORMS(divpd, divpd) SCALAR(divss, divss) SCALAR(divsd, divsd)
FORMS(maxps, maxps) FORMS(maxpd, maxpd) SCALAR(maxss, maxss) SCALAR(maxsd, maxsd)
FORMS(paddq, paddq) FORMS(pand, pand) FORMS(pandn, pandn) FORMS(por, por)
FORMS(pxor, pxor) FORMS(paddd, paddd) FORMS(psubd, psubd) FORMS(psubq, psubq)
FORMS(pcmpeqb, pcmpeqb) FORMS(pcmpeqw, pcmpeqw) FORMS(pcmpeqd, pcmpeqd)

/* CMPPS/CMPPD/CMPSS/CMPSD: the predicate is an immediate of the
 * instruction, so one function per predicate; the eight the legacy forms
 * have (VEX's predicates 8-31 are not emulated). */
#define CMP_FORMS(id, sfx, n)                                                           \
    LEGACY(id##n##_sse, "cmp" sfx " $" #n ",")                                          \
    VEX(id##n##_v128, "vcmp" sfx " $" #n ",", "xmm", "vmovdqu")                         \
    VEX(id##n##_v256, "vcmp" sfx " $" #n ",", "ymm", "vmovdqu")
#define CMP_SCALAR(id, sfx, n)                                                          \
    LEGACY(id##n##_sse, "cmp" sfx " $" #n ",")                                          \
    VEX(id##n##_v128, "vcmp" sfx " $" #n ",", "xmm", "vmovdqu")
#define CMP_EIGHT(M, id, sfx) M(id, sfx, 0) M(id, sfx, 1) M(id, sfx, 2) M(id, sfx, 3)    \
                              M(id, sfx, 4) M(id, sfx, 5) M(id, sfx, 6) M(id, sfx, 7)
CMP_EIGHT(CMP_FORMS, cmpps, "ps") CMP_EIGHT(CMP_FORMS, cmppd, "pd")
CMP_EIGHT(CMP_SCALAR, cmpss, "ss") CMP_EIGHT(CMP_SCALAR, cmpsd, "sd")

struct vec_op {
    uint16_t opcode;
    uint8_t prefix;                     /* mandatory prefix / VEX.pp */
    vec_op_fn sse, v128, v256;          /* v256 NULL: scalar */
    bool floating;                      /* raises SIMD floating-point exceptions */
    int8_t imm;                         /* the immediate it needs, or -1 */
};

#define P(op, pfx, id, fp)  { op, pfx, id##_sse, id##_v128, id##_v256, fp, -1 }
#define S(op, pfx, id)      { op, pfx, id##_sse, id##_v128, NULL, true, -1 }
#define CP(pfx, id, n)      { 0x0fc2, pfx, id##n##_sse, id##n##_v128, id##n##_v256, true, n }
#define CS(pfx, id, n)      { 0x0fc2, pfx, id##n##_sse, id##n##_v128, NULL, true, n }
#define CMP_ROWS(R, pfx, id) R(pfx, id, 0), R(pfx, id, 1), R(pfx, id, 2), R(pfx, id, 3), \
                             R(pfx, id, 4), R(pfx, id, 5), R(pfx, id, 6), R(pfx, id, 7)
static const struct vec_op vec_ops[] = {
    P(0x0f54, 0, andps, false), P(0x0f54, 0x66, andpd, false),
    P(0x0f55, 0, andnps, false), P(0x0f55, 0x66, andnpd, false),
    P(0x0f56, 0, orps, false), P(0x0f56, 0x66, orpd, false),
    P(0x0f57, 0, xorps, false), P(0x0f57, 0x66, xorpd, false),
    P(0x0f58, 0, addps, true), P(0x0f58, 0x66, addpd, true), S(0x0f58, 0xf3, addss), S(0x0f58, 0xf2, addsd),
    P(0x0f59, 0, mulps, true), P(0x0f59, 0x66, mulpd, true), S(0x0f59, 0xf3, mulss), S(0x0f59, 0xf2, mulsd),
    P(0x0f5c, 0, subps, true), P(0x0f5c, 0x66, subpd, true), S(0x0f5c, 0xf3, subss), S(0x0f5c, 0xf2, subsd),
    P(0x0f5d, 0, minps, true), P(0x0f5d, 0x66, minpd, true), S(0x0f5d, 0xf3, minss), S(0x0f5d, 0xf2, minsd),
    P(0x0f5e, 0, divps, true), P(0x0f5e, 0x66, divpd, true), S(0x0f5e, 0xf3, divss), S(0x0f5e, 0xf2, divsd),
    P(0x0f5f, 0, maxps, true), P(0x0f5f, 0x66, maxpd, true), S(0x0f5f, 0xf3, maxss), S(0x0f5f, 0xf2, maxsd),
    P(0x0fd4, 0x66, paddq, false), P(0x0fdb, 0x66, pand, false), P(0x0fdf, 0x66, pandn, false),
    P(0x0feb, 0x66, por, false), P(0x0fef, 0x66, pxor, false), P(0x0ffe, 0x66, paddd, false),
    P(0x0ffa, 0x66, psubd, false), P(0x0ffb, 0x66, psubq, false),
    P(0x0f74, 0x66, pcmpeqb, false), P(0x0f75, 0x66, pcmpeqw, false), P(0x0f76, 0x66, pcmpeqd, false),
    CMP_ROWS(CP, 0, cmpps), CMP_ROWS(CP, 0x66, cmppd),
    CMP_ROWS(CS, 0xf3, cmpss), CMP_ROWS(CS, 0xf2, cmpsd),
};

static const struct vec_op *find_op(const struct x86_mem_insn *in)
{
    for (size_t i = 0; i < ARRAY_SIZE(vec_ops); i++)
        if (vec_ops[i].opcode == in->opcode && vec_ops[i].prefix == in->simd_prefix &&
            (vec_ops[i].imm < 0 || (uint64_t)vec_ops[i].imm == in->imm))
            return &vec_ops[i];
    return NULL;
}

bool vec_alu_opcode(uint16_t opcode)
{
    for (size_t i = 0; i < ARRAY_SIZE(vec_ops); i++)
        if (vec_ops[i].opcode == opcode)
            return true;
    return false;
}

static uint32_t mxcsr_now(void)
{
    uint32_t m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    return m;
}

static void mxcsr_set(uint32_t m)
{
    __asm__ volatile("ldmxcsr %0" :: "m"(m));
}

/* #NM/#UD as the processor checks them before the access (CR0.TS, CR0.EM,
 * CR4.OSFXSR for legacy SSE, CR4.OSXSAVE and XCR0 for VEX), #GP(0) for a
 * misaligned legacy m128; 0 if none. */
static unsigned vec_fault(struct emul *e)
{
    const struct vmcb_save *s = &e->v->arch.vmcb->save;
    const struct x86_mem_insn *in = &e->insn;

    if (!in->vex && ((s->cr0 & CR0_EM) || !(s->cr4 & CR4_OSFXSR)))
        return X86_EXC_UD;
    if (in->vex && (!(s->cr4 & CR4_OSXSAVE) || (e->v->arch.xcr0 & XCR0_SSE_YMM) != XCR0_SSE_YMM))
        return X86_EXC_UD;
    if (s->cr0 & CR0_TS)
        return X86_EXC_NM;
    if (!in->vex && in->size == 16 && (emul_operand_linear(e) & 15))
        return X86_EXC_GP;
    return 0;
}

enum exec_result emulate_vec_alu(struct emul *e)
{
    const struct x86_mem_insn *in = &e->insn;
    const struct vec_op *op = find_op(in);
    vec_op_fn fn;
    uint8_t x[32], dst[32], scratch[32], m[32] = { 0 };
    uint32_t guest_mxcsr, raised;
    unsigned fault;

    if (!op || (in->vex && in->vex_l && !op->v256))
        return EXEC_UNKNOWN;
    fn = !in->vex ? op->sse : in->vex_l ? op->v256 : op->v128;
    if ((fault = vec_fault(e)))
        return emul_raise(e->v, fault);
    if (!emul_operand_read(e, m, in->size))
        return EXEC_FAULTED;
    xstate_vector_get(e->v, in->reg, dst);
    xstate_vector_get(e->v, in->vex ? in->vex_vvvv : in->reg, x);
    xstate_vector_get(e->v, 0, scratch);        /* the guest's XMM0/YMM0, the scratch */
    guest_mxcsr = mxcsr_now();
    mxcsr_set(guest_mxcsr | MXCSR_MASKS);
    fn(x, m);
    raised = mxcsr_now() & MXCSR_FLAGS;
    mxcsr_set(guest_mxcsr | raised);
    xstate_vector_set(e->v, 0, scratch);
    if (op->floating && (raised & ~(guest_mxcsr >> 7) & MXCSR_FLAGS)) {
        /* an unmasked SIMD floating-point exception: nothing written */
        return emul_raise(e->v, (e->v->arch.vmcb->save.cr4 & CR4_OSXMMEXCPT) ? X86_EXC_XM
                                                                              : X86_EXC_UD);
    }
    if (!in->vex)
        memcpy(x + 16, dst + 16, 16);           /* legacy SSE keeps bits 255:128 */
    else if (!in->vex_l)
        memset(x + 16, 0, 16);                  /* VEX.128 clears them */
    xstate_vector_set(e->v, in->reg, x);
    return EXEC_DONE;
}
