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
 * page tables for the memory operand itself, as a data access at the CPL
 * (INS a write, OUTS a read): the page's rights are checked (#PF with the
 * hardware's error code) and its Accessed/Dirty bits set. REP instructions are restartable, so a long REP
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
    unsigned seg = in ? X86_SEG_ES : insn.seg;
    int64_t step = (s->rflags & X86_EFLAGS_DF) ? -(int64_t)size : (int64_t)size;
    uint64_t count = rep ? (v->arch.gpr[GPR_RCX] & amask) : 1;
    unsigned chunk = (unsigned)MIN(count, (uint64_t)CHUNK_MAX);

    for (unsigned i = 0; i < chunk; i++) {
        uint64_t off = v->arch.gpr[ptr] & amask;
        uint32_t val = 0;

        if (in) {
            val = hvm_io_read(v, port, size);
            if (!guest_access_linear(v, seg, off, &val, size, GA_WRITE))
                return RUN_CONTINUE;       /* #PF: RCX/RDI say how far it got */
        } else {
            if (!guest_access_linear(v, seg, off, &val, size, GA_READ))
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
