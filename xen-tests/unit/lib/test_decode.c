/* x86_decode and x86_decode_mem against a table of real encodings (lengths
 * cross-checked with objdump). The MOV rows go through x86_decode_mem and are
 * seen here as the kinds below, so one table covers both decoders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/decode.h>
#include <dbgvisor/lib.h>
#include "tests.h"

#define R16 X86_MODE_REAL16
#define P16 X86_MODE_PROT16
#define P32 X86_MODE_PROT32
#define L64 X86_MODE_LONG64

#define FROM_DR  X86_INSN_MOV_FROM_DR
#define TO_DR    X86_INSN_MOV_TO_DR
/* MOV forms of x86_decode_mem, as this table names them. */
enum { STORE = 100, LOAD, STOREI, MOVZX, MOVSX };

/* What either decoder found: the fields the table checks. */
struct tinsn {
    int kind;
    uint8_t len, gpr, gpr_high8, dr, size, src_size;
    bool lock;
    uint64_t imm;
};

struct dcase {
    const char *what;
    enum x86_mode mode;
    uint8_t n;              /* bytes in b[] */
    uint8_t b[16];
    struct tinsn want;      /* kind UNKNOWN: decoding must fail */
    int rc;                 /* for failures: 0 means -1 (unknown/truncated) */
};

#define B(...) sizeof((uint8_t[]){ __VA_ARGS__ }), { __VA_ARGS__ }
/* Expected results; designated fields left out are 0. */
#define DR(k, l, g, d, s, lk) { .kind = k, .len = l, .gpr = g, .dr = d, .size = s, .lock = lk }
#define MEM(k, l, g, s)      { .kind = k, .len = l, .gpr = g, .size = s }
#define HI8(k, l, g)         { .kind = k, .len = l, .gpr = g, .gpr_high8 = 1, .size = 1 }
#define IMM(l, s, v)         { .kind = STOREI, .len = l, .size = s, .imm = v }
#define EXT(k, l, g, s, ss)  { .kind = k, .len = l, .gpr = g, .size = s, .src_size = ss }
#define BAD                  { .kind = X86_INSN_UNKNOWN }
#define TOO_LONG             BAD, X86_DECODE_TOO_LONG
#define SWI(k, l, v)         { .kind = k, .len = l, .imm = v }

static const struct dcase cases[] = {
    /* MOV DR, long mode */
    { "mov rax,dr7",            L64, B(0x0f, 0x21, 0xf8), DR(FROM_DR, 3, 0, 7, 8, 0) },
    { "mov dr0,rcx",            L64, B(0x0f, 0x23, 0xc1), DR(TO_DR, 3, 1, 0, 8, 0) },
    { "mov dr6,rdx",            L64, B(0x0f, 0x23, 0xf2), DR(TO_DR, 3, 2, 6, 8, 0) },
    { "REX.R: mov rax,dr8",     L64, B(0x44, 0x0f, 0x21, 0xc0), DR(FROM_DR, 4, 0, 8, 8, 0) },
    { "REX.B: mov dr7,r15",     L64, B(0x41, 0x0f, 0x23, 0xff), DR(TO_DR, 4, 15, 7, 8, 0) },
    { "REX.RB: mov r9,dr12",    L64, B(0x45, 0x0f, 0x21, 0xe1), DR(FROM_DR, 4, 9, 12, 8, 0) },
    { "REX.W ignored",          L64, B(0x48, 0x0f, 0x21, 0xc3), DR(FROM_DR, 4, 3, 0, 8, 0) },
    { "mod=0 is register form", L64, B(0x0f, 0x21, 0x38), DR(FROM_DR, 3, 0, 7, 8, 0) },
    { "mod=0 rm=4: no SIB",     L64, B(0x0f, 0x23, 0x04), DR(TO_DR, 3, 4, 0, 8, 0) },
    { "mod=1 rm=5: no disp",    L64, B(0x0f, 0x23, 0x5d), DR(TO_DR, 3, 5, 3, 8, 0) },
    { "lock mov dr",            L64, B(0xf0, 0x0f, 0x21, 0xc0), DR(FROM_DR, 4, 0, 0, 8, 1) },
    { "66 mov dr",              L64, B(0x66, 0x0f, 0x21, 0xc0), DR(FROM_DR, 4, 0, 0, 8, 0) },
    { "REX then 66: REX lost",  L64, B(0x44, 0x66, 0x0f, 0x21, 0xc0), DR(FROM_DR, 5, 0, 0, 8, 0) },
    { "66 then REX: REX used",  L64, B(0x66, 0x44, 0x0f, 0x21, 0xc0), DR(FROM_DR, 5, 0, 8, 8, 0) },
    { "segment + lock + REX",   L64, B(0x2e, 0xf0, 0x41, 0x0f, 0x23, 0xc0), DR(TO_DR, 6, 8, 0, 8, 1) },
    /* MOV DR, other modes */
    { "p32 mov eax,dr7",        P32, B(0x0f, 0x21, 0xf8), DR(FROM_DR, 3, 0, 7, 4, 0) },
    { "p32 mov dr3,edi",        P32, B(0x0f, 0x23, 0xdf), DR(TO_DR, 3, 7, 3, 4, 0) },
    { "p32 66 mov dr",          P32, B(0x66, 0x0f, 0x23, 0xdf), DR(TO_DR, 4, 7, 3, 4, 0) },
    { "p32 0x41 is inc ecx",    P32, B(0x41, 0x0f, 0x21, 0xc0), BAD },
    { "r16 mov dr2,eax",        R16, B(0x0f, 0x23, 0xd0), DR(TO_DR, 3, 0, 2, 4, 0) },
    { "p16 mov esi,dr6",        P16, B(0x0f, 0x21, 0xf6), DR(FROM_DR, 3, 6, 6, 4, 0) },

    /* MOV store/load, long mode: sizes and REX */
    { "mov [rax],ecx",          L64, B(0x89, 0x08), MEM(STORE, 2, 1, 4) },
    { "mov [rax],rcx",          L64, B(0x48, 0x89, 0x08), MEM(STORE, 3, 1, 8) },
    { "mov [rax],r9",           L64, B(0x4c, 0x89, 0x08), MEM(STORE, 3, 9, 8) },
    { "mov [r8],ecx (REX.B)",   L64, B(0x41, 0x89, 0x08), MEM(STORE, 3, 1, 4) },
    { "mov [rax],cx",           L64, B(0x66, 0x89, 0x08), MEM(STORE, 3, 1, 2) },
    { "REX.W beats 66",         L64, B(0x66, 0x48, 0x89, 0x08), MEM(STORE, 4, 1, 8) },
    { "REX.W lost before 66",   L64, B(0x48, 0x66, 0x89, 0x08), MEM(STORE, 4, 1, 2) },
    { "two REX: last counts",   L64, B(0x4c, 0x48, 0x89, 0x08), MEM(STORE, 4, 1, 8) },
    { "mov [rax],ah",           L64, B(0x88, 0x20), HI8(STORE, 2, 0) },
    { "mov [rax],bh",           L64, B(0x88, 0x38), HI8(STORE, 2, 3) },
    { "mov [rax],spl (REX 40)", L64, B(0x40, 0x88, 0x20), MEM(STORE, 3, 4, 1) },
    { "mov [rax],r12b",         L64, B(0x44, 0x88, 0x20), MEM(STORE, 3, 12, 1) },
    { "mov [rax],cl",           L64, B(0x88, 0x08), MEM(STORE, 2, 1, 1) },
    { "mov bh,[rip+d]",         L64, B(0x8a, 0x3d, 0x10, 0, 0, 0), HI8(LOAD, 6, 3) },
    { "mov eax,[rip+d]",        L64, B(0x8b, 0x05, 0xf0, 0xff, 0xff, 0xff), MEM(LOAD, 6, 0, 4) },
    { "mov eax,[eip+d] (67)",   L64, B(0x67, 0x8b, 0x05, 0x10, 0, 0, 0), MEM(LOAD, 7, 0, 4) },
    { "mov edx,[rsp]",          L64, B(0x8b, 0x14, 0x24), MEM(LOAD, 3, 2, 4) },
    { "mov eax,[rsp+8]",        L64, B(0x8b, 0x44, 0x24, 0x08), MEM(LOAD, 4, 0, 4) },
    { "mov eax,[rsp+0x100]",    L64, B(0x8b, 0x84, 0x24, 0, 1, 0, 0), MEM(LOAD, 7, 0, 4) },
    { "mov eax,[abs32] SIB",    L64, B(0x8b, 0x04, 0x25, 0xb0, 0, 0xe0, 0xfe), MEM(LOAD, 7, 0, 4) },
    { "mov eax,[r12] SIB",      L64, B(0x41, 0x8b, 0x04, 0x24), MEM(LOAD, 4, 0, 4) },
    { "mov eax,[r13+0]",        L64, B(0x41, 0x8b, 0x45, 0x00), MEM(LOAD, 4, 0, 4) },
    { "mov eax,[rax+d32]",      L64, B(0x8b, 0x80, 0x20, 0, 0xe0, 0xfe), MEM(LOAD, 6, 0, 4) },
    { "mov ecx,[rcx*4+d32]",    L64, B(0x8b, 0x0c, 0x8d, 0, 0, 0xe0, 0xfe), MEM(LOAD, 7, 1, 4) },
    { "mov ecx,[rbp+rcx*4+8]",  L64, B(0x8b, 0x4c, 0x8d, 0x08), MEM(LOAD, 4, 1, 4) },
    { "mov r15,[r13+r14*8+d]",  L64, B(0x4f, 0x8b, 0xbc, 0xf5, 0x78, 0x56, 0x34, 0x12), MEM(LOAD, 8, 15, 8) },
    { "mov eax,[eax] (67)",     L64, B(0x67, 0x8b, 0x00), MEM(LOAD, 3, 0, 4) },
    { "mov eax,fs:[0]",         L64, B(0x64, 0x8b, 0x04, 0x25, 0, 0, 0, 0), MEM(LOAD, 8, 0, 4) },
    { "many prefixes",          L64, B(0x2e, 0x3e, 0x26, 0x36, 0x65, 0x64, 0xf2, 0xf3, 0x8b, 0x00), MEM(LOAD, 10, 0, 4) },
    { "lock mov store",         L64, B(0xf0, 0x89, 0x08), { .kind = STORE, .len = 3, .gpr = 1, .size = 4, .lock = 1 } },
    { "mov eax,[moffs64]",      L64, B(0xa1, 0xb0, 0, 0xe0, 0xfe, 0, 0, 0, 0), MEM(LOAD, 9, 0, 4) },
    { "mov [moffs64],rax",      L64, B(0x48, 0xa3, 0xb0, 0, 0xe0, 0xfe, 0, 0, 0, 0), MEM(STORE, 10, 0, 8) },
    { "mov al,[moffs32] (67)",  L64, B(0x67, 0xa0, 0xb0, 0, 0xe0, 0xfe), MEM(LOAD, 6, 0, 1) },
    { "mov eax,ecx: register",  L64, B(0x8b, 0xc1), BAD },
    { "mov ecx,eax: register",  L64, B(0x89, 0xc1), BAD },

    /* MOV store/load, 32- and 16-bit modes */
    { "p32 mov eax,[eax]",      P32, B(0x8b, 0x00), MEM(LOAD, 2, 0, 4) },
    { "p32 mov ax,[eax]",       P32, B(0x66, 0x8b, 0x00), MEM(LOAD, 3, 0, 2) },
    { "p32 mov [abs],ecx",      P32, B(0x89, 0x0d, 0x30, 0x03, 0xe0, 0xfe), MEM(STORE, 6, 1, 4) },
    { "p32 mov eax,[esp+4]",    P32, B(0x8b, 0x44, 0x24, 0x04), MEM(LOAD, 4, 0, 4) },
    { "p32 mov [ebx],dh",       P32, B(0x88, 0x33), HI8(STORE, 2, 2) },
    { "p32 mov eax,[bx] (67)",  P32, B(0x67, 0x8b, 0x07), MEM(LOAD, 3, 0, 4) },
    { "p32 [si]: no SIB in a16",P32, B(0x67, 0x8b, 0x04), MEM(LOAD, 3, 0, 4) },
    { "p32 [disp16] (67)",      P32, B(0x67, 0x8b, 0x06, 0x34, 0x12), MEM(LOAD, 5, 0, 4) },
    { "p32 [bx+d8] (67)",       P32, B(0x67, 0x8b, 0x47, 0x10), MEM(LOAD, 4, 0, 4) },
    { "p32 [bx+d16] (67)",      P32, B(0x67, 0x8b, 0x87, 0x34, 0x12), MEM(LOAD, 5, 0, 4) },
    { "p32 mov eax,[moffs32]",  P32, B(0xa1, 0xb0, 0, 0xe0, 0xfe), MEM(LOAD, 5, 0, 4) },
    { "p32 mov [moffs32],al",   P32, B(0xa2, 0xb0, 0, 0xe0, 0xfe), MEM(STORE, 5, 0, 1) },
    { "p32 mov [moffs32],ax",   P32, B(0x66, 0xa3, 0xb0, 0, 0xe0, 0xfe), MEM(STORE, 6, 0, 2) },
    { "p32 mov eax,[moffs16]",  P32, B(0x67, 0xa1, 0x34, 0x12), MEM(LOAD, 4, 0, 4) },
    { "r16 mov ax,[bx]",        R16, B(0x8b, 0x07), MEM(LOAD, 2, 0, 2) },
    { "r16 mov eax,[bx]",       R16, B(0x66, 0x8b, 0x07), MEM(LOAD, 3, 0, 4) },
    { "r16 mov [disp16],si",    R16, B(0x89, 0x36, 0x34, 0x12), MEM(STORE, 4, 6, 2) },
    { "r16 [bp+si+d8]",         R16, B(0x8b, 0x52, 0xfe), MEM(LOAD, 3, 2, 2) },
    { "r16 mov ax,[esp+4] (67)",R16, B(0x67, 0x8b, 0x44, 0x24, 0x04), MEM(LOAD, 5, 0, 2) },
    { "r16 [ebp*2+d32] (67)",   R16, B(0x67, 0x8b, 0x04, 0x6d, 0, 0, 0, 0), MEM(LOAD, 8, 0, 2) },
    { "r16 mov ax,[moffs16]",   R16, B(0xa1, 0x34, 0x12), MEM(LOAD, 3, 0, 2) },
    { "p16 mov al,[bx+si]",     P16, B(0x8a, 0x00), MEM(LOAD, 2, 0, 1) },
    { "p16 mov ah,[bx+si]",     P16, B(0x8a, 0x20), HI8(LOAD, 2, 0) },
    { "p16 REX is dec ax",      P16, B(0x48, 0x89, 0x08), BAD },

    /* MOV store immediate */
    { "mov byte [rax],0xab",    L64, B(0xc6, 0x00, 0xab), IMM(3, 1, 0xab) },
    { "mov dword [rax],imm",    L64, B(0xc7, 0x00, 0x78, 0x56, 0x34, 0x12), IMM(6, 4, 0x12345678) },
    { "mov dword [rax],-1",     L64, B(0xc7, 0x00, 0xff, 0xff, 0xff, 0xff), IMM(6, 4, 0xffffffff) },
    { "mov qword [rax],-1",     L64, B(0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff), IMM(7, 8, 0xffffffffffffffffULL) },
    { "mov qword: sign-extend", L64, B(0x48, 0xc7, 0x00, 0, 0, 0, 0x80), IMM(7, 8, 0xffffffff80000000ULL) },
    { "mov qword: positive",    L64, B(0x48, 0xc7, 0x00, 0x78, 0x56, 0x34, 0x12), IMM(7, 8, 0x12345678) },
    { "mov word [rax],imm16",   L64, B(0x66, 0xc7, 0x00, 0x34, 0x12), IMM(5, 2, 0x1234) },
    { "mov [rip+d],imm32",      L64, B(0xc7, 0x05, 0x10, 0, 0, 0, 1, 0, 0, 0), IMM(10, 4, 1) },
    { "mov [rsp+d32],imm32",    L64, B(0xc7, 0x84, 0x24, 0, 1, 0, 0, 1, 0, 0, 0), IMM(11, 4, 1) },
    { "mov qword [r8+d32],imm", L64, B(0x49, 0xc7, 0x80, 0xb0, 0, 0, 0, 0xef, 0xbe, 0xad, 0xde), IMM(11, 8, 0xffffffffdeadbeefULL) },
    { "mov byte [r9+d8],imm8",  L64, B(0x41, 0xc6, 0x41, 0x10, 0x80), IMM(5, 1, 0x80) },
    { "c7 /1 is not mov",       L64, B(0xc7, 0x08, 0, 0, 0, 0), BAD },
    { "xabort (c6 f8)",         L64, B(0xc6, 0xf8, 0x00), BAD },
    { "mov eax,imm: register",  L64, B(0xc7, 0xc0, 0, 0, 0, 0), BAD },
    { "p32 mov [abs],imm32",    P32, B(0xc7, 0x05, 0xb0, 0, 0xe0, 0xfe, 0, 0, 0, 0), IMM(10, 4, 0) },
    { "p32 mov word [eax],imm", P32, B(0x66, 0xc7, 0x00, 0xcd, 0xab), IMM(5, 2, 0xabcd) },
    { "r16 mov word [d16],imm", R16, B(0xc7, 0x06, 0x34, 0x12, 0x78, 0x56), IMM(6, 2, 0x5678) },
    { "r16 mov dword [d16],imm",R16, B(0x66, 0xc7, 0x06, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12), IMM(9, 4, 0x12345678) },

    /* MOVZX / MOVSX */
    { "movzx eax,byte [rax]",   L64, B(0x0f, 0xb6, 0x00), EXT(MOVZX, 3, 0, 4, 1) },
    { "movzx ecx,word [rax]",   L64, B(0x0f, 0xb7, 0x08), EXT(MOVZX, 3, 1, 4, 2) },
    { "movzx rax,byte [rax]",   L64, B(0x48, 0x0f, 0xb6, 0x00), EXT(MOVZX, 4, 0, 8, 1) },
    { "movzx ax,byte [rax]",    L64, B(0x66, 0x0f, 0xb6, 0x00), EXT(MOVZX, 4, 0, 2, 1) },
    { "movzx esp,byte: no high8",L64, B(0x0f, 0xb6, 0x20), EXT(MOVZX, 3, 4, 4, 1) },
    { "movsx r8d,byte [rax]",   L64, B(0x44, 0x0f, 0xbe, 0x00), EXT(MOVSX, 4, 8, 4, 1) },
    { "movsx rax,word [rsp+8]", L64, B(0x48, 0x0f, 0xbf, 0x44, 0x24, 0x08), EXT(MOVSX, 6, 0, 8, 2) },
    { "movzx edx,word [rip+d]", L64, B(0x0f, 0xb7, 0x15, 0, 0x10, 0, 0), EXT(MOVZX, 7, 2, 4, 2) },
    { "p32 movzx eax,word [abs]",P32, B(0x0f, 0xb7, 0x05, 0x20, 0, 0xe0, 0xfe), EXT(MOVZX, 7, 0, 4, 2) },
    { "r16 movsx ax,byte [bx]", R16, B(0x0f, 0xbe, 0x07), EXT(MOVSX, 3, 0, 2, 1) },
    { "r16 movzx eax,word [bx]",R16, B(0x66, 0x0f, 0xb7, 0x07), EXT(MOVZX, 4, 0, 4, 2) },
    { "movzx eax,al: register", L64, B(0x0f, 0xb6, 0xc0), BAD },

    /* Software interrupts and ICEBP, with the legacy prefixes the CPU accepts */
    { "int3",                   L64, B(0xcc), SWI(X86_INSN_INT3, 1, 0) },
    { "int 3",                  L64, B(0xcd, 0x03), SWI(X86_INSN_INT_N, 2, 3) },
    { "int 0x80",               P32, B(0xcd, 0x80), SWI(X86_INSN_INT_N, 2, 0x80) },
    { "icebp",                  L64, B(0xf1), SWI(X86_INSN_ICEBP, 1, 0) },
    { "p32 into",               P32, B(0xce), SWI(X86_INSN_INTO, 1, 0) },
    { "into is #UD in 64-bit",  L64, B(0xce), BAD },
    { "11 x cs: int3",          L64, B(0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0xcc),
      SWI(X86_INSN_INT3, 12, 0) },
    { "66 67 f2 f3 int 3",      L64, B(0x66, 0x67, 0xf2, 0xf3, 0xcd, 0x03), SWI(X86_INSN_INT_N, 6, 3) },
    { "REX.W int3",             L64, B(0x48, 0xcc), SWI(X86_INSN_INT3, 2, 0) },
    { "seg overrides icebp",    P32, B(0x26, 0x36, 0x3e, 0x64, 0x65, 0xf1), SWI(X86_INSN_ICEBP, 6, 0) },
    { "r16 66 into",            R16, B(0x66, 0xce), SWI(X86_INSN_INTO, 2, 0) },
    { "14 prefixes + int3",     L64, B(0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0xcc),
      SWI(X86_INSN_INT3, 15, 0) },
    { "13 prefixes + int n",    P32, B(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0xcd, 0x21),
      SWI(X86_INSN_INT_N, 15, 0x21) },
    { "lone int (cd)",          L64, B(0xcd), BAD },

    /* 15-byte limit: a longer encoding is #GP, not merely unknown */
    { "15 bytes: 8 prefixes",   L64, B(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x8b, 0x04, 0x25, 0, 0, 0xe0, 0xfe),
      MEM(LOAD, 15, 0, 2) },
    { "16 bytes: 9 prefixes",   L64, B(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x8b, 0x04, 0x25, 0, 0, 0xe0, 0xfe),
      TOO_LONG },
    { "15 bytes: 13 prefixes",  P32, B(0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x8b, 0x00),
      MEM(LOAD, 15, 0, 4) },
    { "16 bytes: 14 prefixes",  P32, B(0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x8b, 0x00),
      TOO_LONG },
    { "16 bytes: imm past 15",  L64, B(0x2e, 0x2e, 0x2e, 0x2e, 0x48, 0xc7, 0x84, 0x24, 0, 1, 0, 0, 1, 0, 0, 0), TOO_LONG },
    { "only prefixes",          L64, B(0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65, 0x40, 0x66, 0x66, 0x66, 0x66),
      TOO_LONG },
    { "15 prefixes + int3",     L64, B(0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0xcc),
      TOO_LONG },
    { "14 prefixes + int n",    P32, B(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0xcd, 0x21),
      TOO_LONG },

    /* Not ours */
    { "nop",                    L64, B(0x90), BAD },
    { "ud2",                    L64, B(0x0f, 0x0b), BAD },
    { "mov rax,cr0",            L64, B(0x0f, 0x20, 0xc0), BAD },
    { "mov cr3,rax",            L64, B(0x0f, 0x22, 0xd8), BAD },
    { "mov eax,es",             L64, B(0x8c, 0xc0), BAD },
    { "mov [rax],es",           L64, B(0x8c, 0x00), BAD },
    { "lea eax,[rax]",          L64, B(0x8d, 0x00), BAD },
    { "vex",                    L64, B(0xc5, 0xf8, 0x77), BAD },
    { "add [rax],eax",          L64, B(0x01, 0x00), BAD },
    { "stos",                   L64, B(0xf3, 0xab), BAD },
    { "movnti",                 L64, B(0x0f, 0xc3, 0x00), BAD },
    { "lone 0f",                L64, B(0x0f), BAD },
};

static bool insn_equal(const struct tinsn *a, const struct tinsn *b)
{
    return a->kind == b->kind && a->len == b->len && a->gpr == b->gpr &&
           a->gpr_high8 == b->gpr_high8 && a->dr == b->dr && a->size == b->size &&
           a->src_size == b->src_size && a->lock == b->lock && a->imm == b->imm;
}

/* Decodes exactly n bytes copied to the end of a heap block, so an overread is
 * caught by the allocator's tooling instead of reading the table's zero padding. */
/* The MOV forms of an x86_decode_mem result (UNKNOWN for other opcodes). */
static void mov_view(const struct x86_mem_insn *m, struct tinsn *out)
{
    uint64_t mask = m->size >= 8 ? ~0ull : (1ull << (m->size * 8)) - 1;

    switch (m->opcode) {
    case 0x88: case 0x89: case 0xa2: case 0xa3: out->kind = STORE; break;
    case 0x8a: case 0x8b: case 0xa0: case 0xa1: out->kind = LOAD; break;
    case 0xc6: case 0xc7:
        if (m->reg != 0)
            return;                     /* C6/C7 /1-/7 are other instructions */
        out->kind = STOREI;
        break;
    case 0x0fb6: case 0x0fb7: out->kind = MOVZX; break;
    case 0x0fbe: case 0x0fbf: out->kind = MOVSX; break;
    default: out->kind = X86_INSN_UNKNOWN; return;
    }
    out->len = m->len;
    out->gpr = out->kind == STOREI ? 0 : m->reg;
    out->gpr_high8 = m->reg_high8;
    out->size = m->size;
    out->src_size = (out->kind == MOVZX || out->kind == MOVSX) ? m->src_size : 0;
    out->lock = m->lock;
    out->imm = out->kind == STOREI ? m->imm & mask : 0;
}

/* Decodes exactly n bytes copied to the end of a heap block, so an overread is
 * caught by the allocator's tooling instead of reading the table's zero padding:
 * x86_decode's kinds, or else x86_decode_mem's MOV forms. */
static int decode_n(const uint8_t *b, size_t n, enum x86_mode mode, struct tinsn *out)
{
    uint8_t *p = malloc(n ? n : 1);
    struct x86_insn xi;
    struct x86_mem_insn mi;
    int rc, rc_mem;

    memcpy(p, b, n);
    memset(&xi, 0xa5, sizeof(xi));      /* the decoders must write every field */
    memset(&mi, 0xa5, sizeof(mi));
    memset(out, 0, sizeof(*out));
    rc = x86_decode(p, n, mode, &xi);
    rc_mem = x86_decode_mem(p, n, mode, &mi);
    free(p);
    if (rc == 0) {
        *out = (struct tinsn){ .kind = xi.kind, .len = xi.len, .gpr = xi.gpr, .dr = xi.dr,
                               .size = xi.size, .lock = xi.lock, .imm = xi.imm };
        return 0;
    }
    if (xi.kind != X86_INSN_UNKNOWN || (rc_mem != 0 && mi.opcode != 0))
        out->kind = -1;                 /* a failed decode left something behind */
    if (rc_mem == 0) {
        mov_view(&mi, out);
        if (out->kind != X86_INSN_UNKNOWN)
            return 0;
    }
    return rc == X86_DECODE_TOO_LONG || rc_mem == X86_DECODE_TOO_LONG ? X86_DECODE_TOO_LONG : -1;
}

static void report(const struct dcase *c, size_t avail, int rc, const struct tinsn *got)
{
    fprintf(stderr, "\n  decode \"%s\" avail %zu: rc %d kind %d len %u gpr %u hi8 %u dr %u "
            "size %u src %u lock %d imm %#llx\n", c->what, avail, rc, got->kind, got->len,
            got->gpr, got->gpr_high8, got->dr, got->size, got->src_size, got->lock,
            (unsigned long long)got->imm);
}

static void test_table(void)
{
    static const struct tinsn unknown = BAD;

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const struct dcase *c = &cases[i];
        bool want_ok = c->want.kind != X86_INSN_UNKNOWN;
        struct tinsn got;
        int rc = decode_n(c->b, c->n, c->mode, &got);
        int want_rc = want_ok ? 0 : c->rc ? c->rc : -1;
        bool ok = rc == want_rc && insn_equal(&got, want_ok ? &c->want : &unknown);

        if (!ok)
            report(c, c->n, rc, &got);
        CU_ASSERT(ok);
        if (want_ok)
            CU_ASSERT_EQUAL(c->want.len, c->n);  /* table sanity: bytes are one insn */
    }
}

/* INS/OUTS: the source segment (last override; ES/CS/SS/DS ignored in 64-bit
 * code; INS writes ES whatever it says) and the address size, which TCG's IOIO
 * exit omits. */
static void test_string_io(void)
{
    static const struct {
        const char *what;
        enum x86_mode mode;
        uint8_t n, b[6], kind, len, size, seg, asz;
    } c[] = {
        { "outsb",              P32, B(0x6e),             X86_INSN_OUTS, 1, 1, X86_SEG_DS, 4 },
        { "fs rep outsb",       P32, B(0x64, 0xf3, 0x6e), X86_INSN_OUTS, 3, 1, X86_SEG_FS, 4 },
        { "cs outsl",           P32, B(0x2e, 0x6f),       X86_INSN_OUTS, 2, 4, X86_SEG_CS, 4 },
        { "es ss outsb: last",  P32, B(0x26, 0x36, 0x6e), X86_INSN_OUTS, 3, 1, X86_SEG_SS, 4 },
        { "r16 outsw",          R16, B(0x6f),             X86_INSN_OUTS, 1, 2, X86_SEG_DS, 2 },
        { "r16 67 es outsb",    R16, B(0x67, 0x26, 0x6e), X86_INSN_OUTS, 3, 1, X86_SEG_ES, 4 },
        { "64 gs cs outsb",     L64, B(0x65, 0x2e, 0x6e), X86_INSN_OUTS, 3, 1, X86_SEG_GS, 8 },
        { "64 es outsb: ds",    L64, B(0x26, 0x6e),       X86_INSN_OUTS, 2, 1, X86_SEG_DS, 8 },
        { "64 67 rex.w outsl",  L64, B(0x67, 0x48, 0x6f), X86_INSN_OUTS, 3, 4, X86_SEG_DS, 4 },
        { "fs rep insb",        P32, B(0x64, 0xf3, 0x6c), X86_INSN_INS,  3, 1, X86_SEG_FS, 4 },
        { "66 insw",            P32, B(0x66, 0x6d),       X86_INSN_INS,  2, 2, X86_SEG_NONE, 4 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
        struct x86_insn got;
        int rc = x86_decode(c[i].b, c[i].n, c[i].mode, &got);
        bool ok = rc == 0 && got.kind == c[i].kind && got.len == c[i].len &&
                  got.size == c[i].size && got.seg == c[i].seg && got.addr_size == c[i].asz;

        if (!ok)
            fprintf(stderr, "\n  decode \"%s\": rc %d kind %d len %u size %u seg %u asz %u\n",
                    c[i].what, rc, got.kind, got.len, got.size, got.seg, got.addr_size);
        CU_ASSERT(ok);
    }
}

/* x86_decode_mem: opcodes beyond MOV, immediates, and the effective-address
 * parts a page walk or a string instruction needs. */
static void test_mem_operands(void)
{
    enum { N = X86_EA_NONE, RIP = X86_EA_RIP, NS = X86_SEG_NONE };
    static const struct {
        const char *what;
        enum x86_mode mode;
        uint8_t n, b[12];
        uint16_t opcode;
        uint8_t len, size, reg, hi8;
        int8_t base, index;
        uint8_t scale;
        int64_t disp;
        uint64_t imm;
        uint8_t rep, seg;
        bool string;
    } c[] = {
        { "sub [rax],edx",           L64, B(0x29, 0x10), 0x29, 2, 4, 2, 0, 0, N, 1, 0, 0, 0, NS, 0 },
        { "add r9,[rip+0x10]",       L64, B(0x4c, 0x03, 0x0d, 0x10, 0, 0, 0), 0x03, 7, 8, 9, 0, RIP, N, 1, 0x10, 0, 0, NS, 0 },
        { "cmp byte [rbx+rcx*4-8],0x80", L64, B(0x80, 0x7c, 0x8b, 0xf8, 0x80), 0x80, 5, 1, 7, 0, 3, 1, 4, -8, 0xffffffffffffff80ull, 0, NS, 0 },
        { "and dword [r12],imm32",   L64, B(0x41, 0x81, 0x24, 0x24, 0xf0, 0xf0, 0xf0, 0xf0), 0x81, 8, 4, 4, 0, 12, N, 1, 0, 0xfffffffff0f0f0f0ull, 0, NS, 0 },
        { "sub qword [abs32],-3",    L64, B(0x48, 0x83, 0x2c, 0x25, 0, 0, 0xe0, 0xfe, 0xfd), 0x83, 9, 8, 5, 0, N, N, 1, (int32_t)0xfee00000, 0xfffffffffffffffdull, 0, NS, 0 },
        { "test byte [rax],0x80",    L64, B(0xf6, 0x00, 0x80), 0xf6, 3, 1, 0, 0, 0, N, 1, 0, 0xffffffffffffff80ull, 0, NS, 0 },
        { "neg dword [rax]: no imm", L64, B(0xf7, 0x18), 0xf7, 2, 4, 3, 0, 0, N, 1, 0, 0, 0, NS, 0 },
        { "lock xchg [rdi],ah",      L64, B(0xf0, 0x86, 0x27), 0x86, 3, 1, 0, 1, 7, N, 1, 0, 0, 0, NS, 0 },
        { "bts dword [rax],31",      L64, B(0x0f, 0xba, 0x28, 0x1f), 0x0fba, 4, 4, 5, 0, 0, N, 1, 0, 0x1f, 0, NS, 0 },
        { "cmpxchg [rsi],rcx",       L64, B(0x48, 0x0f, 0xb1, 0x0e), 0x0fb1, 4, 8, 1, 0, 6, N, 1, 0, 0, 0, NS, 0 },
        { "mov rax,[moffs64]",       L64, B(0x48, 0xa1, 0x80, 3, 0xe0, 0xfe, 0, 0, 0, 0), 0xa1, 10, 8, 0, 0, N, N, 1, 0xfee00380, 0, 0, NS, 0 },
        { "rep movsd",               L64, B(0xf3, 0xa5), 0xa5, 2, 4, 0, 0, N, N, 1, 0, 0, 0xf3, NS, 1 },
        { "fs std: stosb",           P32, B(0x64, 0xaa), 0xaa, 2, 1, 0, 0, N, N, 1, 0, 0, 0, X86_SEG_FS, 1 },
        { "p32 inc dword [ebp+8]",   P32, B(0xff, 0x45, 0x08), 0xff, 3, 4, 0, 0, 5, N, 1, 8, 0, 0, NS, 0 },
        { "p32 [disp32]: no RIP",    P32, B(0x01, 0x05, 0x80, 3, 0xe0, 0xfe), 0x01, 6, 4, 0, 0, N, N, 1, (int32_t)0xfee00380, 0, 0, NS, 0 },
        { "r16 add [bp+si+4],ax",    R16, B(0x01, 0x42, 0x04), 0x01, 3, 2, 0, 0, 5, 6, 1, 4, 0, 0, NS, 0 },
        { "r16 or [0x1234],al",      R16, B(0x08, 0x06, 0x34, 0x12), 0x08, 4, 1, 0, 0, N, N, 1, 0x1234, 0, 0, NS, 0 },
        { "64: [rbp+r13*1]",         L64, B(0x42, 0x01, 0x44, 0x2d, 0x00), 0x01, 5, 4, 0, 0, 5, 13, 1, 0, 0, 0, NS, 0 },
        { "64: SIB index 4 = none",  L64, B(0x01, 0x04, 0x24), 0x01, 3, 4, 0, 0, 4, N, 1, 0, 0, 0, NS, 0 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
        struct x86_mem_insn m;
        int rc = x86_decode_mem(c[i].b, c[i].n, c[i].mode, &m);
        bool ok = rc == 0 && m.opcode == c[i].opcode && m.len == c[i].len && m.len == c[i].n &&
                  m.size == c[i].size && m.reg == c[i].reg && m.reg_high8 == c[i].hi8 &&
                  m.ea_base == c[i].base && m.ea_index == c[i].index &&
                  m.ea_scale == c[i].scale && m.ea_disp == c[i].disp && m.imm == c[i].imm &&
                  m.rep == c[i].rep && m.seg == c[i].seg && m.string == c[i].string;

        if (!ok)
            fprintf(stderr, "\n  decode_mem \"%s\": rc %d op %#x len %u size %u reg %u hi8 %u "
                    "base %d index %d scale %u disp %lld imm %#llx rep %#x seg %u str %d\n",
                    c[i].what, rc, m.opcode, m.len, m.size, m.reg, m.reg_high8, m.ea_base,
                    m.ea_index, m.ea_scale, (long long)m.ea_disp, (unsigned long long)m.imm,
                    m.rep, m.seg, m.string);
        CU_ASSERT(ok);
    }
}

/* Every strict prefix of a valid instruction is truncated; trailing bytes are ignored. */
static void test_truncation(void)
{
    static const struct tinsn unknown = BAD;

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const struct dcase *c = &cases[i];
        struct tinsn got;
        uint8_t longer[32];
        int rc;

        if (c->want.kind == X86_INSN_UNKNOWN)
            continue;
        for (size_t n = 0; n < c->n; n++) {
            rc = decode_n(c->b, n, c->mode, &got);
            if (rc != -1 || !insn_equal(&got, &unknown))
                report(c, n, rc, &got);
            CU_ASSERT(rc == -1 && insn_equal(&got, &unknown));
        }
        memset(longer, 0x8b, sizeof(longer));
        memcpy(longer, c->b, c->n);
        rc = decode_n(longer, c->n + 8, c->mode, &got);
        CU_ASSERT(rc == 0 && insn_equal(&got, &c->want));
    }
}

/* Random bytes: success implies a consistent length that decodes the same way with
 * exactly that many bytes available, and fails with one byte less. */
static void test_fuzz(void)
{
    static const enum x86_mode modes[] = { R16, P16, P32, L64 };
    /* Bias toward interesting bytes so that successes are common. */
    static const uint8_t pool[] = { 0x66, 0x67, 0xf0, 0xf2, 0x2e, 0x64, 0x40, 0x41, 0x44, 0x48,
                                    0x4f, 0x0f, 0x21, 0x23, 0x88, 0x89, 0x8a, 0x8b, 0xa1, 0xa2,
                                    0xc6, 0xc7, 0xb6, 0xbf, 0x04, 0x05, 0x24, 0x25, 0x44, 0x84,
                                    0x00, 0xc0, 0x06, 0x80, 0xff, 0xcc, 0xcd, 0xce, 0xf1 };
    unsigned seed = 12345, successes = 0, bad = 0;

    for (int iter = 0; iter < 200000; iter++) {
        uint8_t b[20];
        struct tinsn got, again;
        enum x86_mode mode = modes[iter % 4];
        size_t avail = 1 + (unsigned)rand_r(&seed) % sizeof(b);

        for (size_t j = 0; j < avail; j++)
            b[j] = (rand_r(&seed) & 1) ? pool[(unsigned)rand_r(&seed) % sizeof(pool)]
                                       : (uint8_t)rand_r(&seed);
        if (decode_n(b, avail, mode, &got) != 0) {
            bad += got.kind != X86_INSN_UNKNOWN;
            continue;
        }
        successes++;
        bad += got.len < 1 || got.len > MIN(avail, (size_t)X86_MAX_INSN_LEN) ||
               got.kind == X86_INSN_UNKNOWN;
        bad += decode_n(b, got.len, mode, &again) != 0 || !insn_equal(&got, &again);
        bad += decode_n(b, got.len - 1u, mode, &again) != -1;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(successes > 1000);    /* the fuzzer really exercised the decoder */
}

#ifdef DUMP_DECODE_TABLE
/* Prints the table for the objdump cross-check (see Makefile target `objdump-check`). */
int main(void)
{
    static const char *m[] = { "i8086", "i8086", "i386", "x86-64" };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        if (cases[i].want.kind == X86_INSN_UNKNOWN)
            continue;
        printf("%s %u ", m[cases[i].mode], cases[i].want.len);
        for (size_t j = 0; j < cases[i].n; j++)
            printf("%02x", cases[i].b[j]);
        printf(" %s\n", cases[i].what);
    }
    return 0;
}
#else
void register_decode_tests(void)
{
    static const struct unit_test t[] = {
        { "encoding table", test_table },
        { "truncation at every length", test_truncation },
        { "INS/OUTS segment and address size", test_string_io },
        { "memory operands (x86_decode_mem)", test_mem_operands },
        { "random bytes", test_fuzz },
    };
    add_suite("x86_decode", t, ARRAY_SIZE(t));
}
#endif
