/* Decoding a trapped MOV DR, cached per vCPU (dr_decode.c). */
#ifndef SVM_DR_DECODE_H
#define SVM_DR_DECODE_H

#include <asm/decode.h>

struct vcpu;

/* Decode the instruction at the guest's RIP in mode (enum x86_mode): 0 and *insn, or -1
 * when the bytes there do not decode; *fetched is how many bytes were read (0: none
 * could be fetched). A cached decode is used only while memory still holds the bytes
 * and the page-walk entries it came from. */
int svm_decode_dr_insn(struct vcpu *v, int mode, struct x86_insn *insn, unsigned *fetched);

#endif
