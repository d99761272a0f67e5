/* x86 instruction decoder for the exits the hypervisor emulates itself
 * (and for string I/O, whose segment and address size TCG does not report).
 * QEMU TCG offers neither decode assists nor NextRIP (DESIGN.md §1), so MOV DR
 * intercepts and software-interrupt/ICEBP intercepts (whose length, legacy
 * prefixes included, gives the return address) are decoded by x86_decode,
 * and MMIO #NPFs by x86_decode_mem (the access's address comes from the
 * hardware, EXITINFO2, but a page walk or a string needs the operands). */
#ifndef ASM_DECODE_H
#define ASM_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define X86_MAX_INSN_LEN 15

enum x86_mode { X86_MODE_REAL16, X86_MODE_PROT16, X86_MODE_PROT32, X86_MODE_LONG64 };

enum x86_insn_kind {
    X86_INSN_UNKNOWN = 0,
    X86_INSN_MOV_FROM_DR,  /* 0F 21 /r: gpr <- DRn */
    X86_INSN_MOV_TO_DR,    /* 0F 23 /r: DRn <- gpr */
    X86_INSN_INT3,         /* CC */
    X86_INSN_INT_N,        /* CD ib: imm = the vector */
    X86_INSN_INTO,         /* CE (not in 64-bit code) */
    X86_INSN_ICEBP,        /* F1 (INT1) */
    X86_INSN_INS,          /* 6C/6D: size, addr_size; no operands */
    X86_INSN_OUTS,         /* 6E/6F: size, addr_size, seg (the source segment) */
};

/* Segment registers in the SVM IOIO / VMCB order. */
enum x86_seg { X86_SEG_ES, X86_SEG_CS, X86_SEG_SS, X86_SEG_DS, X86_SEG_FS, X86_SEG_GS,
               X86_SEG_NONE };

struct x86_insn {
    enum x86_insn_kind kind;
    uint8_t len;        /* total length in bytes incl. prefixes */
    uint8_t gpr;        /* MOV DR: the general register 0..15 (RAX=0 ... R15=15) */
    uint8_t dr;         /* debug register number 0..15 (REX.R extends; >7 is #UD for the caller) */
    uint8_t size;       /* MOV DR: 8 in long mode, else 4; INS/OUTS: the element size */
    bool    lock;       /* LOCK prefix seen (MOV DR with LOCK is #UD) */
    uint8_t seg;        /* the last segment-override prefix (enum x86_seg), X86_SEG_NONE if none */
    uint8_t addr_size;  /* effective address size in bytes: 2, 4 or 8 */
    uint64_t imm;       /* INT_N: the vector */
};

/* Returned when the encoding is longer than X86_MAX_INSN_LEN: #GP(0) on the CPU. */
#define X86_DECODE_TOO_LONG (-2)

/* Decodes one instruction from bytes[0..avail). Returns 0 on success, -1 if the bytes are
 * not one of the kinds above or are truncated, X86_DECODE_TOO_LONG if the instruction
 * (prefixes included) runs past 15 bytes (insn->kind = X86_INSN_UNKNOWN on failure). */
int x86_decode(const uint8_t *bytes, size_t avail, enum x86_mode mode, struct x86_insn *insn);

/* One instruction with a memory operand, decoded for the MMIO emulator
 * (hvm/emulate.c): the opcode, its operand sizes and immediate, and the
 * parts of the effective address (the access itself is reported by the
 * #NPF, but a page walk or a string instruction needs the linear address). */
#define X86_EA_NONE (-1)        /* no base or index register */
#define X86_EA_RIP  (-2)        /* base is the next instruction's RIP */

#define X86_OP_0F38 0x3800     /* opcode of the 0F 38 map: X86_OP_0F38 | third byte */

struct x86_mem_insn {
    uint16_t opcode;        /* one-byte opcode, 0x0F00 | second byte, or X86_OP_0F38 | third */
    uint8_t len;            /* total length in bytes incl. prefixes */
    uint8_t size;           /* operand size in bytes: 1 for byte opcodes, else 2, 4 or 8;
                             * SSE/AVX moves: the memory operand's 4, 8, 16 or 32;
                             * CMPXCHG8B/16B: 8 or 16; x87 (D8-DF): unused */
    uint8_t src_size;       /* MOVZX/MOVSX: the memory operand's size (1 or 2), else size */
    uint8_t addr_size;      /* 2, 4 or 8 */
    uint8_t reg;            /* ModRM.reg with REX.R: a GPR or the opcode extension */
    uint8_t modrm;          /* the ModRM byte itself (x87: FOP's low byte) */
    uint8_t vex_vvvv;       /* VEX: the second source register (0-15) */
    uint8_t reg_high8;      /* byte operand reg is AH, CH, DH or BH (reg = 0..3) */
    uint8_t rep;            /* 0, 0xF2 or 0xF3 */
    uint8_t seg;            /* segment override (enum x86_seg), X86_SEG_NONE if none */
    bool lock;
    bool string;            /* MOVS/STOS/LODS/CMPS/SCAS: operands at rSI/rDI, no ModRM */
    bool vex;               /* VEX-encoded (C4/C5): an AVX move */
    uint8_t vex_l;          /* VEX.L: 256-bit */
    uint8_t simd_prefix;    /* SSE/AVX mandatory prefix: 0, 0x66, 0xF3 or 0xF2 (VEX.pp) */
    int8_t ea_base;         /* GPR, X86_EA_NONE or X86_EA_RIP */
    int8_t ea_index;        /* GPR or X86_EA_NONE */
    uint8_t ea_scale;       /* 1, 2, 4, 8 */
    int64_t ea_disp;        /* displacement (moffs: the absolute offset) */
    uint64_t imm;           /* immediate, sign-extended to 64 bits */
};

/* Decodes an instruction whose operand is in memory, for the opcodes
 * emulate.c knows (decode.c's table): 0 on success, -1 for anything else
 * (a register form, an unknown opcode, truncated bytes), X86_DECODE_TOO_LONG
 * past 15 bytes. */
int x86_decode_mem(const uint8_t *bytes, size_t avail, enum x86_mode mode,
                   struct x86_mem_insn *insn);

#endif
