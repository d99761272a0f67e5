/*
 * Descriptor-table instructions with an MMIO operand for the emulator
 * (Intel SDM vol. 2 SGDT/SIDT/SLDT/STR/SMSW, LGDT/LIDT/LLDT/LTR; AMD APM
 * vol. 3): the stores honour CR4.UMIP (#GP(0) above CPL 0) and store a
 * 24-bit base with a 16-bit operand size, as QEMU does; the loads need CPL 0
 * (#GP(0)), LLDT/LTR protected mode (#UD), a GDT selector of the right
 * system type (#GP(sel)), a present descriptor (#NP(sel)) and in long mode
 * a 16-byte descriptor with a canonical base; LTR marks the TSS busy.
 * VERR/VERW read their selector and set ZF (emulate_seg.c's check).
 * LMSW exits as a CR0 write before its operand is read (svm/cr.c).
 */
#include <asm/decode.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include "emulate_internal.h"

#define CR4_UMIP        (1ull << 11)
#define TSS_BUSY        (2ull << 40)

static unsigned cpl(const struct vmcb_save *s)
{
    return (s->rflags & X86_EFLAGS_VM) ? 3 : s->cpl;
}

static bool canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* ---- stores ---- */

static enum exec_result store_table_register(struct emul *e, const struct vmcb_seg *table)
{
    bool long64 = guest_cpu_mode(e->v) == X86_MODE_LONG64;
    uint16_t limit = (uint16_t)table->limit;
    uint64_t base = table->base;

    if (!long64)
        base &= e->insn.size == 2 ? 0xffffff : 0xffffffff;
    if (!emul_operand_access(e, 0, &limit, 2, true) ||
        !emul_operand_access(e, 2, &base, long64 ? 8 : 4, true))
        return EXEC_FAULTED;
    return EXEC_DONE;
}

static enum exec_result store_word(struct emul *e, uint16_t val)
{
    return emul_operand_access(e, 0, &val, 2, true) ? EXEC_DONE : EXEC_FAULTED;
}

/* ---- loads ---- */

static enum exec_result load_table_register(struct emul *e, struct vmcb_seg *table)
{
    bool long64 = guest_cpu_mode(e->v) == X86_MODE_LONG64;
    uint16_t limit = 0;
    uint64_t base = 0;

    if (!emul_operand_access(e, 0, &limit, 2, false) ||
        !emul_operand_access(e, 2, &base, long64 ? 8 : 4, false))
        return EXEC_FAULTED;
    if (long64 && !canonical(base))
        return emul_fault(e->v, X86_EXC_GP, 0);
    if (!long64 && e->insn.size == 2)
        base &= 0xffffff;
    table->limit = limit;
    table->base = base;
    return EXEC_DONE;
}

/* LLDT (want_type 2) and LTR (9, or 1 outside long mode): the GDT
 * descriptor checks; the loaded descriptor in *seg. */
static enum exec_result load_system_segment(struct emul *e, bool tr, struct vmcb_seg *seg)
{
    struct vcpu *v = e->v;
    bool lma = v->arch.vmcb->save.efer & EFER_LMA;
    uint16_t sel = 0;
    uint64_t d[2];
    unsigned type;

    if (!emul_operand_access(e, 0, &sel, 2, false))
        return EXEC_FAULTED;
    if (!(sel & 0xfffc)) {
        if (tr)
            return emul_fault(v, X86_EXC_GP, 0);
        seg->sel = sel;                          /* a null LDT: unusable */
        seg->base = 0;
        seg->limit = 0;
        seg->attrib = 0;
        return EXEC_DONE;
    }
    if (sel & 4)
        return emul_fault(v, X86_EXC_GP, SEL_ERROR(sel));
    if (!seg_read_descriptor(v, sel, d, lma ? 8 : 0))
        return EXEC_FAULTED;
    type = DESC_TYPE(d[0]);
    if ((d[0] & DESC_S) || (tr ? !(type == 9 || (type == 1 && !lma)) : type != 2))
        return emul_fault(v, X86_EXC_GP, SEL_ERROR(sel));
    if (lma && ((d[1] >> 40) & 0x1f))
        return emul_fault(v, X86_EXC_GP, SEL_ERROR(sel));  /* upper half's type must be 0 */
    if (!(d[0] & DESC_P))
        return emul_fault(v, X86_EXC_NP, SEL_ERROR(sel));
    if (lma) {
        uint64_t base = ((d[0] >> 16) & 0xffffff) | ((d[0] >> 32) & 0xff000000) | (d[1] << 32);
        if (!canonical(base))
            return emul_fault(v, X86_EXC_GP, SEL_ERROR(sel));
    }
    if (tr) {
        d[0] |= TSS_BUSY;
        if (!seg_write_descriptor_high(v, sel, d[0]))
            return EXEC_FAULTED;
    }
    seg_from_descriptor(seg, sel, d[0]);
    seg->base |= d[1] << 32;
    return EXEC_DONE;
}

/* VERR (write false) / VERW with the selector in memory: ZF alone changes. */
static enum exec_result verify_segment(struct emul *e, bool write)
{
    struct vmcb_save *s = &e->v->arch.vmcb->save;
    uint16_t sel = 0;
    bool accessible;

    if (!emul_operand_access(e, 0, &sel, 2, false) || !seg_verify_access(e->v, sel, write, &accessible))
        return EXEC_FAULTED;
    s->rflags = accessible ? s->rflags | EFL_ZF : s->rflags & ~EFL_ZF;
    return EXEC_DONE;
}

enum exec_result emulate_system_insn(struct emul *e)
{
    struct vcpu *v = e->v;
    struct vmcb_save *s = &v->arch.vmcb->save;
    unsigned ext = e->insn.reg & 7;
    bool group7 = e->insn.opcode == 0x0f01;
    bool store = group7 ? (ext <= 1 || ext == 4) : ext <= 1;

    if (ext > (group7 ? 4u : 5u))
        return EXEC_UNKNOWN;                     /* LMSW, INVLPG... */
    if (!group7 && !seg_protected_mode(v)) {
        svm_inject_ud(v);                        /* SLDT/STR/LLDT/LTR/VERR/VERW in real and V86 mode */
        return EXEC_FAULTED;
    }
    if (!group7 && ext >= 4)
        return verify_segment(e, ext == 5);
    if (store ? (s->cr4 & CR4_UMIP) && cpl(s) > 0 : cpl(s) > 0)
        return emul_fault(v, X86_EXC_GP, 0);
    if (group7) {
        switch (ext) {
        case 0:  return store_table_register(e, &s->gdtr);
        case 1:  return store_table_register(e, &s->idtr);
        case 2:  return load_table_register(e, &s->gdtr);
        case 3:  return load_table_register(e, &s->idtr);
        default: return store_word(e, (uint16_t)s->cr0);        /* SMSW */
        }
    }
    switch (ext) {
    case 0:  return store_word(e, s->ldtr.sel);
    case 1:  return store_word(e, s->tr.sel);
    case 2:  return load_system_segment(e, false, &s->ldtr);
    default: return load_system_segment(e, true, &s->tr);
    }
}
