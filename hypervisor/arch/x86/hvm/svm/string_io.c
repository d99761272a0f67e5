/*
 * String port I/O (INS/OUTS, with or without REP) for the IOIO intercept.
 * SVM reports the port, width, address size and segment; the hypervisor
 * walks the guest's memory operand itself. REP instructions are
 * restartable, so a long REP is done in bounded chunks: RCX, RSI/RDI move
 * on, RIP stays, and the guest re-executes the rest after the exit (the
 * scheduler and interrupts get their turn in between, as on hardware).
 */
#include <asm/hvm_emul.h>
#include <asm/decode.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include "svm_internal.h"

#define IOIO_A16        (1u << 7)
#define IOIO_A32        (1u << 8)
#define IOIO_SEG_SHIFT  10
#define CHUNK_MAX       1024u
#define PF_WRITE        (1u << 1)
#define PF_USER         (1u << 2)

static struct vmcb_seg *ioio_segment(struct vmcb_save *s, unsigned seg)
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
    uint64_t amask = (info & IOIO_A16) ? 0xffff : (info & IOIO_A32) ? 0xffffffff : ~0ull;
    unsigned ptr = in ? GPR_RDI : GPR_RSI;
    struct vmcb_seg *seg = in ? &s->es : ioio_segment(s, (info >> IOIO_SEG_SHIFT) & 7);
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
