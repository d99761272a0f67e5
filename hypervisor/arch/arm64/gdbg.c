/*
 * Guest debugging from the host on arm64: the arch hooks of
 * common/guest_debug.c (dbgvisor/guest_debug.h). The vCPU is paused and off
 * every pCPU when these run, so its state is the saved one: x0-x30, PC and
 * PSTATE in arch.regs, the stack pointers in the EL1 context, the V
 * registers as the low 128 bits of the saved Z registers (fpsimd.c).
 * Host breakpoints need nothing re-armed here: the debug core composes them
 * into the pairs at the next entry (vdebug.c, debug_host.c); one the free
 * pairs cannot hold is left out (there is no stage-2 emulation on arm64).
 */
#include <dbgvisor/domain.h>
#include <dbgvisor/guest_debug.h>
#include <dbgvisor/lib.h>
#include <asm/el1_context.h>
#include <asm/sysreg.h>

#define PSR_M_MASK      0x1fULL        /* M[4:0]: nRW and the mode */
#define PSR_M_EL0T      0x0
#define PSR_M_EL1T      0x4
#define PSR_M_EL1H      0x5
/* PSTATE bits a debugger may set: NZCV, DAIF, SS, IL, PAN, UAO, DIT, TCO, SSBS, BTYPE. */
#define PSR_WRITABLE    (0xf0000000ULL | 0x3c0ULL | (1ULL << 21) | (1ULL << 20) | \
                         (1ULL << 22) | (1ULL << 23) | (1ULL << 24) | (1ULL << 25) | \
                         (1ULL << 12) | (3ULL << 10) | PSR_M_MASK)

static uint64_t *stack_pointer(struct vcpu *v)
{
    unsigned m = (unsigned)(v->arch.regs.spsr & PSR_M_MASK);

    return &v->arch.el1.reg[m == PSR_M_EL1H ? EL1_sp_el1 : EL1_sp_el0];
}

static uint8_t *vreg(struct vcpu *v, unsigned n)
{
    uint64_t vl = v->arch.fp.vl ? v->arch.fp.vl : 16;

    return v->arch.fp.z + n * vl;
}

void arch_gdbg_reset(struct vcpu *v) { }
void arch_gdbg_bps_changed(struct vcpu *v) { }

void arch_gdbg_get_regs_arm64(struct vcpu *v, struct dbgv_gdbg_regs_arm64 *out)
{
    unsigned n;

    memcpy(out->x, v->arch.regs.x, sizeof(out->x));
    out->sp = *stack_pointer(v);
    out->pc = v->arch.regs.elr;
    out->pstate = v->arch.regs.spsr;
    out->fpsr = (uint32_t)v->arch.fp.fpsr;
    out->fpcr = (uint32_t)v->arch.fp.fpcr;
    for (n = 0; n < 32; n++)
        memcpy(out->v[n], vreg(v, n), sizeof(out->v[n]));
}

int arch_gdbg_set_regs_arm64(struct vcpu *v, uint64_t mask, uint32_t vmask,
                             const struct dbgv_gdbg_regs_arm64 *in)
{
    unsigned n;

    if (mask & DBGV_GDBG_A64_PSTATE) {
        uint64_t m = in->pstate & PSR_M_MASK;
        if ((in->pstate & ~PSR_WRITABLE) || (m != PSR_M_EL0T && m != PSR_M_EL1T && m != PSR_M_EL1H))
            return -1;
    }
    for (n = 0; n < 31; n++)
        if (mask & (1ULL << n))
            v->arch.regs.x[n] = in->x[n];
    if (mask & DBGV_GDBG_A64_PC)
        v->arch.regs.elr = in->pc;
    if (mask & DBGV_GDBG_A64_PSTATE)
        v->arch.regs.spsr = in->pstate;
    if (mask & DBGV_GDBG_A64_SP)        /* the stack pointer of the (new) mode */
        *stack_pointer(v) = in->sp;
    if (mask & DBGV_GDBG_A64_FPSR)
        v->arch.fp.fpsr = in->fpsr;
    if (mask & DBGV_GDBG_A64_FPCR)
        v->arch.fp.fpcr = in->fpcr;
    for (n = 0; n < 32; n++)
        if (vmask & (1u << n))
            memcpy(vreg(v, n), in->v[n], sizeof(in->v[n]));
    return 0;
}

/* Stage 1 of the guest's EL1&0 regime, 4 KiB granule (what the guest library and
 * Linux use); MMU off: virtual = physical. Descriptors are read from guest memory. */
#define SCTLR_M         1ULL
#define TCR_TG0(t)      (((t) >> 14) & 3)      /* 0: 4 KiB */
#define TCR_TG1(t)      (((t) >> 30) & 3)      /* 2: 4 KiB */
#define DESC_VALID      1ULL
#define DESC_TABLE      2ULL
#define DESC_ADDR(d)    ((d) & 0x0000fffffffff000ULL)

int arch_gdbg_virt_to_phys(struct vcpu *v, uint64_t gva, uint64_t *gpa)
{
    const uint64_t *el1 = v->arch.el1.reg;
    uint64_t tcr = el1[EL1_tcr_el1], table, desc;
    bool upper = (gva >> 55) & 1;
    unsigned tsz = (unsigned)(upper ? (tcr >> 16) : tcr) & 0x3f, bits, level;

    if (!(el1[EL1_sctlr_el1] & SCTLR_M)) {
        *gpa = gva;
        return 0;
    }
    if ((upper ? TCR_TG1(tcr) != 2 : TCR_TG0(tcr) != 0) || tsz < 16 || tsz > 39)
        return -1;
    bits = 64 - tsz;
    if (upper ? (gva >> bits) != (~0ULL >> bits) : (gva >> bits) != 0)
        return -1;
    table = DESC_ADDR(upper ? el1[EL1_ttbr1_el1] : el1[EL1_ttbr0_el1]);
    for (level = 4 - (bits - 12 + 8) / 9; level <= 3; level++) {
        unsigned shift = 12 + 9 * (3 - level);
        uint64_t index = (gva >> shift) & 0x1ff;

        if (domain_read_gpa(v->domain, table + index * 8, &desc, sizeof(desc)) < 0 ||
            !(desc & DESC_VALID))
            return -1;
        if (level == 3 || !(desc & DESC_TABLE)) {
            if (level == 3 ? !(desc & DESC_TABLE) : level == 0)
                return -1;          /* reserved encodings */
            *gpa = (DESC_ADDR(desc) & ~((1ULL << shift) - 1)) | (gva & ((1ULL << shift) - 1));
            return 0;
        }
        table = DESC_ADDR(desc);
    }
    return -1;
}
