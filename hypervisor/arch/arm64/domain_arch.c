/*
 * The domain life cycle's arm64 hooks (dbgvisor/domain_arch.h): RAM at IPA
 * 0x40000000 as on QEMU virt behind the domain's stage-2 tables (VMID = its
 * id), its virtual counter's zero, each vCPU's ZA buffer (SME) and reset
 * state. Tables and buffers are charged to d->pages, and given back with it.
 * A destroyed domain's VMID may be reused (ids wrap past the VMID width):
 * every vCPU load flushes its VMID's stage-1+2 entries on that pCPU
 * (stage2_activate), so none of the old domain's translations survive.
 */
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/domain_arch.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/page_alloc.h>
#include <asm/vgic.h>
#include <asm/vgic_dist.h>
#include <asm/vpl011.h>
#include <asm/arm64.h>
#include <asm/fpsimd.h>
#include <asm/vtimer.h>

#define GUEST_RAM_IPA 0x40000000ULL

static size_t za_pages(void)
{
    return (fpsimd_za_bytes() + PAGE_SIZE - 1) / PAGE_SIZE;
}

/* The PL011's UARTINTR is the domain's SPI 1, as on QEMU virt. */
static void pl011_line(void *opaque, bool level)
{
    vgic_set_spi_level(opaque, VGIC_SPI_FIRST + VPL011_SPI, level);
}

int arch_domain_init(struct domain *d)
{
    d->arch.ram_ipa = GUEST_RAM_IPA;
    if (stage2_init(d) < 0 || stage2_map_ram(d, d->arch.ram_ipa, d->ram_hpa, d->mem_bytes) < 0)
        return -1;
    vtimer_domain_init(d);
    vgic_domain_init(d);
    vpl011_init(&d->arch.uart, pl011_line, d);
    return 0;
}

int arch_vcpu_init(struct vcpu *v)
{
    struct domain *d = v->domain;

    if (!arm64_vcpu_limits_ok(v->id + 1))
        return -1;
    if (za_pages()) {
        v->arch.fp.za = (uint8_t *)palloc_alloc_for(&d->pages, za_pages(), 1);
        if (!v->arch.fp.za)
            return -1;
    }
    arm64_vcpu_reset(v, 0, 0);      /* the builder sets vCPU 0's entry */
    return 0;
}

void arch_domain_vcpus_ready(struct domain *d)
{
}

void arch_domain_destroy(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (d->vcpus[i] && d->vcpus[i]->arch.fp.za) {
            palloc_free_for(&d->pages, (uint64_t)d->vcpus[i]->arch.fp.za, za_pages());
            d->vcpus[i]->arch.fp.za = NULL;
        }
    stage2_destroy(d);
}

uint64_t arch_domain_ram_base(const struct domain *d)
{
    return d->arch.ram_ipa;
}

bool arch_debug_has_rtm(void)
{
    return false;
}

void arch_domain_log_end(struct domain *d)
{
    uint64_t wfi = 0;

    for (unsigned i = 0; i < d->nr_vcpus; i++)
        wfi += d->vcpus[i]->arch.wfi_blocks;
    printk("domain %u (%s): %llu WFI blocked\n", d->id, d->name, (unsigned long long)wfi);
}
