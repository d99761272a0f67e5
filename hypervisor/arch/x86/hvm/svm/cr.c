/*
 * Control-register writes: MOV to CR0/CR3/CR4, CLTS, LMSW and XSETBV exit here
 * (EFER writes go through msr.c), so that a value hardware would refuse
 * raises #GP(0) in the guest instead of reaching the VMCB, where VMRUN
 * would reject it (AMD APM vol. 2 15.5.1) and the domain would be lost.
 * MOV to CR8 exits too: CR8 is the APIC's TPR[7:4] (vlapic.c), a lowered TPR
 * must release a held-back vector at once, and QEMU TCG aborts when a guest
 * writes CR8 itself (V_TPR) while a virtual interrupt is requested (V_IRQ).
 * The checks follow the APM's MOV CRn / LMSW / CLTS / XSETBV pages and the
 * features CPUID offers the guest. TCG gives no decode assists, so the
 * instruction is decoded from guest memory.
 */
#include <asm/decode.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/vlapic.h>
#include <asm/x86.h>
#include <asm/xstate.h>
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include "svm_internal.h"
#include "cr.h"

#define CR0_MP  (1ull << 1)
#define CR0_EM  (1ull << 2)
#define CR0_TS  (1ull << 3)
#define CR0_NE  (1ull << 5)
#define CR0_WP  (1ull << 16)
#define CR0_AM  (1ull << 18)
#define CR0_NW  (1ull << 29)
#define CR0_CD  (1ull << 30)
/* Bits 31:0 software may set; writes to the other low bits are ignored. */
#define CR0_WRITABLE (X86_CR0_PE | CR0_MP | CR0_EM | CR0_TS | X86_CR0_ET | CR0_NE | \
                      CR0_WP | CR0_AM | CR0_NW | CR0_CD | X86_CR0_PG)
#define CR4_PCIDE   (1ull << 17)
#define CR4_LA57    (1ull << 12)
#define CR4_OSXSAVE (1ull << 18)
#define CS_L (1u << 9)

/* ---- decoding the few instructions that write CR0/CR4/XCR0 ---- */

enum cr_insn { CR_INSN_MOV, CR_INSN_CLTS, CR_INSN_LMSW, CR_INSN_XSETBV };

struct cr_decoded {
    enum cr_insn kind;
    unsigned len;
    unsigned cr;            /* MOV: control register number */
    unsigned gpr;           /* MOV, LMSW register form: source register */
    bool mem;               /* LMSW from memory at `linear` */
    uint64_t linear;
};

static uint64_t seg_base(struct vcpu *v, int seg_override, bool stack)
{
    struct vmcb_save *s = &v->arch.vmcb->save;
    const struct vmcb_seg *segs[6] = { &s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs };
    int seg = seg_override >= 0 ? seg_override : stack ? 2 : 3;

    if (guest_cpu_mode(v) == X86_MODE_LONG64 && seg < 4)
        return 0;
    return segs[seg]->base;
}

/* The memory operand of ModRM at b[i...]: linear address, bytes used. */
static int modrm_address(struct vcpu *v, const uint8_t *b, unsigned n, unsigned i, unsigned rex,
                         unsigned addr_size, int seg, uint64_t *linear, unsigned *used)
{
    const uint64_t *gpr = v->arch.gpr;
    unsigned modrm = b[i], mod = modrm >> 6, rm = modrm & 7, at = i + 1;
    uint64_t ea = 0;
    bool stack = false, rip_rel = false;

    if (addr_size == 2) {
        static const uint8_t base16[8][2] = { {3, 6}, {3, 7}, {5, 6}, {5, 7}, {6, 8}, {7, 8}, {5, 8}, {3, 8} };
        if (mod == 0 && rm == 6) {
            if (at + 2 > n) return -1;
            ea = b[at] | (b[at + 1] << 8);
            at += 2;
        } else {
            ea = gpr[base16[rm][0]] + (base16[rm][1] < 8 ? gpr[base16[rm][1]] : 0);
            stack = rm == 2 || rm == 3 || rm == 6;
            if (mod == 1) { if (at + 1 > n) return -1; ea += (int8_t)b[at++]; }
            if (mod == 2) { if (at + 2 > n) return -1; ea += b[at] | (b[at + 1] << 8); at += 2; }
        }
        ea &= 0xffff;
    } else {
        unsigned base = rm | ((rex & 1) << 3);
        if (rm == 4) {                                 /* SIB */
            if (at + 1 > n) return -1;
            unsigned sib = b[at++], idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
            base = (sib & 7) | ((rex & 1) << 3);
            if (idx != 4)
                ea += gpr[idx] << (sib >> 6);
            if ((sib & 7) == 5 && mod == 0) {
                if (at + 4 > n) return -1;
                ea += (int32_t)(b[at] | b[at + 1] << 8 | b[at + 2] << 16 | (uint32_t)b[at + 3] << 24);
                at += 4;
                base = 16;
            }
        } else if (rm == 5 && mod == 0) {
            base = 16;
            rip_rel = addr_size == 8 || guest_cpu_mode(v) == X86_MODE_LONG64;
            if (at + 4 > n) return -1;
            ea += (int32_t)(b[at] | b[at + 1] << 8 | b[at + 2] << 16 | (uint32_t)b[at + 3] << 24);
            at += 4;
        }
        if (base < 16) {
            ea += gpr[base];
            stack = (base & 7) == 4 || (base & 7) == 5;
        }
        if (mod == 1) { if (at + 1 > n) return -1; ea += (int8_t)b[at++]; }
        if (mod == 2) {
            if (at + 4 > n) return -1;
            ea += (int32_t)(b[at] | b[at + 1] << 8 | b[at + 2] << 16 | (uint32_t)b[at + 3] << 24);
            at += 4;
        }
        if (rip_rel)
            ea += v->arch.vmcb->save.rip + at;         /* next RIP: LMSW has no immediate */
        if (addr_size == 4)
            ea &= 0xffffffffull;
    }
    *linear = seg_base(v, seg, stack) + ea;
    if (guest_cpu_mode(v) != X86_MODE_LONG64)
        *linear &= 0xffffffffull;
    *used = at - i;
    return 0;
}

static int cr_decode(struct vcpu *v, struct cr_decoded *d)
{
    uint8_t b[X86_MAX_INSN_LEN];
    unsigned n = guest_fetch_insn(v, b, sizeof(b)), i = 0, rex = 0, used;
    enum x86_mode mode = (enum x86_mode)guest_cpu_mode(v);
    bool long64 = mode == X86_MODE_LONG64, addr_override = false;
    int seg = -1;

    for (; i < n; i++) {                       /* legacy prefixes */
        switch (b[i]) {
        case 0x26: seg = 0; continue;
        case 0x2e: seg = 1; continue;
        case 0x36: seg = 2; continue;
        case 0x3e: seg = 3; continue;
        case 0x64: seg = 4; continue;
        case 0x65: seg = 5; continue;
        case 0x67: addr_override = true; continue;
        case 0x66: case 0xf0: case 0xf2: case 0xf3: continue;
        }
        break;
    }
    if (long64 && i < n && (b[i] & 0xf0) == 0x40)
        rex = b[i++] & 0xf;
    if (i + 2 > n || b[i] != 0x0f)
        return -1;
    memset(d, 0, sizeof(*d));
    switch (b[i + 1]) {
    case 0x06:
        d->kind = CR_INSN_CLTS;
        d->len = i + 2;
        return 0;
    case 0x22:                                 /* MOV CRn, reg: always a register form */
        if (i + 3 > n)
            return -1;
        d->kind = CR_INSN_MOV;
        d->cr = ((b[i + 2] >> 3) & 7) | ((rex & 4) << 1);
        d->gpr = (b[i + 2] & 7) | ((rex & 1) << 3);
        d->len = i + 3;
        return 0;
    case 0x01:
        if (i + 3 > n)
            return -1;
        if (b[i + 2] == 0xd1) {
            d->kind = CR_INSN_XSETBV;
            d->len = i + 3;
            return 0;
        }
        if (((b[i + 2] >> 3) & 7) != 6)
            return -1;
        d->kind = CR_INSN_LMSW;
        if ((b[i + 2] >> 6) == 3) {
            d->gpr = (b[i + 2] & 7) | ((rex & 1) << 3);
            d->len = i + 3;
            return 0;
        }
        unsigned addr_size = long64 ? (addr_override ? 4 : 8)
                           : (mode == X86_MODE_PROT32) != addr_override ? 4 : 2;
        if (modrm_address(v, b, n, i + 2, rex, addr_size, seg, &d->linear, &used) < 0)
            return -1;
        d->mem = true;
        d->len = i + 2 + used;
        return 0;
    }
    return -1;
}

/* ---- the architectural checks ---- */

static bool long_mode_active(const struct vmcb_save *s) { return s->efer & EFER_LMA; }
static bool code_64bit(const struct vmcb_save *s) { return long_mode_active(s) && (s->cs.attrib & CS_L); }
static unsigned guest_cpl(const struct vmcb_save *s)
{
    return (s->rflags & X86_EFLAGS_VM) ? 3 : s->cpl;
}

/* CR4 bits the guest may set: those whose feature CPUID offers it. */
static uint64_t cr4_valid_bits(struct vcpu *v)
{
    uint32_t l1[4], l7[4];
    uint64_t ok = (1u << 8) | (1u << 9) | (1u << 10);   /* PCE, OSFXSR, OSXMMEXCPT */

    hvm_cpuid(v, 1, 0, l1);
    hvm_cpuid(v, 7, 0, l7);
    ok |= (l1[3] & (1u << 1)) ? 3u : 0;                 /* VME, PVI */
    ok |= (l1[3] & (1u << 4)) ? 1u << 2 : 0;            /* TSD */
    ok |= (l1[3] & (1u << 2)) ? 1u << 3 : 0;            /* DE */
    ok |= (l1[3] & (1u << 3)) ? 1u << 4 : 0;            /* PSE */
    ok |= (l1[3] & (1u << 6)) ? 1u << 5 : 0;            /* PAE */
    ok |= (l1[3] & (1u << 7)) ? 1u << 6 : 0;            /* MCE */
    ok |= (l1[3] & (1u << 13)) ? 1u << 7 : 0;           /* PGE */
    ok |= (l7[2] & (1u << 2)) ? 1u << 11 : 0;           /* UMIP */
    ok |= (l7[2] & (1u << 16)) ? CR4_LA57 : 0;
    ok |= (l7[1] & (1u << 0)) ? 1u << 16 : 0;           /* FSGSBASE */
    ok |= (l1[2] & (1u << 17)) ? CR4_PCIDE : 0;
    ok |= (l1[2] & (1u << 26)) ? CR4_OSXSAVE : 0;
    ok |= (l7[1] & (1u << 7)) ? 1u << 20 : 0;           /* SMEP */
    ok |= (l7[1] & (1u << 20)) ? 1u << 21 : 0;          /* SMAP */
    ok |= (l7[2] & (1u << 3)) ? 1u << 22 : 0;           /* PKE */
    return ok;
}

/* 0 and the new CR0 in *val, or the vector to raise. */
static int check_cr0(struct vcpu *v, uint64_t *val)
{
    struct vmcb_save *s = &v->arch.vmcb->save;
    uint64_t new = *val, old = s->cr0;

    if (new >> 32)
        return X86_EXC_GP;
    if ((new & CR0_NW) && !(new & CR0_CD))
        return X86_EXC_GP;
    if ((new & X86_CR0_PG) && !(new & X86_CR0_PE))
        return X86_EXC_GP;
    if ((new & X86_CR0_PG) && !(old & X86_CR0_PG) && (s->efer & EFER_LME) && !(s->cr4 & X86_CR4_PAE))
        return X86_EXC_GP;                  /* long mode needs PAE paging */
    if (!(new & X86_CR0_PG) && (old & X86_CR0_PG)) {
        if (code_64bit(s))
            return X86_EXC_GP;              /* long mode is left from compatibility mode only */
        if (s->cr4 & CR4_PCIDE)
            return X86_EXC_GP;
    }
    *val = (new & CR0_WRITABLE) | X86_CR0_ET;
    return 0;
}

static int check_cr4(struct vcpu *v, uint64_t new)
{
    struct vmcb_save *s = &v->arch.vmcb->save;

    if (new & ~cr4_valid_bits(v))
        return X86_EXC_GP;
    if (long_mode_active(s) && !(new & X86_CR4_PAE))
        return X86_EXC_GP;
    if ((new & CR4_PCIDE) && !(s->cr4 & CR4_PCIDE) && (!long_mode_active(s) || (s->cr3 & 0xfff)))
        return X86_EXC_GP;
    if (long_mode_active(s) && ((new ^ s->cr4) & CR4_LA57))
        return X86_EXC_GP;
    return 0;
}

/* Long mode: bits above the guest's MAXPHYADDR are MBZ; with CR4.PCIDE,
 * bit 63 asks not to flush the TLB and is not stored. */
static int check_cr3(struct vcpu *v, uint64_t *val, bool *flush)
{
    struct vmcb_save *s = &v->arch.vmcb->save;
    uint32_t addr[4];

    *flush = true;
    if (!long_mode_active(s))
        return 0;
    if ((s->cr4 & CR4_PCIDE) && (*val >> 63)) {
        *val &= ~(1ull << 63);
        *flush = false;
    }
    hvm_cpuid(v, 0x80000008, 0, addr);
    if (*val >> (addr[0] & 0xff))
        return X86_EXC_GP;
    return 0;
}

static void commit_cr0(struct vcpu *v, uint64_t new)
{
    struct vmcb_save *s = &v->arch.vmcb->save;

    /* The processor sets EFER.LMA when paging turns on with LME, and
     * clears it when paging turns off. */
    if ((new & X86_CR0_PG) && (s->efer & EFER_LME))
        s->efer |= EFER_LMA;
    else if (!(new & X86_CR0_PG))
        s->efer &= ~(uint64_t)EFER_LMA;
    if ((new ^ s->cr0) & (X86_CR0_PG | X86_CR0_PE | CR0_WP | CR0_CD | CR0_NW))
        v->arch.flush_tlb = true;
    s->cr0 = new;
}

/* ---- exit handlers ---- */

static enum vcpu_run_result raise(struct vcpu *v, int vector)
{
    if (vector == X86_EXC_GP)
        svm_inject_gp(v);
    else
        svm_inject_ud(v);
    return RUN_CONTINUE;
}

static enum vcpu_run_result fetch_failed(struct vcpu *v, const char *what)
{
    domain_crash(v->domain, "cannot decode the %s at rip %#llx", what,
                 (unsigned long long)v->arch.vmcb->save.rip);
    return RUN_RESCHEDULE;
}

enum vcpu_run_result svm_handle_cr_write(struct vcpu *v, unsigned cr)
{
    struct vmcb_save *s = &v->arch.vmcb->save;
    bool long64 = guest_cpu_mode(v) == X86_MODE_LONG64;
    struct cr_decoded d;
    uint64_t val;
    int vec;

    if (cr_decode(v, &d) < 0 || d.kind == CR_INSN_XSETBV)
        return fetch_failed(v, "control-register write");
    if ((d.kind == CR_INSN_MOV ? d.cr : 0) != cr)
        return RUN_CONTINUE;               /* the code changed under us: run it again */
    if (guest_cpl(s) != 0)
        return raise(v, X86_EXC_GP);
    switch (d.kind) {
    case CR_INSN_MOV:
        val = long64 ? v->arch.gpr[d.gpr] : (uint32_t)v->arch.gpr[d.gpr];
        break;
    case CR_INSN_CLTS:
        val = s->cr0 & ~CR0_TS;
        break;
    default: {                             /* LMSW: PE can be set, not cleared */
        uint16_t msw;
        if (!d.mem)
            msw = (uint16_t)v->arch.gpr[d.gpr];
        else if (!guest_access_linear(v, X86_SEG_NONE, d.linear, &msw, 2, GA_READ))
            return RUN_CONTINUE;           /* #PF injected; RAM or a device (MMIO) */
        val = (s->cr0 & ~0xeull) | (msw & 0xf) | (s->cr0 & X86_CR0_PE);
        break;
    }
    }
    if (cr == 8) {
        if (val >> 4)
            return raise(v, X86_EXC_GP);   /* CR8 bits 63:4 are reserved */
        vlapic_cr8_written(v, (uint8_t)val);
    } else if (cr == 0) {
        vec = check_cr0(v, &val);
        if (vec)
            return raise(v, vec);
        commit_cr0(v, val);
    } else if (cr == 3) {
        bool flush;
        vec = check_cr3(v, &val, &flush);
        if (vec)
            return raise(v, vec);
        v->arch.flush_tlb |= flush;
        s->cr3 = val;
    } else {
        vec = check_cr4(v, val);
        if (vec)
            return raise(v, vec);
        if (val != s->cr4)
            v->arch.flush_tlb = true;
        s->cr4 = val;
    }
    svm_skip_instruction(v, d.len);
    return RUN_CONTINUE;
}

enum vcpu_run_result svm_handle_xsetbv(struct vcpu *v)
{
    struct vmcb_save *s = &v->arch.vmcb->save;
    struct cr_decoded d;
    uint64_t val = (v->arch.gpr[GPR_RDX] << 32) | (uint32_t)v->arch.gpr[GPR_RAX];
    int vec;

    if (!(s->cr4 & CR4_OSXSAVE) || !xstate_has_xsave())
        return raise(v, X86_EXC_UD);
    if (guest_cpl(s) != 0)
        return raise(v, X86_EXC_GP);
    if (cr_decode(v, &d) < 0 || d.kind != CR_INSN_XSETBV)
        return fetch_failed(v, "XSETBV");
    vec = xstate_set_xcr(v, (uint32_t)v->arch.gpr[GPR_RCX], val);
    if (vec)
        return raise(v, vec);
    svm_skip_instruction(v, d.len);
    return RUN_CONTINUE;
}
