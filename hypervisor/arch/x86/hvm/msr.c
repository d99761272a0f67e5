/* The guest's MSRs: the few the contract names, kept in the VMCB or here. */
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <dbgvisor/domain.h>

#define EFER_FFXSR (1u << 14)
#define MSR_AMD_PMU_FIRST 0xC0010000
#define MSR_AMD_PMU_LAST  0xC0010007

int hvm_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    struct vmcb_save *s = &v->arch.vmcb->save;

    switch (msr) {
    case MSR_EFER:           *val = s->efer & ~(uint64_t)EFER_SVME; return 0;
    case MSR_FS_BASE:        *val = s->fs.base; return 0;
    case MSR_GS_BASE:        *val = s->gs.base; return 0;
    case MSR_KERNEL_GS_BASE: *val = s->kernel_gs_base; return 0;
    case MSR_STAR:           *val = s->star; return 0;
    case MSR_LSTAR:          *val = s->lstar; return 0;
    case MSR_CSTAR:          *val = s->cstar; return 0;
    case MSR_SFMASK:         *val = s->sfmask; return 0;
    case MSR_SYSENTER_CS:    *val = s->sysenter_cs; return 0;
    case MSR_SYSENTER_ESP:   *val = s->sysenter_esp; return 0;
    case MSR_SYSENTER_EIP:   *val = s->sysenter_eip; return 0;
    case MSR_PAT:            *val = s->g_pat; return 0;
    case MSR_DEBUGCTL:       *val = 0; return 0;
    case MSR_TSC:            *val = rdtsc() + v->arch.vmcb->control.tsc_offset; return 0;
    case MSR_APIC_BASE:
        *val = VLAPIC_BASE | (1u << 11) | (v->id == 0 ? (1u << 8) : 0);
        return 0;
    }
    if (msr >= MSR_AMD_PMU_FIRST && msr <= MSR_AMD_PMU_LAST) {
        *val = 0;
        return 0;
    }
    return -1;
}

/* EFER bits the guest may write: those whose feature CPUID offers it (SVME
 * is not: SVM is hidden). LME may change only while paging is off. */
static bool efer_write_ok(struct vcpu *v, uint64_t old, uint64_t new)
{
    uint32_t ext[4];
    uint64_t ok = EFER_LMA;                 /* the processor's; writes of it are ignored */

    hvm_cpuid(v, 0x80000001, 0, ext);
    ok |= (ext[3] & (1u << 11)) ? EFER_SCE : 0;
    ok |= (ext[3] & (1u << 29)) ? EFER_LME : 0;
    ok |= (ext[3] & (1u << 20)) ? EFER_NXE : 0;
    ok |= (ext[3] & (1u << 25)) ? EFER_FFXSR : 0;
    if (new & ~ok)
        return false;
    return !((v->arch.vmcb->save.cr0 & X86_CR0_PG) && ((old ^ new) & EFER_LME));
}

int hvm_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    struct vmcb_save *s = &v->arch.vmcb->save;

    switch (msr) {
    case MSR_EFER:
        if (!efer_write_ok(v, s->efer, val))
            return -1;
        /* LMA is the processor's to set when paging turns on with LME. */
        s->efer = (val & ~(uint64_t)EFER_LMA) | (s->efer & EFER_LMA) | EFER_SVME;
        return 0;
    case MSR_FS_BASE:        s->fs.base = val; return 0;
    case MSR_GS_BASE:        s->gs.base = val; return 0;
    case MSR_KERNEL_GS_BASE: s->kernel_gs_base = val; return 0;
    case MSR_STAR:           s->star = val; return 0;
    case MSR_LSTAR:          s->lstar = val; return 0;
    case MSR_CSTAR:          s->cstar = val; return 0;
    case MSR_SFMASK:         s->sfmask = val; return 0;
    case MSR_SYSENTER_CS:    s->sysenter_cs = val; return 0;
    case MSR_SYSENTER_ESP:   s->sysenter_esp = val; return 0;
    case MSR_SYSENTER_EIP:   s->sysenter_eip = val; return 0;
    case MSR_PAT:            s->g_pat = val; return 0;
    case MSR_DEBUGCTL:       return (val & ~1ull) ? -1 : 0;   /* LBR not offered; BTF ignored */
    case MSR_APIC_BASE:
        /* The xAPIC stays where it is; x2APIC is not offered. */
        return (val & ~0xfffull) == VLAPIC_BASE && !(val & (1u << 10)) ? 0 : -1;
    }
    if (msr >= MSR_AMD_PMU_FIRST && msr <= MSR_AMD_PMU_LAST)
        return 0;
    return -1;
}
