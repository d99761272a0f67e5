/* The SVM mechanisms the rest of the hypervisor uses. */
#ifndef ASM_SVM_VCPU_H
#define ASM_SVM_VCPU_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct domain;

enum vcpu_run_result {
    RUN_CONTINUE,      /* exit handled, guest may resume at once */
    RUN_RESCHEDULE,    /* give the scheduler a chance (tick, block, end) */
};

/* Per-pCPU: enable SVM, set the host save area. false if SVM is missing. */
bool svm_cpu_init(void);
/* A new vCPU in the power-on state. */
int svm_vcpu_init(struct vcpu *v);
/* Power-on state, then a multiboot entry: 32-bit protected mode, paging off. */
void svm_vcpu_set_entry(struct vcpu *v, uint32_t eip, uint32_t eax, uint32_t ebx);
/* Power-on state, then the Linux 64-bit boot protocol entry: long mode,
 * paging on at cr3, flat CS (L=1)/DS from a GDT the builder wrote, IF=0.
 * The toolstack's DBGV_VCPU_MODE_LINUX64 (svm_vcpu_set_regs) uses it. */
struct vcpu_entry64 {
    uint64_t cr3, gdt_base;
    uint16_t gdt_limit, cs, ds;
};
void svm_vcpu_set_entry64(struct vcpu *v, const struct vcpu_entry64 *e);
/* The INIT signal: the architectural INIT state (real mode, MSRs and x87/SSE kept) and a
 * debug core re-synchronised with it. The vCPU is on no pCPU, or on the calling one. */
void svm_vcpu_init_signal(struct vcpu *v);
/* Real-mode start of an AP in the INIT state at a SIPI vector. */
void svm_vcpu_start_sipi(struct vcpu *v, uint8_t vector);
/* The scheduler puts a vCPU on this pCPU (load) and takes it off (put);
 * in between, svm_vcpu_run may be called any number of times. */
void svm_vcpu_load(struct vcpu *v);
void svm_vcpu_put(struct vcpu *v);
/* One world switch plus handling of the exit. */
enum vcpu_run_result svm_vcpu_run(struct vcpu *v);
/* Guest RIP/RFLAGS for reporting. */
uint64_t svm_vcpu_rip(const struct vcpu *v);
/* Registers from the toolstack (domain builder, debugger); the vCPU is paused. */
struct dbgv_ctl_vcpu_regs;
void svm_vcpu_set_regs(struct vcpu *v, const struct dbgv_ctl_vcpu_regs *r);
int svm_domain_init(struct domain *d);
void svm_domain_destroy(struct domain *d);
/* Once the domain's vCPUs exist: its firmware tables (ACPI) in its memory. */
void hvm_domain_firmware_init(struct domain *d);

/* Event injection helpers used by exit handlers and the debug layer. */
void svm_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
#define svm_inject_gp(v) svm_inject_exception((v), 13, true, 0)
#define svm_inject_ud(v) svm_inject_exception((v), 6, false, 0)

#endif
