/*
 * Instruction emulator for memory accesses that exit as #NPF (MMIO: the
 * xAPIC page, other devices of mmio.c's table, guest-physical space with
 * nothing behind it). TCG gives no decode assists, so the instruction at
 * RIP is decoded (decode.c: x86_decode_mem) and carried out against the
 * "bus" (hvm_bus_read/write: RAM, a device, or nothing): MOV in every form,
 * MOVZX/MOVSX, the ALU and compare forms (ADD OR ADC SBB AND SUB XOR CMP,
 * group 1), TEST, XCHG, NOT/NEG, INC/DEC, BT/BTS/BTR/BTC, CMPXCHG, XADD and
 * MOVS/STOS/LODS with REP and DF (either side MMIO or RAM, addressed
 * through the guest's page tables). Arithmetic flags come from the host CPU
 * running the same operation on the same values, so they are exactly what
 * the processor gives (undefined ones included). An instruction that is not
 * known here ends the domain with the reason: hardware would have performed
 * the access, so neither #UD nor a skipped instruction would be faithful.
 */
#include <asm/decode.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include "svm/svm_internal.h"

#define ARITH_FLAGS     0x8d5ull        /* CF PF AF ZF SF OF */
#define KEEP_HOST_FLAGS (-0x8d6ll)      /* ~ARITH_FLAGS as a sign-extended imm32 */
#define STRING_CHUNK    1024u           /* REP iterations per exit (restartable) */

enum alu_op { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP,
              ALU_TEST, ALU_BT, ALU_BTS, ALU_BTR, ALU_BTC,
              ALU_NOT, ALU_NEG, ALU_INC, ALU_DEC };

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static uint64_t sign_extend(uint64_t val, unsigned size)
{
    unsigned shift = 64 - size * 8;
    return size >= 8 ? val : (uint64_t)((int64_t)(val << shift) >> shift);
}

/* ---- the host CPU computes results and flags ---- */

/* Loads the guest's arithmetic flags into the host's RFLAGS (the host keeps
 * its own IF/DF/TF...), runs the instruction, stores the resulting RFLAGS. */
#define FLAGS_IN  "pushfq\n\tandq %[keep], (%%rsp)\n\torq %[in], (%%rsp)\n\tpopfq\n\t"
#define FLAGS_OUT "\n\tpushfq\n\tpopq %[out]"

#define HOST2(mn, sfx, T, con) do {                                                 \
        T d_ = (T)dst, s_ = (T)src;                                                 \
        asm volatile(FLAGS_IN mn sfx " %[s], %[d]" FLAGS_OUT                        \
                     : [d] "+" con (d_), [out] "=&r"(out)                           \
                     : [s] con (s_), [in] "r"(in), [keep] "i"(KEEP_HOST_FLAGS) : "cc"); \
        dst = d_;                                                                   \
    } while (0)
#define HOST1(mn, sfx, T, con) do {                                                 \
        T d_ = (T)dst;                                                              \
        asm volatile(FLAGS_IN mn sfx " %[d]" FLAGS_OUT                              \
                     : [d] "+" con (d_), [out] "=&r"(out)                           \
                     : [in] "r"(in), [keep] "i"(KEEP_HOST_FLAGS) : "cc");           \
        dst = d_;                                                                   \
    } while (0)
#define SIZED(H, mn) do { switch (size) {                                           \
        case 1: H(mn, "b", uint8_t, "q"); break;                                    \
        case 2: H(mn, "w", uint16_t, "r"); break;                                   \
        case 4: H(mn, "l", uint32_t, "r"); break;                                   \
        default: H(mn, "q", uint64_t, "r"); break; } } while (0)
#define SIZED_NO8(H, mn) do { switch (size) {                                       \
        case 2: H(mn, "w", uint16_t, "r"); break;                                   \
        case 4: H(mn, "l", uint32_t, "r"); break;                                   \
        default: H(mn, "q", uint64_t, "r"); break; } } while (0)

/* dst op src at `size` bytes; returns the result and updates *rflags'
 * arithmetic flags as the instruction does (NOT leaves them alone). */
static uint64_t host_alu(enum alu_op op, unsigned size, uint64_t dst, uint64_t src,
                         uint64_t *rflags)
{
    uint64_t in = *rflags & ARITH_FLAGS, out = *rflags;

    switch (op) {
    case ALU_ADD:  SIZED(HOST2, "add"); break;
    case ALU_OR:   SIZED(HOST2, "or"); break;
    case ALU_ADC:  SIZED(HOST2, "adc"); break;
    case ALU_SBB:  SIZED(HOST2, "sbb"); break;
    case ALU_AND:  SIZED(HOST2, "and"); break;
    case ALU_SUB:  SIZED(HOST2, "sub"); break;
    case ALU_XOR:  SIZED(HOST2, "xor"); break;
    case ALU_CMP:  SIZED(HOST2, "cmp"); break;
    case ALU_TEST: SIZED(HOST2, "test"); break;
    case ALU_BT:   SIZED_NO8(HOST2, "bt"); break;
    case ALU_BTS:  SIZED_NO8(HOST2, "bts"); break;
    case ALU_BTR:  SIZED_NO8(HOST2, "btr"); break;
    case ALU_BTC:  SIZED_NO8(HOST2, "btc"); break;
    case ALU_NOT:  return ~dst & size_mask(size);
    case ALU_NEG:  SIZED(HOST1, "neg"); break;
    case ALU_INC:  SIZED(HOST1, "inc"); break;
    case ALU_DEC:  SIZED(HOST1, "dec"); break;
    }
    *rflags = (*rflags & ~ARITH_FLAGS) | (out & ARITH_FLAGS);
    return dst & size_mask(size);
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

struct emul {
    struct vcpu *v;
    struct x86_mem_insn insn;
    uint64_t gpa;                       /* the memory operand (not for strings) */
};

static uint64_t mem_read(struct emul *e, unsigned size)
{
    return hvm_bus_read(e->v, e->gpa, size) & size_mask(size);
}

static void mem_write(struct emul *e, unsigned size, uint64_t val)
{
    hvm_bus_write(e->v, e->gpa, size, val & size_mask(size));
}

static uint64_t reg_operand(struct emul *e)
{
    return reg_read(e->v, e->insn.reg, e->insn.reg_high8, e->insn.size);
}

static void set_reg_operand(struct emul *e, unsigned size, uint64_t val)
{
    reg_write(e->v, e->insn.reg, e->insn.reg_high8, size, val);
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

static const enum alu_op group1[8] = { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB,
                                       ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };
static const enum alu_op group8[4] = { ALU_BT, ALU_BTS, ALU_BTR, ALU_BTC };

/* Carries out a non-string instruction; false if it is not one we know. */
static bool execute(struct emul *e)
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
        return true;
    }
    switch (op) {
    case 0x80: case 0x81: case 0x83:
        alu_to_mem(e, group1[ext], in->imm & size_mask(size));
        return true;
    case 0x84: case 0x85:
        alu_to_mem(e, ALU_TEST, reg_operand(e));
        return true;
    case 0x86: case 0x87: {                         /* XCHG: locked by itself */
        uint64_t old = mem_read(e, size);
        mem_write(e, size, reg_operand(e));
        set_reg_operand(e, size, old);
        return true;
    }
    case 0x88: case 0x89:
        mem_write(e, size, reg_operand(e));
        return true;
    case 0x8a: case 0x8b:
        set_reg_operand(e, size, mem_read(e, size));
        return true;
    case 0xa0: case 0xa1:
        reg_write(v, GPR_RAX, false, size, mem_read(e, size));
        return true;
    case 0xa2: case 0xa3:
        mem_write(e, size, reg_read(v, GPR_RAX, false, size));
        return true;
    case 0xc6: case 0xc7:
        if (ext != 0)
            return false;
        mem_write(e, size, in->imm);
        return true;
    case 0xf6: case 0xf7:                           /* group 3: TEST NOT NEG */
        if (ext < 2)
            alu_to_mem(e, ALU_TEST, in->imm & size_mask(size));
        else if (ext == 2)
            mem_write(e, size, host_alu(ALU_NOT, size, mem_read(e, size), 0, rflags));
        else if (ext == 3)
            alu_to_mem(e, ALU_NEG, 0);
        else
            return false;                           /* MUL/IMUL/DIV/IDIV */
        return true;
    case 0xfe: case 0xff:                           /* groups 4/5: INC DEC */
        if (ext > 1)
            return false;                           /* CALL/JMP/PUSH through memory */
        alu_to_mem(e, ext == 0 ? ALU_INC : ALU_DEC, 0);
        return true;
    case 0x0fa3: bit_op(e, ALU_BT, reg_operand(e)); return true;
    case 0x0fab: bit_op(e, ALU_BTS, reg_operand(e)); return true;
    case 0x0fb3: bit_op(e, ALU_BTR, reg_operand(e)); return true;
    case 0x0fbb: bit_op(e, ALU_BTC, reg_operand(e)); return true;
    case 0x0fba:
        if (ext < 4)
            return false;
        bit_op(e, group8[ext - 4], in->imm);
        return true;
    case 0x0fb0: case 0x0fb1:
        cmpxchg(e);
        return true;
    case 0x0fc0: case 0x0fc1: {
        uint64_t old = mem_read(e, size);
        mem_write(e, size, host_alu(ALU_ADD, size, old, reg_operand(e), rflags));
        set_reg_operand(e, size, old);
        return true;
    }
    case 0x0fb6: case 0x0fb7:
        set_reg_operand(e, size, mem_read(e, in->src_size));
        return true;
    case 0x0fbe: case 0x0fbf:
        set_reg_operand(e, size, sign_extend(mem_read(e, in->src_size), in->src_size));
        return true;
    }
    return false;
}

/* ---- MOVS, STOS, LODS ---- */

/* Returns false if the instruction is not complete (REP chunk done or a
 * fault injected): RIP stays, the guest re-executes it. */
static bool execute_string(struct emul *e)
{
    struct x86_mem_insn *in = &e->insn;
    struct vcpu *v = e->v;
    unsigned size = in->size;
    uint64_t amask = size_mask(in->addr_size);
    int64_t step = (v->arch.vmcb->save.rflags & X86_EFLAGS_DF) ? -(int64_t)size : (int64_t)size;
    unsigned src_seg = in->seg == X86_SEG_NONE ? X86_SEG_DS : in->seg;
    uint64_t count = in->rep ? (v->arch.gpr[GPR_RCX] & amask) : 1;
    unsigned chunk = (unsigned)MIN(count, (uint64_t)STRING_CHUNK);
    uint8_t base = (uint8_t)(in->opcode & ~1u);
    bool reads = base != 0xaa, writes = base != 0xac;

    /* Each element goes through the guest's page tables and the bus, so
     * either side may be RAM or MMIO; a #PF stops with the registers
     * saying how far it got. */
    for (unsigned i = 0; i < chunk; i++) {
        uint64_t val = 0;

        if (reads && !guest_access_linear(v, src_seg, v->arch.gpr[GPR_RSI] & amask, &val, size, false))
            return false;
        if (base == 0xaa)
            val = reg_read(v, GPR_RAX, false, size);
        if (writes && !guest_access_linear(v, X86_SEG_ES, v->arch.gpr[GPR_RDI] & amask, &val, size, true))
            return false;
        if (base == 0xac)
            reg_write(v, GPR_RAX, false, size, val);
        if (reads)
            reg_write(v, GPR_RSI, false, in->addr_size, v->arch.gpr[GPR_RSI] + (uint64_t)step);
        if (writes)
            reg_write(v, GPR_RDI, false, in->addr_size, v->arch.gpr[GPR_RDI] + (uint64_t)step);
        if (in->rep)
            reg_write(v, GPR_RCX, false, in->addr_size, v->arch.gpr[GPR_RCX] - 1);
        if (domain_is_ended(v->domain))
            return false;
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
    if (retry_once(v, n))
        return guest_insn_changed(v, n, "MMIO access");
    domain_crash(v->domain, "cannot emulate %s access to %#llx at rip %#llx "
                 "(bytes %02x %02x %02x %02x %02x %02x)", what, (unsigned long long)gpa,
                 (unsigned long long)v->arch.vmcb->save.rip, b[0], b[1], b[2], b[3], b[4], b[5]);
    return RUN_RESCHEDULE;
}

/* Carries out the decoded instruction and moves RIP past it once it is complete. */
static enum vcpu_run_result run(struct emul *e, const uint8_t *bytes, unsigned n, const char *what)
{
    struct vcpu *v = e->v;
    bool done;

    if (e->insn.string) {
        done = execute_string(e);
    } else {
        if (!execute(e))
            return unknown_insn(v, e->gpa, what, bytes, n);
        done = true;
    }
    v->arch.mmio_retry = false;
    if (domain_is_ended(v->domain))
        return RUN_RESCHEDULE;
    if (done)
        svm_skip_instruction(v, e->insn.len);
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

/* Whether the instruction writes its memory operand (the #PF's W bit). */
static bool writes_memory(const struct x86_mem_insn *in)
{
    unsigned ext = in->reg & 7;

    if (in->opcode < 0x40)
        return !(in->opcode & 2) && (in->opcode >> 3) != 7;    /* r/m,reg forms but CMP */
    switch (in->opcode) {
    case 0x80: case 0x81: case 0x83: return ext != 7;          /* but CMP */
    case 0xf6: case 0xf7:            return ext >= 2;          /* but TEST */
    case 0x0fba:                     return ext != 4;          /* but BT */
    case 0x84: case 0x85: case 0x8a: case 0x8b: case 0xa0: case 0xa1:
    case 0x0fa3: case 0x0fb6: case 0x0fb7: case 0x0fbe: case 0x0fbf:
        return false;
    }
    return true;
}

/* The linear address of the ModRM/moffs operand: segment (override, or SS
 * for rSP/rBP-based addresses, else DS) + base + index * scale + disp. */
static uint64_t operand_linear(struct vcpu *v, const struct x86_mem_insn *in)
{
    uint64_t ea = (uint64_t)in->ea_disp;
    unsigned seg = in->seg;

    if (in->ea_base == X86_EA_RIP)
        ea += v->arch.vmcb->save.rip + in->len;
    else if (in->ea_base != X86_EA_NONE)
        ea += v->arch.gpr[in->ea_base];
    if (in->ea_index != X86_EA_NONE)
        ea += v->arch.gpr[in->ea_index] * in->ea_scale;
    if (seg == X86_SEG_NONE)
        seg = (in->ea_base == GPR_RSP || in->ea_base == GPR_RBP) ? X86_SEG_SS : X86_SEG_DS;
    return guest_linear(v, seg, ea & size_mask(in->addr_size));
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
    if (guest_translate(v, rip_linear, &e.gpa, &pf_error) != GW_OK) {
        guest_inject_pf(v, rip_linear, pf_error | ((s->efer & EFER_NXE) ? PF_FETCH : 0));
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
    if (!e.insn.string) {
        gla = operand_linear(v, &e.insn);
        if (guest_translate(v, gla, &e.gpa, &pf_error) != GW_OK) {
            guest_inject_pf(v, gla, pf_error | (writes_memory(&e.insn) ? PF_WRITE : 0));
            return RUN_CONTINUE;
        }
    }
    /* The walk completes (32-bit paging without PSE maps all-ones entries):
     * the access goes where it leads. Strings walk each element. */
    return run(&e, bytes, n, "page-walk");
}
