/*
 * String port I/O (INS/OUTS, with or without REP). TCG gives no decode
 * assists, so the address size and OUTS's segment come from the instruction's
 * prefixes. Each element goes through the same port handlers as IN/OUT; the
 * registers advance by the element size (backwards with EFLAGS.DF). A page
 * that cannot be translated raises #PF with the registers left at that
 * element, as hardware leaves them when a REP string instruction faults.
 */
#include <asm/decode.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include "svm/svm_internal.h"

#define MAX_ELEMENTS_PER_EXIT 4096     /* then re-execute: interrupts get in */
#define PF_WRITE  (1u << 1)
#define PF_USER   (1u << 2)
#define EFLAGS_DF (1ull << 10)

struct string_insn {
    unsigned addr_bytes;               /* 2, 4 or 8 */
    const struct vmcb_seg *src_seg;    /* OUTS: DS unless overridden */
};

static void decode_prefixes(struct vcpu *v, struct string_insn *si)
{
    struct vmcb_save *s = &v->arch.vmcb->save;
    int mode = guest_cpu_mode(v);
    uint8_t b[15];
    unsigned n = guest_fetch_insn(v, b, sizeof(b));
    bool addr_override = false;

    si->src_seg = &s->ds;
    for (unsigned i = 0; i < n; i++) {
        switch (b[i]) {
        case 0x67: addr_override = true; continue;
        case 0x26: si->src_seg = &s->es; continue;
        case 0x2e: si->src_seg = &s->cs; continue;
        case 0x36: si->src_seg = &s->ss; continue;
        case 0x3e: si->src_seg = &s->ds; continue;
        case 0x64: si->src_seg = &s->fs; continue;
        case 0x65: si->src_seg = &s->gs; continue;
        case 0x66: case 0xf0: case 0xf2: case 0xf3: continue;
        }
        if (mode == X86_MODE_LONG64 && (b[i] & 0xf0) == 0x40)
            continue;                  /* REX */
        break;
    }
    if (mode == X86_MODE_LONG64)
        si->addr_bytes = addr_override ? 4 : 8;
    else if (mode == X86_MODE_PROT32)
        si->addr_bytes = addr_override ? 2 : 4;
    else
        si->addr_bytes = addr_override ? 4 : 2;
}

static uint64_t addr_mask(unsigned bytes)
{
    return bytes == 8 ? ~0ull : (1ull << (bytes * 8)) - 1;
}

/* Segment base + offset; in 64-bit mode only FS and GS have a base. */
static uint64_t linear(struct vcpu *v, const struct vmcb_seg *seg, uint64_t off)
{
    struct vmcb_save *s = &v->arch.vmcb->save;

    if (guest_cpu_mode(v) == X86_MODE_LONG64)
        return (seg == &s->fs || seg == &s->gs) ? seg->base + off : off;
    return (uint32_t)(seg->base + off);
}

static bool access_element(struct vcpu *v, uint64_t la, void *buf, unsigned size, bool write)
{
    uint8_t *p = buf;

    for (unsigned i = 0; i < size; i++) {   /* an element may straddle two pages */
        uint64_t gpa;
        if (guest_virt_to_phys(v, la + i, &gpa) != GW_OK)
            return false;
        if (write ? domain_write_gpa(v->domain, gpa, p + i, 1) : domain_read_gpa(v->domain, gpa, p + i, 1))
            return false;
    }
    return true;
}

static void page_fault(struct vcpu *v, uint64_t la, bool write)
{
    v->arch.vmcb->save.cr2 = la;
    svm_inject_exception(v, X86_EXC_PF, true,
                         (write ? PF_WRITE : 0) | (v->arch.vmcb->save.cpl == 3 ? PF_USER : 0));
}

enum vcpu_run_result hvm_io_string(struct vcpu *v, uint16_t port, unsigned size, bool in, bool rep)
{
    struct vmcb *vmcb = v->arch.vmcb;
    uint64_t *rsi = &v->arch.gpr[GPR_RSI], *rdi = &v->arch.gpr[GPR_RDI], *rcx = &v->arch.gpr[GPR_RCX];
    struct string_insn si;
    uint64_t mask, count, done;
    int64_t step = (vmcb->save.rflags & EFLAGS_DF) ? -(int64_t)size : (int64_t)size;

    decode_prefixes(v, &si);
    mask = addr_mask(si.addr_bytes);
    count = rep ? (*rcx & mask) : 1;
    for (done = 0; done < count && done < MAX_ELEMENTS_PER_EXIT; done++) {
        uint64_t *idx = in ? rdi : rsi;
        uint64_t la = in ? linear(v, &vmcb->save.es, *idx & mask) : linear(v, si.src_seg, *idx & mask);
        uint32_t val = 0;

        if (in) {
            val = hvm_io_read(v, port, size);
            if (!access_element(v, la, &val, size, true)) {
                page_fault(v, la, true);
                return RUN_CONTINUE;
            }
        } else {
            if (!access_element(v, la, &val, size, false)) {
                page_fault(v, la, false);
                return RUN_CONTINUE;
            }
            hvm_io_write(v, port, size, val);
        }
        *idx = (*idx & ~mask) | ((*idx + (uint64_t)step) & mask);
        if (rep)
            *rcx = (*rcx & ~mask) | ((*rcx - 1) & mask);
        if (domain_is_ended(v->domain))
            return RUN_RESCHEDULE;
    }
    if (done < count)
        return RUN_CONTINUE;           /* more to do: the same instruction runs again */
    /* EXITINFO2 holds the next RIP for IOIO exits even without NRIPS. */
    svm_skip_instruction(v, (unsigned)(vmcb->control.exitinfo2 - vmcb->save.rip));
    return RUN_CONTINUE;
}
