/* x86 decoder for MOV DR, software-interrupt, string I/O and MMIO exits; see asm/decode.h. */
#include <asm/decode.h>
#include <dbgvisor/lib.h>

#define REX_W 0x8
#define REX_R 0x4
#define REX_B 0x1

/* Bytes the ModRM operand adds after the ModRM byte (SIB and displacement). */
static unsigned modrm_extra(const uint8_t *p, size_t avail, unsigned addr_size, int *err)
{
    uint8_t modrm = p[0], mod = modrm >> 6, rm = modrm & 7;

    if (mod == 3)
        return 0;
    if (addr_size == 2) {
        if (mod == 0)
            return rm == 6 ? 2 : 0;     /* [disp16] */
        return mod == 1 ? 1 : 2;
    }
    if (rm == 4) {                      /* SIB; REX.B does not change this */
        if (avail < 2) {
            *err = 1;
            return 0;
        }
        if (mod == 0)
            return (p[1] & 7) == 5 ? 1 + 4 : 1;  /* base=5, mod=0: disp32, no base */
        return 1 + (mod == 1 ? 1 : 4);
    }
    if (mod == 0)
        return rm == 5 ? 4 : 0;         /* disp32, RIP-relative in long mode */
    return mod == 1 ? 1 : 4;
}

static uint64_t read_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    while (n--)
        v = (v << 8) | p[n];
    return v;
}

/* Legacy prefixes and REX in front of an opcode. */
struct prefixes {
    unsigned len;           /* bytes of prefixes: the opcode is at this index */
    uint8_t rex;            /* the REX right before the opcode, 0 if none */
    uint8_t rep;            /* the last F2/F3, 0 if none */
    uint8_t seg;            /* the last effective segment override, X86_SEG_NONE if none */
    bool lock;
    bool opsize_prefix;     /* a 66 was seen (SSE: a mandatory prefix) */
    unsigned op_size, addr_size;
};

/* Reads the prefixes; returns 0, or the index a complete instruction would
 * still need (past X86_MAX_INSN_LEN: #GP) when the bytes run out first. */
static size_t decode_prefixes(const uint8_t *bytes, size_t avail, enum x86_mode mode,
                              struct prefixes *p)
{
    bool long_mode = mode == X86_MODE_LONG64;
    bool def16 = mode == X86_MODE_REAL16 || mode == X86_MODE_PROT16;
    bool opsize_ovr = false, addr_ovr = false;
    unsigned i;

    memset(p, 0, sizeof(*p));
    p->seg = X86_SEG_NONE;
    for (i = 0;; i++) {
        uint8_t op;

        if (i + 1 > avail)
            return i + 1;
        op = bytes[i];
        if (long_mode && (op & 0xf0) == 0x40) {
            p->rex = op;                /* only the last REX counts... */
            continue;
        }
        switch (op) {
        case 0x66: opsize_ovr = true; break;
        case 0x67: addr_ovr = true; break;
        case 0xf0: p->lock = true; break;
        case 0xf2: case 0xf3:
            p->rep = op;
            break;
        /* In 64-bit code ES/CS/SS/DS overrides are ignored; the last one wins. */
        case 0x26: case 0x2e: case 0x36: case 0x3e:
            if (!long_mode)
                p->seg = (uint8_t)((op >> 3) & 3);      /* 26 ES, 2E CS, 36 SS, 3E DS */
            break;
        case 0x64: case 0x65:
            p->seg = op == 0x64 ? X86_SEG_FS : X86_SEG_GS;
            break;
        default:
            goto opcode;
        }
        p->rex = 0;                     /* ...and only right before the opcode */
    }
opcode:
    p->len = i;
    p->opsize_prefix = opsize_ovr;
    if (long_mode) {
        p->op_size = (p->rex & REX_W) ? 8 : opsize_ovr ? 2 : 4;
        p->addr_size = addr_ovr ? 4 : 8;
    } else {
        p->op_size = (def16 != opsize_ovr) ? 2 : 4;
        p->addr_size = (def16 != addr_ovr) ? 2 : 4;
    }
    return 0;
}

/* A failed decode leaves an empty result (no segment) and says why: the
 * bytes needed up to need_end (past 15: #GP on the CPU), or 0 for unknown. */
static int decode_failed(void *insn, size_t size, uint8_t *seg, size_t need_end)
{
    memset(insn, 0, size);
    *seg = X86_SEG_NONE;
    return need_end > X86_MAX_INSN_LEN ? X86_DECODE_TOO_LONG : -1;
}

/* The bytes end before byte `end` is reached: truncated, or, past the
 * architectural limit, an encoding the CPU rejects with #GP. */
#define NEED(end) do { if ((end) > avail) { need_end = (end); goto truncated; } } while (0)

int x86_decode(const uint8_t *bytes, size_t avail, enum x86_mode mode, struct x86_insn *insn)
{
    size_t need_end = 0;
    bool long_mode = mode == X86_MODE_LONG64;
    unsigned i, op_size, addr_size;
    uint8_t rex, op, modrm;
    struct prefixes pfx;

    memset(insn, 0, sizeof(*insn));
    insn->seg = X86_SEG_NONE;
    if (avail > X86_MAX_INSN_LEN)
        avail = X86_MAX_INSN_LEN;       /* longer encodings are #GP anyway */
    need_end = decode_prefixes(bytes, avail, mode, &pfx);
    if (need_end)
        goto truncated;
    i = pfx.len;
    op = bytes[i++];
    rex = pfx.rex;
    op_size = pfx.op_size;
    addr_size = pfx.addr_size;
    insn->lock = pfx.lock;
    insn->seg = pfx.seg;
    insn->addr_size = (uint8_t)addr_size;

    switch (op) {
    case 0x6c: case 0x6d:               /* INS: ES:rDI, no override */
    case 0x6e: case 0x6f:               /* OUTS: seg:rSI, DS by default */
        insn->kind = op < 0x6e ? X86_INSN_INS : X86_INSN_OUTS;
        insn->size = (op & 1) ? (uint8_t)(op_size == 8 ? 4 : op_size) : 1;
        if (insn->kind == X86_INSN_OUTS && insn->seg == X86_SEG_NONE)
            insn->seg = X86_SEG_DS;
        insn->len = (uint8_t)i;
        return 0;
    case 0xcc:                          /* INT3 */
    case 0xf1:                          /* ICEBP (INT1) */
        insn->kind = op == 0xcc ? X86_INSN_INT3 : X86_INSN_ICEBP;
        insn->len = (uint8_t)i;
        return 0;
    case 0xce:                          /* INTO: #UD in 64-bit code */
        if (long_mode)
            goto fail;
        insn->kind = X86_INSN_INTO;
        insn->len = (uint8_t)i;
        return 0;
    case 0xcd:                          /* INT imm8 */
        NEED(i + 1);
        insn->kind = X86_INSN_INT_N;
        insn->imm = bytes[i];
        insn->len = (uint8_t)(i + 1);
        return 0;
    }

    if (op == 0x0f) {
        NEED(i + 1);
        op = bytes[i++];
        switch (op) {
        case 0x21:
        case 0x23:
            NEED(i + 1);
            modrm = bytes[i++];
            /* Always register form: mod is ignored, no SIB or displacement. */
            insn->kind = op == 0x21 ? X86_INSN_MOV_FROM_DR : X86_INSN_MOV_TO_DR;
            insn->dr = ((modrm >> 3) & 7) | ((rex & REX_R) ? 8 : 0);
            insn->gpr = (modrm & 7) | ((rex & REX_B) ? 8 : 0);
            insn->size = long_mode ? 8 : 4;
            insn->len = (uint8_t)i;
            return 0;
        }
    }
fail:
    need_end = 0;
truncated:
    return decode_failed(insn, sizeof(*insn), &insn->seg, need_end);
}

/* ---- instructions with a memory operand (the MMIO emulator's) ---- */

enum {
    OP_MODRM = 1 << 0,      /* a ModRM byte whose r/m must be memory */
    OP_BYTE  = 1 << 1,      /* 8-bit operands */
    OP_IMM8  = 1 << 2,      /* imm8 after the operand */
    OP_IMMZ  = 1 << 3,      /* imm16/imm32 (imm32 for 64-bit operands) */
    OP_GRP3  = 1 << 4,      /* F6/F7: the immediate exists for /0 and /1 (TEST) only */
    OP_MOFFS = 1 << 5,      /* A0-A3: absolute offset of address size, no ModRM */
    OP_STR   = 1 << 6,      /* string instruction: rSI/rDI, no ModRM */
    OP_SRC8  = 1 << 7,      /* MOVZX/MOVSX from a byte */
    OP_SRC16 = 1 << 8,      /* MOVZX/MOVSX from a word */
    OP_EXT   = 1 << 9,      /* ModRM.reg extends the opcode: never a register */
    OP_SIMD  = 1 << 10,     /* SSE/AVX move: size from the mandatory prefix (simd_size) */
    OP_SREG  = 1 << 11,     /* MOV m16, Sreg: a word whatever the operand size */
    OP_STACK = 1 << 12,     /* PUSH/POP/CALL/JMP through memory: 64-bit in long mode */
    OP_VALU  = 1 << 13,     /* SSE/AVX arithmetic: a VEX form names a second source */
    OP_POPSEG = 1 << 14,    /* POP Sreg: the operand is the stack, no ModRM */
    OP_STACKOP = 1 << 15,   /* PUSHF POPF ENTER LEAVE: the stack, no ModRM, 64-bit in long mode */
};

struct opcode_desc {
    uint16_t opcode;
    uint16_t flags;
};

#define ALU_ROW(base) { base, OP_MODRM | OP_BYTE }, { base + 1, OP_MODRM }, \
                      { base + 2, OP_MODRM | OP_BYTE }, { base + 3, OP_MODRM }

/* Every opcode emulate.c can carry out on a memory operand. */
static const struct opcode_desc mem_opcodes[] = {
    ALU_ROW(0x00), ALU_ROW(0x08), ALU_ROW(0x10), ALU_ROW(0x18),     /* ADD OR ADC SBB */
    ALU_ROW(0x20), ALU_ROW(0x28), ALU_ROW(0x30), ALU_ROW(0x38),     /* AND SUB XOR CMP */
    { 0x80, OP_MODRM | OP_EXT | OP_BYTE | OP_IMM8 },                /* group 1 */
    { 0x81, OP_MODRM | OP_EXT | OP_IMMZ }, { 0x83, OP_MODRM | OP_EXT | OP_IMM8 },
    { 0x84, OP_MODRM | OP_BYTE }, { 0x85, OP_MODRM },               /* TEST */
    { 0x86, OP_MODRM | OP_BYTE }, { 0x87, OP_MODRM },               /* XCHG */
    { 0x88, OP_MODRM | OP_BYTE }, { 0x89, OP_MODRM },               /* MOV r/m, reg */
    { 0x8a, OP_MODRM | OP_BYTE }, { 0x8b, OP_MODRM },               /* MOV reg, r/m */
    { 0xa0, OP_MOFFS | OP_BYTE }, { 0xa1, OP_MOFFS },               /* MOV acc, moffs */
    { 0xa2, OP_MOFFS | OP_BYTE }, { 0xa3, OP_MOFFS },               /* MOV moffs, acc */
    { 0xa4, OP_STR | OP_BYTE }, { 0xa5, OP_STR },                   /* MOVS */
    { 0xaa, OP_STR | OP_BYTE }, { 0xab, OP_STR },                   /* STOS */
    { 0xac, OP_STR | OP_BYTE }, { 0xad, OP_STR },                   /* LODS */
    { 0xc6, OP_MODRM | OP_EXT | OP_BYTE | OP_IMM8 },                /* MOV r/m, imm */
    { 0xc7, OP_MODRM | OP_EXT | OP_IMMZ },
    { 0xf6, OP_MODRM | OP_EXT | OP_BYTE | OP_GRP3 },                /* group 3 */
    { 0xf7, OP_MODRM | OP_EXT | OP_GRP3 },
    { 0xfe, OP_MODRM | OP_EXT | OP_BYTE }, { 0xff, OP_MODRM | OP_EXT },     /* groups 4, 5 */
    { 0x0fa3, OP_MODRM }, { 0x0fab, OP_MODRM },                     /* BT, BTS */
    { 0x0fb3, OP_MODRM }, { 0x0fbb, OP_MODRM },                     /* BTR, BTC */
    { 0x0fba, OP_MODRM | OP_EXT | OP_IMM8 },                        /* group 8 */
    { 0x0fb0, OP_MODRM | OP_BYTE }, { 0x0fb1, OP_MODRM },           /* CMPXCHG */
    { 0x0fc0, OP_MODRM | OP_BYTE }, { 0x0fc1, OP_MODRM },           /* XADD */
    { 0x0fb6, OP_MODRM | OP_SRC8 }, { 0x0fb7, OP_MODRM | OP_SRC16 },/* MOVZX */
    { 0x0fbe, OP_MODRM | OP_SRC8 }, { 0x0fbf, OP_MODRM | OP_SRC16 },/* MOVSX */
    { 0x69, OP_MODRM | OP_IMMZ }, { 0x6b, OP_MODRM | OP_IMM8 },     /* IMUL r, r/m, imm */
    { 0x0faf, OP_MODRM },                                           /* IMUL r, r/m */
    { 0xc0, OP_MODRM | OP_EXT | OP_BYTE | OP_IMM8 },                /* group 2: shifts */
    { 0xc1, OP_MODRM | OP_EXT | OP_IMM8 },
    { 0xd0, OP_MODRM | OP_EXT | OP_BYTE }, { 0xd1, OP_MODRM | OP_EXT },
    { 0xd2, OP_MODRM | OP_EXT | OP_BYTE }, { 0xd3, OP_MODRM | OP_EXT },
    { 0x0fa4, OP_MODRM | OP_IMM8 }, { 0x0fa5, OP_MODRM },           /* SHLD */
    { 0x0fac, OP_MODRM | OP_IMM8 }, { 0x0fad, OP_MODRM },           /* SHRD */
    { 0xa6, OP_STR | OP_BYTE }, { 0xa7, OP_STR },                   /* CMPS */
    { 0xae, OP_STR | OP_BYTE }, { 0xaf, OP_STR },                   /* SCAS */
    { 0x8f, OP_MODRM | OP_EXT | OP_STACK },                         /* POP r/m */
    { 0x8c, OP_MODRM | OP_SREG },                                   /* MOV r/m, Sreg */
    { 0x0fbc, OP_MODRM }, { 0x0fbd, OP_MODRM },                     /* BSF/TZCNT, BSR/LZCNT */
    { 0x0fb8, OP_MODRM },                                           /* POPCNT (F3) */
    { 0x0fc3, OP_MODRM },                                           /* MOVNTI */
    { X86_OP_0F38 | 0xf0, OP_MODRM }, { X86_OP_0F38 | 0xf1, OP_MODRM },   /* MOVBE */
    { 0x0f10, OP_MODRM | OP_SIMD }, { 0x0f11, OP_MODRM | OP_SIMD }, /* MOVUPS/PD, MOVSS/SD */
    { 0x0f28, OP_MODRM | OP_SIMD }, { 0x0f29, OP_MODRM | OP_SIMD }, /* MOVAPS/PD */
    { 0x0f2b, OP_MODRM | OP_SIMD },                                 /* MOVNTPS/PD */
    { 0x0f6e, OP_MODRM | OP_SIMD }, { 0x0f7e, OP_MODRM | OP_SIMD }, /* MOVD/MOVQ */
    { 0x0f6f, OP_MODRM | OP_SIMD }, { 0x0f7f, OP_MODRM | OP_SIMD }, /* MOVDQA/MOVDQU */
    { 0x0fd6, OP_MODRM | OP_SIMD }, { 0x0fe7, OP_MODRM | OP_SIMD }, /* MOVQ store, MOVNTDQ */
    { X86_OP_0F38 | 0x2a, OP_MODRM | OP_SIMD },                     /* MOVNTDQA */
    { 0x0f12, OP_MODRM | OP_SIMD }, { 0x0f13, OP_MODRM | OP_SIMD }, /* MOVLPS/PD */
    { 0x0f16, OP_MODRM | OP_SIMD }, { 0x0f17, OP_MODRM | OP_SIMD }, /* MOVHPS/PD */
    { 0x0fc7, OP_MODRM | OP_EXT },                                  /* CMPXCHG8B/16B (/1) */
    { 0x8e, OP_MODRM | OP_SREG },                                   /* MOV Sreg, m16 */
    { 0xc4, OP_MODRM }, { 0xc5, OP_MODRM },                         /* LES, LDS (not 64-bit) */
    { 0x0fb2, OP_MODRM }, { 0x0fb4, OP_MODRM }, { 0x0fb5, OP_MODRM },   /* LSS, LFS, LGS */
    { 0x0f00, OP_MODRM | OP_EXT | OP_SREG },                        /* SLDT STR LLDT LTR VERR VERW */
    { 0x07, OP_POPSEG }, { 0x17, OP_POPSEG }, { 0x1f, OP_POPSEG },  /* POP ES SS DS */
    { 0x0fa1, OP_POPSEG }, { 0x0fa9, OP_POPSEG },                   /* POP FS GS */
    { 0x9c, OP_STACKOP }, { 0x9d, OP_STACKOP },                     /* PUSHF POPF */
    { 0xc8, OP_STACKOP }, { 0xc9, OP_STACKOP },                     /* ENTER LEAVE */
    { 0x0f01, OP_MODRM | OP_EXT },                                  /* SGDT SIDT LGDT LIDT SMSW */
    { 0x0fae, OP_MODRM | OP_EXT },                      /* FXSAVE FXRSTOR LDMXCSR STMXCSR */
#define VALU(op) { op, OP_MODRM | OP_SIMD | OP_VALU }
    VALU(0x0f54), VALU(0x0f55), VALU(0x0f56), VALU(0x0f57),         /* ANDPS ANDNPS ORPS XORPS */
    VALU(0x0f58), VALU(0x0f59), VALU(0x0f5c), VALU(0x0f5d),         /* ADD MUL SUB MIN */
    VALU(0x0f5e), VALU(0x0f5f),                                     /* DIV MAX (PS PD SS SD) */
    VALU(0x0fd4), VALU(0x0fdb), VALU(0x0fdf), VALU(0x0feb),         /* PADDQ PAND PANDN POR */
    VALU(0x0fef), VALU(0x0ffe), VALU(0x0ffa), VALU(0x0ffb),         /* PXOR PADDD PSUBD PSUBQ */
    VALU(0x0f74), VALU(0x0f75), VALU(0x0f76),                       /* PCMPEQB/W/D */
    { 0x0fc2, OP_MODRM | OP_SIMD | OP_VALU | OP_IMM8 },             /* CMPPS/PD/SS/SD */
#undef VALU
    { 0xd8, OP_MODRM | OP_EXT }, { 0xd9, OP_MODRM | OP_EXT },       /* x87 with a memory */
    { 0xda, OP_MODRM | OP_EXT }, { 0xdb, OP_MODRM | OP_EXT },       /* operand (emulate_x87.c */
    { 0xdc, OP_MODRM | OP_EXT }, { 0xdd, OP_MODRM | OP_EXT },       /* says which forms) */
    { 0xde, OP_MODRM | OP_EXT }, { 0xdf, OP_MODRM | OP_EXT },
};
/* SETcc and CMOVcc: 0F 90-9F (a byte) and 0F 40-4F. */
#define IS_SETCC(op)  ((op) >= 0x0f90 && (op) <= 0x0f9f)
#define IS_CMOVCC(op) ((op) >= 0x0f40 && (op) <= 0x0f4f)
static const struct opcode_desc setcc_desc = { 0x0f90, OP_MODRM | OP_BYTE };
static const struct opcode_desc cmovcc_desc = { 0x0f40, OP_MODRM };

static const struct opcode_desc *find_mem_opcode(uint16_t opcode)
{
    if (IS_SETCC(opcode))
        return &setcc_desc;
    if (IS_CMOVCC(opcode))
        return &cmovcc_desc;
    for (size_t k = 0; k < ARRAY_SIZE(mem_opcodes); k++)
        if (mem_opcodes[k].opcode == opcode)
            return &mem_opcodes[k];
    return NULL;
}

/* 16-bit addressing: ModRM.rm -> base and index (BP-based forms use SS). */
static const int8_t ea16_base[8]  = { 3, 3, 5, 5, 6, 7, 5, 3 };     /* BX BX BP BP SI DI BP BX */
static const int8_t ea16_index[8] = { 6, 7, 6, 7, X86_EA_NONE, X86_EA_NONE, X86_EA_NONE,
                                      X86_EA_NONE };

/* Fills the effective-address parts from ModRM (at p[0]) and returns the
 * bytes it takes (ModRM, SIB, displacement), or 0 if they are not all there. */
static unsigned decode_ea(const uint8_t *p, size_t avail, unsigned addr_size, bool long_mode,
                          uint8_t rex, struct x86_mem_insn *insn)
{
    uint8_t modrm = p[0], mod = modrm >> 6, rm = modrm & 7;
    int err = 0;
    unsigned extra = modrm_extra(p, avail, addr_size, &err), disp_len;

    if (err || 1 + extra > avail)
        return 0;
    insn->ea_base = insn->ea_index = X86_EA_NONE;
    insn->ea_scale = 1;
    if (addr_size == 2) {
        if (!(mod == 0 && rm == 6)) {
            insn->ea_base = ea16_base[rm];
            insn->ea_index = ea16_index[rm];
        }
        disp_len = extra;
    } else if (rm == 4) {
        uint8_t sib = p[1], base = sib & 7, index = ((sib >> 3) & 7) | ((rex & 0x2) ? 8 : 0);

        insn->ea_scale = (uint8_t)(1u << (sib >> 6));
        if (index != 4)
            insn->ea_index = (int8_t)index;
        if (!(mod == 0 && base == 5))
            insn->ea_base = (int8_t)(base | ((rex & REX_B) ? 8 : 0));
        disp_len = extra - 1;
    } else {
        if (mod == 0 && rm == 5)
            insn->ea_base = long_mode ? X86_EA_RIP : X86_EA_NONE;
        else
            insn->ea_base = (int8_t)(rm | ((rex & REX_B) ? 8 : 0));
        disp_len = extra;
    }
    insn->ea_disp = 0;
    if (disp_len) {
        uint64_t d = read_le(p + 1 + extra - disp_len, disp_len);
        unsigned shift = 64 - disp_len * 8;
        insn->ea_disp = (int64_t)(d << shift) >> shift;
    }
    return 1 + extra;
}

/* The memory operand's size of an SSE/AVX move by its mandatory prefix, or
 * 0 for a form that is not one (MMX, or no memory move). */
static unsigned simd_size(uint16_t opcode, uint8_t prefix, bool vex_l, bool wide)
{
    unsigned vec = vex_l ? 32 : 16;

    switch (opcode) {
    case 0x0f10: case 0x0f11:                   /* MOVUPS/MOVUPD, MOVSS, MOVSD */
        return prefix == 0xf3 ? 4 : prefix == 0xf2 ? 8 : vec;
    case 0x0f28: case 0x0f29: case 0x0f2b:      /* MOVAPS/MOVAPD, MOVNTPS/MOVNTPD */
        return prefix == 0 || prefix == 0x66 ? vec : 0;
    case 0x0f6e:                                /* MOVD/MOVQ xmm/mm, r/m */
        return prefix == 0x66 || prefix == 0 ? (wide ? 8 : 4) : 0;
    case 0x0f7e:                                /* MOVD/MOVQ r/m, xmm/mm; MOVQ xmm, m64 */
        return prefix == 0x66 || prefix == 0 ? (wide ? 8 : 4) : prefix == 0xf3 ? 8 : 0;
    case 0x0f6f: case 0x0f7f:                   /* MOVDQA, MOVDQU; MMX MOVQ */
        return prefix == 0x66 || prefix == 0xf3 ? vec : prefix == 0 && !vex_l ? 8 : 0;
    case 0x0fd6:                                /* MOVQ m64, xmm */
        return prefix == 0x66 ? 8 : 0;
    case 0x0f12: case 0x0f13: case 0x0f16: case 0x0f17:    /* MOVLPS/PD, MOVHPS/PD */
        return (prefix == 0 || prefix == 0x66) && !vex_l ? 8 : 0;
    case 0x0fe7:                                /* MOVNTDQ */
    case X86_OP_0F38 | 0x2a:                    /* MOVNTDQA */
        return prefix == 0x66 ? vec : 0;
    case 0x0f54: case 0x0f55: case 0x0f56: case 0x0f57:     /* logic: PS, PD */
        return prefix == 0 || prefix == 0x66 ? vec : 0;
    case 0x0f58: case 0x0f59: case 0x0f5c: case 0x0f5d: case 0x0f5e: case 0x0f5f: case 0x0fc2:
        return prefix == 0xf3 ? 4 : prefix == 0xf2 ? 8 : vec;    /* SS, SD, PS/PD */
    case 0x0fd4: case 0x0fdb: case 0x0fdf: case 0x0feb: case 0x0fef: case 0x0ffe:
    case 0x0ffa: case 0x0ffb: case 0x0f74: case 0x0f75: case 0x0f76:
        return prefix == 0x66 ? vec : 0;        /* the MMX forms (no prefix) are not emulated */
    }
    return 0;
}

/* A VEX prefix (C4/C5) at bytes[i]: fills the map's opcode, REX bits,
 * VEX.L and pp; returns the bytes it takes, or 0 if it is no VEX prefix
 * (LES/LDS outside 64-bit code) or one the emulator does not know. */
static unsigned decode_vex(const uint8_t *bytes, size_t avail, size_t i, bool long_mode,
                           uint16_t *opcode, uint8_t *rex, struct x86_mem_insn *insn)
{
    static const uint8_t pp_prefix[4] = { 0, 0x66, 0xf3, 0xf2 };
    uint8_t b1, last, map = 1;
    unsigned len = bytes[i] == 0xc5 ? 2 : 3;

    if (i + len + 1 > avail)
        return 0;
    b1 = bytes[i + 1];
    if (!long_mode && (b1 >> 6) != 3)
        return 0;                       /* LES/LDS with a memory operand */
    *rex = (b1 & 0x80) ? 0 : REX_R;
    if (len == 3) {
        map = b1 & 0x1f;
        *rex |= (b1 & 0x40 ? 0 : 0x2) | (b1 & 0x20 ? 0 : REX_B);
        if (!long_mode)
            *rex &= REX_R;              /* VEX.X/B ignored outside 64-bit code */
        *rex |= (bytes[i + 2] & 0x80) ? REX_W : 0;
    }
    last = bytes[i + len - 1];
    insn->vex_vvvv = (uint8_t)((~last >> 3) & (long_mode ? 0xf : 0x7));
    if (map != 1 && map != 2)
        return 0;                       /* the 0F 3A map has no plain moves */
    insn->vex = true;
    insn->vex_l = (last >> 2) & 1;
    insn->simd_prefix = pp_prefix[last & 3];
    *opcode = (uint16_t)((map == 1 ? 0x0f00 : X86_OP_0F38) | bytes[i + len]);
    return len + 1;
}

int x86_decode_mem(const uint8_t *bytes, size_t avail, enum x86_mode mode,
                   struct x86_mem_insn *insn)
{
    bool long_mode = mode == X86_MODE_LONG64;
    const struct opcode_desc *desc;
    struct prefixes pfx;
    size_t need_end;
    unsigned i, imm_size = 0;
    uint16_t opcode;

    memset(insn, 0, sizeof(*insn));
    insn->seg = X86_SEG_NONE;
    insn->ea_base = insn->ea_index = X86_EA_NONE;
    if (avail > X86_MAX_INSN_LEN)
        avail = X86_MAX_INSN_LEN;
    need_end = decode_prefixes(bytes, avail, mode, &pfx);
    if (need_end)
        goto truncated;
    i = pfx.len;
    /* C4/C5 are VEX in 64-bit code and, elsewhere, where ModRM.mod would
     * be 3; with a memory ModRM outside 64-bit code they are LES/LDS. */
    if ((bytes[i] == 0xc4 || bytes[i] == 0xc5) && mode != X86_MODE_REAL16 &&
        (long_mode || (i + 1 < avail && (bytes[i + 1] >> 6) == 3))) {
        unsigned vex_len;

        if (pfx.rex || pfx.rep || pfx.opsize_prefix || pfx.lock)
            goto fail;                  /* #UD before any access */
        vex_len = decode_vex(bytes, avail, i, long_mode, &opcode, &pfx.rex, insn);
        if (!vex_len)
            goto fail;
        i += vex_len;
        if (pfx.rex & REX_W)
            pfx.op_size = 8;
    } else {
        opcode = bytes[i++];
        if (opcode == 0x0f) {
            if ((need_end = i + 1) > avail)
                goto truncated;
            opcode = (uint16_t)(0x0f00 | bytes[i++]);
            if (opcode == 0x0f38) {
                if ((need_end = i + 1) > avail)
                    goto truncated;
                opcode = (uint16_t)(X86_OP_0F38 | bytes[i++]);
            }
        }
        insn->simd_prefix = pfx.rep ? pfx.rep : pfx.opsize_prefix ? 0x66 : 0;
    }
    desc = find_mem_opcode(opcode);
    if (!desc || (long_mode && (opcode == 0x82 || opcode == 0xc4 || opcode == 0xc5)) ||
        (insn->vex && !(desc->flags & OP_SIMD)))
        goto fail;
    insn->opcode = opcode;
    insn->rep = insn->vex ? 0 : pfx.rep;
    insn->seg = pfx.seg;
    insn->lock = pfx.lock;
    insn->addr_size = (uint8_t)pfx.addr_size;
    insn->size = (desc->flags & OP_BYTE) ? 1 : (desc->flags & OP_SREG) ? 2 : (uint8_t)pfx.op_size;
    if (desc->flags & OP_SIMD) {
        insn->size = (uint8_t)simd_size(opcode, insn->simd_prefix, insn->vex_l, pfx.rex & REX_W);
        if (!insn->size || (insn->vex && !insn->simd_prefix && (opcode & 0xff) >= 0x6e &&
                            !(desc->flags & OP_VALU)))
            goto fail;                  /* the MMX forms have no VEX encoding */
        if (insn->vex && insn->vex_vvvv && !(desc->flags & OP_VALU))
            goto fail;                  /* vvvv: no second source in a move */
    }
    insn->src_size = (desc->flags & OP_SRC8) ? 1 : (desc->flags & OP_SRC16) ? 2 : insn->size;
    insn->ea_scale = 1;

    if (desc->flags & OP_STR) {
        insn->string = true;
    } else if (desc->flags & OP_POPSEG) {
        if (long_mode && opcode < 0x100)
            goto fail;                  /* POP ES/SS/DS: #UD in 64-bit code */
        if (long_mode && insn->size == 4)
            insn->size = insn->src_size = 8;
    } else if (desc->flags & OP_STACKOP) {
        if (long_mode && insn->size == 4)
            insn->size = insn->src_size = 8;
        if (opcode == 0xc8) {           /* ENTER imm16, imm8: frame size, nesting level */
            if ((need_end = i + 3) > avail)
                goto truncated;
            insn->imm = read_le(bytes + i, 3);
            i += 3;
        }
    } else if (desc->flags & OP_MOFFS) {
        if ((need_end = i + pfx.addr_size) > avail)
            goto truncated;
        insn->ea_disp = (int64_t)read_le(bytes + i, pfx.addr_size);
        i += pfx.addr_size;
    } else {
        unsigned ea_len;

        if ((need_end = i + 1) > avail)
            goto truncated;
        if ((bytes[i] >> 6) == 3)
            goto fail;                  /* register form: no memory access */
        insn->reg = (uint8_t)(((bytes[i] >> 3) & 7) | ((pfx.rex & REX_R) ? 8 : 0));
        insn->modrm = bytes[i];
        if ((desc->flags & (OP_BYTE | OP_EXT)) == OP_BYTE && !pfx.rex && insn->reg >= 4) {
            insn->reg -= 4;             /* without REX: AH, CH, DH, BH */
            insn->reg_high8 = 1;
        }
        ea_len = decode_ea(bytes + i, avail - i, pfx.addr_size, long_mode, pfx.rex, insn);
        if (!ea_len) {
            need_end = avail + 1;       /* past 15 bytes: #GP */
            goto truncated;
        }
        i += ea_len;
        if (opcode == 0x8f && (insn->reg & 7) != 0)
            goto fail;                  /* XOP, or #UD */
        if (opcode == 0x0f00 && (insn->reg & 7) > 5)
            goto fail;                  /* /6 /7: #UD */
        if (opcode == 0x0fae && ((insn->reg & 7) > 3 || pfx.rep))
            goto fail;                  /* the XSAVE family, CLFLUSH; F3/F2 forms */
        if (opcode == 0x0f01) {         /* /0-/3 take m16&32/64, /4 SMSW m16 */
            if ((insn->reg & 7) > 4)
                goto fail;              /* LMSW exits as a CR0 write; INVLPG reads nothing */
            if ((insn->reg & 7) == 4)
                insn->size = insn->src_size = 2;
        }
        if (opcode == 0x0fc7) {         /* only /1 has a memory operand to emulate */
            if ((insn->reg & 7) != 1)
                goto fail;
            insn->size = insn->src_size = (pfx.rex & REX_W) ? 16 : 8;
        }
        /* PUSH/POP, and near CALL/JMP (FF /2 /4, 64 bits whatever 66 says),
         * default to 64-bit operands in long mode. */
        if (long_mode && ((desc->flags & OP_STACK) || (opcode == 0xff && (insn->reg & 7) == 6)) &&
            insn->size == 4)
            insn->size = insn->src_size = 8;
        if (long_mode && opcode == 0xff && ((insn->reg & 7) == 2 || (insn->reg & 7) == 4))
            insn->size = insn->src_size = 8;
        if ((desc->flags & OP_GRP3) && (insn->reg & 7) < 2)
            imm_size = insn->size == 1 ? 1 : insn->size == 2 ? 2 : 4;
    }
    if (desc->flags & OP_IMM8)
        imm_size = 1;
    else if (desc->flags & OP_IMMZ)
        imm_size = insn->size == 2 ? 2 : 4;
    if (imm_size) {
        unsigned shift = 64 - imm_size * 8;

        if ((need_end = i + imm_size) > avail)
            goto truncated;
        insn->imm = (uint64_t)((int64_t)(read_le(bytes + i, imm_size) << shift) >> shift);
        i += imm_size;
    }
    insn->len = (uint8_t)i;
    return 0;

fail:
    need_end = 0;
truncated:
    return decode_failed(insn, sizeof(*insn), &insn->seg, need_end);
}
