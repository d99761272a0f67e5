/* Control-register and XCR0 write emulation (cr.c), for exit.c. */
#ifndef SVM_CR_H
#define SVM_CR_H

struct vcpu;

/* Exits 0x10 (CR0: MOV, CLTS, LMSW), 0x13 (CR3) and 0x14 (CR4). */
enum vcpu_run_result svm_handle_cr_write(struct vcpu *v, unsigned cr);
/* Exit 0x8D. */
enum vcpu_run_result svm_handle_xsetbv(struct vcpu *v);

#endif
