/*
 * x87 and MMX instructions whose memory operand is MMIO, by bouncing: the
 * operand is read from the device into a buffer, the host CPU runs the
 * same instruction on the buffer, and a store's buffer is then written to
 * the device. The guest's x87/MMX state is the one in the CPU while its
 * exits are handled (xstate.c loads it when the vCPU is put on the pCPU and
 * saves it when the vCPU leaves; the hypervisor never uses the x87), so the
 * instruction pushes, pops, converts, rounds and sets FSW/FTW exactly as on
 * the guest's processor. What could fault in the hypervisor is decided
 * first, as the processor would, and raised in the guest: CR0.EM or CR0.TS
 * #NM, a pending unmasked x87 exception (FSW.ES) #MF at this waiting
 * instruction. A new unmasked exception stays pending in FSW for the
 * guest's next waiting instruction, as on hardware, and a store whose
 * unmasked exception (other than precision) suppresses the write writes
 * nothing. FIP/FCS/FOP/FDP/FDS name the guest's instruction and operand,
 * not the hypervisor's.
 * Forms: FLD/FST/FSTP m32/m64/m80, FILD/FIST/FISTP/FISTTP m16/m32/m64,
 * FBLD/FBSTP, the arithmetic and compares with m32/m64 real and m16/m32
 * integer operands (D8 DA DC DE), FLDCW/FNSTCW/FNSTSW m16; MMX MOVD/MOVQ
 * loads and stores. FLDENV/FNSTENV/FRSTOR/FNSAVE are not emulated.
 */
#include <asm/decode.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <asm/xstate.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include "emulate_internal.h"

#define FSW_ES          0x80u           /* an unmasked exception is pending */
#define FSW_BUSY        0x8000u         /* B: a copy of ES */
#define MMX_OP          0x100u          /* host_run.op of the MMX moves */
#define MMX_QWORD       0x200u
#define FSW_SUPPRESSING 0x1fu           /* IE DE ZE OE UE: an unmasked one stops a store */


/* One form: the operand's bytes, whether it is stored, whether it is a
 * control instruction (no FIP/FDP update; FNSTCW/FNSTSW do not wait). */
struct x87_form {
    uint8_t size;
    bool store, control, nowait;
};

/* The form of opcode D8+op, ModRM.reg ext; size 0: not emulated. */
static struct x87_form x87_form(unsigned op, unsigned ext)
{
    static const uint8_t arith_size[8] = { 4, 0, 4, 0, 8, 0, 2, 0 };  /* D8 DA DC DE */
    struct x87_form f = { 0, false, false, false };

    if (!(op & 1)) {
        f.size = arith_size[op];
        return f;
    }
    switch ((op << 3) | ext) {
    case 0x08: f.size = 4; break;                               /* FLD m32 */
    case 0x0a: case 0x0b: f.size = 4; f.store = true; break;    /* FST(P) m32 */
    case 0x0d: f.size = 2; f.control = true; break;             /* FLDCW */
    case 0x0f: f.size = 2; f.store = f.control = f.nowait = true; break;  /* FNSTCW */
    case 0x18: f.size = 4; break;                               /* FILD m32 */
    case 0x19: case 0x1a: case 0x1b: f.size = 4; f.store = true; break;   /* FISTTP FIST(P) */
    case 0x1d: f.size = 10; break;                              /* FLD m80 */
    case 0x1f: f.size = 10; f.store = true; break;              /* FSTP m80 */
    case 0x28: f.size = 8; break;                               /* FLD m64 */
    case 0x29: f.size = 8; f.store = true; break;               /* FISTTP m64 */
    case 0x2a: case 0x2b: f.size = 8; f.store = true; break;    /* FST(P) m64 */
    case 0x2f: f.size = 2; f.store = f.control = f.nowait = true; break;  /* FNSTSW */
    case 0x38: f.size = 2; break;                               /* FILD m16 */
    case 0x39: case 0x3a: case 0x3b: f.size = 2; f.store = true; break;   /* FISTTP FIST(P) */
    case 0x3c: f.size = 10; break;                              /* FBLD */
    case 0x3d: f.size = 8; break;                               /* FILD m64 */
    case 0x3e: f.size = 10; f.store = true; break;              /* FBSTP */
    case 0x3f: f.size = 8; f.store = true; break;               /* FISTP m64 */
    }
    return f;
}

#define RUN(insn) __asm__ volatile(insn " %0" : "+m"(*(uint8_t (*)[10])buf))
#define ARITH(sfx) do { switch (ext) {                                                  \
        case 0: RUN("fadd" sfx); break;  case 1: RUN("fmul" sfx); break;                \
        case 2: RUN("fcom" sfx); break;  case 3: RUN("fcomp" sfx); break;               \
        case 4: RUN("fsub" sfx); break;  case 5: RUN("fsubr" sfx); break;               \
        case 6: RUN("fdiv" sfx); break;  default: RUN("fdivr" sfx); break; } } while (0)
#define IARITH(sfx) do { switch (ext) {                                                 \
        case 0: RUN("fiadd" sfx); break; case 1: RUN("fimul" sfx); break;               \
        case 2: RUN("ficom" sfx); break; case 3: RUN("ficomp" sfx); break;              \
        case 4: RUN("fisub" sfx); break; case 5: RUN("fisubr" sfx); break;              \
        case 6: RUN("fidiv" sfx); break; default: RUN("fidivr" sfx); break; } } while (0)

/* The guest's instruction, on the host, with its operand in buf. */
static void x87_execute(unsigned op, unsigned ext, uint8_t buf[10])
{
    switch (op) {
    case 0: ARITH("s"); return;
    case 2: IARITH("l"); return;
    case 4: ARITH("l"); return;
    case 6: IARITH("s"); return;
    }
    switch ((op << 3) | ext) {
    case 0x08: RUN("flds"); break;
    case 0x0a: RUN("fsts"); break;
    case 0x0b: RUN("fstps"); break;
    case 0x0d: RUN("fldcw"); break;
    case 0x0f: RUN("fnstcw"); break;
    case 0x18: RUN("fildl"); break;
    case 0x19: RUN("fisttpl"); break;
    case 0x1a: RUN("fistl"); break;
    case 0x1b: RUN("fistpl"); break;
    case 0x1d: RUN("fldt"); break;
    case 0x1f: RUN("fstpt"); break;
    case 0x28: RUN("fldl"); break;
    case 0x29: RUN("fisttpll"); break;
    case 0x2a: RUN("fstl"); break;
    case 0x2b: RUN("fstpl"); break;
    case 0x2f: RUN("fnstsw"); break;
    case 0x38: RUN("filds"); break;
    case 0x39: RUN("fisttps"); break;
    case 0x3a: RUN("fists"); break;
    case 0x3b: RUN("fistps"); break;
    case 0x3c: RUN("fbld"); break;
    case 0x3d: RUN("fildll"); break;
    case 0x3e: RUN("fbstp"); break;
    default:   RUN("fistpll"); break;
    }
}

static uint16_t fsw_now(void)
{
    uint16_t fsw;
    __asm__ volatile("fnstsw %0" : "=a"(fsw));
    return fsw;
}

static uint16_t fcw_now(void)
{
    uint16_t fcw;
    __asm__ volatile("fnstcw %0" : "=m"(fcw));
    return fcw;
}

/* The last-instruction pointers name the guest's instruction and operand,
 * not the host's run of it (xstate.c says what QEMU TCG keeps of them). */
static void x87_set_last(struct emul *e, unsigned op)
{
    const struct vmcb_save *s = &e->v->arch.vmcb->save;
    struct x87_env ptrs = {
        .fip = (uint32_t)s->rip,
        .fcs = s->cs.sel,
        .fop = (uint16_t)(((op & 7) << 8) | e->insn.modrm),
        .fdp = (uint32_t)emul_operand_offset(e),
        .fds = emul_operand_selector(e),
    };

    xstate_x87_set_pointers(&ptrs);
}

/*
 * The guest's instruction on the host with no unmasked exception pending:
 * a waiting instruction would raise #MF in the hypervisor otherwise. On
 * hardware a pending exception raises #MF before the access, so no exit
 * gets here with one; QEMU TCG checks only at FWAIT and, for a store, sets
 * the instruction's own flags before the access exits. So ES/B are cleared
 * for the run (FLDENV of the guest's environment without them) and the
 * flags before and after are merged, ES and B recomputed from the masks:
 * the guest's FSW ends as the processor would leave it.
 */
/* One x87/MMX instruction of the guest, run by the host. */
struct host_run {
    unsigned op, ext;           /* x87: D8+op, ModRM.reg; MMX: op = MMX_OP, ext = register */
    uint8_t *buf;
};

static uint16_t run_unpended(const struct host_run *r);

enum exec_result emulate_x87(struct emul *e)
{
    unsigned op = e->insn.opcode - 0xd8, ext = e->insn.reg & 7;
    struct x87_form f = x87_form(op, ext);
    uint8_t buf[10] = { 0 };
    uint16_t fsw;   /* the flags this instruction raised */

    if (!f.size)
        return EXEC_UNKNOWN;
    if (e->v->arch.vmcb->save.cr0 & (CR0_EM | CR0_TS))
        return emul_raise(e->v, X86_EXC_NM);
    /* A store's destination is checked before the instruction runs: a
     * #PF must find the x87 stack as it was (FSTP not yet popped). */
    if (f.store ? !emul_operand_writable(e, f.size) : !emul_operand_read(e, buf, f.size))
        return EXEC_FAULTED;
    if (f.nowait) {
        x87_execute(op, ext, buf);              /* FNSTSW/FNSTCW: no #MF, FSW as it is */
        fsw = 0;
    } else {
        struct host_run r = { op, ext, buf };
        fsw = run_unpended(&r);
    }
    if (!f.control)
        x87_set_last(e, op);
    if (f.store && !(fsw & FSW_SUPPRESSING & ~fcw_now()))
        emul_operand_write(e, buf, f.size);     /* checked writable above */
    return EXEC_DONE;
}

/* ---- MMX moves: the MMX registers are the x87 data registers ---- */

#define MM_CASE(n, insn) case n: __asm__ volatile(insn :: "r"(buf) : "memory"); break;
#define MM_ALL(load, store) do { switch (reg) {                                            MM_CASE(0, load " (%0), %%mm0") MM_CASE(1, load " (%0), %%mm1")                         MM_CASE(2, load " (%0), %%mm2") MM_CASE(3, load " (%0), %%mm3")                         MM_CASE(4, load " (%0), %%mm4") MM_CASE(5, load " (%0), %%mm5")                         MM_CASE(6, load " (%0), %%mm6") MM_CASE(7, load " (%0), %%mm7")                         MM_CASE(8, store " %%mm0, (%0)") MM_CASE(9, store " %%mm1, (%0)")                       MM_CASE(10, store " %%mm2, (%0)") MM_CASE(11, store " %%mm3, (%0)")                     MM_CASE(12, store " %%mm4, (%0)") MM_CASE(13, store " %%mm5, (%0)")                     MM_CASE(14, store " %%mm6, (%0)") MM_CASE(15, store " %%mm7, (%0)") } } while (0)

/* MOVD/MOVQ between MMn (0-7 loads, 8-15 stores of MM(reg-8)) and buf. */
static void mmx_execute(unsigned reg, bool qword, uint8_t *buf)
{
    if (qword)
        MM_ALL("movq", "movq");
    else
        MM_ALL("movd", "movd");
}

/*
 * The instruction with no unmasked exception pending: a waiting x87
 * instruction or an MMX one would raise #MF in the hypervisor otherwise.
 * On hardware a pending exception raises #MF before the access, so no exit
 * gets here with one; QEMU TCG checks only at FWAIT and, for a store, sets
 * the instruction's own flags before its access exits. So the exception
 * flags are cleared for the run (FLDENV of the guest's environment without
 * them: a set flag whose mask is clear is what makes an exception pending)
 * and the flags before and after are merged, ES and B recomputed from the masks:
 * FSW ends as the processor would leave it. Returns the flags the run
 * raised.
 */
static uint16_t run_unpended(const struct host_run *r)
{
    struct x87_env env;
    uint16_t before, after;

    __asm__ volatile("fnstenv %0" : "=m"(env));     /* masks all exceptions */
    before = env.fsw;
    env.fsw &= (uint16_t)~(0xff | FSW_BUSY);       /* a flag unmasked in FCW is pending */
    __asm__ volatile("fldenv %0" :: "m"(env));
    if (r->op & MMX_OP)
        mmx_execute(r->ext, r->op & MMX_QWORD, r->buf);
    else
        x87_execute(r->op, r->ext, r->buf);
    after = fsw_now();
    __asm__ volatile("fnstenv %0" : "=m"(env));     /* FCW as the run left it (FLDCW) */
    env.fsw = (uint16_t)((env.fsw & ~0x7fu) | ((after | before) & 0x7f));
    if (env.fsw & 0x3f & ~env.fcw)
        env.fsw |= FSW_ES | FSW_BUSY;
    else
        env.fsw &= (uint16_t)~(FSW_ES | FSW_BUSY);
    __asm__ volatile("fldenv %0" :: "m"(env));
    return after & 0x3f;
}

/* MOVD/MOVQ between MMn (ModRM.reg, REX.R ignored) and the operand. */
enum exec_result emulate_mmx_move(struct emul *e)
{
    const struct vmcb_save *s = &e->v->arch.vmcb->save;
    bool store = e->insn.opcode == 0x0f7e || e->insn.opcode == 0x0f7f;
    unsigned reg = (e->insn.reg & 7) | (store ? 8 : 0);
    uint8_t buf[8] = { 0 };

    if (s->cr0 & CR0_EM) {
        svm_inject_ud(e->v);
        return EXEC_FAULTED;
    }
    if (s->cr0 & CR0_TS)
        return emul_raise(e->v, X86_EXC_NM);
    if (store ? !emul_operand_writable(e, e->insn.size) : !emul_operand_read(e, buf, e->insn.size))
        return EXEC_FAULTED;
    struct host_run r = { MMX_OP | (e->insn.size == 8 ? MMX_QWORD : 0), reg, buf };
    run_unpended(&r);
    if (store)
        emul_operand_write(e, buf, e->insn.size);
    return EXEC_DONE;
}
