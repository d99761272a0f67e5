/*
 * x86_decode_mem (hypervisor/arch/x86/decode.c) for the forms the MMIO
 * emulator gained: mandatory prefixes and VEX for the vector moves (the
 * memory operand's size), the 0F 38 map (MOVBE), SETcc/CMOVcc, the shift
 * groups' immediates, 64-bit stack operands of PUSH/POP/CALL/JMP, and the
 * encodings that must not decode (MMX forms, XOP, LES/LDS, register forms).
 * Lengths checked with objdump.
 */
#include <asm/decode.h>
#include <stdio.h>
#include "tests.h"

#define L64 X86_MODE_LONG64
#define P32 X86_MODE_PROT32

struct mcase {
    const char *what;
    enum x86_mode mode;
    uint8_t n, b[15];
    int rc;                                 /* 0: decodes, else -1 */
    uint16_t opcode;
    uint8_t len, size, reg, simd_prefix;
    bool vex;
    uint64_t imm;
};

#define B(...) sizeof((uint8_t[]){ __VA_ARGS__ }), { __VA_ARGS__ }
#define NONE 0, 0, 0, 0, 0, false, 0     /* the fields of a failed decode */

static const struct mcase cases[] = {
    /* vmovdqu (%rax),%ymm5 */
    { "vmovdqu ymm load", L64, B(0xc5, 0xfe, 0x6f, 0x28), 0, 0x0f6f, 4, 32, 5, 0xf3, true, 0 },
    /* vmovdqa %xmm12,(%r9) */
    { "vmovdqa xmm12 store (C4, R/B)", L64, B(0xc4, 0x41, 0x79, 0x7f, 0x21), 0, 0x0f7f, 5, 16, 12, 0x66, true, 0 },
    /* vmovq (%rax),%xmm4 = vex F3 0F 7E */
    { "vmovq load", L64, B(0xc5, 0xfa, 0x7e, 0x20), 0, 0x0f7e, 4, 8, 4, 0xf3, true, 0 },
    /* movq %rax,%xmm3 register form is no memory access; movq (%rcx),%xmm3 = 66 48 0f 6e 19 */
    { "movq xmm, m64 (66 REX.W 0F 6E)", L64, B(0x66, 0x48, 0x0f, 0x6e, 0x19), 0, 0x0f6e, 5, 8, 3, 0x66, false, 0 },
    { "movd m32, xmm (66 0F 7E)", L64, B(0x66, 0x0f, 0x7e, 0x19), 0, 0x0f7e, 4, 4, 3, 0x66, false, 0 },
    { "movss load (F3 0F 10)", L64, B(0xf3, 0x0f, 0x10, 0x21), 0, 0x0f10, 4, 4, 4, 0xf3, false, 0 },
    { "movsd store (F2 0F 11)", L64, B(0xf2, 0x0f, 0x11, 0x21), 0, 0x0f11, 4, 8, 4, 0xf2, false, 0 },
    { "movups load", L64, B(0x0f, 0x10, 0x21), 0, 0x0f10, 3, 16, 4, 0, false, 0 },
    { "movntdq store", P32, B(0x66, 0x0f, 0xe7, 0x21), 0, 0x0fe7, 4, 16, 4, 0x66, false, 0 },
    { "MMX movq load", L64, B(0x0f, 0x6f, 0x21), 0, 0x0f6f, 3, 8, 4, 0, false, 0 },
    { "MMX movd store", L64, B(0x0f, 0x7e, 0x21), 0, 0x0f7e, 3, 4, 4, 0, false, 0 },
    { "VEX.pp=0 0F 6F: #UD", L64, B(0xc5, 0xf8, 0x6f, 0x28), -1, NONE },
    /* fldt (%rax); fistpll 8(%rbx) */
    { "fldt", L64, B(0xdb, 0x28), 0, 0xdb, 2, 4, 5, 0, false, 0 },
    { "fistpll disp8", L64, B(0xdf, 0x7b, 0x08), 0, 0xdf, 3, 4, 7, 0, false, 0 },
    { "movaps with F3: not a form", L64, B(0xf3, 0x0f, 0x28, 0x21), -1, NONE },
    { "VEX with vvvv != 1111: not a move", L64, B(0xc5, 0xf6, 0x6f, 0x28), -1, NONE },
    { "VEX after 66: #UD", L64, B(0x66, 0xc5, 0xfe, 0x6f, 0x28), -1, NONE },
    /* les (%ecx),%eax; lds (%ecx),%ax (66); lss (%rax),%rdx (REX.W) */
    { "C4 in 32-bit code with a memory ModRM: LES", P32, B(0xc4, 0x01), 0, 0xc4, 2, 4, 0, 0, false, 0 },
    { "LDS m16:16", P32, B(0x66, 0xc5, 0x01), 0, 0xc5, 3, 2, 0, 0x66, false, 0 },
    { "LSS m16:64", L64, B(0x48, 0x0f, 0xb2, 0x10), 0, 0x0fb2, 4, 8, 2, 0, false, 0 },
    { "mov (%rax),%ss: a word", L64, B(0x8e, 0x10), 0, 0x8e, 2, 2, 2, 0, false, 0 },
    { "lcall *(%rax): m16:32 in 64-bit code", L64, B(0xff, 0x18), 0, 0xff, 2, 4, 3, 0, false, 0 },
    { "sgdt (%rax): 64-bit", L64, B(0x0f, 0x01, 0x00), 0, 0x0f01, 3, 4, 0, 0, false, 0 },
    { "smsw (%rax): a word", L64, B(0x0f, 0x01, 0x20), 0, 0x0f01, 3, 2, 4, 0, false, 0 },
    { "ltr (%rax): a word", L64, B(0x0f, 0x00, 0x18), 0, 0x0f00, 3, 2, 3, 0, false, 0 },
    { "invlpg (%rax): no access", L64, B(0x0f, 0x01, 0x38), -1, NONE },
    { "pop %fs: 64-bit slot", L64, B(0x0f, 0xa1), 0, 0x0fa1, 2, 8, 0, 0, false, 0 },
    /* vcmpps $5,(%rax),%ymm4,%ymm3; cmpsd $2,(%rax),%xmm3 */
    { "vcmpps ymm: vvvv kept, imm8", L64, B(0xc5, 0xdc, 0xc2, 0x18, 0x05), 0, 0x0fc2, 5, 32, 3, 0, true, 5 },
    { "cmpsd m64", L64, B(0xf2, 0x0f, 0xc2, 0x18, 0x02), 0, 0x0fc2, 5, 8, 3, 0xf2, false, 2 },
    { "pop %ds in 32-bit code", P32, B(0x1f), 0, 0x1f, 1, 4, 0, 0, false, 0 },
    { "pop %es in 64-bit code: #UD", L64, B(0x07), -1, NONE },
    { "verr (%rax): a word", L64, B(0x0f, 0x00, 0x20), 0, 0x0f00, 3, 2, 4, 0, false, 0 },
    { "verw (%rax): a word", L64, B(0x0f, 0x00, 0x28), 0, 0x0f00, 3, 2, 5, 0, false, 0 },
    { "0f 00 /6 (%rax): #UD", L64, B(0x0f, 0x00, 0x30), -1, NONE },
    { "fxsave64 (%rax): REX.W in the size", L64, B(0x48, 0x0f, 0xae, 0x00), 0, 0x0fae, 4, 8, 0, 0, false, 0 },
    { "ldmxcsr (%rax)", L64, B(0x0f, 0xae, 0x10), 0, 0x0fae, 3, 4, 2, 0, false, 0 },
    { "xsave (%rax): not emulated", L64, B(0x0f, 0xae, 0x20), -1, NONE },
    { "pushf in 64-bit code: 64-bit", L64, B(0x9c), 0, 0x9c, 1, 8, 0, 0, false, 0 },
    { "enter $0x20,$2: imm16 and level", P32, B(0xc8, 0x20, 0x00, 0x02), 0, 0xc8, 4, 4, 0, 0, false, 0x20020 },
    /* movbe (%rsi),%ecx; movbe %rcx,(%rsi) */
    { "movbe load", L64, B(0x0f, 0x38, 0xf0, 0x0e), 0, X86_OP_0F38 | 0xf0, 4, 4, 1, 0, false, 0 },
    { "movbe store qword", L64, B(0x48, 0x0f, 0x38, 0xf1, 0x0e), 0, X86_OP_0F38 | 0xf1, 5, 8, 1, 0, false, 0 },
    { "sete (%rax)", L64, B(0x0f, 0x94, 0x00), 0, 0x0f94, 3, 1, 0, 0, false, 0 },
    { "cmovne (%rax),%r9d", L64, B(0x44, 0x0f, 0x45, 0x08), 0, 0x0f45, 4, 4, 9, 0, false, 0 },
    { "shll $5,(%rax)", L64, B(0xc1, 0x20, 0x05), 0, 0xc1, 3, 4, 4, 0, false, 5 },
    { "rcrb %cl,(%rax)", L64, B(0xd2, 0x18), 0, 0xd2, 2, 1, 3, 0, false, 0 },
    { "shld $4,%ecx,(%rax)", L64, B(0x0f, 0xa4, 0x08, 0x04), 0, 0x0fa4, 4, 4, 1, 0, false, 4 },
    { "imul $-7,(%rax),%ecx", L64, B(0x6b, 0x08, 0xf9), 0, 0x6b, 3, 4, 1, 0, false, (uint64_t)-7 },
    { "imul $100000,(%rax),%ecx", L64, B(0x69, 0x08, 0xa0, 0x86, 0x01, 0x00), 0, 0x69, 6, 4, 1, 0, false, 100000 },
    { "tzcnt (%rax),%ecx", L64, B(0xf3, 0x0f, 0xbc, 0x08), 0, 0x0fbc, 4, 4, 1, 0xf3, false, 0 },
    { "pushq (%rax): 64-bit", L64, B(0xff, 0x30), 0, 0xff, 2, 8, 6, 0, false, 0 },
    { "pushw (%rax): 16-bit", L64, B(0x66, 0xff, 0x30), 0, 0xff, 3, 2, 6, 0x66, false, 0 },
    { "call *(%rax): 64-bit whatever 66 says", L64, B(0x66, 0xff, 0x10), 0, 0xff, 3, 8, 2, 0x66, false, 0 },
    { "call *(%eax) in 32-bit code", P32, B(0xff, 0x10), 0, 0xff, 2, 4, 2, 0, false, 0 },
    { "popq (%rax)", L64, B(0x8f, 0x00), 0, 0x8f, 2, 8, 0, 0, false, 0 },
    { "8F /1: XOP, not POP", L64, B(0x8f, 0x08), -1, NONE },
    { "mov %ds,(%rax): a word", L64, B(0x8c, 0x18), 0, 0x8c, 2, 2, 3, 0, false, 0 },
    { "cmpsb with repe", L64, B(0xf3, 0xa6), 0, 0xa6, 2, 1, 0, 0xf3, false, 0 },
    { "mul register form: no memory", L64, B(0xf7, 0xe1), -1, NONE },
    { "cmpxchg8b (%rax)", L64, B(0x0f, 0xc7, 0x08), 0, 0x0fc7, 3, 8, 1, 0, false, 0 },
    { "cmpxchg16b (%rax)", L64, B(0x48, 0x0f, 0xc7, 0x08), 0, 0x0fc7, 4, 16, 1, 0, false, 0 },
    { "vmptrld: not emulated", L64, B(0x0f, 0xc7, 0x30), -1, NONE },
    { "movhps (%rcx),%xmm4", L64, B(0x0f, 0x16, 0x21), 0, 0x0f16, 3, 8, 4, 0, false, 0 },
    { "movlpd %xmm4,(%rcx)", L64, B(0x66, 0x0f, 0x13, 0x21), 0, 0x0f13, 4, 8, 4, 0x66, false, 0 },
    { "movddup (F2 0F 12): not emulated", L64, B(0xf2, 0x0f, 0x12, 0x21), -1, NONE },
    { "movntdqa (%rax),%xmm1", L64, B(0x66, 0x0f, 0x38, 0x2a, 0x08), 0, X86_OP_0F38 | 0x2a, 5, 16, 1, 0x66, false, 0 },
    { "vmovntdqa (%rax),%ymm1 (VEX map 2)", L64, B(0xc4, 0xe2, 0x7d, 0x2a, 0x08), 0, X86_OP_0F38 | 0x2a, 5, 32, 1, 0x66, true, 0 },
};

static void test_forms(void)
{
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        const struct mcase *c = &cases[k];
        struct x86_mem_insn in;
        int rc = x86_decode_mem(c->b, c->n, c->mode, &in);

        CU_ASSERT_EQUAL(rc, c->rc);
        if (rc != c->rc)
            fprintf(stderr, "  %s: rc %d\n", c->what, rc);
        if (rc || c->rc)
            continue;
        CU_ASSERT_EQUAL(in.opcode, c->opcode);
        CU_ASSERT_EQUAL(in.len, c->len);
        CU_ASSERT_EQUAL(in.size, c->size);
        CU_ASSERT_EQUAL(in.reg, c->reg);
        CU_ASSERT_EQUAL(in.simd_prefix, c->simd_prefix);
        CU_ASSERT_EQUAL(in.vex, c->vex);
        CU_ASSERT_EQUAL(in.imm, c->imm);
        if (in.opcode != c->opcode || in.len != c->len || in.size != c->size || in.reg != c->reg)
            fprintf(stderr, "  %s: opcode %#x len %u size %u reg %u\n", c->what, in.opcode,
                    in.len, in.size, in.reg);
    }
}

void register_decode_mem_tests(void)
{
    static const struct unit_test tests[] = {
        { "the emulator's new forms", test_forms },
    };
    add_suite("x86_decode_mem", tests, sizeof(tests) / sizeof(tests[0]));
}
