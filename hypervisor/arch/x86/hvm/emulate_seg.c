/*
 * Segment loads for the MMIO emulator: MOV Sreg,m16, POP Sreg (the stack in
 * MMIO), LDS/LES/LFS/LGS/LSS and far CALL/JMP through a pointer that a device holds (or that straddles
 * RAM and a device). The descriptor checks are the processor's (Intel SDM
 * vol. 2 MOV, LDS/LES/LFS/LGS/LSS, JMP, CALL; AMD APM vol. 3): a null
 * selector, a selector past the GDT/LDT limit, the wrong type or privilege
 * raise #GP with the selector (RPL cleared) as error code, a segment not
 * present #NP (#SS for SS); a descriptor loaded gets its accessed bit set.
 * Real mode and virtual-8086 mode load selector << 4 as the base. Far
 * transfers go to code segments or through call gates at the same
 * privilege; in long mode a TSS or task gate is #GP(selector) (no task
 * switches there). A call gate that raises the privilege, and task gates
 * and TSS selectors outside long mode (task switches), are not emulated
 * and end the domain with the bytes in the reason.
 */
#include <asm/decode.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include "emulate_internal.h"

#define TYPE_CODE       0x8u
#define TYPE_CONFORMING 0x4u            /* code; for data: expand-down */
#define TYPE_RW         0x2u            /* readable code, writable data */

static struct vmcb_seg *segment_reg(struct vmcb_save *s, unsigned sreg)
{
    struct vmcb_seg *segs[] = { &s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs };
    return segs[sreg];
}

bool seg_protected_mode(struct vcpu *v)
{
    const struct vmcb_save *s = &v->arch.vmcb->save;
    return (s->cr0 & X86_CR0_PE) && !(s->rflags & X86_EFLAGS_VM);
}

/* The linear address of the descriptor sel selects, or false if its last
 * byte is past the table's limit. */
static bool descriptor_in_table(struct vcpu *v, uint16_t sel, unsigned bytes, uint64_t *gla)
{
    const struct vmcb_save *s = &v->arch.vmcb->save;
    const struct vmcb_seg *table = (sel & 4) ? &s->ldtr : &s->gdtr;

    if ((uint32_t)(sel & ~7u) + bytes - 1 > table->limit)
        return false;
    *gla = table->base + (sel & ~7u);
    if (!(s->efer & EFER_LMA))
        *gla &= 0xffffffffull;
    return true;
}

/* The same, #GP(sel) injected past the limit. */
static bool descriptor_address(struct vcpu *v, uint16_t sel, unsigned bytes, uint64_t *gla)
{
    if (descriptor_in_table(v, sel, bytes, gla))
        return true;
    emul_fault(v, X86_EXC_GP, SEL_ERROR(sel));
    return false;
}

/*
 * VERR/VERW (Intel SDM vol. 2, AMD APM vol. 3): whether the segment sel
 * selects can be read (write: written) at the current CPL with the
 * selector's RPL, in *accessible (ZF). A null selector, one past the table's
 * limit, a system descriptor, or a non-conforming segment whose DPL is
 * below CPL or RPL is not; the present bit is not checked and nothing about
 * the selector faults. False: reading the descriptor faulted (#PF).
 */
bool seg_verify_access(struct vcpu *v, uint16_t sel, bool write, bool *accessible)
{
    unsigned cpl = v->arch.vmcb->save.cpl, type, dpl;
    uint64_t gla, d = 0;

    *accessible = false;
    if (!(sel & 0xfffc) || !descriptor_in_table(v, sel, 8, &gla))
        return true;
    if (!guest_access_linear(v, X86_SEG_NONE, gla, &d, 8, GA_READ | GA_IMPLICIT))
        return false;
    type = DESC_TYPE(d);
    dpl = DESC_DPL(d);
    if (!(d & DESC_S))
        return true;
    if ((type & (TYPE_CODE | TYPE_CONFORMING)) != (TYPE_CODE | TYPE_CONFORMING) &&
        (cpl > dpl || (sel & 3u) > dpl))
        return true;
    if (type & TYPE_CODE)
        *accessible = !write && (type & TYPE_RW);
    else
        *accessible = !write || (type & TYPE_RW);
    return true;
}

bool seg_read_descriptor(struct vcpu *v, uint16_t sel, uint64_t desc[2], unsigned extra)
{
    uint64_t gla;

    desc[1] = 0;
    if (!descriptor_address(v, sel, 8 + extra, &gla))
        return false;
    /* X86_SEG_NONE: the address is linear; a supervisor access at any CPL. */
    if (!guest_access_linear(v, X86_SEG_NONE, gla, &desc[0], 8, GA_READ | GA_IMPLICIT))
        return false;
    return !extra || guest_access_linear(v, X86_SEG_NONE, gla + 8, &desc[1], extra,
                                         GA_READ | GA_IMPLICIT);
}

bool seg_write_descriptor_high(struct vcpu *v, uint16_t sel, uint64_t desc)
{
    uint64_t gla;
    uint32_t high = (uint32_t)(desc >> 32);

    return descriptor_address(v, sel, 8, &gla) &&
           guest_access_linear(v, X86_SEG_NONE, gla + 4, &high, 4, GA_WRITE | GA_IMPLICIT);
}

void seg_from_descriptor(struct vmcb_seg *seg, uint16_t sel, uint64_t d)
{
    uint32_t limit = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000));

    seg->sel = sel;
    seg->base = ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000);
    seg->limit = (d & DESC_G) ? (limit << 12) | 0xfff : limit;
    seg->attrib = (uint16_t)(((d >> 40) & 0xff) | ((d >> 44) & 0xf00));
}

/* Sets the accessed bit (a locked write of the descriptor on the CPU). */
static bool mark_accessed(struct vcpu *v, uint16_t sel, uint64_t *desc)
{
    if (*desc & DESC_A)
        return true;
    *desc |= DESC_A;
    return seg_write_descriptor_high(v, sel, *desc);
}

/* The checks of MOV Sreg/LxS on a non-null selector's descriptor: the
 * vector to raise (error code: the selector), or 0. */
static unsigned data_load_fault(unsigned sreg, uint16_t sel, unsigned cpl, uint64_t d)
{
    unsigned type = DESC_TYPE(d), dpl = DESC_DPL(d), rpl = sel & 3;

    if (!(d & DESC_S))
        return X86_EXC_GP;
    if (sreg == X86_SEG_SS) {
        if ((type & TYPE_CODE) || !(type & TYPE_RW) || rpl != cpl || dpl != cpl)
            return X86_EXC_GP;
        return (d & DESC_P) ? 0 : X86_EXC_SS;
    }
    if ((type & (TYPE_CODE | TYPE_RW)) == TYPE_CODE)
        return X86_EXC_GP;                      /* execute-only code */
    if (!(type & TYPE_CODE) || !(type & TYPE_CONFORMING))
        if (dpl < cpl || dpl < rpl)
            return X86_EXC_GP;
    return (d & DESC_P) ? 0 : X86_EXC_NP;
}

bool seg_load_data(struct vcpu *v, unsigned sreg, uint16_t sel)
{
    struct vmcb_save *s = &v->arch.vmcb->save;
    struct vmcb_seg *seg = segment_reg(s, sreg);
    uint64_t d[2];
    unsigned fault;

    if (!seg_protected_mode(v)) {
        /* Real mode keeps the limit and attributes; V86 sets them. */
        seg->sel = sel;
        seg->base = (uint64_t)sel << 4;
        if (s->rflags & X86_EFLAGS_VM) {
            seg->limit = 0xffff;
            seg->attrib = 0xf3;
        }
        return true;
    }
    if (!(sel & 0xfffc)) {
        /* A null SS only in 64-bit code below CPL 3, with RPL = CPL. */
        if (sreg == X86_SEG_SS && (guest_cpu_mode(v) != X86_MODE_LONG64 || s->cpl == 3 ||
                                   (sel & 3) != s->cpl)) {
            emul_fault(v, X86_EXC_GP, 0);
            return false;
        }
        seg->sel = sel;
        seg->base = 0;
        seg->limit = 0;
        seg->attrib = 0;                        /* unusable */
        return true;
    }
    if (!seg_read_descriptor(v, sel, d, 0))
        return false;
    fault = data_load_fault(sreg, sel, s->cpl, d[0]);
    if (fault) {
        emul_fault(v, fault, SEL_ERROR(sel));
        return false;
    }
    if (!mark_accessed(v, sel, &d[0]))
        return false;
    seg_from_descriptor(seg, sel, d[0]);
    return true;
}

/* ---- far CALL/JMP ---- */

/* The checks of a far transfer to a code segment (descriptor d): the
 * vector to raise with the selector as error code, or 0. Gates and TSS
 * selectors are reported through *unknown. */
static unsigned code_target_fault(uint16_t sel, unsigned cpl, uint64_t d, bool *unknown)
{
    unsigned type = DESC_TYPE(d), dpl = DESC_DPL(d);

    *unknown = false;
    if (!(d & DESC_S)) {
        /* call gate (4, 0xc), task gate (5), TSS (1, 9): not emulated; other
         * system types are #GP */
        *unknown = type == 4 || type == 0xc || type == 5 || type == 1 || type == 9;
        return *unknown ? 0 : X86_EXC_GP;
    }
    if (!(type & TYPE_CODE))
        return X86_EXC_GP;
    if (type & TYPE_CONFORMING) {
        if (dpl > cpl)
            return X86_EXC_GP;
    } else if ((sel & 3) > cpl || dpl != cpl) {
        return X86_EXC_GP;
    }
    return (d & DESC_P) ? 0 : X86_EXC_NP;
}

static bool push_return(struct vcpu *v, unsigned size, uint64_t ret)
{
    uint64_t rsp = v->arch.gpr[GPR_RSP];

    if (emul_push(v, v->arch.vmcb->save.cs.sel, size) && emul_push(v, ret, size))
        return true;
    v->arch.gpr[GPR_RSP] = rsp;                 /* a fault leaves rSP as it was */
    return false;
}

/* The end of a far transfer to the checked code descriptor d (selector
 * sel, RPL := CPL): #GP(0) for a target past its limit or, 64-bit, not
 * canonical; a CALL pushes CS and the return address at size; the
 * accessed bit is set and CS:rIP loaded. */
static enum exec_result enter_code_segment(struct emul *e, bool call, uint16_t sel, uint64_t *d,
                                           uint64_t target, unsigned size)
{
    struct vcpu *v = e->v;
    struct vmcb_save *s = &v->arch.vmcb->save;
    struct vmcb_seg cs;

    seg_from_descriptor(&cs, (uint16_t)((sel & 0xfffc) | s->cpl), *d | DESC_A);
    if ((s->efer & EFER_LMA) && (*d & DESC_L)) {
        if ((uint64_t)((int64_t)(target << 16) >> 16) != target)
            return emul_fault(v, X86_EXC_GP, 0);        /* non-canonical */
    } else if (target > cs.limit) {
        return emul_fault(v, X86_EXC_GP, 0);
    }
    if (call && !push_return(v, size, (s->rip + e->insn.len) & size_mask(size)))
        return EXEC_FAULTED;
    if (!mark_accessed(v, sel, d))
        return EXEC_FAULTED;
    s->cs = cs;
    s->rip = target;
    return EXEC_JUMPED;
}

#define DESC_DB         (1ull << 54)
#define TYPE_CALL_GATE16 0x4u
#define TYPE_CALL_GATE  0xcu            /* 32-bit; in long mode the 64-bit gate */

/*
 * Far CALL/JMP through a call gate (gate: its descriptor, 16 bytes in long
 * mode; Intel SDM vol. 2 CALL/JMP, AMD APM vol. 2 4.11): the gate's DPL
 * must admit CPL and the selector's RPL (#GP(gate)), the gate be present
 * (#NP(gate)), its target a non-null (#GP(0)) code segment with DPL <= CPL,
 * for JMP to a non-conforming one DPL = CPL, in long mode a 64-bit one
 * (#GP(target)), present (#NP(target)). CS and the return address are
 * pushed at the gate's size (8 bytes in long mode). A CALL that raises the
 * privilege (non-conforming target, DPL < CPL: a stack switch through the
 * TSS) is not emulated.
 */
static enum exec_result call_gate(struct emul *e, bool call, uint16_t gsel, uint64_t g[2])
{
    struct vcpu *v = e->v;
    struct vmcb_save *s = &v->arch.vmcb->save;
    bool lma = s->efer & EFER_LMA;
    unsigned cpl = s->cpl, gdpl = DESC_DPL(g[0]), type, tdpl, size;
    uint16_t tsel = (uint16_t)(g[0] >> 16);
    uint64_t offset = (g[0] & 0xffff) | ((g[0] >> 32) & 0xffff0000u), t[2];

    if (lma && (!seg_read_descriptor(v, gsel, g, 8)))
        return EXEC_FAULTED;
    if (lma && ((g[1] >> 40) & 0x1f))
        return emul_fault(v, X86_EXC_GP, SEL_ERROR(gsel));     /* upper half's type must be 0 */
    if (gdpl < cpl || gdpl < (gsel & 3u))
        return emul_fault(v, X86_EXC_GP, SEL_ERROR(gsel));
    if (!(g[0] & DESC_P))
        return emul_fault(v, X86_EXC_NP, SEL_ERROR(gsel));
    if (lma)
        offset |= g[1] << 32;
    else if (DESC_TYPE(g[0]) == TYPE_CALL_GATE16)
        offset &= 0xffff;
    if (!(tsel & 0xfffc))
        return emul_fault(v, X86_EXC_GP, 0);
    if (!seg_read_descriptor(v, tsel, t, 0))
        return EXEC_FAULTED;
    type = DESC_TYPE(t[0]);
    tdpl = DESC_DPL(t[0]);
    if (!(t[0] & DESC_S) || !(type & TYPE_CODE) || tdpl > cpl ||
        (lma && (!(t[0] & DESC_L) || (t[0] & DESC_DB))) ||
        (!call && !(type & TYPE_CONFORMING) && tdpl != cpl))
        return emul_fault(v, X86_EXC_GP, SEL_ERROR(tsel));
    if (!(t[0] & DESC_P))
        return emul_fault(v, X86_EXC_NP, SEL_ERROR(tsel));
    if (call && !(type & TYPE_CONFORMING) && tdpl < cpl)
        return EXEC_UNKNOWN;                                    /* privilege change */
    size = lma ? 8 : DESC_TYPE(g[0]) == TYPE_CALL_GATE ? 4 : 2;
    return enter_code_segment(e, call, tsel, &t[0], offset, size);
}

static enum exec_result far_transfer(struct emul *e, bool call, uint64_t target, uint16_t sel)
{
    struct vcpu *v = e->v;
    struct vmcb_save *s = &v->arch.vmcb->save;
    unsigned size = e->insn.size, fault;
    uint64_t ret = (s->rip + e->insn.len) & size_mask(size), d[2];
    bool unknown;

    if (!seg_protected_mode(v)) {
        if (call && !push_return(v, size, ret))
            return EXEC_FAULTED;
        s->cs.sel = sel;
        s->cs.base = (uint64_t)sel << 4;
        s->rip = target;
        return EXEC_JUMPED;
    }
    if (!(sel & 0xfffc))
        return emul_fault(v, X86_EXC_GP, 0);
    if (!seg_read_descriptor(v, sel, d, 0))
        return EXEC_FAULTED;
    fault = code_target_fault(sel, s->cpl, d[0], &unknown);
    if (unknown && (DESC_TYPE(d[0]) == TYPE_CALL_GATE ||
                    (DESC_TYPE(d[0]) == TYPE_CALL_GATE16 && !(s->efer & EFER_LMA))))
        return call_gate(e, call, sel, d);
    if (unknown && (s->efer & EFER_LMA))
        return emul_fault(v, X86_EXC_GP, SEL_ERROR(sel));      /* no task switch in long mode */
    if (unknown)
        return EXEC_UNKNOWN;                                    /* task gate, TSS */
    if (fault)
        return emul_fault(v, fault, SEL_ERROR(sel));
    return enter_code_segment(e, call, sel, &d[0], target, size);
}

/* ---- the instructions ---- */

/* The far pointer: an offset of the operand size, then a selector. */
static bool read_far_pointer(struct emul *e, uint64_t *offset, uint16_t *sel)
{
    *offset = 0;
    return emul_operand_access(e, 0, offset, e->insn.size, false) &&
           emul_operand_access(e, e->insn.size, sel, 2, false);
}

static unsigned lxs_segment(uint16_t op)
{
    switch (op) {
    case 0xc4:   return X86_SEG_ES;
    case 0xc5:   return X86_SEG_DS;
    case 0x0fb2: return X86_SEG_SS;
    case 0x0fb4: return X86_SEG_FS;
    default:     return X86_SEG_GS;
    }
}

/* POP Sreg with the stack in MMIO: the selector is the low word of an
 * operand-size slot; rSP moves only once the load succeeded. */
static enum exec_result pop_segment(struct emul *e)
{
    static const uint8_t sreg_of[] = { [0x07] = X86_SEG_ES, [0x17] = X86_SEG_SS,
                                       [0x1f] = X86_SEG_DS };
    struct vcpu *v = e->v;
    uint16_t op = e->insn.opcode;
    unsigned sreg = op == 0x0fa1 ? X86_SEG_FS : op == 0x0fa9 ? X86_SEG_GS : sreg_of[op];
    unsigned asize = emul_stack_addr_size(v), size = e->insn.size;
    uint64_t rsp = v->arch.gpr[GPR_RSP], val = 0;

    if (!guest_access_linear(v, X86_SEG_SS, rsp & size_mask(asize), &val, size, GA_READ) ||
        !seg_load_data(v, sreg, (uint16_t)val))
        return EXEC_FAULTED;
    v->arch.gpr[GPR_RSP] = asize == 8 ? rsp + size
                         : (rsp & ~size_mask(asize)) | ((rsp + size) & size_mask(asize));
    return sreg == X86_SEG_SS ? EXEC_DONE_SHADOW : EXEC_DONE;
}

enum exec_result emulate_segment_insn(struct emul *e)
{
    struct vcpu *v = e->v;
    unsigned sreg = e->insn.reg & 7;
    uint64_t offset;
    uint16_t sel = 0;

    if (e->insn.opcode == 0x07 || e->insn.opcode == 0x17 || e->insn.opcode == 0x1f ||
        e->insn.opcode == 0x0fa1 || e->insn.opcode == 0x0fa9)
        return pop_segment(e);
    if (e->insn.opcode == 0x8e) {                       /* MOV Sreg, m16 */
        if (sreg == X86_SEG_CS || sreg > X86_SEG_GS) {
            svm_inject_ud(v);
            return EXEC_FAULTED;
        }
        if (!emul_operand_access(e, 0, &sel, 2, false) || !seg_load_data(v, sreg, sel))
            return EXEC_FAULTED;
        return sreg == X86_SEG_SS ? EXEC_DONE_SHADOW : EXEC_DONE;
    }
    if (!read_far_pointer(e, &offset, &sel))
        return EXEC_FAULTED;
    if (e->insn.opcode == 0xff)                         /* /3 CALL, /5 JMP */
        return far_transfer(e, sreg == 3, offset, sel);
    if (!seg_load_data(v, lxs_segment(e->insn.opcode), sel))
        return EXEC_FAULTED;
    emul_set_reg(e, e->insn.size, offset);
    return EXEC_DONE;
}
