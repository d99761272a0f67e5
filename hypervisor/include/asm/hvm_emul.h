/* Device and instruction emulation for HVM guests (the guest contract). */
#ifndef ASM_HVM_EMUL_H
#define ASM_HVM_EMUL_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/svm_vcpu.h>

struct vcpu;

/* Port I/O (io.c): 16550 at 0x3F8, exit port 0xF4, fw_cfg, PIC masks. */
struct domain;
void hvm_io_domain_init(struct domain *d);   /* device reset state */
uint32_t hvm_io_read(struct vcpu *v, uint16_t port, unsigned size);
void hvm_io_write(struct vcpu *v, uint16_t port, unsigned size, uint32_t val);
/* INS/OUTS (io_string.c): every element through the handlers above. */
enum vcpu_run_result hvm_io_string(struct vcpu *v, uint16_t port, unsigned size, bool in, bool rep);
/* MSRs (msr.c): 0 ok, -1 means #GP. */
int hvm_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int hvm_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);
/* Filtered CPUID (cpuid.c): out[] = eax, ebx, ecx, edx. */
void hvm_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
/* Whether the guest is offered RTM (changes DR6's reset value). */
bool hvm_cpu_has_rtm(void);
/* MOV to CR8 (cr8.c): the APIC's TPR, decoded from the instruction. */
enum vcpu_run_result hvm_cr8_write(struct vcpu *v);
/* MMIO to the xAPIC page (mmio.c): decodes the faulting instruction. */
enum vcpu_run_result hvm_mmio_emulate(struct vcpu *v, uint64_t gpa);

/* Guest address translation (guest_walk.c). */
enum { GW_OK = 0, GW_FAULT = -1 };
int guest_virt_to_phys(struct vcpu *v, uint64_t gva, uint64_t *gpa);
/* Reads up to len bytes at guest linear address; returns bytes read. */
unsigned guest_read_linear(struct vcpu *v, uint64_t gla, void *buf, unsigned len);
/* Fetches the instruction bytes at CS:RIP; returns bytes fetched. */
unsigned guest_fetch_insn(struct vcpu *v, uint8_t *buf, unsigned len);
/* The guest's current decoding mode (enum x86_mode of asm/decode.h). */
int guest_cpu_mode(struct vcpu *v);

#endif
