/* The domain's PSCI firmware and our exit call (asm/vpsci.h). CPU_ON and
 * CPU_OFF go through the scheduler's start/stop protocol (schedule.c, named
 * after x86's SIPI and INIT): a vCPU that is off waits there, and CPU_ON
 * starts it from reset at its entry point with x0 = the context ID. */
#include <dbgvisor/domain.h>
#include <dbgvisor/sched.h>
#include <asm/vcpu_block.h>
#include <asm/vpsci.h>

#define PSCI_RET_SUCCESS        0ULL
#define PSCI_RET_NOT_SUPPORTED  (~0ULL)      /* -1 */
#define PSCI_RET_INVALID_PARAMS ((uint64_t)-2)
#define PSCI_RET_ALREADY_ON     ((uint64_t)-4)
#define PSCI_RET_ON_PENDING     ((uint64_t)-5)
#define AFFINITY_ON             0ULL
#define AFFINITY_OFF            1ULL
#define AFFINITY_ON_PENDING     2ULL
#define MPIDR_AFF_MASK          0xff00ffffffULL
#define PSCI_VERSION_1_1        0x00010001ULL
#define TOS_NOT_PRESENT_MP      2ULL        /* MIGRATE_INFO_TYPE: no Trusted OS to migrate */
/* CPU_SUSPEND's power_state, original format: StateID [15:0], StateType [16]
 * (powerdown), PowerLevel [25:24], the rest reserved. */
#define POWER_STATE_TYPE        (1ULL << 16)
#define SMCCC_VERSION_1_1       0x00010001ULL

static uint64_t features(uint32_t fn)
{
    switch (fn) {
    case PSCI_VERSION:
    case PSCI_FEATURES:
    case PSCI_CPU_SUSPEND_32:   /* 0: the original power_state format, platform-coordinated */
    case PSCI_CPU_SUSPEND_64:
    case PSCI_MIGRATE_INFO_TYPE:
    case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET:
    case PSCI_CPU_OFF:
    case PSCI_CPU_ON_32:
    case PSCI_CPU_ON_64:
    case PSCI_AFFINITY_32:
    case PSCI_AFFINITY_64:
        return PSCI_RET_SUCCESS;
    default:
        return PSCI_RET_NOT_SUPPORTED;
    }
}

/* The vCPU whose MPIDR (VMPIDR_EL2: its id in Aff0) is mpidr, or NULL. */
static struct vcpu *vcpu_by_mpidr(struct domain *d, uint64_t mpidr)
{
    mpidr &= MPIDR_AFF_MASK;
    return mpidr < d->nr_vcpus ? d->vcpus[mpidr] : NULL;
}

static uint64_t cpu_on(struct vcpu *v, uint64_t mpidr, uint64_t entry, uint64_t context)
{
    struct vcpu *t = vcpu_by_mpidr(v->domain, mpidr);

    if (!t)
        return PSCI_RET_INVALID_PARAMS;
    if (t->arch.sipi_latched)
        return PSCI_RET_ON_PENDING;
    if (t->state != VCPU_OFFLINE || !t->arch.wait_for_sipi)
        return PSCI_RET_ALREADY_ON;
    t->arch.psci_entry = entry;
    t->arch.psci_context = context;
    sched_vcpu_sipi(t, 0);      /* sched_lock orders the entry point before the start */
    return PSCI_RET_SUCCESS;
}

/* A vCPU's only power level is its own core, and none of its states loses
 * context: standby, and powerdown entered as standby (as QEMU's PSCI does;
 * the call then returns SUCCESS, which PSCI callers accept for a state that
 * was not entered). It returns when an interrupt is pending, as WFI: the vCPU
 * blocks in the scheduler until then. */
static bool cpu_suspend(struct vcpu *v, uint64_t power_state)
{
    if (power_state & ~(POWER_STATE_TYPE | 0xffffULL)) {
        v->arch.regs.x[0] = PSCI_RET_INVALID_PARAMS;
        return true;
    }
    v->arch.regs.x[0] = PSCI_RET_SUCCESS;
    vcpu_block(v, UINT64_MAX);
    return true;
}

static uint64_t affinity_info(struct vcpu *v, uint64_t mpidr, uint64_t level)
{
    struct vcpu *t = vcpu_by_mpidr(v->domain, mpidr);

    if (!t || level != 0)
        return PSCI_RET_INVALID_PARAMS;
    if (t->arch.sipi_latched)
        return AFFINITY_ON_PENDING;
    return t->state == VCPU_OFFLINE && t->arch.wait_for_sipi ? AFFINITY_OFF : AFFINITY_ON;
}

bool vpsci_call(struct vcpu *v)
{
    uint64_t *x = v->arch.regs.x;
    uint32_t fn = (uint32_t)x[0];

    switch (fn) {
    case PSCI_VERSION:
        x[0] = PSCI_VERSION_1_1;
        return true;
    case SMCCC_VERSION:
        x[0] = SMCCC_VERSION_1_1;
        return true;
    case PSCI_FEATURES:
        x[0] = features((uint32_t)x[1]);
        return true;
    case PSCI_CPU_SUSPEND_32:
        return cpu_suspend(v, (uint32_t)x[1]);
    case PSCI_CPU_SUSPEND_64:
        return cpu_suspend(v, x[1]);
    case PSCI_MIGRATE_INFO_TYPE:
        x[0] = TOS_NOT_PRESENT_MP;
        return true;
    case PSCI_CPU_ON_32:
        x[0] = cpu_on(v, (uint32_t)x[1], (uint32_t)x[2], (uint32_t)x[3]);
        return true;
    case PSCI_CPU_ON_64:
        x[0] = cpu_on(v, x[1], x[2], x[3]);
        return true;
    case PSCI_AFFINITY_32:
        x[0] = affinity_info(v, (uint32_t)x[1], (uint32_t)x[2]);
        return true;
    case PSCI_AFFINITY_64:
        x[0] = affinity_info(v, x[1], x[2]);
        return true;
    case PSCI_CPU_OFF:          /* off at once: it leaves its pCPU, until a CPU_ON */
        sched_vcpu_init_received(v);
        sched_vcpu_take_init_sipi(v);
        return true;
    case PSCI_SYSTEM_OFF:
        domain_shutdown(v->domain, 0);
        return false;
    case PSCI_SYSTEM_RESET:
        domain_shutdown_reason(v->domain, DBGV_SHUTDOWN_REBOOT, 0);
        return false;
    case DBGV_HVC_EXIT:
        domain_shutdown(v->domain, (int)x[1]);
        return false;
    default:
        x[0] = PSCI_RET_NOT_SUPPORTED;
        return true;
    }
}
