/*
 * The guest's MSRs. Every MSR is intercepted; each group below says what the
 * guest sees, and anything not listed raises #GP (as an MSR the CPU does not
 * implement does). Groups:
 *   VMCB-backed  EFER, segment bases, SYSCALL/SYSENTER, PAT (checked types);
 *                addresses (FS/GS bases, LSTAR, CSTAR) must be canonical
 *   TSC          IA32_TSC and IA32_TSC_ADJUST share the VMCB TSC offset;
 *                IA32_TSC_DEADLINE is the local APIC timer's (vlapic.c)
 *   MTRR         storage only (QEMU TCG ignores memory types), #GP on
 *                reserved bits and types; present because CPUID.1.EDX.MTRR is
 *   misc         MISC_ENABLE, DEBUGCTL (LBR/BTF stored, no effect), APIC_BASE,
 *                patch level
 *   x2APIC       0x800-0xBFF, the local APIC's registers in x2APIC mode
 *                (vlapic.c)
 *   AMD          HWCR/SYSCFG read-only, VM_CR (SVM disabled and locked: no
 *                nested SVM), the legacy PMU counters (read 0, writes dropped)
 *   TSC_AUX      when CPUID offers RDTSCP or RDPID (passed through from the
 *                host): the guest's value sits in the real MSR while it runs
 *   KVM clock    MSR_KVM_SYSTEM_TIME_NEW, MSR_KVM_WALL_CLOCK_NEW (pvclock.c)
 * Not offered, so #GP (cpuid.c hides the CPUID bits that would announce
 * them): SPEC_CTRL/PRED_CMD, the DR address-mask MSRs
 * (DataBreakpointExtension hidden), VM_HSAVE_PA.
 */
#include <asm/hvm_emul.h>
#include <asm/pvclock.h>
#include <asm/svm.h>
#include <asm/vlapic.h>
#include <asm/x86.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>

#define EFER_FFXSR (1u << 14)

#define MSR_TSC_ADJUST        0x3B
#define MSR_TSC_DEADLINE      0x6E0
#define MSR_PATCH_LEVEL       0x8B
#define MSR_MTRRCAP           0xFE
#define MSR_MTRR_PHYS_FIRST   0x200
#define MSR_MTRR_PHYS_LAST    (MSR_MTRR_PHYS_FIRST + 2 * HVM_MTRR_VCNT - 1)
#define MSR_MTRR_DEF_TYPE     0x2FF
#define MSR_LBR_FIRST         0x1DB     /* LastBranchFromIP .. LastExceptionToIP */
#define MSR_LBR_LAST          0x1DE
#define MSR_AMD_PMU_FIRST     0xC0010000
#define MSR_AMD_PMU_LAST      0xC0010007
#define MSR_AMD_SYSCFG        0xC0010010
#define MSR_AMD_HWCR          0xC0010015

#define MISC_ENABLE_FAST_STRING   (1ull << 0)
#define MISC_ENABLE_BTS_UNAVAIL   (1ull << 11)
#define MISC_ENABLE_PEBS_UNAVAIL  (1ull << 12)
#define MISC_ENABLE_WRITABLE      MISC_ENABLE_FAST_STRING
#define MISC_ENABLE_READ_ONLY     (MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL)
#define DEBUGCTL_VALID            0x3full   /* LBR, BTF, PB0-PB3 (AMD APM 13.1.1.6) */
#define HWCR_TSC_FREQ_SEL         (1ull << 24)  /* TSC counts at a fixed rate */
#define VM_CR_LOCK                (1ull << 3)
#define VM_CR_SVMDIS              (1ull << 4)
#define MTRRCAP_FIX               (1ull << 8)
#define MTRRCAP_WC                (1ull << 10)
#define MTRR_DEF_TYPE_VALID       0xcffull  /* type, FE (bit 10), E (bit 11) */
#define MTRR_PHYS_MASK_VALID      (1ull << 11)

static bool guest_cpuid_bit(struct vcpu *v, uint32_t leaf, unsigned reg, unsigned bit)
{
    uint32_t r[4];
    hvm_cpuid(v, leaf, 0, r);
    return r[reg] & (1u << bit);
}

static uint64_t guest_phys_addr_mask(struct vcpu *v)
{
    uint32_t r[4];
    hvm_cpuid(v, 0x80000008, 0, r);
    unsigned bits = r[0] & 0xff;
    return bits ? ((1ull << bits) - 1) : ((1ull << 36) - 1);
}

void hvm_msr_reset(struct vcpu *v)
{
    memset(&v->arch.msr, 0, sizeof(v->arch.msr));
    v->arch.msr.misc_enable = MISC_ENABLE_FAST_STRING | MISC_ENABLE_READ_ONLY;
    v->arch.msr.apic_base = VLAPIC_BASE;
}

/* MSRs that hold a linear address: a non-canonical write raises #GP. The
 * width is the CPU's (57 bits with LA57 offered), whatever CR4.LA57 says. */
static bool holds_linear_address(uint32_t msr)
{
    return msr == MSR_FS_BASE || msr == MSR_GS_BASE || msr == MSR_KERNEL_GS_BASE ||
           msr == MSR_LSTAR || msr == MSR_CSTAR;
}

static bool is_canonical(struct vcpu *v, uint64_t addr)
{
    unsigned bits = guest_cpuid_bit(v, 7, 2, 16) ? 57 : 48;
    return (uint64_t)((int64_t)(addr << (64 - bits)) >> (64 - bits)) == addr;
}

/* ---- memory types: PAT entries and MTRR types ---- */

static bool pat_type_valid(uint8_t t) { return t <= 7 && t != 2 && t != 3; }
static bool mtrr_type_valid(uint8_t t) { return t <= 6 && t != 2 && t != 3; }

static bool all_bytes_valid(uint64_t val, bool (*valid)(uint8_t))
{
    for (unsigned i = 0; i < 8; i++)
        if (!valid((uint8_t)(val >> (i * 8))))
            return false;
    return true;
}

/* ---- TSC group: one offset, TSC_ADJUST follows every TSC change; TSC_AUX ---- */

static uint64_t guest_tsc(struct vcpu *v) { return rdtsc() + v->arch.msr.tsc_offset; }

static void tsc_move(struct vcpu *v, uint64_t delta)
{
    v->arch.msr.tsc_offset += delta;
    v->arch.msr.tsc_adjust += delta;
    v->arch.vmcb->control.tsc_offset = v->arch.msr.tsc_offset;
    /* An armed TSC deadline is a TSC value: it moves with the TSC. */
    if (vlapic_tsc_deadline(v))
        vlapic_set_tsc_deadline(v, vlapic_tsc_deadline(v), guest_tsc(v));
    pvclock_tsc_moved(v);             /* its record pairs a TSC value with a time */
}

static bool tsc_aux_offered(struct vcpu *v)
{
    return guest_cpuid_bit(v, 0x80000001, 3, 27) || guest_cpuid_bit(v, 7, 2, 22);
}

void hvm_msr_load_guest(struct vcpu *v)
{
    static int host_has_tsc_aux = -1;     /* CPUID is an exit when nested: ask once */

    if (host_has_tsc_aux < 0)
        host_has_tsc_aux = tsc_aux_offered(v);
    if (host_has_tsc_aux)
        wrmsr(MSR_TSC_AUX, v->arch.msr.tsc_aux);
}

static enum msr_result tsc_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    switch (msr) {
    case MSR_TSC:        *val = guest_tsc(v); return MSR_OK;
    case MSR_TSC_ADJUST: *val = v->arch.msr.tsc_adjust; return MSR_OK;
    case MSR_TSC_DEADLINE:
        if (!guest_cpuid_bit(v, 1, 2, 24))
            return MSR_GP;
        *val = vlapic_tsc_deadline(v);
        return MSR_OK;
    case MSR_TSC_AUX:
        if (!tsc_aux_offered(v))
            return MSR_GP;
        *val = v->arch.msr.tsc_aux;
        return MSR_OK;
    }
    return MSR_UNKNOWN;
}

static enum msr_result tsc_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    switch (msr) {
    case MSR_TSC:        tsc_move(v, val - guest_tsc(v)); return MSR_OK;
    case MSR_TSC_ADJUST: tsc_move(v, val - v->arch.msr.tsc_adjust); return MSR_OK;
    case MSR_TSC_DEADLINE:              /* the local APIC's timer (vlapic.c) */
        if (!guest_cpuid_bit(v, 1, 2, 24))
            return MSR_GP;
        vlapic_set_tsc_deadline(v, val, guest_tsc(v));
        return MSR_OK;
    case MSR_TSC_AUX:
        if (!tsc_aux_offered(v) || (val >> 32))
            return MSR_GP;
        v->arch.msr.tsc_aux = val;
        hvm_msr_load_guest(v);          /* v is loaded: it is the one exiting */
        return MSR_OK;
    }
    return MSR_UNKNOWN;
}

/* ---- MTRR group (present only when CPUID.1.EDX.MTRR is offered) ---- */

/* Index into mtrr_fixed[] of a fixed-range MSR, or -1. */
static int mtrr_fixed_index(uint32_t msr)
{
    if (msr == 0x250)
        return 0;
    if (msr == 0x258 || msr == 0x259)
        return 1 + (int)(msr - 0x258);
    if (msr >= 0x268 && msr <= 0x26F)
        return 3 + (int)(msr - 0x268);
    return -1;
}

static uint64_t *mtrr_slot(struct vcpu *v, uint32_t msr)
{
    struct hvm_msr_state *m = &v->arch.msr;
    int fixed = mtrr_fixed_index(msr);

    if (msr == MSR_MTRR_DEF_TYPE)
        return &m->mtrr_def_type;
    if (fixed >= 0)
        return &m->mtrr_fixed[fixed];
    if (msr >= MSR_MTRR_PHYS_FIRST && msr <= MSR_MTRR_PHYS_LAST)
        return &m->mtrr_var[msr - MSR_MTRR_PHYS_FIRST];
    return NULL;
}

static bool mtrr_value_valid(struct vcpu *v, uint32_t msr, uint64_t val)
{
    uint64_t addr_bits = guest_phys_addr_mask(v) & ~0xfffull;

    if (msr == MSR_MTRR_DEF_TYPE)
        return !(val & ~MTRR_DEF_TYPE_VALID) && mtrr_type_valid((uint8_t)val);
    if (mtrr_fixed_index(msr) >= 0)
        return all_bytes_valid(val, mtrr_type_valid);
    if ((msr - MSR_MTRR_PHYS_FIRST) % 2 == 0)     /* PhysBase: type, base */
        return !(val & ~(addr_bits | 0xffull)) && mtrr_type_valid((uint8_t)val);
    return !(val & ~(addr_bits | MTRR_PHYS_MASK_VALID));   /* PhysMask: valid, mask */
}

static enum msr_result mtrr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    uint64_t *slot = mtrr_slot(v, msr);

    if (msr != MSR_MTRRCAP && !slot)
        return MSR_UNKNOWN;
    if (!guest_cpuid_bit(v, 1, 3, 12))
        return MSR_GP;
    *val = slot ? *slot : MTRRCAP_WC | MTRRCAP_FIX | HVM_MTRR_VCNT;
    return MSR_OK;
}

static enum msr_result mtrr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    uint64_t *slot = mtrr_slot(v, msr);

    if (msr != MSR_MTRRCAP && !slot)
        return MSR_UNKNOWN;
    if (!slot || !guest_cpuid_bit(v, 1, 3, 12) || !mtrr_value_valid(v, msr, val))
        return MSR_GP;                  /* MTRRcap is read-only */
    *slot = val;
    return MSR_OK;
}

/* ---- misc architectural MSRs ---- */

static enum msr_result misc_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    switch (msr) {
    case MSR_MISC_ENABLE:  *val = v->arch.msr.misc_enable; return MSR_OK;
    case MSR_DEBUGCTL:     *val = v->arch.msr.debugctl; return MSR_OK;
    case MSR_PATCH_LEVEL:  *val = 0; return MSR_OK;       /* no microcode loaded */
    case MSR_APIC_BASE:
        *val = v->arch.msr.apic_base | (vlapic_hw_enabled(v) ? APIC_BASE_EN : 0) |
               (vlapic_x2apic_mode(v) ? APIC_BASE_X2APIC : 0) | (v->id == 0 ? APIC_BASE_BSP : 0);
        return MSR_OK;
    }
    if (msr >= MSR_LBR_FIRST && msr <= MSR_LBR_LAST) {
        *val = 0;                       /* no branch is ever recorded */
        return MSR_OK;
    }
    return MSR_UNKNOWN;
}

static enum msr_result misc_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    switch (msr) {
    case MSR_MISC_ENABLE:
        if (val & ~(MISC_ENABLE_WRITABLE | MISC_ENABLE_READ_ONLY))
            return MSR_GP;
        v->arch.msr.misc_enable = (val & MISC_ENABLE_WRITABLE) | MISC_ENABLE_READ_ONLY;
        return MSR_OK;
    case MSR_DEBUGCTL:
        if (val & ~DEBUGCTL_VALID)
            return MSR_GP;
        v->arch.msr.debugctl = val;
        return MSR_OK;
    case MSR_PATCH_LEVEL:
        return MSR_OK;                  /* the "clear before CPUID" idiom */
    case MSR_APIC_BASE:
        /* The xAPIC page moves to the new base (mmio.c dispatches per vCPU;
         * a base inside RAM is shadowed by the RAM, as under KVM); reserved
         * bits and bits beyond MAXPHYADDR fault; EN and EXTD choose disabled,
         * xAPIC or x2APIC mode, and an illegal transition faults (vlapic.c;
         * BSP is read-only). */
        if ((val & ~0xfffull & ~guest_phys_addr_mask(v)) || (val & APIC_BASE_RESERVED_LOW) ||
            ((val & APIC_BASE_X2APIC) && !guest_cpuid_bit(v, 1, 2, 21)) ||
            !vlapic_set_mode(v, val & APIC_BASE_EN, val & APIC_BASE_X2APIC))
            return MSR_GP;
        v->arch.msr.apic_base = val & ~0xfffull;
        return MSR_OK;
    }
    return MSR_UNKNOWN;
}

/* ---- x2APIC registers (vlapic.c): #GP outside x2APIC mode ---- */

static enum msr_result x2apic_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    if (msr < X2APIC_MSR_FIRST || msr > X2APIC_MSR_LAST)
        return MSR_UNKNOWN;
    return vlapic_x2apic_read(v, msr, val) < 0 ? MSR_GP : MSR_OK;
}

static enum msr_result x2apic_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    if (msr < X2APIC_MSR_FIRST || msr > X2APIC_MSR_LAST)
        return MSR_UNKNOWN;
    return vlapic_x2apic_write(v, msr, val) < 0 ? MSR_GP : MSR_OK;
}

/* ---- AMD system configuration ---- */

static enum msr_result amd_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    (void)v;
    switch (msr) {
    case MSR_AMD_HWCR:   *val = HWCR_TSC_FREQ_SEL; return MSR_OK;
    case MSR_AMD_SYSCFG: *val = 0; return MSR_OK;
    case MSR_VM_CR:      *val = VM_CR_LOCK | VM_CR_SVMDIS; return MSR_OK;
    }
    if (msr >= MSR_AMD_PMU_FIRST && msr <= MSR_AMD_PMU_LAST) {
        *val = 0;
        return MSR_OK;
    }
    return MSR_UNKNOWN;
}

static enum msr_result amd_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    uint64_t cur = 0;

    switch (msr) {
    case MSR_AMD_HWCR:
    case MSR_AMD_SYSCFG:
        /* Read-only here: writing back the value read is accepted. */
        amd_read(v, msr, &cur);
        return val == cur ? MSR_OK : MSR_GP;
    case MSR_VM_CR:
        return MSR_GP;                  /* locked */
    }
    if (msr >= MSR_AMD_PMU_FIRST && msr <= MSR_AMD_PMU_LAST)
        return MSR_OK;
    return MSR_UNKNOWN;
}

/* The groups in turn; the first that knows the MSR decides. */
static enum msr_result (*const group_read[])(struct vcpu *, uint32_t, uint64_t *) = {
    tsc_read, mtrr_read, misc_read, x2apic_read, amd_read, pvclock_msr_read,
};
static enum msr_result (*const group_write[])(struct vcpu *, uint32_t, uint64_t) = {
    tsc_write, mtrr_write, misc_write, x2apic_write, amd_write, pvclock_msr_write,
};
_Static_assert(ARRAY_SIZE(group_read) == ARRAY_SIZE(group_write), "a group reads and writes");

/*
 * Which group knows an MSR depends on its number and the direction alone (a group
 * answers MSR_UNKNOWN from the number, before looking at any state), so the walk is
 * done once per MSR and remembered: a direct-mapped table whose entries pack number,
 * direction and group into one word, so pCPUs filling it at once never tear one.
 */
#define MSR_OWNER_SLOTS 64
#define MSR_NO_GROUP    0xff
static uint64_t msr_owner[MSR_OWNER_SLOTS];     /* msr << 32 | write << 8 | group; 0: empty */

static uint64_t *owner_slot(uint32_t msr, bool write)
{
    return &msr_owner[(msr ^ (msr >> 16) ^ (msr >> 26) ^ write) % MSR_OWNER_SLOTS];
}

/* The group index remembered for (msr, write), or -1 if not known yet. */
static int msr_owner_of(uint32_t msr, bool write)
{
    uint64_t e = __atomic_load_n(owner_slot(msr, write), __ATOMIC_RELAXED);

    if (e >> 32 != msr || ((e >> 8) & 1) != write || !(e & (1ull << 9)))
        return -1;
    return (int)(e & 0xff);
}

static void msr_owner_remember(uint32_t msr, bool write, unsigned group)
{
    __atomic_store_n(owner_slot(msr, write),
                     (uint64_t)msr << 32 | 1ull << 9 | (uint64_t)write << 8 | group, __ATOMIC_RELAXED);
}

static inline __attribute__((always_inline)) enum msr_result group_call(unsigned group, struct vcpu *v, uint32_t msr,
                                         bool write, uint64_t *val)
{
    return write ? group_write[group](v, msr, *val) : group_read[group](v, msr, val);
}

/* The remembered group, or the walk over them (then remembered); an MSR no
 * group knows is -1 (#GP). Inlined with a constant direction. */
static inline __attribute__((always_inline)) int group_access(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
    int owner = msr_owner_of(msr, write);

    if (owner >= 0)
        return owner == MSR_NO_GROUP ? -1 : group_call(owner, v, msr, write, val);
    for (unsigned i = 0; i < ARRAY_SIZE(group_read); i++) {
        enum msr_result r = group_call(i, v, msr, write, val);
        if (r != MSR_UNKNOWN) {
            msr_owner_remember(msr, write, i);
            return r;
        }
    }
    msr_owner_remember(msr, write, MSR_NO_GROUP);
    return -1;
}

/* ---- VMCB-backed MSRs, then the groups above ---- */

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
    }
    return group_access(v, msr, false, val);
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

    if (holds_linear_address(msr) && !is_canonical(v, val))
        return -1;

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
    case MSR_PAT:
        if (!all_bytes_valid(val, pat_type_valid))
            return -1;
        s->g_pat = val;
        return 0;
    }
    return group_access(v, msr, true, &val);
}
