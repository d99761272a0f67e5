/*
 * Instruction emulator for memory accesses that exit as #NPF (MMIO: the
 * xAPIC page, other devices of mmio.c's table, guest-physical space with
 * nothing behind it). TCG gives no decode assists, so the instruction at
 * RIP is decoded (decode.c: x86_decode_mem) and carried out against the
 * "bus" (hvm_bus_read/write: RAM, a device, or nothing): MOV in every form
 * (and MOVNTI, MOVBE, MOV m16,Sreg), MOVZX/MOVSX, the ALU and compare forms
 * (group 1), TEST, XCHG, NOT/NEG, INC/DEC, MUL/IMUL/DIV/IDIV, the shifts
 * and rotates (group 2, SHLD/SHRD), BT/BTS/BTR/BTC, BSF/BSR/TZCNT/LZCNT/
 * POPCNT, SETcc/CMOVcc, CMPXCHG, CMPXCHG8B/16B, XADD, PUSH/POP m, near CALL/JMP through
 * memory, MOVS/STOS/LODS/CMPS/SCAS with REP/REPE/REPNE and DF (either side
 * MMIO or RAM, addressed through the guest's page tables), the SSE/AVX
 * moves (emulate_sse.c) and arithmetic (emulate_vec_alu.c), x87 and MMX
 * memory operands (emulate_x87.c), MOV Sreg, LxS and far CALL/JMP
 * (emulate_seg.c) and the descriptor-table instructions (emulate_sys.c).
 * Results and flags come from the host CPU running the same operation on
 * the same values (emulate_alu.c and the bounce buffers of the vector and
 * x87 parts), so they are what the processor gives, undefined flags
 * included. What is left (far transfers through gates, VERR/VERW, other
 * vector instructions, FLDENV/FNSAVE-class x87 state loads and stores)
 * ends the domain with the bytes in the reason: hardware would have
 * performed the access, so neither #UD nor a skipped instruction would be
 * faithful.
 */
#include <asm/decode.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include "emulate_internal.h"
#include "svm/svm_internal.h"

#define STRING_CHUNK    1024u           /* REP iterations per exit (restartable) */

static uint64_t sign_extend(uint64_t val, unsigned size)
{
    unsigned shift = 64 - size * 8;
    return size >= 8 ? val : (uint64_t)((int64_t)(val << shift) >> shift);
}

/* ---- registers ---- */

static uint64_t reg_read(struct vcpu *v, unsigned reg, bool high8, unsigned size)
{
    return (v->arch.gpr[reg] >> (high8 ? 8 : 0)) & size_mask(size);
}

static void reg_write(struct vcpu *v, unsigned reg, bool high8, unsigned size, uint64_t val)
{
    uint64_t *r = &v->arch.gpr[reg];
    unsigned shift = high8 ? 8 : 0;

    if (size == 4)
        *r = (uint32_t)val;             /* 32-bit writes zero-extend */
    else
        *r = (*r & ~(size_mask(size) << shift)) | ((val & size_mask(size)) << shift);
}

/* ---- one instruction ---- */

static uint16_t segment_selector(const struct vmcb_save *s, unsigned sreg);

static uint64_t mem_read(struct emul *e, unsigned size)
{
    return hvm_bus_read(e->v, e->gpa, size) & size_mask(size);
}

static void mem_write(struct emul *e, unsigned size, uint64_t val)
{
    hvm_bus_write(e->v, e->gpa, size, val & size_mask(size));
}

/* Wider operands (vector moves) go to the bus 8 bytes at a time, as the
 * processor splits them. */
void emul_mem_read(struct emul *e, void *buf, unsigned size)
{
    for (unsigned off = 0; off < size; off += 8) {
        uint64_t val = hvm_bus_read(e->v, e->gpa + off, MIN(size - off, 8u));
        memcpy((uint8_t *)buf + off, &val, MIN(size - off, 8u));
    }
}

void emul_mem_write(struct emul *e, const void *buf, unsigned size)
{
    for (unsigned off = 0; off < size; off += 8) {
        uint64_t val = 0;
        memcpy(&val, (const uint8_t *)buf + off, MIN(size - off, 8u));
        hvm_bus_write(e->v, e->gpa + off, MIN(size - off, 8u), val);
    }
}

static uint64_t reg_operand(struct emul *e)
{
    return reg_read(e->v, e->insn.reg, e->insn.reg_high8, e->insn.size);
}

static void set_reg_operand(struct emul *e, unsigned size, uint64_t val)
{
    reg_write(e->v, e->insn.reg, e->insn.reg_high8, size, val);
}

void emul_set_reg(struct emul *e, unsigned size, uint64_t val)
{
    set_reg_operand(e, size, val);
}

enum exec_result emul_fault(struct vcpu *v, unsigned vector, uint32_t error)
{
    svm_inject_exception(v, (uint8_t)vector, true, error);
    return EXEC_FAULTED;
}

enum exec_result emul_raise(struct vcpu *v, unsigned vector)
{
    svm_inject_exception(v, (uint8_t)vector, vector == X86_EXC_GP, 0);
    return EXEC_FAULTED;
}

/* The ModRM/moffs operand's segment (override, or SS for rSP/rBP-based
 * addresses, else DS) and offset (base + index * scale + disp). */
static unsigned operand_seg(const struct x86_mem_insn *in)
{
    if (in->seg != X86_SEG_NONE)
        return in->seg;
    return (in->ea_base == GPR_RSP || in->ea_base == GPR_RBP) ? X86_SEG_SS : X86_SEG_DS;
}

static uint64_t operand_offset(struct vcpu *v, const struct x86_mem_insn *in)
{
    uint64_t ea = (uint64_t)in->ea_disp;

    if (in->ea_base == X86_EA_RIP)
        ea += v->arch.vmcb->save.rip + in->len;
    else if (in->ea_base != X86_EA_NONE)
        ea += v->arch.gpr[in->ea_base];
    if (in->ea_index != X86_EA_NONE)
        ea += v->arch.gpr[in->ea_index] * in->ea_scale;
    return ea & size_mask(in->addr_size);
}

/* r/m op= src (a read-modify-write; CMP, TEST and BT only read). */
static void alu_to_mem(struct emul *e, enum alu_op op, uint64_t src)
{
    uint64_t *rflags = &e->v->arch.vmcb->save.rflags;
    unsigned size = e->insn.size;
    uint64_t res = host_alu(op, size, mem_read(e, size), src, rflags);

    if (op != ALU_CMP && op != ALU_TEST && op != ALU_BT)
        mem_write(e, size, res);
}

/* reg = reg op r/m (IMUL, the bit scans). */
static void alu_to_reg(struct emul *e, enum alu_op op, uint64_t dst)
{
    unsigned size = e->insn.size;

    set_reg_operand(e, size, host_alu(op, size, dst, mem_read(e, size),
                                      &e->v->arch.vmcb->save.rflags));
}

/* Bit tests: the #NPF reports the operand the bit offset selects, so only
 * the offset within it remains. */
static void bit_op(struct emul *e, enum alu_op op, uint64_t offset)
{
    alu_to_mem(e, op, offset & (e->insn.size * 8u - 1));
}

static void cmpxchg(struct emul *e)
{
    struct vcpu *v = e->v;
    unsigned size = e->insn.size;
    uint64_t acc = reg_read(v, GPR_RAX, false, size), old = mem_read(e, size);

    host_alu(ALU_CMP, size, acc, old, &v->arch.vmcb->save.rflags);
    if (acc == old) {
        mem_write(e, size, reg_operand(e));
    } else {
        mem_write(e, size, old);        /* the processor always writes the destination */
        reg_write(v, GPR_RAX, false, size, old);
    }
}

/* CMPXCHG8B/16B: rDX:rAX against the operand; rCX:rBX stored if equal,
 * else the old value is written back (the locked cycle always writes) and
 * loaded into rDX:rAX. Only ZF changes. */
static void cmpxchg_double(struct emul *e)
{
    struct vcpu *v = e->v;
    unsigned half = e->insn.size / 2;
    uint64_t mem[2] = { 0, 0 }, m = size_mask(half), *rflags = &v->arch.vmcb->save.rflags;
    uint64_t lo, hi;

    emul_mem_read(e, mem, e->insn.size);
    lo = half == 8 ? mem[0] : mem[0] & m;
    hi = half == 8 ? mem[1] : mem[0] >> 32;
    if (lo == (v->arch.gpr[GPR_RAX] & m) && hi == (v->arch.gpr[GPR_RDX] & m)) {
        uint64_t new[2] = { v->arch.gpr[GPR_RBX] & m, v->arch.gpr[GPR_RCX] & m };
        if (half == 4)
            new[0] |= new[1] << 32;
        emul_mem_write(e, new, e->insn.size);
        *rflags |= EFL_ZF;
    } else {
        emul_mem_write(e, mem, e->insn.size);
        reg_write(v, GPR_RAX, false, half, lo);
        reg_write(v, GPR_RDX, false, half, hi);
        *rflags &= ~EFL_ZF;
    }
}

static enum exec_result mul_div(struct emul *e, unsigned ext)
{
    struct vcpu *v = e->v;
    uint64_t rax = v->arch.gpr[GPR_RAX], rdx = v->arch.gpr[GPR_RDX];

    if (!host_muldiv(ext, e->insn.size, mem_read(e, e->insn.size), &rax, &rdx,
                     &v->arch.vmcb->save.rflags)) {
        svm_inject_exception(v, X86_EXC_DE, false, 0);
        return EXEC_FAULTED;
    }
    v->arch.gpr[GPR_RAX] = rax;
    v->arch.gpr[GPR_RDX] = rdx;
    return EXEC_DONE;
}

static uint64_t bswap(uint64_t val, unsigned size)
{
    uint64_t r = 0;

    for (unsigned i = 0; i < size; i++, val >>= 8)
        r = (r << 8) | (val & 0xff);
    return r;
}

/* ---- the stack ---- */

/* The stack's address size: 64-bit code, else SS's B bit. */
unsigned emul_stack_addr_size(struct vcpu *v)
{
    if (guest_cpu_mode(v) == X86_MODE_LONG64)
        return 8;
    return (v->arch.vmcb->save.ss.attrib & 0x400) ? 4 : 2;
}

bool emul_push(struct vcpu *v, uint64_t val, unsigned size)
{
    unsigned asize = emul_stack_addr_size(v);
    uint64_t rsp = (v->arch.gpr[GPR_RSP] - size) & size_mask(asize);

    if (!guest_access_linear(v, X86_SEG_SS, rsp, &val, size, GA_WRITE))
        return false;
    reg_write(v, GPR_RSP, false, asize, rsp);
    return true;
}

/* The ModRM operand by its linear address: for the forms that also touch
 * the stack, either access may be the one that exited. */
bool emul_operand_access(struct emul *e, unsigned at, void *buf, unsigned size, bool write)
{
    uint64_t off = (operand_offset(e->v, &e->insn) + at) & size_mask(e->insn.addr_size);

    return guest_access_linear(e->v, operand_seg(&e->insn), off, buf, size,
                               write ? GA_WRITE : GA_READ);
}

bool emul_operand_read(struct emul *e, void *buf, unsigned size)
{
    for (unsigned at = 0; at < size; at += 8)
        if (!emul_operand_access(e, at, (uint8_t *)buf + at, MIN(size - at, 8u), false))
            return false;
    return true;
}

bool emul_operand_write(struct emul *e, const void *buf, unsigned size)
{
    for (unsigned at = 0; at < size; at += 8)
        if (!emul_operand_access(e, at, (uint8_t *)buf + at, MIN(size - at, 8u), true))
            return false;
    return true;
}

uint64_t emul_operand_offset(struct emul *e)
{
    return operand_offset(e->v, &e->insn);
}

uint64_t emul_operand_linear(struct emul *e)
{
    return guest_linear(e->v, operand_seg(&e->insn), operand_offset(e->v, &e->insn));
}

uint16_t emul_operand_selector(struct emul *e)
{
    return segment_selector(&e->v->arch.vmcb->save, operand_seg(&e->insn));
}

bool emul_operand_writable(struct emul *e, unsigned size)
{
    uint64_t first = emul_operand_linear(e);
    uint64_t last = first + size - 1, gpa;
    uint32_t pf_error;

    for (uint64_t page = first; ; page = (page | 0xfff) + 1) {
        if (guest_translate(e->v, page, GA_WRITE, &gpa, &pf_error) != GW_OK) {
            guest_inject_pf(e->v, page, pf_error);
            return false;
        }
        if ((page | 0xfff) >= last)
            return true;
    }
}

static bool operand_access(struct emul *e, uint64_t *val, bool write)
{
    return emul_operand_access(e, 0, val, e->insn.size, write);
}

static enum exec_result pop_to_mem(struct emul *e)
{
    struct vcpu *v = e->v;
    unsigned size = e->insn.size, asize = emul_stack_addr_size(v);
    uint64_t old_rsp = v->arch.gpr[GPR_RSP], val = 0;

    if (!guest_access_linear(v, X86_SEG_SS, old_rsp & size_mask(asize), &val, size, GA_READ))
        return EXEC_FAULTED;
    /* An rSP-based destination is addressed with the incremented rSP. */
    reg_write(v, GPR_RSP, false, asize, old_rsp + size);
    if (!operand_access(e, &val, true)) {
        v->arch.gpr[GPR_RSP] = old_rsp;
        return EXEC_FAULTED;
    }
    return EXEC_DONE;
}

/* FF /2 /4 /6: near CALL, near JMP, PUSH through memory. */
static enum exec_result group5_memory(struct emul *e, unsigned ext)
{
    struct vcpu *v = e->v;
    struct vmcb_save *s = &v->arch.vmcb->save;
    unsigned size = e->insn.size;
    uint64_t val = 0;

    if (!operand_access(e, &val, false))
        return EXEC_FAULTED;
    if (ext == 6)
        return emul_push(v, val, size) ? EXEC_DONE : EXEC_FAULTED;
    if (size == 8 && (uint64_t)((int64_t)(val << 16) >> 16) != val) {
        svm_inject_exception(v, X86_EXC_GP, true, 0);   /* non-canonical target */
        return EXEC_FAULTED;
    }
    if (ext == 2 && !emul_push(v, (s->rip + e->insn.len) & size_mask(size), size))
        return EXEC_FAULTED;
    s->rip = val;
    return EXEC_JUMPED;
}

static uint16_t segment_selector(const struct vmcb_save *s, unsigned sreg)
{
    const struct vmcb_seg *segs[] = { &s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs };
    return segs[sreg]->sel;
}

static const enum alu_op group1[8] = { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB,
                                       ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };
static const enum alu_op group8[4] = { ALU_BT, ALU_BTS, ALU_BTR, ALU_BTC };

/* Carries out a non-string instruction. */
static enum exec_result execute(struct emul *e)
{
    struct x86_mem_insn *in = &e->insn;
    struct vcpu *v = e->v;
    uint64_t *rflags = &v->arch.vmcb->save.rflags;
    unsigned size = in->size, ext = in->reg & 7;
    uint16_t op = in->opcode;

    if (op < 0x40 && (op & 7) < 4) {                /* ALU r/m,reg and reg,r/m */
        enum alu_op alu = group1[op >> 3];
        if (op & 2) {
            uint64_t res = host_alu(alu, size, reg_operand(e), mem_read(e, size), rflags);
            if (alu != ALU_CMP)
                set_reg_operand(e, size, res);
        } else {
            alu_to_mem(e, alu, reg_operand(e));
        }
        return EXEC_DONE;
    }
    if (op >= 0x0f40 && op <= 0x0f4f) {             /* CMOVcc: the load always happens */
        uint64_t val = mem_read(e, size);
        /* a 32-bit destination is zero-extended even when nothing moves */
        set_reg_operand(e, size, condition_holds(op & 0xf, *rflags) ? val : reg_operand(e));
        return EXEC_DONE;
    }
    if (vec_alu_opcode(op))                         /* SSE/AVX arithmetic */
        return emulate_vec_alu(e);
    if (op >= 0x0f90 && op <= 0x0f9f) {             /* SETcc */
        mem_write(e, 1, condition_holds(op & 0xf, *rflags));
        return EXEC_DONE;
    }
    switch (op) {
    case 0x80: case 0x81: case 0x83:
        alu_to_mem(e, group1[ext], in->imm & size_mask(size));
        return EXEC_DONE;
    case 0x84: case 0x85:
        alu_to_mem(e, ALU_TEST, reg_operand(e));
        return EXEC_DONE;
    case 0x86: case 0x87: {                         /* XCHG: locked by itself */
        uint64_t old = mem_read(e, size);
        mem_write(e, size, reg_operand(e));
        set_reg_operand(e, size, old);
        return EXEC_DONE;
    }
    case 0x88: case 0x89: case 0x0fc3:              /* MOV, MOVNTI */
        mem_write(e, size, reg_operand(e));
        return EXEC_DONE;
    case 0x8a: case 0x8b:
        set_reg_operand(e, size, mem_read(e, size));
        return EXEC_DONE;
    case 0x8c:                                      /* MOV m16, Sreg */
        if (ext > 5)
            return EXEC_UNKNOWN;
        mem_write(e, 2, segment_selector(&v->arch.vmcb->save, ext));
        return EXEC_DONE;
    case 0x8f:                                      /* POP r/m */
        return pop_to_mem(e);
    case 0xa0: case 0xa1:
        reg_write(v, GPR_RAX, false, size, mem_read(e, size));
        return EXEC_DONE;
    case 0xa2: case 0xa3:
        mem_write(e, size, reg_read(v, GPR_RAX, false, size));
        return EXEC_DONE;
    case 0x69: case 0x6b:                           /* IMUL reg, r/m, imm */
        alu_to_reg(e, ALU_IMUL, in->imm & size_mask(size));
        return EXEC_DONE;
    case 0x0faf:                                    /* IMUL reg, r/m */
        alu_to_reg(e, ALU_IMUL, reg_operand(e));
        return EXEC_DONE;
    case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3: {   /* group 2 */
        uint8_t count = op <= 0xc1 ? (uint8_t)in->imm : op <= 0xd1 ? 1 : (uint8_t)v->arch.gpr[GPR_RCX];
        mem_write(e, size, host_shift(ext, size, mem_read(e, size), count, op <= 0xc1, rflags));
        return EXEC_DONE;
    }
    case 0x0fa4: case 0x0fa5: case 0x0fac: case 0x0fad: {   /* SHLD, SHRD */
        uint8_t count = (op & 1) ? (uint8_t)v->arch.gpr[GPR_RCX] : (uint8_t)in->imm;
        mem_write(e, size, host_shift_double(op < 0x0fac, size, mem_read(e, size),
                                             reg_operand(e), count, rflags));
        return EXEC_DONE;
    }
    case 0xc6: case 0xc7:
        if (ext != 0)
            return EXEC_UNKNOWN;
        mem_write(e, size, in->imm);
        return EXEC_DONE;
    case 0xf6: case 0xf7:                           /* group 3 */
        if (ext < 2)
            alu_to_mem(e, ALU_TEST, in->imm & size_mask(size));
        else if (ext == 2)
            mem_write(e, size, host_alu(ALU_NOT, size, mem_read(e, size), 0, rflags));
        else if (ext == 3)
            alu_to_mem(e, ALU_NEG, 0);
        else
            return mul_div(e, ext);
        return EXEC_DONE;
    case 0xfe: case 0xff:                           /* groups 4/5 */
        if (ext <= 1) {
            alu_to_mem(e, ext == 0 ? ALU_INC : ALU_DEC, 0);
            return EXEC_DONE;
        }
        if (op == 0xff && (ext == 2 || ext == 4 || ext == 6))
            return group5_memory(e, ext);
        if (op == 0xff && (ext == 3 || ext == 5))
            return emulate_segment_insn(e);         /* far CALL/JMP through memory */
        return EXEC_UNKNOWN;
    case 0x8e: case 0xc4: case 0xc5: case 0x0fb2: case 0x0fb4: case 0x0fb5:
    case 0x07: case 0x17: case 0x1f: case 0x0fa1: case 0x0fa9:     /* POP Sreg */
        return emulate_segment_insn(e);
    case 0x0f00: case 0x0f01:
        return emulate_system_insn(e);
    case 0x0fa3: bit_op(e, ALU_BT, reg_operand(e)); return EXEC_DONE;
    case 0x0fab: bit_op(e, ALU_BTS, reg_operand(e)); return EXEC_DONE;
    case 0x0fb3: bit_op(e, ALU_BTR, reg_operand(e)); return EXEC_DONE;
    case 0x0fbb: bit_op(e, ALU_BTC, reg_operand(e)); return EXEC_DONE;
    case 0x0fba:
        if (ext < 4)
            return EXEC_UNKNOWN;
        bit_op(e, group8[ext - 4], in->imm);
        return EXEC_DONE;
    case 0x0fbc: case 0x0fbd: {                     /* BSF/BSR, with F3 TZCNT/LZCNT */
        bool count = in->rep == 0xf3;
        alu_to_reg(e, op == 0x0fbc ? (count ? ALU_TZCNT : ALU_BSF) : (count ? ALU_LZCNT : ALU_BSR),
                   reg_operand(e));
        return EXEC_DONE;
    }
    case 0x0fb8:                                    /* POPCNT (without F3: JMPE, #UD) */
        if (in->rep != 0xf3)
            return EXEC_UNKNOWN;
        alu_to_reg(e, ALU_POPCNT, reg_operand(e));
        return EXEC_DONE;
    case X86_OP_0F38 | 0xf0: case X86_OP_0F38 | 0xf1:   /* MOVBE (F2: CRC32) */
        if (in->rep == 0xf2)
            return EXEC_UNKNOWN;
        if (op & 1)
            mem_write(e, size, bswap(reg_operand(e), size));
        else
            set_reg_operand(e, size, bswap(mem_read(e, size), size));
        return EXEC_DONE;
    case 0x0fb0: case 0x0fb1:
        cmpxchg(e);
        return EXEC_DONE;
    case 0x0fc7:                                    /* /1 (the decoder's only form) */
        cmpxchg_double(e);
        return EXEC_DONE;
    case 0x0fc0: case 0x0fc1: {
        uint64_t old = mem_read(e, size);
        mem_write(e, size, host_alu(ALU_ADD, size, old, reg_operand(e), rflags));
        set_reg_operand(e, size, old);
        return EXEC_DONE;
    }
    case 0x0fb6: case 0x0fb7:
        set_reg_operand(e, size, mem_read(e, in->src_size));
        return EXEC_DONE;
    case 0x0fbe: case 0x0fbf:
        set_reg_operand(e, size, sign_extend(mem_read(e, in->src_size), in->src_size));
        return EXEC_DONE;
    case 0x0fae:
        return emulate_fxsave(e);
    case 0x9c: case 0x9d: case 0xc8: case 0xc9:
        return emulate_stack_insn(e);
    case 0xd8: case 0xd9: case 0xda: case 0xdb: case 0xdc: case 0xdd: case 0xde: case 0xdf:
        return emulate_x87(e);
    case 0x0f6e: case 0x0f6f: case 0x0f7e: case 0x0f7f:
        if (!in->vex && in->simd_prefix == 0)
            return emulate_mmx_move(e);
        return emulate_simd_move(e) ? EXEC_DONE : EXEC_UNKNOWN;
    case 0x0f10: case 0x0f11: case 0x0f28: case 0x0f29: case 0x0f2b:
    case 0x0fd6: case 0x0fe7: case X86_OP_0F38 | 0x2a:
    case 0x0f12: case 0x0f13: case 0x0f16: case 0x0f17:
        return emulate_simd_move(e) ? EXEC_DONE : EXEC_UNKNOWN;
    }
    return EXEC_UNKNOWN;
}

/* ---- MOVS, STOS, LODS, CMPS, SCAS ---- */

/* Returns false if the instruction is not complete (REP chunk done or a
 * fault injected): RIP stays, the guest re-executes it. */
static bool execute_string(struct emul *e)
{
    struct x86_mem_insn *in = &e->insn;
    struct vcpu *v = e->v;
    uint64_t *rflags = &v->arch.vmcb->save.rflags;
    unsigned size = in->size;
    uint64_t amask = size_mask(in->addr_size);
    int64_t step = (*rflags & X86_EFLAGS_DF) ? -(int64_t)size : (int64_t)size;
    unsigned src_seg = in->seg == X86_SEG_NONE ? X86_SEG_DS : in->seg;
    uint64_t count = in->rep ? (v->arch.gpr[GPR_RCX] & amask) : 1;
    unsigned chunk = (unsigned)MIN(count, (uint64_t)STRING_CHUNK);
    uint8_t base = (uint8_t)(in->opcode & ~1u);
    bool compares = base == 0xa6 || base == 0xae;                   /* CMPS, SCAS */
    bool reads_src = base == 0xa4 || base == 0xa6 || base == 0xac;  /* MOVS, CMPS, LODS */
    bool writes_dst = base == 0xa4 || base == 0xaa;                 /* MOVS, STOS */
    bool uses_dst = base != 0xac;

    /* Each element goes through the guest's page tables and the bus, so
     * either side may be RAM or MMIO; a #PF stops with the registers
     * saying how far it got. */
    for (unsigned i = 0; i < chunk; i++) {
        uint64_t val = 0, dst = 0;

        if (reads_src && !guest_access_linear(v, src_seg, v->arch.gpr[GPR_RSI] & amask, &val, size, GA_READ))
            return false;
        if (base == 0xaa || base == 0xae)
            val = reg_read(v, GPR_RAX, false, size);
        if (compares && !guest_access_linear(v, X86_SEG_ES, v->arch.gpr[GPR_RDI] & amask, &dst, size, GA_READ))
            return false;
        if (writes_dst && !guest_access_linear(v, X86_SEG_ES, v->arch.gpr[GPR_RDI] & amask, &val, size, GA_WRITE))
            return false;
        if (base == 0xac)
            reg_write(v, GPR_RAX, false, size, val);
        if (compares)
            host_alu(ALU_CMP, size, val, dst, rflags);
        if (reads_src)
            reg_write(v, GPR_RSI, false, in->addr_size, v->arch.gpr[GPR_RSI] + (uint64_t)step);
        if (uses_dst)
            reg_write(v, GPR_RDI, false, in->addr_size, v->arch.gpr[GPR_RDI] + (uint64_t)step);
        if (in->rep)
            reg_write(v, GPR_RCX, false, in->addr_size, v->arch.gpr[GPR_RCX] - 1);
        if (domain_is_ended(v->domain))
            return false;
        /* REPE stops at the first difference, REPNE at the first match. */
        if (compares && in->rep && !(*rflags & EFL_ZF) == (in->rep == 0xf3))
            return true;
    }
    return chunk == count;
}

/* ---- entry ---- */

/* The bytes at RIP are no instruction the emulator knows. Another vCPU may
 * have rewritten them since the #NPF (cross-modifying code): the first time,
 * the guest re-executes what is there now. If the same RIP fails again, the
 * instruction really is one the emulator lacks. */
static bool retry_once(struct vcpu *v, unsigned fetched)
{
    uint64_t rip = v->arch.vmcb->save.rip;

    if (fetched == 0 || (v->arch.mmio_retry && v->arch.mmio_retry_rip == rip)) {
        v->arch.mmio_retry = false;
        return false;
    }
    v->arch.mmio_retry = true;
    v->arch.mmio_retry_rip = rip;
    return true;
}

static enum vcpu_run_result unknown_insn(struct vcpu *v, uint64_t gpa, const char *what,
                                         const uint8_t *b, unsigned n)
{
    char hex[X86_MAX_INSN_LEN * 3 + 1] = "";

    if (retry_once(v, n))
        return guest_insn_changed(v, n, "MMIO access");
    for (unsigned i = 0, at = 0; i < n; i++)      /* "8e 00 ...": 3 characters a byte */
        at += (unsigned)snprintf(hex + at, sizeof(hex) - at, "%s%02x", i ? " " : "", b[i]);
    domain_crash(v->domain, "cannot emulate %s access to %#llx at rip %#llx (bytes %s)",
                 what, (unsigned long long)gpa, (unsigned long long)v->arch.vmcb->save.rip, hex);
    return RUN_RESCHEDULE;
}

/* Carries out the decoded instruction and moves RIP past it once it is complete. */
static enum vcpu_run_result run(struct emul *e, const uint8_t *bytes, unsigned n, const char *what)
{
    struct vcpu *v = e->v;
    enum exec_result r;

    if (e->insn.string)
        r = execute_string(e) ? EXEC_DONE : EXEC_FAULTED;
    else if ((r = execute(e)) == EXEC_UNKNOWN)
        return unknown_insn(v, e->gpa, what, bytes, n);
    v->arch.mmio_retry = false;
    if (domain_is_ended(v->domain))
        return RUN_RESCHEDULE;
    if (r == EXEC_DONE || r == EXEC_DONE_SHADOW)
        svm_skip_instruction(v, e->insn.len);
    if (r == EXEC_DONE_SHADOW)
        v->arch.vmcb->control.int_state |= 1;   /* MOV SS: the next instruction is shadowed */
    else if (r == EXEC_JUMPED)
        svm_skip_instruction(v, 0);     /* RIP is the target: the rest of completing it */
    return RUN_CONTINUE;
}

enum vcpu_run_result hvm_emulate_insn(struct vcpu *v, uint64_t gpa, const char *what)
{
    uint8_t bytes[X86_MAX_INSN_LEN] = { 0 };
    struct emul e = { .v = v, .gpa = gpa };
    unsigned n = guest_fetch_insn(v, bytes, sizeof(bytes));

    if (x86_decode_mem(bytes, n, (enum x86_mode)guest_cpu_mode(v), &e.insn) < 0)
        return unknown_insn(v, gpa, what, bytes, n);
    return run(&e, bytes, n, what);
}

/* ---- page walks through unbacked memory ---- */

static bool stack_operand_only(uint16_t op)
{
    return op == 0x07 || op == 0x17 || op == 0x1f || op == 0x0fa1 || op == 0x0fa9 ||
           op == 0x9c || op == 0x9d || op == 0xc8 || op == 0xc9;
}

/* Whether the instruction writes its memory operand (the #PF's W bit). */
static bool writes_memory(const struct x86_mem_insn *in)
{
    unsigned ext = in->reg & 7;
    uint16_t op = in->opcode;

    if (op < 0x40)
        return !(op & 2) && (op >> 3) != 7;                     /* r/m,reg forms but CMP */
    if (op >= 0x0f40 && op <= 0x0f4f)
        return false;                                           /* CMOVcc */
    if (vec_alu_opcode(op))
        return false;                                           /* vector arithmetic */
    switch (op) {
    case 0x80: case 0x81: case 0x83: return ext != 7;          /* but CMP */
    case 0xf6: case 0xf7:            return ext == 2 || ext == 3;  /* NOT, NEG */
    case 0xff:                       return ext <= 1;          /* INC, DEC */
    case 0x0fba:                     return ext != 4;          /* but BT */
    case 0x0f7e:                     return in->simd_prefix != 0xf3;  /* MOVD/MOVQ stores */
    case 0xd9: case 0xdb: case 0xdd: case 0xdf:                 /* x87 stores */
        return in->opcode == 0xd9 ? ext == 2 || ext == 3 || ext == 7
                                  : ext == 1 || ext == 2 || ext == 3 || ext >= 6 ||
                                    (in->opcode == 0xdd && ext == 7);
    case 0xd8: case 0xda: case 0xdc: case 0xde:
        return false;
    case 0x84: case 0x85: case 0x8a: case 0x8b: case 0xa0: case 0xa1:
    case 0x69: case 0x6b: case 0x0faf: case 0x0fbc: case 0x0fbd: case 0x0fb8:
    case 0x0fa3: case 0x0fb6: case 0x0fb7: case 0x0fbe: case 0x0fbf:
    case X86_OP_0F38 | 0xf0:
    case 0x0f10: case 0x0f28: case 0x0f6e: case 0x0f6f: case X86_OP_0F38 | 0x2a:
    case 0x0f12: case 0x0f16:
    case 0x8e: case 0xc4: case 0xc5: case 0x0fb2: case 0x0fb4: case 0x0fb5:
        return false;
    case 0x0f00:                     return ext <= 1;          /* SLDT, STR */
    case 0x0fae:                     return ext == 0 || ext == 3;  /* FXSAVE, STMXCSR */
    case 0x0f01:                     return ext <= 1 || ext == 4;  /* SGDT, SIDT, SMSW */
    }
    return true;
}

/* The linear address of the ModRM/moffs operand. */
static uint64_t operand_linear(struct vcpu *v, const struct x86_mem_insn *in)
{
    return guest_linear(v, operand_seg(in), operand_offset(v, in));
}

enum vcpu_run_result hvm_emulate_walk_fault(struct vcpu *v, uint64_t table_gpa)
{
    const struct vmcb_save *s = &v->arch.vmcb->save;
    uint64_t rip_linear = guest_linear(v, X86_SEG_CS, s->rip), gla;
    uint8_t bytes[X86_MAX_INSN_LEN] = { 0 };
    struct emul e = { .v = v };
    uint32_t pf_error;
    unsigned n;

    /* The instruction's own fetch, then its operand: the first whose walk
     * fails gets the #PF, as on the CPU. */
    if (guest_translate(v, rip_linear, GA_FETCH, &e.gpa, &pf_error) != GW_OK) {
        guest_inject_pf(v, rip_linear, pf_error);
        return RUN_CONTINUE;
    }
    n = guest_fetch_insn(v, bytes, sizeof(bytes));
    if (x86_decode_mem(bytes, n, (enum x86_mode)guest_cpu_mode(v), &e.insn) < 0) {
        domain_crash(v->domain, "guest page walk through unmapped guest-physical address %#llx "
                     "by an instruction the emulator does not know at rip %#llx (bytes %02x %02x %02x)",
                     (unsigned long long)table_gpa, (unsigned long long)s->rip,
                     bytes[0], bytes[1], bytes[2]);
        return RUN_RESCHEDULE;
    }
    if (!e.insn.string && !stack_operand_only(e.insn.opcode)) {   /* those walk as they access */
        gla = operand_linear(v, &e.insn);
        if (guest_translate(v, gla, writes_memory(&e.insn) ? GA_WRITE : GA_READ, &e.gpa,
                            &pf_error) != GW_OK) {
            guest_inject_pf(v, gla, pf_error);
            return RUN_CONTINUE;
        }
    }
    /* The walk completes (32-bit paging without PSE maps all-ones entries):
     * the access goes where it leads. Strings walk each element. */
    return run(&e, bytes, n, "page-walk");
}
