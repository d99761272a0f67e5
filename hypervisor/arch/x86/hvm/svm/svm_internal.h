/* Shared between the files of the SVM layer only. */
#ifndef SVM_INTERNAL_H
#define SVM_INTERNAL_H

#include <asm/svm_vcpu.h>
#include <dbgvisor/time.h>

struct vcpu;

enum vcpu_run_result svm_handle_exit(struct vcpu *v);
/* The world switch (vmrun.S): GIF must be 0. */
void svm_vmrun(uint64_t *gpr, uint64_t vmcb_pa, uint64_t host_vmcb_pa);
/* An exit during event delivery (EXITINTINFO valid): deliver it again. */
void svm_reinject_interrupted_event(struct vcpu *v);
/* Inject INT n as a software interrupt (type 4); RIP must be past the instruction. */
void svm_inject_soft_interrupt(struct vcpu *v, uint8_t vector);
/* Advance RIP past an instruction as its completion does: wraps outside
 * 64-bit code, ends the interrupt shadow, clears RF. No single-step trap. */
void svm_advance_rip(struct vcpu *v, unsigned len);
/* Advance RIP past an emulated instruction; honours guest TF single-step. */
void svm_skip_instruction(struct vcpu *v, unsigned len);
/* NMIs (nmi.c): inject a pending one if the vCPU can take it (true if so);
 * the IRET intercept that ends NMI blocking, and the check, at each exit
 * after an intercepted IRET (nmi_iret_seen), that the IRET has run. */
bool svm_nmi_inject(struct vcpu *v);
void svm_nmi_after_exit(struct vcpu *v);
enum vcpu_run_result svm_nmi_handle_iret(struct vcpu *v);
/* INS/OUTS (string_io.c); info is the IOIO EXITINFO1. */
enum vcpu_run_result svm_string_io(struct vcpu *v, uint32_t info);

#endif
