/*
 * PUSHF, POPF, ENTER and LEAVE with the stack in MMIO (Intel SDM vol. 2,
 * AMD APM vol. 3). The stack is addressed through SS with the stack's
 * address size (64-bit code, else SS.B); the operand size is 16, 32 or, in
 * 64-bit code, 64 bits (66 gives 16). rSP and rBP change only once every
 * access succeeded, so a fault leaves them as they were.
 * PUSHF stores RFLAGS with VM and RF clear; POPF changes only the flags the
 * privilege allows (CPL 0: all but VM, VIP, VIF; CPL <= IOPL: not IOPL
 * either; above: not IF either), clears RF and, in virtual-8086 mode with
 * IOPL < 3, raises #GP(0) (with CR4.VME the virtual-interrupt forms are
 * not emulated). ENTER pushes rBP, copies level-1 frame pointers from the
 * old frame, pushes the new frame pointer, and allocates its frame size.
 */
#include <asm/decode.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include "emulate_internal.h"

#define FL_RF           (1ull << 16)
#define FL_VM           (1ull << 17)
#define FL_IOPL         (3ull << 12)
#define FL_IF           (1ull << 9)
#define CR4_VME         (1ull << 0)
/* CF PF AF ZF SF TF IF DF OF IOPL NT AC ID: what POPF may change at CPL 0 */
#define FL_POPF         0x247fd5ull

static unsigned iopl(uint64_t rflags) { return (unsigned)(rflags >> 12) & 3; }

/* A general register written with an operand size (32 bits zero-extend). */
static void gpr_write(struct vcpu *v, unsigned reg, unsigned size, uint64_t val)
{
    uint64_t *r = &v->arch.gpr[reg];

    *r = size >= 4 ? val & size_mask(size) : (*r & ~size_mask(size)) | (val & size_mask(size));
}

/* rSP or rBP moved within the stack's address size (upper bits kept). */
static uint64_t stack_reg(uint64_t old, uint64_t val, unsigned asize)
{
    return asize == 8 ? val : (old & ~size_mask(asize)) | (val & size_mask(asize));
}

static bool stack_read(struct vcpu *v, uint64_t off, unsigned asize, uint64_t *val, unsigned size)
{
    *val = 0;
    return guest_access_linear(v, X86_SEG_SS, off & size_mask(asize), val, size, GA_READ);
}

static bool stack_write(struct vcpu *v, uint64_t off, unsigned asize, uint64_t val, unsigned size)
{
    return guest_access_linear(v, X86_SEG_SS, off & size_mask(asize), &val, size, GA_WRITE);
}

static bool vm86_needs_iopl3(struct emul *e, enum exec_result *r)
{
    const struct vmcb_save *s = &e->v->arch.vmcb->save;

    if (!(s->rflags & FL_VM) || iopl(s->rflags) == 3)
        return false;
    *r = (s->cr4 & CR4_VME) ? EXEC_UNKNOWN : emul_fault(e->v, X86_EXC_GP, 0);
    return true;
}

static enum exec_result pushf(struct emul *e)
{
    struct vcpu *v = e->v;
    unsigned size = e->insn.size;
    enum exec_result r;

    if (vm86_needs_iopl3(e, &r))
        return r;
    return emul_push(v, v->arch.vmcb->save.rflags & ~(FL_VM | FL_RF), size) ? EXEC_DONE
                                                                            : EXEC_FAULTED;
}

static enum exec_result popf(struct emul *e)
{
    struct vcpu *v = e->v;
    struct vmcb_save *s = &v->arch.vmcb->save;
    unsigned size = e->insn.size, asize = emul_stack_addr_size(v);
    uint64_t rsp = v->arch.gpr[GPR_RSP], val, mask = FL_POPF;
    unsigned cpl = (s->cr0 & X86_CR0_PE) ? s->cpl : 0;
    enum exec_result r;

    if (vm86_needs_iopl3(e, &r))
        return r;
    if (!stack_read(v, rsp, asize, &val, size))
        return EXEC_FAULTED;
    if ((s->rflags & FL_VM) || cpl > 0)
        mask &= ~FL_IOPL;
    if (!(s->rflags & FL_VM) && cpl > iopl(s->rflags))
        mask &= ~FL_IF;
    mask &= size_mask(size);
    s->rflags = (((s->rflags & ~mask) | (val & mask)) & ~FL_RF) | 2;
    v->arch.gpr[GPR_RSP] = stack_reg(rsp, rsp + size, asize);
    return EXEC_DONE;
}

static enum exec_result leave(struct emul *e)
{
    struct vcpu *v = e->v;
    unsigned size = e->insn.size, asize = emul_stack_addr_size(v);
    uint64_t rbp = v->arch.gpr[GPR_RBP], val;

    if (!stack_read(v, rbp, asize, &val, size))
        return EXEC_FAULTED;
    v->arch.gpr[GPR_RSP] = stack_reg(v->arch.gpr[GPR_RSP], rbp + size, asize);
    gpr_write(v, GPR_RBP, size, val);
    return EXEC_DONE;
}

static enum exec_result enter(struct emul *e)
{
    struct vcpu *v = e->v;
    unsigned size = e->insn.size, asize = emul_stack_addr_size(v);
    unsigned frame = (unsigned)e->insn.imm & 0xffff, level = (unsigned)(e->insn.imm >> 16) & 31;
    uint64_t rsp = v->arch.gpr[GPR_RSP], rbp = v->arch.gpr[GPR_RBP], frame_ptr, val;

    rsp -= size;
    if (!stack_write(v, rsp, asize, rbp, size))
        return EXEC_FAULTED;
    frame_ptr = rsp;
    if (level) {
        for (unsigned i = 1; i < level; i++) {
            rbp -= size;
            rsp -= size;
            if (!stack_read(v, rbp, asize, &val, size) || !stack_write(v, rsp, asize, val, size))
                return EXEC_FAULTED;
        }
        rsp -= size;
        if (!stack_write(v, rsp, asize, frame_ptr, size))
            return EXEC_FAULTED;
    }
    v->arch.gpr[GPR_RBP] = stack_reg(v->arch.gpr[GPR_RBP], frame_ptr, asize);
    v->arch.gpr[GPR_RSP] = stack_reg(v->arch.gpr[GPR_RSP], rsp - frame, asize);
    return EXEC_DONE;
}

enum exec_result emulate_stack_insn(struct emul *e)
{
    switch (e->insn.opcode) {
    case 0x9c: return pushf(e);
    case 0x9d: return popf(e);
    case 0xc8: return enter(e);
    default:   return leave(e);
    }
}
