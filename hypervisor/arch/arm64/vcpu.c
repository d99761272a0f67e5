/*
 * A vCPU on a pCPU (asm/sched_arch.h hooks for common/schedule.c): its
 * context loaded (EL2 controls, stage 2 with its domain's VMID, EL1 system
 * registers, FP/SIMD/SVE/SME, performance monitors, virtual timer, virtual
 * GIC interface), guest entries and exits, and the context saved when it
 * leaves. The debug
 * registers are the common debug core's: the scheduler switches them
 * (dbg_on_schedule/dbg_on_deschedule, ARCH_SCHED_DEBUG_CORE) and every entry
 * and exit goes through its policy (dbg_before_vmentry/dbg_after_vmexit).
 * What stays in the hardware after a put is either reloaded by the next
 * vCPU's load or cannot be reached from EL1.
 */
#include <dbgvisor/console.h>
#include <dbgvisor/debug.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/percpu.h>
#include <dbgvisor/sched.h>
#include <asm/arm64.h>
#include <asm/el1_context.h>
#include <asm/fpsimd.h>
#include <asm/id_regs.h>
#include <asm/pmu.h>
#include <asm/sched_arch.h>
#include <asm/sysreg.h>
#include <asm/timebase.h>
#include <asm/vdebug.h>
#include <asm/vgic.h>
#include <asm/vtimer.h>

/* Nothing trapped: FP/SIMD, SVE and SME are the guest's at EL1 as on bare
 * hardware (CPTR_EL2 nVHE RES1 bits only), their vector lengths not capped at
 * EL2; fpsimd.c switches them between vCPUs. */
#define CPTR_EL2_VALUE    0x000022ffULL
#define ZCR_LEN_MAX       0xfULL                  /* capped to the implemented maximum */
#define SMCR_FA64         (1ULL << 31)
#define SMCR_EZT0         (1ULL << 30)
/* HCRX_EL2: what EL1 may use without EL2 in the way (MOPS, TCR2, SCTLR2). */
#define HCRX_MSCEN        (1ULL << 11)
#define HCRX_TCR2EN       (1ULL << 14)
#define HCRX_SCTLR2EN     (1ULL << 15)
/* CNTHCTL_EL2 with HCR_EL2.E2H = 0: the physical counter and timer open to
 * EL1 as without EL2; EL1TVT/EL1TVCT (FEAT_ECV) clear, so the virtual timer
 * and counter are the guest's, offset by CNTVOFF_EL2 (vtimer.c). */
#define CNTHCTL_EL1PCTEN  (1ULL << 0)
#define CNTHCTL_EL1PCEN   (1ULL << 1)
#define MPIDR_RES1        (1ULL << 31)
#define VMPIDR_AFF0_MAX   16            /* vCPUs 0-15 in Aff0, as QEMU virt numbers CPUs */

/* The EL2 controls every vCPU runs under. */
static void load_el2_controls(struct vcpu *v)
{
    write_sysreg(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
    write_sysreg(cptr_el2, CPTR_EL2_VALUE);
    isb();
    if ((read_sysreg(id_aa64pfr0_el1) >> 32) & 0xf)            /* SVE */
        write_sysreg(s3_4_c1_c2_0, ZCR_LEN_MAX);                /* ZCR_EL2 */
    if ((read_sysreg(id_aa64pfr1_el1) >> 24) & 0xf)            /* SME */
        write_sysreg(s3_4_c1_c2_6, SMCR_FA64 | SMCR_EZT0 | ZCR_LEN_MAX);   /* SMCR_EL2 */
    if ((read_sysreg(id_aa64mmfr1_el1) >> 40) & 0xf)           /* FEAT_HCX */
        write_sysreg(s3_4_c1_c2_2, HCRX_MSCEN | HCRX_TCR2EN | HCRX_SCTLR2EN);  /* HCRX_EL2 */
    write_sysreg(hcr_el2, HCR_VM | HCR_SWIO | HCR_RW | HCR_TSC | HCR_TWI | HCR_IMO | HCR_FMO |
                          HCR_AMO | ID_REGS_HCR | el1_context_hcr());
    write_sysreg(vpidr_el2, read_sysreg(midr_el1));
    write_sysreg(vmpidr_el2, MPIDR_RES1 | v->id);
    isb();
}

/* The vCPU out of reset: EL1h at entry with x0 = arg, MMU off, DAIF masked. */
void arm64_vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t arg)
{
    memset(&v->arch.regs, 0, sizeof(v->arch.regs));
    v->arch.regs.x[0] = arg;
    v->arch.regs.elr = entry;
    v->arch.regs.spsr = PSR_DAIF | PSR_MODE_EL1H;
    el1_context_reset(&v->arch.el1);
    fpsimd_reset(&v->arch.fp);
    pmu_reset(&v->arch.pmu);
    memset(&v->arch.vtimer, 0, sizeof(v->arch.vtimer));
    vgic_vcpu_reset(v);
}

bool arm64_vcpu_limits_ok(unsigned vcpus)
{
    return vcpus >= 1 && vcpus <= VMPIDR_AFF0_MAX && vcpus <= MAX_VCPUS;
}

void arch_vcpu_load(struct vcpu *v)
{
    load_el2_controls(v);
    stage2_activate(v->domain);
    el1_context_load(&v->arch.el1);
    fpsimd_load(&v->arch.fp);
    pmu_load(&v->arch.pmu);
    vgic_load(v);
    vtimer_load(v);
    v->pcpu = (int)this_pcpu()->id;
}

void arch_vcpu_put(struct vcpu *v)
{
    vtimer_save(v);             /* its line low before the GIC state is taken */
    vgic_save(v);
    pmu_save(&v->arch.pmu);
    fpsimd_save(&v->arch.fp);
    el1_context_save(&v->arch.el1);
}

enum vcpu_run_result arch_vcpu_run(struct vcpu *v)
{
    uint64_t kind;

    /* PSCI CPU_OFF, or a CPU_ON that came before the vCPU left (schedule.c). */
    if (v->arch.init_pending || v->arch.sipi_latched) {
        if (sched_vcpu_take_init_sipi(v))
            return RUN_RESCHEDULE;
        arch_vcpu_load(v);                  /* restarted from reset on this pCPU */
    }
    if (v->arch.vgic.spis_held || vgic_spi_waiting(v))
        vgic_sync_spis(v);
    if (__atomic_load_n(&v->arch.vgic.sgi_pending, __ATOMIC_RELAXED))
        vgic_flush_sgis(v);
    dbg_before_vmentry(&v->dbg);
    vdebug_before_entry(v);
    kind = guest_enter(&v->arch.regs);
    v->arch.esr = read_sysreg(esr_el2);
    v->arch.far = read_sysreg(far_el2);
    v->arch.hpfar = read_sysreg(hpfar_el2);
    vdebug_after_exit(v, kind);
    dbg_after_vmexit(&v->dbg);
    if (!arm64_handle_exit(v, kind))
        return RUN_RESCHEDULE;
    return v->state == VCPU_RUNNING ? RUN_CONTINUE : RUN_RESCHEDULE;
}

/* vcpu_block.c set block_deadline (physical count) before the vCPU became
 * BLOCKED; the caller read that state. */
bool arch_vcpu_poll_timers(struct vcpu *v, uint64_t now)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return counter_now() >= v->arch.block_deadline || vgic_saved_pending(v) ||
           vgic_sgi_waiting(v) || vgic_spi_waiting(v);
}

uint64_t arch_vcpu_next_timer_ns(struct vcpu *v)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return counter_to_ns(v->arch.block_deadline);
}

/* PSCI CPU_OFF (the scheduler's INIT): the vCPU is off until a CPU_ON. */
void arch_vcpu_init_signal(struct vcpu *v)
{
    arm64_vcpu_reset(v, 0, 0);
    dbg_vcpu_reset(&v->dbg);
}

/* PSCI CPU_ON (the scheduler's SIPI): from reset at the entry point it gave,
 * x0 = its context ID (vpsci.c stored both). */
void arch_vcpu_start_sipi(struct vcpu *v, uint8_t vector)
{
    arm64_vcpu_reset(v, v->arch.psci_entry, v->arch.psci_context);
    dbg_vcpu_reset(&v->dbg);
}
