/*
 * The EL1 virtual timer (ARM DDI 0487, D12). With HCR_EL2.E2H = 0 EL1 reaches
 * CNTV_* and CNTVCT_EL0 untrapped (CNTHCTL_EL2.EL1TVT/EL1TVCT, FEAT_ECV, stay
 * 0), so while a vCPU runs its timer is the hardware's; the domain's virtual
 * counter is the physical one minus CNTVOFF_EL2, taken when it was built, as
 * a CPU out of reset counts from about zero. When the vCPU blocks the timer
 * is saved and stopped when it leaves its pCPU (vcpu.c), and a vCPU blocked
 * in WFI waits in the scheduler for its deadline (vcpu_block.c). Its interrupt, PPI 27, goes to the guest through a list
 * register (vgic.c).
 */
#include <dbgvisor/domain.h>
#include <asm/sysreg.h>
#include <asm/vtimer.h>

void vtimer_domain_init(struct domain *d)
{
    isb();
    d->arch.cntvoff = read_sysreg(cntpct_el0);
}

void vtimer_load(struct vcpu *v)
{
    write_sysreg(cntvoff_el2, v->domain->arch.cntvoff);
    write_sysreg(cntv_cval_el0, v->arch.vtimer.cval);
    isb();
    write_sysreg(cntv_ctl_el0, v->arch.vtimer.ctl);
    isb();
}

void vtimer_save(struct vcpu *v)
{
    v->arch.vtimer.ctl = read_sysreg(cntv_ctl_el0) & (CNT_CTL_ENABLE | CNT_CTL_IMASK);
    v->arch.vtimer.cval = read_sysreg(cntv_cval_el0);
    write_sysreg(cntv_ctl_el0, 0);
    isb();
}

uint64_t vtimer_virt_to_phys(const struct domain *d, uint64_t vcount)
{
    uint64_t off = d->arch.cntvoff;

    return vcount > UINT64_MAX - off ? UINT64_MAX : vcount + off;
}

uint64_t vtimer_deadline(const struct domain *d, const struct vtimer *t)
{
    if (!(t->ctl & CNT_CTL_ENABLE) || (t->ctl & CNT_CTL_IMASK))
        return UINT64_MAX;
    return vtimer_virt_to_phys(d, t->cval);
}
