/*
 * CPUID as the guest sees it: the host's, minus what we do not virtualize
 * (SVM, MONITOR, PMU extensions, extended state we do not switch:
 * AVX-512, AMX, MPX, CET), plus the hypervisor bit and leaves (signature,
 * TSC and APIC timer frequencies; KVM's at 0x40000100 for its clock), the
 * vCPU's own APIC ID and the domain's topology. XSAVE and AVX are offered exactly as xstate.c switches them.
 */
#include <asm/hvm.h>
#include <asm/hvm_emul.h>
#include <asm/pvclock.h>
#include <asm/svm.h>
#include <asm/vlapic.h>
#include <asm/x86.h>
#include <asm/xstate.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/time.h>

#define MAX_BASIC_LEAF 0xd
#define MAX_EXT_LEAF   0x80000008

/* Hypervisor leaves: 0x40000000 (max leaf, signature), 0x40000001-0F zero,
 * 0x40000010 the timing leaf VMware proposed and KVM, ACRN and others
 * offer (docs/pc-platform.md): EAX the TSC's kHz (the guest's TSC is the
 * host's, offset only), EBX the local APIC timer's kHz before its divider. */
#define HV_BASE_LEAF   0x40000000
#define HV_TIMING_LEAF 0x40000010
#define HV_MAX_LEAF    HV_TIMING_LEAF
#define APIC_TIMER_KHZ 1000000u         /* vlapic.c counts one per ns */

/* Leaf 1 ECX features that use the VEX-encoded YMM state: FMA, AVX, F16C. */
#define AVX_DEPENDENT_LEAF1_ECX ((1u << 12) | (1u << 28) | (1u << 29))
/* Leaf 7 features whose state is not switched (MPX, the AVX-512 family,
 * CET, AMX, PKU as PKRU is not switched) or whose CR4 enable bit cr.c does
 * not accept (PKS, Key Locker, LASS, LAM, FRED). */
#define LEAF7_EBX_HIDDEN ((1u << 14) | (1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | \
                          (1u << 27) | (1u << 28) | (1u << 30) | (1u << 31))
#define LEAF7_ECX_HIDDEN ((1u << 1) | (1u << 3) | (1u << 4) | (1u << 6) | (1u << 7) | \
                          (1u << 11) | (1u << 12) | (1u << 14) | (1u << 23) | (1u << 31))
#define LEAF7_EDX_HIDDEN ((1u << 2) | (1u << 3) | (1u << 8) | (1u << 20) | (1u << 22) | \
                          (1u << 23) | (1u << 24) | (1u << 25))
/* ... and those that need YMM: AVX2, VAES, VPCLMULQDQ, AVX-VNNI (7.1 EAX). */
#define LEAF7_EBX_AVX (1u << 5)
#define LEAF7_ECX_AVX ((1u << 9) | (1u << 10))
#define LEAF7_1_EAX_AVX (1u << 4)
#define LEAF7_1_EAX_HIDDEN ((1u << 5) | (1u << 6) | (1u << 17) | (1u << 26))
/* Leaf 0xD.1 EAX: XSAVEOPT, XSAVEC and XGETBV(1) act on XCR0 state only;
 * XSAVES needs IA32_XSS, which is not offered. */
#define XSAVE_SUB1_OFFERED 0x7u

static void cpuid_leaf7(struct vcpu *v, uint32_t sub, uint32_t r[4])
{
    bool avx = xstate_guest_supported() & XSTATE_YMM;

    (void)v;
    if (sub == 0) {
        r[1] &= ~(LEAF7_EBX_HIDDEN | (avx ? 0 : LEAF7_EBX_AVX));
        r[2] &= ~(LEAF7_ECX_HIDDEN | (avx ? 0 : LEAF7_ECX_AVX));
        r[3] &= ~LEAF7_EDX_HIDDEN;
    } else if (sub == 1) {
        r[0] &= ~(LEAF7_1_EAX_HIDDEN | (avx ? 0 : LEAF7_1_EAX_AVX));
    }
}

/* Leaf 0xD from what xstate.c switches and the guest's own XCR0 (the host
 * runs with its own XCR0, so the CPU's sizes do not apply to the guest). */
static void cpuid_xstate(uint32_t sub, uint32_t r[4])
{
    uint64_t offered = xstate_guest_supported();

    if (!xstate_has_xsave()) {
        memset(r, 0, 4 * sizeof(uint32_t));
        return;
    }
    switch (sub) {
    case 0:
        r[0] = (uint32_t)offered;
        r[3] = (uint32_t)(offered >> 32);
        r[1] = 0;                              /* the XCR0 size: a dynamic bit */
        r[2] = xstate_size(offered);
        break;
    case 1:
        r[0] &= XSAVE_SUB1_OFFERED;
        r[1] = 0;                              /* the XCR0 size: a dynamic bit */
        r[2] = r[3] = 0;
        break;
    default:
        if (sub >= 64 || !(offered & (1ull << sub)))
            memset(r, 0, 4 * sizeof(uint32_t));
        break;
    }
}

/*
 * The domain's topology, described the way QEMU describes its own for the
 * same number of CPUs (-smp N: one package of N single-threaded cores, the
 * APIC ID is the core number): leaf 1 EBX[23:16] and EDX.HTT only when the
 * package holds more than one logical processor, leaf 0xB's SMT and core
 * levels, and 0x80000008 ECX (NC, ApicIdSize). The host's own topology (the
 * pCPUs) does not show through.
 */
#define CPUID1_EDX_APIC (1u << 9)
#define CPUID1_EDX_HTT  (1u << 28)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CR4_OSXSAVE        (1u << 18)
#define TOPO_LEVEL_SMT  1u
#define TOPO_LEVEL_CORE 2u

static unsigned core_id_bits(unsigned nr_cpus)
{
    return nr_cpus > 1 ? 32 - __builtin_clz(nr_cpus - 1) : 0;
}

static void cpuid_topology_leaf1(struct vcpu *v, uint32_t r[4])
{
    unsigned n = v->domain->nr_vcpus;

    r[1] = (r[1] & 0x0000ffff) | (v->id << 24);   /* initial APIC ID */
    r[3] &= ~CPUID1_EDX_HTT;
    if (n > 1) {
        r[1] |= MIN(n, 255u) << 16;
        r[3] |= CPUID1_EDX_HTT;
    }
}

static void cpuid_topology_leafb(struct vcpu *v, uint32_t sub, uint32_t r[4])
{
    unsigned n = v->domain->nr_vcpus;

    memset(r, 0, 4 * sizeof(uint32_t));
    r[2] = sub & 0xff;
    r[3] = v->id;                                 /* x2APIC ID, every sub-leaf */
    if (sub == 0) {                               /* one thread per core */
        r[1] = 1;
        r[2] |= TOPO_LEVEL_SMT << 8;
    } else if (sub == 1) {
        r[0] = core_id_bits(n);
        r[1] = n;
        r[2] |= TOPO_LEVEL_CORE << 8;
    }
}

static uint32_t cpuid_topology_ext_ecx(struct vcpu *v)
{
    unsigned n = v->domain->nr_vcpus;
    return n > 1 ? (core_id_bits(n) << 12) | (n - 1) : 0;
}

/* Leaf 7.0 as msr.c implements it: TSC_ADJUST offered, the SPEC_CTRL
 * family (IBRS/STIBP/SSBD, ARCH_CAPABILITIES) hidden. */
static void hide_msr_features_7(uint32_t r[4])
{
    r[1] |= 1u << 1;                           /* TSC_ADJUST */
    r[3] &= ~((1u << 26) | (1u << 27) | (1u << 29) | (1u << 31));
}

/* What the guest sees at (leaf, sub) but for the bits that follow the
 * vCPU's state (cpuid_dynamic_bits): a function of the host, the domain's
 * topology and the vCPU's number only, so it can be cached per vCPU. */
static void cpuid_fixed(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    bool known = leaf <= MAX_BASIC_LEAF || (leaf >= 0x80000000 && leaf <= MAX_EXT_LEAF) ||
                 (leaf >= HV_BASE_LEAF && leaf <= HV_MAX_LEAF) ||
                 (leaf >= PVCLOCK_CPUID_BASE && leaf <= PVCLOCK_CPUID_FEATURES);

    memset(r, 0, 4 * sizeof(uint32_t));
    if (!known)
        return;
    if (leaf == PVCLOCK_CPUID_BASE) {     /* KVM's leaves, for its clock (pvclock.c) */
        r[0] = PVCLOCK_CPUID_FEATURES;
        memcpy(&r[1], PVCLOCK_SIGNATURE, 12);
        return;
    }
    if (leaf == PVCLOCK_CPUID_FEATURES) {
        r[0] = KVM_FEATURE_CLOCKSOURCE2 | KVM_FEATURE_CLOCKSOURCE_STABLE;
        return;                          /* EDX: no hints */
    }
    if (leaf == HV_BASE_LEAF) {
        r[0] = HV_MAX_LEAF;
        memcpy(&r[1], "dbgvisor    ", 12);
        return;
    }
    if (leaf == HV_TIMING_LEAF) {
        r[0] = (uint32_t)tsc_khz();
        r[1] = APIC_TIMER_KHZ;
        return;
    }
    if (leaf > HV_BASE_LEAF && leaf < HV_TIMING_LEAF)
        return;
    cpuid_count(leaf, sub, &r[0], &r[1], &r[2], &r[3]);
    switch (leaf) {
    case 0:
        r[0] = MIN(r[0], (uint32_t)MAX_BASIC_LEAF);
        break;
    case 1:
        cpuid_topology_leaf1(v, r);
        r[2] &= ~((1u << 3) | (1u << 5) | (1u << 15) | (1u << 24) | CPUID1_ECX_OSXSAVE);
        if (!xstate_has_xsave())
            r[2] &= ~(1u << 26);
        if (!(xstate_guest_supported() & XSTATE_YMM))
            r[2] &= ~(AVX_DEPENDENT_LEAF1_ECX);
        r[2] |= CPUID1_ECX_TSC_DEADLINE;       /* vlapic.c emulates it, whatever the host has */
        r[2] |= CPUID1_ECX_X2APIC;             /* so does it x2APIC mode */
        r[2] |= 1u << 31;                      /* running under a hypervisor */
        break;
    case 0xb:
        cpuid_topology_leafb(v, sub, r);
        break;
    case 5: case 6: case 0xa:
        memset(r, 0, 4 * sizeof(uint32_t));
        break;
    case 7:
        cpuid_leaf7(v, sub, r);
        if (sub == 0)
            hide_msr_features_7(r);
        break;
    case 0xd:
        cpuid_xstate(sub, r);
        break;
    case 0x80000000:
        r[0] = MIN(r[0], (uint32_t)MAX_EXT_LEAF);
        break;
    case 0x80000001:
        r[2] &= ~((1u << 2) | (1u << 23));     /* SVM, PERFCTR_CORE */
        r[2] &= ~(1u << 26);                   /* DataBreakpointExtension: no DR mask MSRs */
        break;
    case 0x80000008:
        /* IBPB, IBRS, STIBP, SSBD, VIRT_SSBD: SPEC_CTRL/PRED_CMD are not offered */
        r[1] &= ~((1u << 12) | (1u << 14) | (1u << 15) | (1u << 24) | (1u << 25));
        r[2] = cpuid_topology_ext_ecx(v);
        break;
    }
}

/* The bits that follow the vCPU's state: the APIC's enable
 * (IA32_APIC_BASE.EN), CR4.OSXSAVE, and leaf 0xD's sizes of the XCR0 state. */
static void cpuid_dynamic_bits(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    if (leaf == 1) {
        if (!vlapic_hw_enabled(v))
            r[3] &= ~CPUID1_EDX_APIC;
        if (xstate_has_xsave() && (v->arch.vmcb->save.cr4 & CR4_OSXSAVE))
            r[2] |= CPUID1_ECX_OSXSAVE;
    } else if (leaf == 0xd && xstate_has_xsave()) {
        if (sub == 0)
            r[1] = xstate_size(v->arch.xcr0);
        else if (sub == 1)
            r[1] = (r[0] & 2) ? xstate_compacted_size(v->arch.xcr0) : 0;
    }
}

void hvm_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    cpuid_fixed(v, leaf, sub, r);
    cpuid_dynamic_bits(v, leaf, sub, r);
}

static void cpuid_answer(struct vcpu *v, const uint32_t r[4])
{
    v->arch.gpr[GPR_RAX] = r[0];
    v->arch.gpr[GPR_RBX] = r[1];
    v->arch.gpr[GPR_RCX] = r[2];
    v->arch.gpr[GPR_RDX] = r[3];
}

/* A miss fills the entry; leaf 0xD's sizes follow XCR0 (not inline). */
static __attribute__((noinline, cold)) void cpuid_exit_slow(struct vcpu *v, struct hvm_cpuid_entry *e,
                                                             uint32_t leaf, uint32_t sub)
{
    uint32_t r[4];

    if (!e->filled || e->leaf != leaf || e->sub != sub) {
        cpuid_fixed(v, leaf, sub, e->r);
        e->leaf = leaf;
        e->sub = sub;
        e->osxsave_follows_cr4 = leaf == 1 && xstate_has_xsave();
        e->filled = true;
    }
    memcpy(r, e->r, sizeof(r));
    cpuid_dynamic_bits(v, leaf, sub, r);
    cpuid_answer(v, r);
}

/* A CPUID exit: the fixed part from the vCPU's cache (only the vCPU itself,
 * in its exits, uses it), then the dynamic bits. Leaf 1's are applied
 * here, as cpuid_dynamic_bits would (the entry remembers whether the host
 * has XSAVE), so the common exit makes no further call. */
void hvm_cpuid_exit(struct vcpu *v)
{
    uint32_t leaf = (uint32_t)v->arch.gpr[GPR_RAX], sub = (uint32_t)v->arch.gpr[GPR_RCX];
    struct hvm_cpuid_entry *e = &v->arch.cpuid_cache[(leaf ^ (leaf >> 27) ^ sub) % HVM_CPUID_CACHED];
    uint32_t ecx, edx;

    if (__builtin_expect(!e->filled || e->leaf != leaf || e->sub != sub || leaf == 0xd, 0)) {
        cpuid_exit_slow(v, e, leaf, sub);
        return;
    }
    ecx = e->r[2];
    edx = e->r[3];
    if (leaf == 1) {
        if (!vlapic_state_hw_enabled(&v->arch.vlapic))
            edx &= ~CPUID1_EDX_APIC;
        if (e->osxsave_follows_cr4 && (v->arch.vmcb->save.cr4 & CR4_OSXSAVE))
            ecx |= CPUID1_ECX_OSXSAVE;
    }
    v->arch.gpr[GPR_RAX] = e->r[0];
    v->arch.gpr[GPR_RBX] = e->r[1];
    v->arch.gpr[GPR_RCX] = ecx;
    v->arch.gpr[GPR_RDX] = edx;
}

bool hvm_cpu_has_rtm(void)
{
    uint32_t a, b, c, d;
    cpuid_count(7, 0, &a, &b, &c, &d);
    return b & (1u << 11);
}
