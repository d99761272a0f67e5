/*
 * The domain life cycle's x86 hooks (dbgvisor/domain_arch.h): NPT, VMCBs and
 * extended-state areas through SVM, the PC platform's devices and firmware
 * tables (hvm/). RAM starts at guest-physical 0.
 */
#include <asm/hvm_emul.h>
#include <asm/svm_vcpu.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/domain_arch.h>

int arch_domain_init(struct domain *d)
{
    return svm_domain_init(d);
}

int arch_vcpu_init(struct vcpu *v)
{
    return svm_vcpu_init(v);
}

void arch_domain_vcpus_ready(struct domain *d)
{
    hvm_domain_firmware_init(d);
}

void arch_domain_destroy(struct domain *d)
{
    svm_domain_destroy(d);
}

uint64_t arch_domain_ram_base(const struct domain *d)
{
    return 0;
}

bool arch_debug_has_rtm(void)
{
    return hvm_cpu_has_rtm();
}

void arch_domain_log_end(struct domain *d)
{
}
