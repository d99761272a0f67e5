/* The MMIO instruction emulator's parts (emulate.c, emulate_alu.c,
 * emulate_sse.c, emulate_seg.c, emulate_sys.c): one instruction in flight
 * and the operations on it. */
#ifndef HVM_EMULATE_INTERNAL_H
#define HVM_EMULATE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/decode.h>

struct vcpu;

#define ARITH_FLAGS 0x8d5ull            /* CF PF AF ZF SF OF */
#define EFL_CF 0x001ull
#define EFL_PF 0x004ull
#define EFL_ZF 0x040ull
#define EFL_SF 0x080ull
#define EFL_OF 0x800ull
#define CR0_MP 0x2ull
#define CR0_EM 0x4ull
#define CR0_TS 0x8ull
#define CR0_NE 0x20ull
#define CR4_OSFXSR 0x200ull
#define CR4_OSXMMEXCPT 0x400ull
#define X86_EXC_NM 7
#define X86_EXC_MF 16
#define X86_EXC_XM 19

struct emul {
    struct vcpu *v;
    struct x86_mem_insn insn;
    uint64_t gpa;                       /* the memory operand (not for strings) */
};

enum exec_result {
    EXEC_UNKNOWN,       /* not an instruction the emulator knows */
    EXEC_DONE,          /* carried out: RIP moves past it */
    EXEC_JUMPED,        /* carried out, RIP set by the instruction */
    EXEC_FAULTED,       /* an exception was injected (or the domain ended): RIP stays */
    EXEC_DONE_SHADOW,   /* carried out, and the next instruction runs in an interrupt
                         * shadow (MOV SS) */
};

static inline uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/* The memory operand, size bytes (up to 32, in 8-byte bus accesses). */
void emul_mem_read(struct emul *e, void *buf, unsigned size);
void emul_mem_write(struct emul *e, const void *buf, unsigned size);

/* The ModRM operand `at` bytes in (size <= 8) by its linear address,
 * through the guest's page tables: for operands read or written in parts
 * (far pointers, descriptor-table registers), any part may be the MMIO one.
 * False once a #PF has been injected. */
bool emul_operand_access(struct emul *e, unsigned at, void *buf, unsigned size, bool write);
/* The whole ModRM operand, size bytes (up to 32), in 8-byte parts. */
bool emul_operand_read(struct emul *e, void *buf, unsigned size);
bool emul_operand_write(struct emul *e, const void *buf, unsigned size);
/* Whether the operand's size bytes can be written (pages translated for a
 * write, #PF injected if not): for instructions that change registers
 * before they store. */
bool emul_operand_writable(struct emul *e, unsigned size);
/* The operand's offset (the effective address), linear address and its
 * segment's selector. */
uint64_t emul_operand_offset(struct emul *e);
uint64_t emul_operand_linear(struct emul *e);
uint16_t emul_operand_selector(struct emul *e);
/* Writes the ModRM.reg general register at size bytes (4 zero-extends). */
void emul_set_reg(struct emul *e, unsigned size, uint64_t val);
/* The stack's address size: 8 in 64-bit code, else 4 or 2 by SS.B. */
unsigned emul_stack_addr_size(struct vcpu *v);
/* Pushes size bytes at SS:rSP (stack address size from the mode and SS.B). */
bool emul_push(struct vcpu *v, uint64_t val, unsigned size);
/* Raises vector with an error code; returns EXEC_FAULTED. */
enum exec_result emul_fault(struct vcpu *v, unsigned vector, uint32_t error);
/* Raises #UD, #NM, #MF, #XM (no error code) or #GP(0); EXEC_FAULTED. */
enum exec_result emul_raise(struct vcpu *v, unsigned vector);

/* ---- emulate_alu.c: the host CPU computes results and flags ---- */

enum alu_op { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP,
              ALU_TEST, ALU_BT, ALU_BTS, ALU_BTR, ALU_BTC,
              ALU_NOT, ALU_NEG, ALU_INC, ALU_DEC,
              /* dst = f(src) forms, 16/32/64 bits; dst is the register's old value */
              ALU_IMUL, ALU_BSF, ALU_BSR, ALU_TZCNT, ALU_LZCNT, ALU_POPCNT };

/* dst op src at `size` bytes; returns the result and updates *rflags'
 * arithmetic flags as the instruction does (NOT leaves them alone). */
uint64_t host_alu(enum alu_op op, unsigned size, uint64_t dst, uint64_t src, uint64_t *rflags);
/* Group 2 (ROL ROR RCL RCR SHL SHR SAL SAR by ModRM.reg = ext) of dst by
 * count, an imm8 of the instruction (imm) or CL/1. */
uint64_t host_shift(unsigned ext, unsigned size, uint64_t dst, uint8_t count, bool imm,
                    uint64_t *rflags);
/* SHLD (left) / SHRD of dst with the bits of src, by count (16/32/64 bits). */
uint64_t host_shift_double(bool left, unsigned size, uint64_t dst, uint64_t src, uint8_t count,
                           uint64_t *rflags);
/* Group 3 MUL IMUL DIV IDIV (ext 4-7) of rDX:rAX by src. Returns false,
 * with nothing changed, where the CPU raises #DE. */
bool host_muldiv(unsigned ext, unsigned size, uint64_t src, uint64_t *rax, uint64_t *rdx,
                 uint64_t *rflags);
/* Whether condition code cc (the low nibble of Jcc/SETcc/CMOVcc) holds. */
bool condition_holds(unsigned cc, uint64_t rflags);

/* ---- emulate_sse.c ---- */

/* An SSE/AVX move between an XMM/YMM register and the memory operand;
 * false if the form is not one the emulator knows. */
bool emulate_simd_move(struct emul *e);

/* ---- emulate_seg.c: segment loads (one place for the descriptor checks) ---- */

/* An 8-byte segment descriptor's fields; error codes carry the selector
 * without its RPL. */
#define DESC_TYPE(d)    ((unsigned)((d) >> 40) & 0xf)
#define DESC_DPL(d)     ((unsigned)((d) >> 45) & 3)
#define DESC_A          (1ull << 40)
#define DESC_S          (1ull << 44)
#define DESC_P          (1ull << 47)
#define DESC_L          (1ull << 53)
#define DESC_G          (1ull << 55)
#define SEL_ERROR(sel)  ((uint32_t)(sel) & 0xfffc)

/* Protected mode outside virtual-8086 mode: where selectors index tables. */
bool seg_protected_mode(struct vcpu *v);

/* Reads the 8-byte descriptor sel selects in the GDT or LDT (a supervisor
 * access); #GP(sel) if it is past the table's limit. extra: bytes the
 * descriptor needs past 8 (long mode's 16-byte system descriptors), read
 * into desc[1]. False once an exception has been injected. */
bool seg_read_descriptor(struct vcpu *v, uint16_t sel, uint64_t desc[2], unsigned extra);
/* VERR/VERW's check of sel (ZF in *accessible); false: the descriptor's
 * read faulted (injected). */
bool seg_verify_access(struct vcpu *v, uint16_t sel, bool write, bool *accessible);
/* Writes back the descriptor's high dword (accessed, busy bits). */
bool seg_write_descriptor_high(struct vcpu *v, uint16_t sel, uint64_t desc);
/* The VMCB's hidden part of a segment register from a descriptor. */
struct vmcb_seg;
void seg_from_descriptor(struct vmcb_seg *seg, uint16_t sel, uint64_t desc);
/* Loads ES, SS, DS, FS or GS (enum x86_seg) with sel as MOV Sreg, POP Sreg
 * and LxS do: real-mode/V86 semantics, or the protected-mode checks (#GP,
 * #SS, #NP with the selector's error code). False once an exception has
 * been injected, the register unchanged. */
bool seg_load_data(struct vcpu *v, unsigned sreg, uint16_t sel);
/* MOV Sreg,m16 (8E), POP Sreg (07 17 1F 0F A1 0F A9), LDS/LES/LFS/LGS/LSS (C5 C4 0F B4 0F B5 0F B2), far
 * CALL/JMP through memory (FF /3 /5). */
enum exec_result emulate_segment_insn(struct emul *e);

/* ---- emulate_x87.c ---- */

/* x87 instructions with a memory operand (D8-DF) and the MMX moves
 * (0F 6E/6F/7E/7F without a prefix), run by the host CPU on the guest's
 * live x87 state with the operand bounced through a buffer. */
enum exec_result emulate_x87(struct emul *e);
enum exec_result emulate_mmx_move(struct emul *e);

/* ---- emulate_fxsave.c ---- */

/* FXSAVE, FXRSTOR, LDMXCSR, STMXCSR (0F AE /0-/3) on a memory operand. */
enum exec_result emulate_fxsave(struct emul *e);

/* ---- emulate_stack.c ---- */

/* PUSHF, POPF, ENTER, LEAVE (9C 9D C8 C9) with the stack in MMIO. */
enum exec_result emulate_stack_insn(struct emul *e);

/* ---- emulate_vec_alu.c ---- */

/* SSE/AVX arithmetic with a memory source (the OP_VALU forms of decode.c). */
enum exec_result emulate_vec_alu(struct emul *e);
/* Whether opcode is one of them (with some mandatory prefix). */
bool vec_alu_opcode(uint16_t opcode);

/* ---- emulate_sys.c ---- */

/* SLDT/STR/LLDT/LTR (0F 00 /0-/3) and SGDT/SIDT/LGDT/LIDT/SMSW (0F 01
 * /0-/4) with a memory operand. */
enum exec_result emulate_system_insn(struct emul *e);

#endif
