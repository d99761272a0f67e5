/* x86 (SVM) parts of a vCPU and of a domain. */
#ifndef ASM_HVM_H
#define ASM_HVM_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/svm_asid.h>
#include <asm/hvm_msr.h>
#include <asm/hvm_devices.h>
#include <asm/hvm_irq.h>
#include <asm/hvm_platform.h>
#include <asm/vlapic.h>

enum x86_gpr {
    GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
    GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
};

struct vmcb;
struct gdbg_vcpu;
struct dr_decode_cache;

/* The fixed part of one CPUID leaf as the guest sees it (cpuid.c). */
#define HVM_CPUID_CACHED 8
struct hvm_cpuid_entry {
    uint32_t leaf, sub;
    uint32_t r[4];
    bool filled;
    bool osxsave_follows_cr4;   /* leaf 1 on a host with XSAVE: ECX.OSXSAVE is CR4's */
};

struct arch_vcpu {
    /* Indexed by x86 register number; RAX and RSP live in the VMCB while
     * the guest runs and are copied here around each exit (svm_sync_*). */
    uint64_t gpr[16];
    struct vmcb *vmcb;
    uint64_t vmcb_pa;
    struct svm_asid asid;
    bool flush_tlb;             /* drop this vCPU's TLB entries: a fresh ASID at next entry (npt.c) */
    bool in_guest;              /* from taking flush_tlb until the VM exit */
    bool irqs_idle;             /* the last interrupt evaluation found nothing to deliver (svm.c) */
    bool exit_left_irqs;        /* this exit's handler touched no interrupt controller (exit.c) */
    /* The entry path's next guest timer (ns) and the TSC value at which now_ns()
     * reaches it (asm/tsc_time.h), converted when the deadline changes (svm.c). */
    uint64_t next_timer_ns, next_timer_tsc;
    struct vlapic vlapic;
    struct hvm_msr_state msr;
    /* AP start-up (schedule.c): INIT parks the vCPU in wait-for-SIPI, SIPI starts it at
     * vector << 12. An INIT that finds the vCPU on a pCPU is left pending for the vCPU to
     * apply before its next entry; a SIPI arriving meanwhile is latched for it. */
    bool wait_for_sipi;
    volatile bool init_pending;
    volatile bool sipi_latched;
    uint8_t sipi_vector;
    /* Set when an emulated instruction completed while the guest had TF set:
     * the hardware will not raise its single-step trap, so we inject it. */
    bool step_after_emulation;
    /* An MMIO access whose bytes did not decode is re-executed once (they may
     * have been rewritten by another vCPU); the same RIP failing again crashes. */
    bool mmio_retry;
    uint64_t mmio_retry_rip;
    /* Extended state (xstate.c): XSAVE area and the guest's XCR0. */
    uint64_t xsave_pa;
    uint64_t xcr0;
    struct hvm_cpuid_entry cpuid_cache[HVM_CPUID_CACHED];   /* CPUID exits (cpuid.c) */
    struct gdbg_vcpu *svm_debug;   /* its host-debugger state (svm_debug.c), NULL until first use */
    struct dr_decode_cache *dr_decode; /* its cached MOV DR decodes (dr_decode.c), NULL until first use */
    uint8_t soft_delivery_len;     /* svm_debug.c: an injected INT n is being delivered (its
                                      length; 0: none), asked at every exit */
};

struct arch_domain {
    uint64_t npt_root_pa;       /* nested page table PML4 */
    struct hvm_com1 com1;
    struct vfw_cfg fw_cfg;
    struct hvm_irq irq;         /* vPIC, vPIT, vIOAPIC and their router (irq.c) */
    struct hvm_platform platform; /* RTC, 8042, PCI host, ACPI PM (platform.c) */
    uint64_t kvm_wall_clock;    /* MSR_KVM_WALL_CLOCK_NEW as last written (pvclock.c) */
};

/* hvm_next_timer_ns (asm/hvm_irq.h) from the domain's and the vCPU's parts, inline for
 * the entry path: three loads, no call. */
static inline uint64_t hvm_next_timer_of(const struct arch_domain *d, const struct arch_vcpu *v)
{
    uint64_t pit = __atomic_load_n(&d->irq.vpit_next_ns, __ATOMIC_RELAXED);
    uint64_t lapic = vlapic_deadline_or_never(&v->vlapic);
    uint64_t platform = hvm_platform_next_timer_ns(&d->platform);

    uint64_t first = pit < lapic ? pit : lapic;

    return first < platform ? first : platform;
}

#endif
