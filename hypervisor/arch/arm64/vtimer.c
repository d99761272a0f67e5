/*
 * The EL1 virtual and physical timers (ARM DDI 0487, D12). With HCR_EL2.E2H
 * = 0 EL1 reaches CNTV_* and CNTVCT_EL0 untrapped (CNTHCTL_EL2.EL1TVT/EL1TVCT,
 * FEAT_ECV, stay 0), and CNTP_* and CNTPCT_EL0 too (EL1PCEN/EL1PCTEN set), so
 * while a vCPU runs its timers are the hardware's; the domain's virtual
 * counter is the physical one minus CNTVOFF_EL2, taken when it was built, as
 * a CPU out of reset counts from about zero; the physical counter is the
 * machine's. Both timers are saved and stopped when the vCPU leaves its pCPU
 * (vcpu.c), so neither fires while another vCPU runs there, and a vCPU
 * blocked in WFI waits in the scheduler for the earlier deadline
 * (vcpu_block.c). Their interrupts, PPI 27 and PPI 30, are taken at EL2 and
 * go to the guest through hardware list registers (vgic.c).
 */
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
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
    write_sysreg(cntp_cval_el0, v->arch.vtimer.phys_cval);
    isb();
    write_sysreg(cntv_ctl_el0, v->arch.vtimer.ctl);
    write_sysreg(cntp_ctl_el0, v->arch.vtimer.phys_ctl);
    isb();
}

void vtimer_read_live(struct vtimer *t)
{
    t->ctl = read_sysreg(cntv_ctl_el0) & (CNT_CTL_ENABLE | CNT_CTL_IMASK);
    t->cval = read_sysreg(cntv_cval_el0);
    t->phys_ctl = read_sysreg(cntp_ctl_el0) & (CNT_CTL_ENABLE | CNT_CTL_IMASK);
    t->phys_cval = read_sysreg(cntp_cval_el0);
}

void vtimer_save(struct vcpu *v)
{
    vtimer_read_live(&v->arch.vtimer);
    write_sysreg(cntv_ctl_el0, 0);
    write_sysreg(cntp_ctl_el0, 0);
    isb();
}

uint64_t vtimer_virt_to_phys(const struct domain *d, uint64_t vcount)
{
    uint64_t off = d->arch.cntvoff;

    return vcount > UINT64_MAX - off ? UINT64_MAX : vcount + off;
}

/* A timer's line goes high at cval if it is enabled and not masked. */
static bool timer_armed(uint64_t ctl)
{
    return (ctl & CNT_CTL_ENABLE) && !(ctl & CNT_CTL_IMASK);
}

uint64_t vtimer_deadline(const struct domain *d, const struct vtimer *t)
{
    uint64_t virt = timer_armed(t->ctl) ? vtimer_virt_to_phys(d, t->cval) : UINT64_MAX;

    return MIN(virt, timer_armed(t->phys_ctl) ? t->phys_cval : UINT64_MAX);
}
