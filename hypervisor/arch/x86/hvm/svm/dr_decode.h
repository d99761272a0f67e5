/* Decoding a trapped MOV DR, cached per vCPU (dr_decode.c). */
#ifndef SVM_DR_DECODE_H
#define SVM_DR_DECODE_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/decode.h>
#include <asm/svm.h>

struct vcpu;

/* The intercept a MOV DR makes: SVM_EXIT_READ_DR0 or SVM_EXIT_WRITE_DR0 plus the DR as
 * encoded (0-15); 0 for any other instruction. */
static inline uint32_t svm_mov_dr_exitcode(const struct x86_insn *insn)
{
    if (insn->kind != X86_INSN_MOV_TO_DR && insn->kind != X86_INSN_MOV_FROM_DR)
        return 0;
    return (insn->kind == X86_INSN_MOV_TO_DR ? SVM_EXIT_WRITE_DR0 : SVM_EXIT_READ_DR0) +
           (insn->dr & 15u);
}

/* What the exit handler's common case needs of a cached MOV DR (svm_dr_access.h). */
struct dr_insn_plain {
    uint32_t exitcode;  /* the exit it makes (SVM_EXIT_READ_DR0/WRITE_DR0 + DR), or 0:
                           not plain (LOCK, DR8-15), the full path decides */
    uint8_t gpr;        /* its general register, 0..15 */
    uint8_t len;
    bool long_mode;     /* decoded in 64-bit mode: a 64-bit operand */
};

/* The cached decode of the MOV DR at the guest's RIP, or NULL: none cached for this
 * RIP, CS base, CR3 and mode-and-paging controls, or memory no longer holds the bytes
 * or page-walk entries it came from. Inline-sized: no walk, no fetch. */
const struct dr_insn_plain *svm_dr_insn_cached(struct vcpu *v);

/* Decode the instruction at the guest's RIP in mode (enum x86_mode), from the cache
 * when it still holds, else afresh (and cached): 0 and *insn, or -1 when the bytes
 * there do not decode; *fetched is how many bytes were read (0: none could be). */
int svm_decode_dr_insn(struct vcpu *v, int mode, struct x86_insn *insn, unsigned *fetched);

#endif
