/* Device and instruction emulation for HVM guests (the guest contract). */
#ifndef ASM_HVM_EMUL_H
#define ASM_HVM_EMUL_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/decode.h>
#include <asm/svm.h>
#include <asm/svm_vcpu.h>
#include <asm/x86.h>

struct vcpu;

/* Port I/O (io.c): 16550 at 0x3F8, exit port 0xF4, fw_cfg, PIC masks. */
struct domain;
void hvm_io_domain_init(struct domain *d);   /* device reset state */
uint32_t hvm_io_read(struct vcpu *v, uint16_t port, unsigned size);
void hvm_io_write(struct vcpu *v, uint16_t port, unsigned size, uint32_t val);
/* The vCPU's IN (into RAX) or OUT (from RAX) of size bytes at port (io.c):
 * returns what the access could have done beyond its device. */
#define HVM_IO_MAY_TOUCH_IRQS  1u   /* reached an interrupt controller */
#define HVM_IO_MAY_END_DOMAIN  2u   /* ended the domain (exit device, reset, S5) */
unsigned hvm_io_exit(struct vcpu *v, uint16_t port, unsigned size, bool in);
/* MSRs (msr.c): 0 ok, -1 means #GP. */
int hvm_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int hvm_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);
/* Filtered CPUID (cpuid.c): out[] = eax, ebx, ecx, edx. */
void hvm_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
/* The same for the vCPU's own CPUID exit, through its per-vCPU cache:
 * leaf and subleaf from its RAX and RCX, the answer into RAX-RDX. */
void hvm_cpuid_exit(struct vcpu *v);
/* Whether the guest is offered RTM (changes DR6's reset value). */
bool hvm_cpu_has_rtm(void);
/* MMIO (mmio.c): devices by guest-physical address. A device gets accesses
 * of 1, 2, 4 or 8 bytes at any address in its range. */
struct hvm_mmio_device {
    const char *name;
    uint64_t (*read)(struct vcpu *v, uint64_t gpa, unsigned size);
    void (*write)(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val);
};
/* The device that answers gpa for this vCPU, or NULL (RAM or nothing). */
const struct hvm_mmio_device *hvm_mmio_device_at(struct vcpu *v, uint64_t gpa);
/* An #NPF (EXITINFO1 in err) at a device's address: the faulting instruction
 * is emulated, or the guest's page walk that read the device's page redone. */
enum vcpu_run_result hvm_mmio_access(struct vcpu *v, uint64_t gpa, uint64_t err,
                                     const struct hvm_mmio_device *dev);
/* One bus access by guest-physical address, as the CPU would make it: RAM,
 * a device, or nothing (reads all-ones, writes dropped). */
uint64_t hvm_bus_read(struct vcpu *v, uint64_t gpa, unsigned size);
void hvm_bus_write(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val);
/* Instruction emulator (emulate.c): carries out the instruction at RIP whose
 * memory operand is at gpa (strings: at rSI/rDI); `what` names the device. */
enum vcpu_run_result hvm_emulate_insn(struct vcpu *v, uint64_t gpa, const char *what);
/* The guest's page walk for the instruction at RIP read table_gpa, which has
 * nothing behind it: the walk is redone as the CPU does it (all-ones entries:
 * #PF with RSVD where PAE/long mode reserve bits) and the instruction is
 * faulted or carried out. */
enum vcpu_run_result hvm_emulate_walk_fault(struct vcpu *v, uint64_t table_gpa);
/* An access (#NPF EXITINFO1 in err) to an address with nothing behind it:
 * all-ones/dropped, or a crash if the domain asked for that. */
enum vcpu_run_result hvm_unbacked_access(struct vcpu *v, uint64_t gpa, uint64_t err);

/* Guest address translation (guest_walk.c). */
enum { GW_OK = 0, GW_FAULT = -1 };
/* #PF error-code bits */
#define PF_PRESENT (1u << 0)
#define PF_WRITE   (1u << 1)
#define PF_USER    (1u << 2)
#define PF_RSVD    (1u << 3)
#define PF_FETCH   (1u << 4)
/* How an access is made: what the walk checks and the #PF reports. */
#define GA_READ     0u
#define GA_WRITE    (1u << 0)   /* a data write (W; R/W, CR0.WP; sets D) */
#define GA_FETCH    (1u << 1)   /* an instruction fetch (I/D; NX, SMEP) */
#define GA_IMPLICIT (1u << 2)   /* a supervisor access whatever the CPL (system structures) */
#define GA_PROBE    (1u << 3)   /* the debugger's look: no rights checked, no A/D set */
/* GW_OK with *gpa (Accessed, and Dirty for a write, set in the guest's
 * entries), or GW_FAULT with the whole #PF error code (P, W, U, RSVD, I/D)
 * in *pf_error (may be NULL). */
int guest_translate(struct vcpu *v, uint64_t gva, unsigned access, uint64_t *gpa,
                    uint32_t *pf_error);
/* The paging-structure entries one walk read, in order: the same entries
 * holding the same values give the same translation (a decode cache checks
 * them instead of walking again). */
#define GW_TRACE_MAX 5
struct guest_walk_trace {
    unsigned n;
    uint64_t gpa[GW_TRACE_MAX];
    uint64_t val[GW_TRACE_MAX];
    uint8_t  size[GW_TRACE_MAX];      /* 4 or 8 bytes */
};
/* A GA_PROBE walk recording the entries it read in *trace. */
int guest_translate_traced(struct vcpu *v, uint64_t gva, uint64_t *gpa, uint32_t *pf_error,
                           struct guest_walk_trace *trace);
int guest_virt_to_phys(struct vcpu *v, uint64_t gva, uint64_t *gpa);   /* GA_PROBE */
/* Raises #PF at gla (CR2) with the error code guest_translate gave. */
void guest_inject_pf(struct vcpu *v, uint64_t gla, uint32_t pf_error);
/* What a read of guest linear memory by the hypervisor stands for (as
 * KVM's "no-fault" and "system" reads):
 * GR_DEBUGGER: a look from outside (the guest debugger, the hypervisor's
 *   own bookkeeping): no rights checked, no Accessed/Dirty set;
 * GR_SYSTEM: a read the CPU itself makes of a system table (IDT, GDT, LDT,
 *   TSS): an implicit supervisor access whatever the CPL, rights checked
 *   (SMAP included), Accessed set as the CPU sets it.
 * Neither injects a fault: a page that cannot be read ends the read. */
enum guest_read_kind { GR_DEBUGGER, GR_SYSTEM };
/* Reads up to len bytes of RAM at guest linear address gla; returns the
 * bytes read. */
unsigned guest_read_linear(struct vcpu *v, uint64_t gla, void *buf, unsigned len,
                           enum guest_read_kind kind);
/* Linear address of seg:off (enum x86_seg): segment bases count outside
 * 64-bit code, and for FS/GS inside it; X86_SEG_NONE: off is linear. */
uint64_t guest_linear(struct vcpu *v, unsigned seg, uint64_t off);
/* One data access (size <= 8, GA_READ or GA_WRITE, maybe GA_IMPLICIT) at
 * seg:off through the guest's page tables (rights checked, A/D set) and
 * the bus; false once a #PF has been injected. Segment limits and rights
 * are not checked (QEMU TCG does not check them for data either). */
bool guest_access_linear(struct vcpu *v, unsigned seg, uint64_t off, void *buf, unsigned size,
                         unsigned access);
/* Fetches the instruction bytes at CS:RIP (a fetch at the CPL); returns bytes fetched. */
unsigned guest_fetch_insn(struct vcpu *v, uint8_t *buf, unsigned len);
/* After an intercept, the bytes at RIP (n fetched) are not the instruction
 * that exited: another vCPU rewrote them (cross-modifying code). Hardware
 * would have executed whatever is there, so the guest re-enters at the same
 * RIP (counted, reported once). Only if nothing could be fetched is the
 * domain crashed. `what` names the intercept for the messages. */
enum vcpu_run_result guest_insn_changed(struct vcpu *v, unsigned n, const char *what);
/* The guest's current decoding mode (enum x86_mode of asm/decode.h). */
int guest_cpu_mode(struct vcpu *v);
/* The same from the saved state, inline for the exit path (svm_dr_access.h). */
static inline int guest_cpu_mode_of(const struct vmcb_save *s)
{
    if (!(s->cr0 & X86_CR0_PE))
        return X86_MODE_REAL16;
    if ((s->efer & EFER_LMA) && (s->cs.attrib & 0x200))
        return X86_MODE_LONG64;
    return (s->cs.attrib & 0x400) ? X86_MODE_PROT32 : X86_MODE_PROT16;
}

#endif
