/*
 * CPUID as the guest sees it: the host's, minus what we do not virtualize
 * (SVM, x2APIC, XSAVE/AVX, MONITOR, PMU extensions), plus the hypervisor bit
 * and the vCPU's own APIC ID.
 */
#include <asm/hvm_emul.h>
#include <asm/x86.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>

#define MAX_BASIC_LEAF 0xd
#define MAX_EXT_LEAF   0x80000008

/* Leaf 7.0 as msr.c implements it: TSC_ADJUST offered, the SPEC_CTRL
 * family (IBRS/STIBP/SSBD, ARCH_CAPABILITIES) hidden. */
static void hide_msr_features_7(uint32_t r[4])
{
    r[1] |= 1u << 1;                           /* TSC_ADJUST */
    r[3] &= ~((1u << 26) | (1u << 27) | (1u << 29) | (1u << 31));
}

void hvm_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    bool known = leaf <= MAX_BASIC_LEAF || (leaf >= 0x80000000 && leaf <= MAX_EXT_LEAF) ||
                 (leaf >= 0x40000000 && leaf <= 0x40000001);

    memset(r, 0, 4 * sizeof(uint32_t));
    if (!known)
        return;
    if (leaf == 0x40000000) {
        r[0] = 0x40000001;
        memcpy(&r[1], "dbgvisor    ", 12);
        return;
    }
    if (leaf == 0x40000001)
        return;
    cpuid_count(leaf, sub, &r[0], &r[1], &r[2], &r[3]);
    switch (leaf) {
    case 0:
        r[0] = MIN(r[0], (uint32_t)MAX_BASIC_LEAF);
        break;
    case 1:
        r[1] = (r[1] & 0x00ffffff) | (v->id << 24);
        r[1] = (r[1] & 0xff00ffff) | (v->domain->nr_vcpus << 16);
        r[2] &= ~((1u << 3) | (1u << 5) | (1u << 15) | (1u << 21) | (1u << 24) |
                  (1u << 26) | (1u << 27) | (1u << 28));
        r[2] |= 1u << 31;                      /* running under a hypervisor */
        break;
    case 5: case 6: case 0xa: case 0xb: case 0xd:
        memset(r, 0, 4 * sizeof(uint32_t));
        break;
    case 7:
        if (sub == 0)
            r[1] &= ~((1u << 5) | (1u << 16));  /* AVX2, AVX-512F: no XSAVE offered */
        if (sub == 0)
            hide_msr_features_7(r);
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
        break;
    }
}

bool hvm_cpu_has_rtm(void)
{
    uint32_t a, b, c, d;
    cpuid_count(7, 0, &a, &b, &c, &d);
    return b & (1u << 11);
}
