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
/* MSRs (msr.c): 0 ok, -1 means #GP. */
int hvm_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int hvm_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);
/* Filtered CPUID (cpuid.c): out[] = eax, ebx, ecx, edx. */
void hvm_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
/* Whether the guest is offered RTM (changes DR6's reset value). */
bool hvm_cpu_has_rtm(void);
/* MMIO (mmio.c): decodes the faulting instruction and hands its one memory
 * access (1, 2, 4 or 8 bytes) to the device that owns the address. */
struct hvm_mmio_device {
    const char *name;
    uint64_t (*read)(struct vcpu *v, uint64_t gpa, unsigned size);
    void (*write)(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val);
};
extern const struct hvm_mmio_device hvm_mmio_apic;
extern const struct hvm_mmio_device hvm_mmio_ioapic;
enum vcpu_run_result hvm_mmio_emulate(struct vcpu *v, uint64_t gpa, const struct hvm_mmio_device *dev);
/* An access (#NPF EXITINFO1 in err) to an address with nothing behind it:
 * all-ones/dropped, or a crash if the domain asked for that. */
enum vcpu_run_result hvm_unbacked_access(struct vcpu *v, uint64_t gpa, uint64_t err);

/* Guest address translation (guest_walk.c). */
enum { GW_OK = 0, GW_FAULT = -1 };
int guest_virt_to_phys(struct vcpu *v, uint64_t gva, uint64_t *gpa);
/* Reads up to len bytes at guest linear address; returns bytes read. */
unsigned guest_read_linear(struct vcpu *v, uint64_t gla, void *buf, unsigned len);
/* Fetches the instruction bytes at CS:RIP; returns bytes fetched. */
unsigned guest_fetch_insn(struct vcpu *v, uint8_t *buf, unsigned len);
/* After an intercept, the bytes at RIP (n fetched) are not the instruction
 * that exited: another vCPU rewrote them (cross-modifying code). Hardware
 * would have executed whatever is there, so the guest re-enters at the same
 * RIP (counted, reported once). Only if nothing could be fetched is the
 * domain crashed. `what` names the intercept for the messages. */
enum vcpu_run_result guest_insn_changed(struct vcpu *v, unsigned n, const char *what);
/* The guest's current decoding mode (enum x86_mode of asm/decode.h). */
int guest_cpu_mode(struct vcpu *v);

#endif
