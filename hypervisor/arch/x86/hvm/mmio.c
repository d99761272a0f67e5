/*
 * Memory-mapped I/O emulation: a guest access to a guest-physical address
 * with no RAM behind it exits as #NPF; the faulting instruction is fetched
 * and decoded here (TCG offers no decode assists) and its one memory access
 * is handed to the device that owns the address: the xAPIC page, the I/O
 * APIC window, or the
 * "unbacked" device that stands for nothing at all (reads complete with
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

static uint64_t sign_extend(uint64_t val, unsigned size)
{
    unsigned shift = 64 - size * 8;
    return size >= 8 ? val : (uint64_t)((int64_t)(val << shift) >> shift);
}

static uint64_t *gpr_ref(struct vcpu *v, const struct x86_insn *insn, unsigned *shift)
{
    *shift = insn->gpr_high8 ? 8 : 0;
    return &v->arch.gpr[insn->gpr];
}

static void write_gpr(struct vcpu *v, const struct x86_insn *insn, uint64_t val, unsigned size)
{
    unsigned shift;
    uint64_t *r = gpr_ref(v, insn, &shift);

    if (size == 4)
        *r = (uint32_t)val;                /* 32-bit writes zero-extend */
    else
        *r = (*r & ~(size_mask(size) << shift)) | ((val & size_mask(size)) << shift);
}

/* The bytes at RIP are no access the emulator knows. Another vCPU may have
 * rewritten them since the #NPF (cross-modifying code): the first time the
 * guest re-executes what is there now. If the same RIP fails again, the
 * instruction really is one the emulator lacks. */
static bool retry_once(struct vcpu *v, unsigned fetched)
{
    uint64_t rip = v->arch.vmcb->save.rip;

    if (fetched == 0 || (v->arch.mmio_retry && v->arch.mmio_retry_rip == rip)) {
        v->arch.mmio_retry = false;
        return false;
    }
    v->arch.mmio_retry = true;
    v->arch.mmio_retry_rip = rip;
    return true;
}

enum vcpu_run_result hvm_mmio_emulate(struct vcpu *v, uint64_t gpa, const struct hvm_mmio_device *dev)
{
    uint8_t bytes[X86_MAX_INSN_LEN];
    struct x86_insn insn;
    unsigned n = guest_fetch_insn(v, bytes, sizeof(bytes));
    unsigned shift;

    if (x86_decode(bytes, n, (enum x86_mode)guest_cpu_mode(v), &insn) < 0) {
        if (retry_once(v, n))
            return guest_insn_changed(v, n, "MMIO access");
        domain_crash(v->domain, "cannot emulate %s access to %#llx at rip %#llx (bytes %02x %02x %02x)",
                     dev->name, (unsigned long long)gpa, (unsigned long long)v->arch.vmcb->save.rip,
                     bytes[0], bytes[1], bytes[2]);
        return RUN_RESCHEDULE;
    }
    switch (insn.kind) {
    case X86_INSN_MOV_STORE:
        dev->write(v, gpa, insn.size, (*gpr_ref(v, &insn, &shift) >> shift) & size_mask(insn.size));
        break;
    case X86_INSN_MOV_STORE_IMM:
        dev->write(v, gpa, insn.size, insn.imm & size_mask(insn.size));
        break;
    case X86_INSN_MOV_LOAD:
        write_gpr(v, &insn, dev->read(v, gpa, insn.size), insn.size);
        break;
    case X86_INSN_MOVZX_LOAD:
        write_gpr(v, &insn, dev->read(v, gpa, insn.src_size) & size_mask(insn.src_size), insn.size);
        break;
    case X86_INSN_MOVSX_LOAD:
        write_gpr(v, &insn, sign_extend(dev->read(v, gpa, insn.src_size) & size_mask(insn.src_size),
                                        insn.src_size), insn.size);
        break;
    default:
        if (retry_once(v, n))
            return guest_insn_changed(v, n, "MMIO access");
        domain_crash(v->domain, "unsupported instruction for %s access to %#llx at rip %#llx",
                     dev->name, (unsigned long long)gpa, (unsigned long long)v->arch.vmcb->save.rip);
        return RUN_RESCHEDULE;
    }
    v->arch.mmio_retry = false;
    if (domain_is_ended(v->domain))
        return RUN_RESCHEDULE;
    svm_skip_instruction(v, insn.len);
    return RUN_CONTINUE;
}

/* ---- nothing behind the address ---- */

static uint64_t unbacked_read(struct vcpu *v, uint64_t gpa, unsigned size)
{
    (void)v; (void)gpa;
    return size_mask(size);
}

static void unbacked_write(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val)
{
    (void)v; (void)gpa; (void)size; (void)val;
}

static const struct hvm_mmio_device unbacked = { "unbacked", unbacked_read, unbacked_write };

/* ---- the xAPIC page: decoded only while IA32_APIC_BASE.EN is set ---- */

static uint64_t apic_read(struct vcpu *v, uint64_t gpa, unsigned size)
{
    if (!vlapic_hw_enabled(v))
        return unbacked_read(v, gpa, size);
    return vlapic_mmio_read(v, gpa & 0xfff, size);
}

static void apic_write(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val)
{
    if (vlapic_hw_enabled(v))
        vlapic_mmio_write(v, gpa & 0xfff, size, val);
}

const struct hvm_mmio_device hvm_mmio_apic = { "APIC", apic_read, apic_write };

/* ---- the I/O APIC window (hvm/irq.c, hvm/vioapic.c) ---- */

const struct hvm_mmio_device hvm_mmio_ioapic = { "IOAPIC", hvm_vioapic_read, hvm_vioapic_write };

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
    if (err & NPF_IN_GUEST_WALK) {
        /* All-ones page-table entries would need a page walk emulated here. */
        domain_crash(d, "guest page tables at unmapped guest-physical address %#llx (rip %#llx)",
                     (unsigned long long)gpa, (unsigned long long)rip);
        return RUN_RESCHEDULE;
    }
    if (__atomic_fetch_add(&d->unbacked_accesses, 1, __ATOMIC_RELAXED) == 0)
        printk("domain %u (%s): %s of unmapped guest-physical address %#llx at rip %#llx: "
               "reads give all-ones, writes are dropped (reported once)\n", d->id, d->name,
               access_name(err), (unsigned long long)gpa, (unsigned long long)rip);
    if (err & SVM_NPF_FETCH) {
        /* Hardware would fetch FF FF, an invalid opcode (group 5, /7). */
        svm_inject_ud(v);
        return RUN_CONTINUE;
    }
    return hvm_mmio_emulate(v, gpa, &unbacked);
}
