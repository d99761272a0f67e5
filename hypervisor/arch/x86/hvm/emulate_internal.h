/* The MMIO instruction emulator's parts (emulate.c, emulate_alu.c,
 * emulate_sse.c): one instruction in flight and the operations on it. */
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

struct emul {
    struct vcpu *v;
    struct x86_mem_insn insn;
    uint64_t gpa;                       /* the memory operand (not for strings) */
};

static inline uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/* The memory operand, size bytes (up to 32, in 8-byte bus accesses). */
void emul_mem_read(struct emul *e, void *buf, unsigned size);
void emul_mem_write(struct emul *e, const void *buf, unsigned size);

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

#endif
