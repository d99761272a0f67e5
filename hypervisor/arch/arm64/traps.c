/*
 * Exits from a guest (EL1 -> EL2): dispatch on the exception class of
 * ESR_EL2. The guest's PSCI and exit calls (HVC, or SMC trapped by
 * HCR_EL2.TSC), stage-2 data aborts (device emulation), trapped debug
 * registers, WFI (HCR_EL2.TWI), physical interrupts (the guest's timer),
 * debug exceptions while the host debugs the vCPU (MDCR_EL2.TDE: vdebug.c
 * routes them); anything else ends only this domain.
 */
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <asm/arm64.h>
#include <asm/debug_host.h>
#include <asm/sysreg.h>
#include <asm/gicv3.h>
#include <asm/id_regs.h>
#include <asm/mmio_insn.h>
#include <asm/sched_arch.h>
#include <asm/vcpu_block.h>
#include <asm/vdebug.h>
#include <asm/vgic.h>
#include <asm/vgic_cpuif.h>
#include <asm/vpl011.h>
#include <asm/vpsci.h>
#include <asm/vtimer.h>

/* Vector offsets from VBAR_EL1 (ARM DDI 0487 D1.10.2). */
#define VEC_CURRENT_SP0   0x000
#define VEC_CURRENT_SPX   0x200
#define VEC_LOWER_A64     0x400
#define PSR_MODE_MASK     0xf
#define PSR_MODE_EL0T     0x0
#define PSR_MODE_EL1T     0x4

#define PSR_SSBS          (1ULL << 12)
#define PSR_PAN           (1ULL << 22)
#define PSR_DIT           (1ULL << 24)
#define SCTLR_EL1_SPAN    (1ULL << 23)
#define SCTLR_EL1_DSSBS   (1ULL << 44)

/* Take an exception to the guest's EL1 as the hardware would have: the return
 * state in ELR/SPSR_EL1, the vector for where it came from, and the PSTATE of
 * an exception entry (DAIF masked, EL1h; PAN set unless SCTLR_EL1.SPAN, SSBS
 * from SCTLR_EL1.DSSBS, DIT kept, SS/BTYPE/UAO/IL cleared). */
void arm64_inject_el1(struct vcpu *v, uint64_t esr, uint64_t far)
{
    struct guest_regs *r = &v->arch.regs;
    unsigned mode = r->spsr & PSR_MODE_MASK;
    uint64_t off = mode == PSR_MODE_EL0T ? VEC_LOWER_A64
                 : mode == PSR_MODE_EL1T ? VEC_CURRENT_SP0 : VEC_CURRENT_SPX;
    uint64_t sctlr = read_sysreg(sctlr_el1), pstate = PSR_DAIF | PSR_MODE_EL1H;

    if (((read_sysreg(id_aa64mmfr1_el1) >> 20) & 0xf) && !(sctlr & SCTLR_EL1_SPAN))
        pstate |= PSR_PAN;                      /* FEAT_PAN */
    else
        pstate |= r->spsr & PSR_PAN;
    if (sctlr & SCTLR_EL1_DSSBS)
        pstate |= PSR_SSBS;
    pstate |= r->spsr & PSR_DIT;
    write_sysreg(esr_el1, esr);
    write_sysreg(far_el1, far);
    write_sysreg(elr_el1, r->elr);
    write_sysreg(spsr_el1, r->spsr);
    r->elr = read_sysreg(vbar_el1) + off;
    r->spsr = pstate;
}

static void inject_undef(struct vcpu *v)
{
    arm64_inject_el1(v, (uint64_t)EC_UNKNOWN << 26 | ESR_IL, 0);
}

/* The hypervisor completed the guest's instruction: move past it as the CPU
 * would have. BTYPE is zero after any instruction that is not a branch; the
 * step state (a guest's own step pending, a host's step done) is vdebug's. */
static void skip_insn(struct vcpu *v)
{
    v->arch.regs.elr += 4;
    v->arch.regs.spsr &= ~PSR_BTYPE;
    vdebug_insn_completed(v);
}

static uint64_t get_reg(struct vcpu *v, unsigned rt)
{
    return rt == 31 ? 0 : v->arch.regs.x[rt];
}

static void set_reg(struct vcpu *v, unsigned rt, uint64_t val)
{
    if (rt != 31)
        v->arch.regs.x[rt] = val;
}

/* An abort at an IPA with nothing behind it: what QEMU virt gives for unassigned
 * memory, a synchronous external abort, with the guest's VA in FAR. */
static void inject_external_abort(struct vcpu *v, bool insn)
{
    bool from_el0 = (v->arch.regs.spsr & PSR_MODE_MASK) == PSR_MODE_EL0T;
    uint64_t ec = (insn ? EC_IABT_LOW : EC_DABT_LOW) + (from_el0 ? 0 : 1);
    uint64_t wnr = insn ? 0 : v->arch.esr & DABT_WNR;

    arm64_inject_el1(v, ec << 26 | ESR_IL | wnr | FSC_EXTERNAL, v->arch.far);
}

static bool pl011_access(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val)
{
    return write ? vpl011_write(v->domain, off, size, *val) : vpl011_read(v->domain, off, size, val);
}

/* The devices a domain has, at QEMU virt's addresses. */
static const struct mmio_region {
    uint64_t base, size;
    bool (*access)(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val);
} mmio_regions[] = {
    { VPL011_IPA, VPL011_SIZE, pl011_access },
    { VGICD_IPA, VGICD_SIZE, vgic_dist_access },
    { VGICR_IPA, VGICR_SIZE, vgic_redist_access },
};

static const struct mmio_region *mmio_region_at(uint64_t ipa)
{
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(mmio_regions); i++)
        if (ipa >= mmio_regions[i].base && ipa - mmio_regions[i].base < mmio_regions[i].size)
            return &mmio_regions[i];
    return NULL;
}

#define PAR_F           1ULL
#define PAR_PA(par)     ((par) & 0x0000fffffffff000ULL)

/* The guest's instruction at its PC, through its stage 1 and our stage 2
 * (AT S12E1R; PAR_EL1 is the guest's, so it is put back). */
static bool read_guest_insn(struct vcpu *v, uint32_t *insn)
{
    uint64_t va = v->arch.regs.elr, saved = read_sysreg(par_el1), par, pa, off;

    __asm__ volatile("at s12e1r, %0" : : "r"(va));
    isb();
    par = read_sysreg(par_el1);
    write_sysreg(par_el1, saved);
    if (par & PAR_F)
        return false;
    pa = PAR_PA(par) | (va & 0xfff);
    off = pa - v->domain->ram_hpa;
    if (pa < v->domain->ram_hpa || off > v->domain->mem_bytes - 4)
        return false;
    *insn = *(const volatile uint32_t *)pa;
    return true;
}

/* The base register of a load or store: Xn, or (31) the SP of the guest's
 * current mode (SP_EL1 in EL1h, SP_EL0 in EL1t and EL0). */
static uint64_t get_base(struct vcpu *v, unsigned rn)
{
    if (rn != 31)
        return v->arch.regs.x[rn];
    return (v->arch.regs.spsr & PSR_MODE_MASK) == PSR_MODE_EL1H ? read_sysreg(sp_el1)
                                                                : read_sysreg(sp_el0);
}

static void set_base(struct vcpu *v, unsigned rn, uint64_t val)
{
    if (rn != 31)
        v->arch.regs.x[rn] = val;
    else if ((v->arch.regs.spsr & PSR_MODE_MASK) == PSR_MODE_EL1H)
        write_sysreg(sp_el1, val);
    else
        write_sysreg(sp_el0, val);
}

static uint64_t load_extend(const struct mmio_insn *m, uint64_t val)
{
    unsigned bits = m->size * 8;

    if (bits < 64 && m->sext_bits && (val & (1ULL << (bits - 1))))
        val |= ~0ULL << bits;
    if (m->dest32)
        val &= 0xffffffffULL;
    return val;
}

/* A device access the CPU reported without an instruction syndrome (a pair,
 * or base writeback): the instruction at the guest's PC, decoded and
 * performed element by element, as the hardware would have done it.
 * ipa/far are the faulting access's; the other element is at the same
 * distance in the IPA space as in the VA space (within one device page). */
static bool emulate_nisv(struct vcpu *v, uint64_t ipa)
{
    struct mmio_insn m;
    uint64_t base, va, vals[2];
    uint32_t insn;
    unsigned i;

    if (!read_guest_insn(v, &insn) || !mmio_insn_decode(insn, &m)) {
        domain_crash(v->domain, "device access at IPA %#llx by an instruction the hypervisor "
                     "cannot emulate (%#x)", (unsigned long long)ipa, insn);
        return false;
    }
    base = get_base(v, m.rn);
    va = base + (uint64_t)m.offset;
    for (i = 0; i < m.nregs; i++) {
        uint64_t at = ipa + (va + i * m.size - v->arch.far);
        const struct mmio_region *dev = mmio_region_at(at);
        if (!dev || at + m.size - dev->base > dev->size) {
            inject_external_abort(v, false);
            return true;
        }
        vals[i] = get_reg(v, m.rt[i]);
        if (!dev->access(v, at - dev->base, m.size, !m.load, &vals[i])) {
            inject_external_abort(v, false);
            return true;
        }
    }
    if (m.load)
        for (i = 0; i < m.nregs; i++)
            set_reg(v, m.rt[i], load_extend(&m, vals[i]));
    if (m.writeback)
        set_base(v, m.rn, base + (uint64_t)m.wb_offset);
    skip_insn(v);
    return true;
}

static bool handle_mmio(struct vcpu *v)
{
    struct domain *d = v->domain;
    uint32_t iss = (uint32_t)ESR_ISS(v->arch.esr);
    uint64_t ipa = (v->arch.hpfar >> 4) << 12 | (v->arch.far & 0xfff);
    unsigned size = 1u << DABT_SAS(iss), rt = DABT_SRT(iss);
    const struct mmio_region *dev = mmio_region_at(ipa);
    uint64_t val;
    bool ok;

    if (iss & DABT_S1PTW) {
        domain_crash(d, "stage-1 table walk at IPA %#llx outside RAM", (unsigned long long)ipa);
        return false;
    }
    if (!dev) {
        inject_external_abort(v, false);
        return true;
    }
    if (!(iss & DABT_ISV))
        return emulate_nisv(v, ipa);
    if (iss & DABT_WNR) {
        val = get_reg(v, rt);
        ok = dev->access(v, ipa - dev->base, size, true, &val);
    } else {
        ok = dev->access(v, ipa - dev->base, size, false, &val);
        if (ok) {
            if ((iss & DABT_SSE) && size < 8 && (val & (1ULL << (size * 8 - 1))))
                val |= ~0ULL << (size * 8);
            if (!(iss & DABT_SF))
                val &= 0xffffffffULL;
            set_reg(v, rt, val);
        }
    }
    if (!ok) {
        inject_external_abort(v, false);
        return true;
    }
    skip_insn(v);
    return true;
}

static bool handle_sysreg(struct vcpu *v)
{
    uint32_t iss = (uint32_t)ESR_ISS(v->arch.esr);
    unsigned rt = (iss >> 5) & 0x1f;
    struct sysreg_access a = {
        .op0 = (iss >> 20) & 3, .op2 = (iss >> 17) & 7, .op1 = (iss >> 14) & 7,
        .crn = (iss >> 10) & 0xf, .crm = (iss >> 1) & 0xf, .write = !(iss & 1),
    };

    a.value = get_reg(v, rt);
    if (!vdebug_access(v, &a) && !vgic_cpuif_access(v, &a) && !id_regs_access(v, &a)) {
        inject_undef(v);
        return true;
    }
    if (!a.write)
        set_reg(v, rt, a.value);
    skip_insn(v);
    return true;
}

/* WFI/WFIT (ISS.TI 0/2; WFE is not trapped): block until there is
 * something to wake for. WFIT's timeout register holds a virtual count. */
#define WFX_TI(iss)     ((iss) & 3)
#define WFX_TI_WFI      0
#define WFX_TI_WFIT     2
#define WFX_RV          (1U << 2)
#define WFX_RN(iss)     (((iss) >> 5) & 0x1f)
#define INSN_WFIT_MASK  0xffffffe0U
#define INSN_WFIT       0xd5031020U     /* WFIT Xt: Rd in bits 4:0 */
/* WFIT's timeout register: from the syndrome (TI = WFIT, RV), or, where the
 * CPU reports a trapped WFIT as a plain WFI (QEMU 10 gives TI = 0 and no
 * register), from the instruction itself. -1 when it is a WFI. */
static int wfit_register(struct vcpu *v, uint32_t iss)
{
    uint32_t insn;

    if (WFX_TI(iss) == WFX_TI_WFIT)
        return (iss & WFX_RV) ? (int)WFX_RN(iss) : -1;
    if (read_guest_insn(v, &insn) && (insn & INSN_WFIT_MASK) == INSN_WFIT)
        return (int)(insn & 0x1f);
    return -1;
}

static bool handle_wfx(struct vcpu *v)
{
    uint32_t iss = (uint32_t)ESR_ISS(v->arch.esr);
    uint64_t wake_at = UINT64_MAX;
    int rt;

    if (WFX_TI(iss) == WFX_TI_WFI || WFX_TI(iss) == WFX_TI_WFIT) {
        rt = wfit_register(v, iss);
        if (rt >= 0)
            wake_at = vtimer_virt_to_phys(v->domain, get_reg(v, (unsigned)rt));
        vcpu_block(v, wake_at);
    }
    skip_insn(v);
    return true;
}

/* A physical interrupt taken at EL2 while the guest ran (HCR_EL2.IMO). */
static void handle_irq(struct vcpu *v)
{
    uint32_t intid = gicv3_ack();

    if (intid == INTID_SPURIOUS)
        return;
    gicv3_priority_drop(intid);
    arch_sched_irq(v, intid);               /* the tick, a kick, the guest's timer */
}

bool arm64_handle_exit(struct vcpu *v, uint64_t kind)
{
    struct domain *d = v->domain;
    unsigned ec = ESR_EC(v->arch.esr);

    if (kind == EXIT_IRQ) {
        handle_irq(v);
        return true;
    }
    if (kind == EXIT_FIQ)
        return true;            /* no group-0 interrupt is enabled */
    if (kind != EXIT_SYNC) {
        domain_crash(d, "SError from the guest (ESR %#llx)", (unsigned long long)v->arch.esr);
        return false;
    }
    switch (ec) {
    case EC_HVC64:
        vdebug_insn_completed(v);
        return vpsci_call(v);   /* ELR is already past the HVC */
    case EC_SMC64:
        skip_insn(v);           /* a trapped SMC returns to the SMC itself */
        return vpsci_call(v);
    case EC_DABT_LOW:
        return handle_mmio(v);
    case EC_IABT_LOW:           /* fetch from an IPA with no RAM */
        if (ESR_ISS(v->arch.esr) & DABT_S1PTW) {
            domain_crash(d, "stage-1 table walk outside RAM (instruction fetch)");
            return false;
        }
        inject_external_abort(v, true);
        return true;
    case EC_SYS64:
        return handle_sysreg(v);
    case EC_WFX:
        return handle_wfx(v);
    case EC_BKPT_LOW:           /* debug exceptions: here only while the host debugs */
    case EC_SSTEP_LOW:
    case EC_WATCH_LOW:
    case EC_BRK:
        vdebug_debug_exit(v);
        return true;
    default:
        domain_crash(d, "unhandled exit: EC %#x ESR %#llx at PC %#llx", ec,
                     (unsigned long long)v->arch.esr, (unsigned long long)v->arch.regs.elr);
        return false;
    }
}
