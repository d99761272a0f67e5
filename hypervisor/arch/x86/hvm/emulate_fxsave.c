/*
 * FXSAVE/FXRSTOR and STMXCSR/LDMXCSR (0F AE /0 /1 /3 /2) whose memory
 * operand is MMIO, by bouncing as emulate_x87.c does: the guest's x87,
 * MXCSR and XMM state is the CPU's own while its exits are handled
 * (xstate.c), so the host runs the instruction on a buffer and the bytes
 * the processor would write go to the device (or come from it). The
 * checks are the processor's (Intel SDM vol. 2 FXSAVE/FXRSTOR/LDMXCSR,
 * AMD APM vol. 4): CR0.TS #NM (FXSAVE/FXRSTOR: CR0.EM too), CR0.EM or
 * CR4.OSFXSR clear #UD for the MXCSR moves, a 512-byte area not 16-byte
 * aligned #GP(0), reserved MXCSR bits #GP(0) before anything is loaded.
 * Without CR4.OSFXSR, and with EFER.FFXSR at CPL 0 in 64-bit mode (fast
 * FXSAVE/FXRSTOR), MXCSR (the first) and the XMM registers are neither
 * stored nor loaded; in 64-bit mode XMM8-15 are. REX.W picks the 64-bit
 * pointer format (FXSAVE64). The XSAVE family is not emulated.
 */
#include <asm/decode.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include "emulate_internal.h"

#define EFER_FFXSR      (1ull << 14)
#define FX_MXCSR        24              /* MXCSR, then MXCSR_MASK */
#define FX_MXCSR_MASK   28
#define FX_XMM          160             /* XMM0 */
#define FX_SIZE         512

struct fx_area { uint8_t b[FX_SIZE]; } __attribute__((aligned(16)));

static void host_fxsave(struct fx_area *a, bool rex_w)
{
    if (rex_w)
        __asm__ volatile("fxsave64 %0" : "=m"(*a));
    else
        __asm__ volatile("fxsave %0" : "=m"(*a));
}

static void host_fxrstor(const struct fx_area *a, bool rex_w)
{
    if (rex_w)
        __asm__ volatile("fxrstor64 %0" :: "m"(*a));
    else
        __asm__ volatile("fxrstor %0" :: "m"(*a));
}

/* The bytes of the area the processor stores and loads: the x87 part, and
 * with SSE state the XMM registers of the mode (8, or 16 in 64-bit code). */
static unsigned fx_extent(struct vcpu *v, bool *sse)
{
    const struct vmcb_save *s = &v->arch.vmcb->save;
    bool long64 = guest_cpu_mode(v) == X86_MODE_LONG64;

    *sse = (s->cr4 & CR4_OSFXSR) && !((s->efer & EFER_FFXSR) && long64 && s->cpl == 0);
    if (!(s->cr4 & CR4_OSFXSR))
        return FX_XMM;
    return *sse ? FX_XMM + 16 * (long64 ? 16 : 8) : FX_XMM;
}

/* MXCSR bits the CPU lets be set (MXCSR_MASK of an FXSAVE image). */
static uint32_t mxcsr_mask(void)
{
    struct fx_area a = { { 0 } };
    uint32_t mask;

    __asm__ volatile("fxsave %0" : "=m"(a));
    memcpy(&mask, a.b + FX_MXCSR_MASK, 4);
    return mask ? mask : 0xffbf;        /* 0 there means the default mask */
}

/* Bytes [from, to) of the area to the operand. */
static bool store_range(struct emul *e, const struct fx_area *a, unsigned from, unsigned to)
{
    for (unsigned at = from; at < to; at += 8)
        if (!emul_operand_access(e, at, (void *)(a->b + at), MIN(to - at, 8u), true))
            return false;
    return true;
}

static enum exec_result fxsave_fxrstor(struct emul *e, bool restore)
{
    struct vcpu *v = e->v;
    bool rex_w = e->insn.size == 8, sse, osfxsr = v->arch.vmcb->save.cr4 & CR4_OSFXSR;
    unsigned extent = fx_extent(v, &sse);
    struct fx_area area = { { 0 } }, mem = { { 0 } };
    uint32_t mxcsr;

    if (emul_operand_linear(e) & 15)
        return emul_fault(v, X86_EXC_GP, 0);
    host_fxsave(&area, rex_w);          /* the guest's state as it is */
    if (!restore) {
        /* MXCSR and its mask only with CR4.OSFXSR; nothing past the extent */
        if (!emul_operand_writable(e, extent) || !store_range(e, &area, 0, FX_MXCSR) ||
            (osfxsr && !store_range(e, &area, FX_MXCSR, 32)) || !store_range(e, &area, 32, extent))
            return EXEC_FAULTED;
        return EXEC_DONE;
    }
    if (!emul_operand_read(e, mem.b, extent))
        return EXEC_FAULTED;
    if (osfxsr) {
        memcpy(&mxcsr, mem.b + FX_MXCSR, 4);
        if (mxcsr & ~mxcsr_mask())
            return emul_fault(v, X86_EXC_GP, 0);
        memcpy(area.b + FX_MXCSR, &mxcsr, 4);
    }
    memcpy(area.b, mem.b, FX_MXCSR);    /* the x87 environment and pointers */
    memcpy(area.b + 32, mem.b + 32, FX_XMM - 32);   /* ST0-7 / MM0-7 */
    if (sse)
        memcpy(area.b + FX_XMM, mem.b + FX_XMM, extent - FX_XMM);
    host_fxrstor(&area, rex_w);
    return EXEC_DONE;
}

static enum exec_result mxcsr_move(struct emul *e, bool load)
{
    struct vcpu *v = e->v;
    uint32_t mxcsr = 0;

    if (!load) {
        __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
        return emul_operand_write(e, &mxcsr, 4) ? EXEC_DONE : EXEC_FAULTED;
    }
    if (!emul_operand_read(e, &mxcsr, 4))
        return EXEC_FAULTED;
    if (mxcsr & ~mxcsr_mask())
        return emul_fault(v, X86_EXC_GP, 0);
    __asm__ volatile("ldmxcsr %0" :: "m"(mxcsr));
    return EXEC_DONE;
}

enum exec_result emulate_fxsave(struct emul *e)
{
    const struct vmcb_save *s = &e->v->arch.vmcb->save;
    unsigned ext = e->insn.reg & 7;

    if (ext >= 2 && ((s->cr0 & CR0_EM) || !(s->cr4 & CR4_OSFXSR))) {
        svm_inject_ud(e->v);
        return EXEC_FAULTED;
    }
    if ((s->cr0 & CR0_TS) || (ext < 2 && (s->cr0 & CR0_EM)))
        return emul_raise(e->v, X86_EXC_NM);
    switch (ext) {
    case 0:  return fxsave_fxrstor(e, false);
    case 1:  return fxsave_fxrstor(e, true);
    case 2:  return mxcsr_move(e, true);
    default: return mxcsr_move(e, false);
    }
}
