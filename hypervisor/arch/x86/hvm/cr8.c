/*
 * MOV to CR8 (64-bit mode): CR8 is the local APIC's TPR[7:4]. The write is
 * intercepted rather than left to V_TPR because QEMU TCG aborts when a guest
 * writes CR8 while a virtual interrupt is requested (V_IRQ), and because a
 * lowered TPR must release a held-back vector at once. TCG gives no decode
 * assists: the source register comes from the instruction bytes.
 */
#include <asm/decode.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/vlapic.h>
#include <dbgvisor/domain.h>
#include "svm/svm_internal.h"

static bool is_legacy_prefix(uint8_t b)
{
    return b == 0x66 || b == 0x67 || b == 0xf2 || b == 0xf3 || b == 0x2e || b == 0x36 ||
           b == 0x3e || b == 0x26 || b == 0x64 || b == 0x65;
}

enum vcpu_run_result hvm_cr8_write(struct vcpu *v)
{
    uint8_t b[15];
    unsigned n = guest_fetch_insn(v, b, sizeof(b)), i = 0, rex = 0;
    uint64_t val;

    while (i < n && is_legacy_prefix(b[i]))
        i++;
    if (i < n && (b[i] & 0xf0) == 0x40 && guest_cpu_mode(v) == X86_MODE_LONG64)
        rex = b[i++];
    /* 0F 22 /r: the ModRM reg field (with REX.R) names CR8, rm the source. */
    if (i + 3 > n || b[i] != 0x0f || b[i + 1] != 0x22 ||
        (((b[i + 2] >> 3) & 7) | ((rex & 4) << 1)) != 8) {
        domain_crash(v->domain, "cannot decode the CR8 write at rip %#llx",
                     (unsigned long long)v->arch.vmcb->save.rip);
        return RUN_RESCHEDULE;
    }
    val = v->arch.gpr[(b[i + 2] & 7) | ((rex & 1) << 3)];
    if (val >> 4) {
        svm_inject_gp(v);             /* bits 63:4 are reserved */
        return RUN_CONTINUE;
    }
    vlapic_cr8_written(v, (uint8_t)val);
    svm_skip_instruction(v, i + 3);
    return RUN_CONTINUE;
}
