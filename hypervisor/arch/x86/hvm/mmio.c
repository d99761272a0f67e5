/*
 * Memory-mapped I/O: a guest access to a guest-physical address with no RAM
 * behind it exits as #NPF. The address picks the device (the table below:
 * the xAPIC page wherever IA32_APIC_BASE puts it, the I/O APIC window); emulate.c carries
 * out the instruction and makes its accesses through hvm_bus_read/write,
 * which reach RAM, a device, or nothing at all (reads complete with
 * all-ones, writes are dropped, as a master abort on hardware).
 */
#include <asm/decode.h>
#include <asm/hvm_emul.h>
#include <asm/hvm_irq.h>
#include <asm/svm.h>
#include <asm/vlapic.h>
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include "svm/svm_internal.h"

/* #NPF EXITINFO1: the fault hit the guest's own page-table walk. */
#define NPF_IN_GUEST_WALK (1ull << 33)

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/* ---- nothing behind the address ---- */

static uint64_t unbacked_read(struct vcpu *v, uint64_t gpa, unsigned size)
{
    (void)v; (void)gpa;
    return size_mask(size);
}

/* ---- the xAPIC page: decoded only in xAPIC mode (not while disabled
 * nor in x2APIC mode, where the MSRs replace it: SDM 11.12.1.2) ---- */

static uint64_t apic_read(struct vcpu *v, uint64_t gpa, unsigned size)
{
    return vlapic_mmio_read(v, gpa & 0xfff, size);
}

static void apic_write(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val)
{
    vlapic_mmio_write(v, gpa & 0xfff, size, val);
}

static const struct hvm_mmio_device apic = { "APIC", apic_read, apic_write };

/* Each vCPU's xAPIC page sits at its own IA32_APIC_BASE, in xAPIC mode. */
static bool apic_located(struct vcpu *v, uint64_t *base)
{
    *base = v->arch.msr.apic_base;
    return vlapic_mmio_decoded(v);
}

/* ---- the address -> device table ---- */

struct mmio_range {
    uint64_t base, len;
    /* For a range that moves (per vCPU): where it is now, false if absent. */
    bool (*located)(struct vcpu *v, uint64_t *base);
    const struct hvm_mmio_device *dev;
};

/* ---- the I/O APIC window (hvm/irq.c, hvm/vioapic.c) ---- */

static const struct hvm_mmio_device ioapic = { "IOAPIC", hvm_vioapic_read, hvm_vioapic_write };

static const struct mmio_range mmio_ranges[] = {
    { VLAPIC_BASE, 0x1000, apic_located, &apic },
    { VIOAPIC_BASE, 0x1000, NULL, &ioapic },
};

const struct hvm_mmio_device *hvm_mmio_device_at(struct vcpu *v, uint64_t gpa)
{
    if (gpa < v->domain->mem_bytes)
        return NULL;                    /* RAM shadows a device moved onto it */
    for (size_t i = 0; i < ARRAY_SIZE(mmio_ranges); i++) {
        const struct mmio_range *r = &mmio_ranges[i];
        uint64_t base = r->base;

        if (r->located && !r->located(v, &base))
            continue;
        if (gpa - base < r->len)
            return r->dev;
    }
    return NULL;
}

/* ---- the bus: RAM first (a device in RAM would not exit), then devices ---- */

uint64_t hvm_bus_read(struct vcpu *v, uint64_t gpa, unsigned size)
{
    const struct hvm_mmio_device *dev;
    uint64_t val = 0;

    if (domain_read_gpa(v->domain, gpa, &val, size) == 0)
        return val;
    dev = hvm_mmio_device_at(v, gpa);
    return dev ? dev->read(v, gpa, size) & size_mask(size) : unbacked_read(v, gpa, size);
}

void hvm_bus_write(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val)
{
    const struct hvm_mmio_device *dev;

    if (domain_write_gpa(v->domain, gpa, &val, size) == 0)
        return;
    dev = hvm_mmio_device_at(v, gpa);
    if (dev)
        dev->write(v, gpa, size, val & size_mask(size));
}

enum vcpu_run_result hvm_mmio_access(struct vcpu *v, uint64_t gpa, uint64_t err,
                                     const struct hvm_mmio_device *dev)
{
    if (err & NPF_IN_GUEST_WALK)
        return hvm_emulate_walk_fault(v, gpa);     /* page tables in a device's page */
    return hvm_emulate_insn(v, gpa, dev->name);
}

static const char *access_name(uint64_t err)
{
    return (err & SVM_NPF_FETCH) ? "fetch" : (err & SVM_NPF_WRITE) ? "write" : "read";
}

enum vcpu_run_result hvm_unbacked_access(struct vcpu *v, uint64_t gpa, uint64_t err)
{
    struct domain *d = v->domain;
    uint64_t rip = v->arch.vmcb->save.rip;

    if (gpa < d->mem_bytes || d->unbacked_access == DBGV_UNBACKED_CRASH) {
        domain_crash(d, "%s of unmapped guest-physical address %#llx at rip %#llx",
                     access_name(err), (unsigned long long)gpa, (unsigned long long)rip);
        return RUN_RESCHEDULE;
    }
    if (__atomic_fetch_add(&d->unbacked_accesses, 1, __ATOMIC_RELAXED) == 0)
        printk("domain %u (%s): %s of unmapped guest-physical address %#llx at rip %#llx: "
               "reads give all-ones, writes are dropped (reported once)\n", d->id, d->name,
               access_name(err), (unsigned long long)gpa, (unsigned long long)rip);
    if (err & NPF_IN_GUEST_WALK)
        return hvm_emulate_walk_fault(v, gpa);     /* page tables read all-ones */
    if (err & SVM_NPF_FETCH) {
        /* Hardware would fetch FF FF, an invalid opcode (group 5, /7). */
        svm_inject_ud(v);
        return RUN_CONTINUE;
    }
    return hvm_emulate_insn(v, gpa, "unbacked");
}
