/* x86 decoder for MOV DR, MMIO MOV and software-interrupt exits; see asm/decode.h. */
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

/* The bytes end before byte `end` is reached: truncated, or, past the
 * architectural limit, an encoding the CPU rejects with #GP. */
#define NEED(end) do { if ((end) > avail) { need_end = (end); goto truncated; } } while (0)

int x86_decode(const uint8_t *bytes, size_t avail, enum x86_mode mode, struct x86_insn *insn)
{
    size_t need_end = 0;
    bool long_mode = mode == X86_MODE_LONG64;
    bool def16 = mode == X86_MODE_REAL16 || mode == X86_MODE_PROT16;
    bool opsize_ovr = false, addr_ovr = false;
    unsigned i = 0, op_size, addr_size, imm_size = 0, extra = 0;
    uint8_t rex = 0, op, modrm;
    int err = 0;

    memset(insn, 0, sizeof(*insn));
    insn->seg = X86_SEG_NONE;
    if (avail > X86_MAX_INSN_LEN)
        avail = X86_MAX_INSN_LEN;       /* longer encodings are #GP anyway */

    for (;; i++) {
        NEED(i + 1);
        op = bytes[i];
        if (long_mode && (op & 0xf0) == 0x40) {
            rex = op;                   /* only the last REX counts... */
            continue;
        }
        switch (op) {
        case 0x66: opsize_ovr = true; break;
        case 0x67: addr_ovr = true; break;
        case 0xf0: insn->lock = true; break;
        case 0xf2: case 0xf3:
            break;
        /* In 64-bit code ES/CS/SS/DS overrides are ignored; the last one wins. */
        case 0x26: case 0x2e: case 0x36: case 0x3e:
            if (!long_mode)
                insn->seg = (uint8_t)((op >> 3) & 3);   /* 26 ES, 2E CS, 36 SS, 3E DS */
            break;
        case 0x64: case 0x65:
            insn->seg = op == 0x64 ? X86_SEG_FS : X86_SEG_GS;
            break;
        default:
            goto opcode;
        }
        rex = 0;                        /* ...and only right before the opcode */
    }
opcode:
    if (long_mode) {
        op_size = (rex & REX_W) ? 8 : opsize_ovr ? 2 : 4;
        addr_size = addr_ovr ? 4 : 8;
    } else {
        op_size = (def16 != opsize_ovr) ? 2 : 4;
        addr_size = (def16 != addr_ovr) ? 2 : 4;
    }
    i++;
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
        case 0xb6: case 0xb7:
            insn->kind = X86_INSN_MOVZX_LOAD;
            break;
        case 0xbe: case 0xbf:
            insn->kind = X86_INSN_MOVSX_LOAD;
            break;
        default:
            goto fail;
        }
        insn->src_size = (op & 1) ? 2 : 1;
        insn->size = (uint8_t)op_size;
    } else {
        switch (op) {
        case 0x88: case 0x89:
            insn->kind = X86_INSN_MOV_STORE;
            break;
        case 0x8a: case 0x8b:
            insn->kind = X86_INSN_MOV_LOAD;
            break;
        case 0xc6: case 0xc7:
            insn->kind = X86_INSN_MOV_STORE_IMM;
            break;
        case 0xa0: case 0xa1: case 0xa2: case 0xa3:
            /* moffs forms: accumulator, absolute address of addr_size bytes, no ModRM */
            insn->kind = op < 0xa2 ? X86_INSN_MOV_LOAD : X86_INSN_MOV_STORE;
            insn->size = (op & 1) ? (uint8_t)op_size : 1;
            NEED(i + addr_size);
            insn->len = (uint8_t)(i + addr_size);
            return 0;
        default:
            goto fail;
        }
        insn->size = (op & 1) ? (uint8_t)op_size : 1;
        if (op >= 0xc6)
            imm_size = insn->size == 8 ? 4 : insn->size;
    }

    NEED(i + 1);
    modrm = bytes[i];
    if ((modrm >> 6) == 3)
        goto fail;                      /* register form: no memory access to emulate */
    if (insn->kind == X86_INSN_MOV_STORE_IMM && ((modrm >> 3) & 7) != 0)
        goto fail;                      /* C6/C7 /1-/7 are other instructions */
    extra = modrm_extra(bytes + i, avail - i, addr_size, &err);
    if (err)
        NEED(i + 2);                    /* the SIB byte */
    i += 1 + extra;
    NEED(i + imm_size);

    if (insn->kind == X86_INSN_MOV_STORE_IMM) {
        insn->imm = read_le(bytes + i, imm_size);
        if (insn->size == 8 && (insn->imm & BIT(31)))
            insn->imm |= 0xffffffff00000000ULL;   /* imm32 sign-extended under REX.W */
    } else {
        insn->gpr = ((modrm >> 3) & 7) | ((rex & REX_R) ? 8 : 0);
        /* Without any REX, 8-bit registers 4..7 are AH, CH, DH, BH. */
        if (insn->size == 1 && !rex && insn->gpr >= 4) {
            insn->gpr -= 4;
            insn->gpr_high8 = 1;
        }
    }
    insn->len = (uint8_t)(i + imm_size);
    return 0;

fail:
    memset(insn, 0, sizeof(*insn));
    insn->seg = X86_SEG_NONE;
    return -1;
truncated:
    memset(insn, 0, sizeof(*insn));
    insn->seg = X86_SEG_NONE;
    return need_end > X86_MAX_INSN_LEN ? X86_DECODE_TOO_LONG : -1;
}
