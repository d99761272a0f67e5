/*
 * Extended state switching: SSE/AVX registers, MXCSR and the x87 state
 * (ST0-7, FCW/FSW/FTW, FIP/FDP/FOP) belong to the vCPU, never to the pCPU. Every vCPU has a save page;
 * the scheduler loads it when it puts the vCPU on a pCPU and saves it when
 * it takes the vCPU off (svm_vcpu_load/put). The hypervisor is built
 * -mno-sse and never touches these registers, so VM exits in between need
 * no switch at all (an earlier version switched at every exit: +4% per
 * exit on the bench guest's port-I/O loop). While an exit is handled the
 * FPU is therefore the guest's: the MMIO emulator moves its vector
 * registers (xstate_vector_get/set) and runs its x87, MMX and SSE/AVX
 * instructions on that live state (emulate_x87.c, emulate_vec_alu.c).
 *
 * Every component the hypervisor offers is switched whatever the guest's
 * XCR0 says (the hypervisor runs with all of them enabled): a component a
 * guest disabled can therefore not carry another vCPU's values when it is
 * enabled again.
 */
#include <asm/hvm.h>
#include <asm/x86.h>
#include <asm/xstate.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/page_alloc.h>
#include <dbgvisor/percpu.h>

#define X86_CR4_OSXSAVE (1ull << 18)
#define MAX_COMPONENT 19             /* highest XSAVE component number known */
#define XSAVE_AREA_PAGES 1

static bool has_xsave;
static uint64_t supported;           /* x87|SSE|YMM as the CPU offers them */
static struct { uint32_t size, offset; bool align64; } component[MAX_COMPONENT + 1];

/*
 * The saved registers, in the vCPU's page. Moved with plain vector loads and
 * stores, not XSAVE/XRSTOR/FXSAVE: under QEMU 10 multi-threaded TCG those
 * around VM entries on two pCPUs corrupt a guest's nested translation now
 * and then (a guest triple fault or a host #PF right after #VMEXIT;
 * reproduced by the ipi-storm guest beside an SSE user, never with -icount
 * or one pCPU); see docs/architecture.md. The x87 stack, whose moves
 * through memory (FNSTENV, FSTP TBYTE, FRSTOR: the same QEMU helpers) share
 * that risk, moves only while a vCPU's stack is in use.
 */

struct x87_reg { uint8_t bytes[10]; };

/* The whole x87 state as FNSAVE stores and FRSTOR loads it (32-bit
 * protected-mode format): the environment, then ST0-7 of its TOP. */
struct x87_image {
    struct x87_env env;       /* FCW, FSW (TOP), FTW, FIP/FDP/FOP */
    struct x87_reg st[8];     /* ST0-7 of the saved TOP, whatever their tags */
} __attribute__((packed));

struct saved_fpu {
    uint8_t vec[16][32];      /* YMM0-15 (XMM0-15 in the low halves) */
    uint32_t mxcsr;
    struct x87_image x87;
    bool x87_in_use;          /* x87 holds state beyond FCW */
};

static inline void xsetbv(uint32_t index, uint64_t value)
{
    __asm__ volatile("xsetbv" :: "c"(index), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

static void discover(void)
{
    uint32_t a, b, c, d;

    cpuid_count(1, 0, &a, &b, &c, &d);
    has_xsave = c & (1u << 26);
    if (!has_xsave)
        return;
    bool avx = c & (1u << 28);
    cpuid_count(0xd, 0, &a, &b, &c, &d);
    supported = a & (XSTATE_X87 | XSTATE_SSE | (avx ? XSTATE_YMM : 0));
    for (unsigned i = 2; i <= MAX_COMPONENT; i++) {
        cpuid_count(0xd, i, &a, &b, &c, &d);
        component[i].size = a;
        component[i].offset = b;
        component[i].align64 = c & 2;
    }
}

void xstate_cpu_init(void)
{
    uint64_t cr4;

    if (this_pcpu()->id == 0)         /* the BSP, before any AP starts */
        discover();
    if (!has_xsave)
        return;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" :: "r"(cr4 | X86_CR4_OSXSAVE) : "memory");
    xsetbv(0, supported);
}

uint64_t xstate_guest_supported(void) { return supported; }
bool xstate_has_xsave(void) { return has_xsave; }

uint32_t xstate_size(uint64_t mask)
{
    uint32_t size = XSTATE_LEGACY_SIZE;

    for (unsigned i = 2; i <= MAX_COMPONENT; i++)
        if (mask & (1ull << i))
            size = MAX(size, component[i].offset + component[i].size);
    return size;
}

uint32_t xstate_compacted_size(uint64_t mask)
{
    uint32_t size = XSTATE_LEGACY_SIZE;

    for (unsigned i = 2; i <= MAX_COMPONENT; i++) {
        if (!(mask & (1ull << i)))
            continue;
        if (component[i].align64)
            size = (size + 63) & ~63u;
        size += component[i].size;
    }
    return size;
}

int xstate_vcpu_init(struct vcpu *v)
{
    _Static_assert(XSAVE_AREA_PAGES * PAGE_SIZE >= 1024, "XSAVE area");
    if (xstate_size(supported) > XSAVE_AREA_PAGES * PAGE_SIZE)
        return -1;
    v->arch.xsave_pa = palloc_alloc_for(&v->domain->pages, XSAVE_AREA_PAGES, 1);
    if (!v->arch.xsave_pa)
        return -1;
    xstate_vcpu_reset(v);
    return 0;
}

void xstate_vcpu_destroy(struct vcpu *v)
{
    if (v->arch.xsave_pa)
        palloc_free_for(&v->domain->pages, v->arch.xsave_pa, XSAVE_AREA_PAGES);
    v->arch.xsave_pa = 0;
}

/* What FNINIT and reset give: FCW 0x37F, every register empty (FTW
 * 0xFFFF), TOP 0; MXCSR 0x1F80; all data registers zero. */
void xstate_vcpu_reset(struct vcpu *v)
{
    struct saved_fpu *f = (struct saved_fpu *)v->arch.xsave_pa;

    memset(f, 0, XSAVE_AREA_PAGES * PAGE_SIZE);
    f->x87.env.fcw = 0x37f;
    f->x87.env.ftw = 0xffff;
    f->mxcsr = 0x1f80;
    v->arch.xcr0 = XSTATE_X87;
}

#define VEC_LOAD(n)  __asm__ volatile(VEC_INSN " %0, %%" VREG #n :: "m"(f->vec[n]));
#define VEC_STORE(n) __asm__ volatile(VEC_INSN " %%" VREG #n ", %0" : "=m"(f->vec[n]));
#define VEC_ALL(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) \
                   X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)

static void load_vectors(const struct saved_fpu *f)
{
    if (supported & XSTATE_YMM) {
#define VEC_INSN "vmovdqu"
#define VREG "ymm"
        VEC_ALL(VEC_LOAD)
#undef VREG
#undef VEC_INSN
    } else {
#define VEC_INSN "movdqu"
#define VREG "xmm"
        VEC_ALL(VEC_LOAD)
#undef VREG
#undef VEC_INSN
    }
}

static void store_vectors(struct saved_fpu *f)
{
    if (supported & XSTATE_YMM) {
#define VEC_INSN "vmovdqu"
#define VREG "ymm"
        VEC_ALL(VEC_STORE)
#undef VREG
#undef VEC_INSN
    } else {
#define VEC_INSN "movdqu"
#define VREG "xmm"
        VEC_ALL(VEC_STORE)
#undef VREG
#undef VEC_INSN
    }
}

/*
 * The x87 image goes back with FNINIT then FRSTOR. On hardware FRSTOR loads
 * every field, the last-instruction pointers (FIP/FCS/FOP/FDP/FDS)
 * included. QEMU TCG loads those with no instruction (its FLDENV, FRSTOR
 * and FXRSTOR skip them; every x87 instruction that is not a control one
 * sets them to its own address and operand): FRSTOR, a control
 * instruction, leaves them as FNINIT cleared them, 0, where loading the
 * registers one by one (FLD) left the hypervisor's code and buffer
 * addresses for the guest to read.
 */
static void x87_restore(const struct x87_image *img)
{
    __asm__ volatile("fninit; frstor %0" :: "m"(*img));
}

/* FSTP TBYTE moves all 80 bits of a register unchanged, and of an empty
 * one stores the indefinite, so the tags are set first with FLDENV of a
 * copy of the environment (exceptions masked, TOP kept): all valid. Eight
 * pops bring TOP back where it was. */
#define X87_STORE(n) __asm__ volatile("fstpt %0" : "=m"(f->x87.st[n]));

static void store_x87(struct saved_fpu *f)
{
    struct x87_env tmp;

    __asm__ volatile("fnstenv %0" : "=m"(f->x87.env));
    tmp = f->x87.env;
    tmp.fcw |= 0x3f;                  /* every exception masked */
    tmp.fsw &= 0x3800;                /* TOP only: no pending exception */
    tmp.ftw = 0;
    __asm__ volatile("fldenv %0" :: "m"(tmp));
    X87_STORE(0) X87_STORE(1) X87_STORE(2) X87_STORE(3)
    X87_STORE(4) X87_STORE(5) X87_STORE(6) X87_STORE(7)
}

void xstate_x87_set_pointers(const struct x87_env *ptrs)
{
    struct x87_image img;

    __asm__ volatile("fnsave %0" : "=m"(img));
    img.env.fip = ptrs->fip;
    img.env.fcs = ptrs->fcs;
    img.env.fop = ptrs->fop;
    img.env.fdp = ptrs->fdp;
    img.env.fds = ptrs->fds;
    x87_restore(&img);
}

/* Register-only probe (no memory access): true unless FSW is all zero and
 * all eight tags are empty, i.e. the stack is as FNINIT left it. FXAM says
 * "empty" as C3=1 C2=0 C0=1; eight FINCSTP bring TOP back. FXAM changes
 * the condition codes, so the caller keeps *fsw, read before. */
static bool x87_in_use(uint16_t *fsw)
{
    uint16_t sw;

    __asm__ volatile("fnstsw %0" : "=a"(*fsw));
    if (*fsw)
        return true;
    for (int i = 0; i < 8; i++) {
        __asm__ volatile("fxam; fnstsw %0; fincstp" : "=a"(sw));
        if ((sw & 0x4500) != 0x4100) {
            while (++i < 8)
                __asm__ volatile("fincstp");
            return true;
        }
    }
    return false;
}

/* Overwrite all eight data registers without memory access, then FNINIT:
 * no other vCPU's values stay behind, even in empty registers. */
static void x87_scrub(void)
{
    __asm__ volatile("fninit; fldz; fldz; fldz; fldz; fldz; fldz; fldz; fldz; fninit");
}

/*
 * The x87 registers move through memory (FNSTENV, FSTP/FLD TBYTE) only for
 * a vCPU whose stack is not empty: under QEMU 10 multi-threaded TCG these
 * helper-based accesses can still corrupt a guest's nested translation
 * (docs/architecture.md), so vCPUs that never keep x87 values pay nothing
 * and risk nothing. An unused stack is saved as FCW alone and comes back
 * as FNINIT plus that FCW (FIP/FDP/FOP read 0 then).
 */
void xstate_enter_guest(struct vcpu *v)
{
    const struct saved_fpu *f = (const struct saved_fpu *)v->arch.xsave_pa;

    load_vectors(f);                  /* with the host's XCR0: YMM enabled */
    __asm__ volatile("ldmxcsr %0" :: "m"(f->mxcsr));
    if (f->x87_in_use) {
        x87_restore(&f->x87);
    } else {
        x87_scrub();
        __asm__ volatile("fldcw %0" :: "m"(f->x87.env.fcw));
    }
    if (has_xsave && v->arch.xcr0 != supported)
        xsetbv(0, v->arch.xcr0);
}

void xstate_leave_guest(struct vcpu *v)
{
    struct saved_fpu *f = (struct saved_fpu *)v->arch.xsave_pa;
    uint16_t fsw;

    if (has_xsave && v->arch.xcr0 != supported)
        xsetbv(0, supported);
    store_vectors(f);
    __asm__ volatile("stmxcsr %0" : "=m"(f->mxcsr));
    f->x87_in_use = x87_in_use(&fsw);
    if (f->x87_in_use) {
        store_x87(f);
        if (!fsw) {                   /* FXAM ran: the pointers name the probe */
            f->x87.env.fip = f->x87.env.fdp = 0;
            f->x87.env.fcs = f->x87.env.fop = f->x87.env.fds = 0;
        }
        f->x87.env.fsw = fsw;         /* the condition codes before FXAM */
    } else {
        __asm__ volatile("fnstcw %0" : "=m"(f->x87.env.fcw));
    }
}

/* One register by number: the instructions name it, so a case per register;
 * YMM moves only while the guest's XCR0 (loaded now) enables them. */
#define VEC_MOVE(n) case n:                                                              \
        if (to_reg)                                                                      \
            __asm__ volatile(VEC_INSN " %0, %%" VREG #n :: "m"(*(const uint8_t (*)[32])buf)); \
        else                                                                             \
            __asm__ volatile(VEC_INSN " %%" VREG #n ", %0" : "=m"(*(uint8_t (*)[32])buf));   \
        break;

static void vector_move(struct vcpu *v, unsigned n, uint8_t buf[32], bool to_reg)
{
    if (has_xsave && (v->arch.xcr0 & XSTATE_YMM)) {
#define VEC_INSN "vmovdqu"
#define VREG "ymm"
        switch (n & 15) { VEC_ALL(VEC_MOVE) }
#undef VREG
#undef VEC_INSN
        return;
    }
#define VEC_INSN "movdqu"
#define VREG "xmm"
    switch (n & 15) { VEC_ALL(VEC_MOVE) }
#undef VREG
#undef VEC_INSN
    if (!to_reg)
        memset(buf + 16, 0, 16);
}

void xstate_vector_get(struct vcpu *v, unsigned n, uint8_t buf[32])
{
    vector_move(v, n, buf, false);
}

void xstate_vector_set(struct vcpu *v, unsigned n, const uint8_t buf[32])
{
    vector_move(v, n, (uint8_t *)buf, true);
}

/* The value checks of XSETBV (Intel SDM XSETBV, AMD APM XSETBV); the
 * caller has checked CR4.OSXSAVE (#UD) and CPL (#GP). */
int xstate_set_xcr(struct vcpu *v, uint32_t index, uint64_t value)
{
    if (index != 0 || (value & ~supported) || !(value & XSTATE_X87))
        return X86_EXC_GP;
    if ((value & XSTATE_YMM) && !(value & XSTATE_SSE))
        return X86_EXC_GP;
    if ((value & XSTATE_AVX512) && ((value & XSTATE_AVX512) != XSTATE_AVX512 || !(value & XSTATE_YMM)))
        return X86_EXC_GP;
    if (!(value & XSTATE_BNDREGS) != !(value & XSTATE_BNDCSR))
        return X86_EXC_GP;
    v->arch.xcr0 = value;
    xsetbv(0, value);                 /* v is loaded: it is the one exiting */
    return 0;
}
