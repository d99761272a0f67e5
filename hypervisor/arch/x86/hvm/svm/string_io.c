/*
 * String port I/O (INS/OUTS, with or without REP) for the IOIO intercept.
 * SVM reports the port, width and REP; the address size and OUTS's source
 * segment are reported only with decode assists, which QEMU TCG lacks (it
 * leaves those bits 0, i.e. "ES"). So the instruction is decoded here: the
 * last segment-override prefix picks OUTS's source (DS by default; CS, SS,
 * ES, FS, GS as named; the ES/CS/SS/DS ones are ignored in 64-bit code),
 * INS always writes ES:rDI, and 0x67 and the code size give the address
 * size. If the bytes at RIP are no longer an INS/OUTS (another vCPU
 * rewrote them), the guest re-executes what is there now. Segment limits,
 * access rights and null selectors are not checked: hardware would raise
 * #GP/#SS, but QEMU TCG, the CPU every other instruction of the guest runs
 * on, does not check them for data accesses, so checking here alone would
 * make an emulated OUTS fault where the same access elsewhere (and the
 * same guest on bare QEMU) does not. The hypervisor walks the guest's
 * memory operand itself. REP instructions are restartable, so a long REP
 * is done in bounded chunks: RCX, RSI/RDI move on, RIP stays, and the guest re-executes the rest after the exit (the
 * scheduler and interrupts get their turn in between, as on hardware).
 */
#include <asm/hvm_emul.h>
#include <asm/decode.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include "svm_internal.h"

#define CHUNK_MAX       1024u
#define PF_WRITE        (1u << 1)
#define PF_USER         (1u << 2)

static struct vmcb_seg *segment(struct vmcb_save *s, unsigned seg)
{
    struct vmcb_seg *segs[] = { &s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs };
    return seg < ARRAY_SIZE(segs) ? segs[seg] : &s->ds;
}

/* Linear address of seg:offset: segment bases count outside 64-bit code,
 * and for FS/GS inside it. */
static uint64_t linear(struct vcpu *v, const struct vmcb_seg *seg, uint64_t off)
{
    struct vmcb_save *s = &v->arch.vmcb->save;
    bool long64 = guest_cpu_mode(v) == X86_MODE_LONG64;

    if (!long64)
        return (seg->base + off) & 0xffffffffull;
    return (seg == &s->fs || seg == &s->gs) ? seg->base + off : off;
}

static bool access_guest(struct vcpu *v, uint64_t gla, void *buf, unsigned size, bool write)
{
    struct vmcb_save *s = &v->arch.vmcb->save;
    uint64_t gpa;

    if (guest_virt_to_phys(v, gla, &gpa) != GW_OK) {
        s->cr2 = gla;
        svm_inject_exception(v, X86_EXC_PF, true,
                             (write ? PF_WRITE : 0) | (s->cpl == 3 ? PF_USER : 0));
        return false;
    }
    /* Nothing behind the address: writes are dropped, reads give all-ones. */
    if (write)
        domain_write_gpa(v->domain, gpa, buf, size);
    else if (domain_read_gpa(v->domain, gpa, buf, size))
        memset(buf, 0xff, size);
    return true;
}

enum vcpu_run_result svm_string_io(struct vcpu *v, uint32_t info)
{
    struct vmcb *vmcb = v->arch.vmcb;
    struct vmcb_save *s = &vmcb->save;
    uint16_t port = info >> SVM_IOIO_PORT_SHIFT;
    unsigned size = (info >> SVM_IOIO_SIZE_SHIFT) & 7;
    bool in = info & SVM_IOIO_IN, rep = info & SVM_IOIO_REP;
    uint8_t bytes[X86_MAX_INSN_LEN];
    struct x86_insn insn;
    unsigned n = guest_fetch_insn(v, bytes, sizeof(bytes));

    if (x86_decode(bytes, n, (enum x86_mode)guest_cpu_mode(v), &insn) < 0 ||
        insn.kind != (in ? X86_INSN_INS : X86_INSN_OUTS) || insn.size != size)
        return guest_insn_changed(v, n, "string I/O");

    uint64_t amask = insn.addr_size == 2 ? 0xffff : insn.addr_size == 4 ? 0xffffffff : ~0ull;
    unsigned ptr = in ? GPR_RDI : GPR_RSI;
    struct vmcb_seg *seg = in ? &s->es : segment(s, insn.seg);
    int64_t step = (s->rflags & X86_EFLAGS_DF) ? -(int64_t)size : (int64_t)size;
    uint64_t count = rep ? (v->arch.gpr[GPR_RCX] & amask) : 1;
    unsigned chunk = (unsigned)MIN(count, (uint64_t)CHUNK_MAX);

    for (unsigned i = 0; i < chunk; i++) {
        uint64_t off = v->arch.gpr[ptr] & amask;
        uint32_t val = 0;

        if (in) {
            val = hvm_io_read(v, port, size);
            if (!access_guest(v, linear(v, seg, off), &val, size, true))
                return RUN_CONTINUE;       /* #PF: RCX/RDI say how far it got */
        } else {
            if (!access_guest(v, linear(v, seg, off), &val, size, false))
                return RUN_CONTINUE;
            hvm_io_write(v, port, size, val);
        }
        v->arch.gpr[ptr] = (v->arch.gpr[ptr] & ~amask) | ((off + step) & amask);
        if (rep)
            v->arch.gpr[GPR_RCX] = (v->arch.gpr[GPR_RCX] & ~amask) |
                                   ((v->arch.gpr[GPR_RCX] - 1) & amask);
        if (domain_is_ended(v->domain))
            return RUN_RESCHEDULE;
    }
    if (chunk < count)
        return RUN_CONTINUE;               /* re-executes for the rest */
    svm_skip_instruction(v, (unsigned)(vmcb->control.exitinfo2 - s->rip));
    return RUN_CONTINUE;
}
