/* The domain's PSCI firmware and our exit call (asm/vpsci.h). */
#include <dbgvisor/domain.h>
#include <asm/vpsci.h>

#define PSCI_RET_SUCCESS        0ULL
#define PSCI_RET_NOT_SUPPORTED  (~0ULL)      /* -1 */
#define PSCI_VERSION_1_1        0x00010001ULL
#define SMCCC_VERSION_1_1       0x00010001ULL

static uint64_t features(uint32_t fn)
{
    switch (fn) {
    case PSCI_VERSION:
    case PSCI_FEATURES:
    case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET:
        return PSCI_RET_SUCCESS;
    default:
        return PSCI_RET_NOT_SUPPORTED;
    }
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
