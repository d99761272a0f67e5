/*
 * MMIO emulation for the xAPIC page. TCG offers no decode assists, so the
 * faulting instruction is fetched from the guest and decoded here.
 */
#include <asm/decode.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include "svm/svm_internal.h"

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
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

enum vcpu_run_result hvm_mmio_emulate(struct vcpu *v, uint64_t gpa)
{
    uint8_t bytes[15];
    struct x86_insn insn;
    unsigned n = guest_fetch_insn(v, bytes, sizeof(bytes));
    uint32_t offset = gpa & 0xfff;
    unsigned shift;

    if (x86_decode(bytes, n, (enum x86_mode)guest_cpu_mode(v), &insn) < 0) {
        domain_crash(v->domain, "cannot emulate APIC access at rip %#llx (bytes %02x %02x %02x)",
                     (unsigned long long)v->arch.vmcb->save.rip, bytes[0], bytes[1], bytes[2]);
        return RUN_RESCHEDULE;
    }
    switch (insn.kind) {
    case X86_INSN_MOV_STORE:
        vlapic_write(v, offset, (uint32_t)(*gpr_ref(v, &insn, &shift) >> shift));
        break;
    case X86_INSN_MOV_STORE_IMM:
        vlapic_write(v, offset, (uint32_t)insn.imm);
        break;
    case X86_INSN_MOV_LOAD:
        write_gpr(v, &insn, vlapic_read(v, offset), insn.size);
        break;
    case X86_INSN_MOVZX_LOAD:
        write_gpr(v, &insn, vlapic_read(v, offset) & size_mask(insn.src_size), insn.size);
        break;
    default:
        domain_crash(v->domain, "unsupported instruction for APIC access at rip %#llx",
                     (unsigned long long)v->arch.vmcb->save.rip);
        return RUN_RESCHEDULE;
    }
    svm_skip_instruction(v, insn.len);
    return RUN_CONTINUE;
}
