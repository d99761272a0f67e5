/*
 * Extended state switching: x87, SSE and AVX registers belong to the vCPU,
 * never to the pCPU. Every vCPU has an XSAVE area; svm_vcpu_run restores it
 * just before VMRUN and saves it right after #VMEXIT (eager switching).
 *
 * Why eager and not lazy (CR0.TS + #NM): the hypervisor is built -mno-sse
 * and never touches these registers, but a vCPU can leave its pCPU on many
 * paths (slice end, HLT, a pause from another pCPU, a kick) that svm.c does
 * not see, and may run next on another pCPU; lazy switching needs a remote
 * save for that case and a #NM intercept that also changes what the guest
 * sees in CR0.TS. Eager costs one XSAVE and one XRSTOR per exit (plus two
 * XSETBVs while the guest's XCR0 differs from the host's): the bench guest's
 * port-I/O loop went from 992 to 1030 instructions per exit under -icount
 * (+4%), compute-only code is unchanged. It is correct on every path, and
 * the guest keeps its own CR0.TS.
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
#define FXSAVE_FCW   0
#define FXSAVE_MXCSR 24
#define XSAVE_AREA_PAGES 1

static bool has_xsave;
static uint64_t supported;           /* x87|SSE|YMM as the CPU offers them */
static struct { uint32_t size, offset; bool align64; } component[MAX_COMPONENT + 1];

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
    v->arch.xsave_pa = palloc_alloc(XSAVE_AREA_PAGES, 1);
    if (!v->arch.xsave_pa)
        return -1;
    xstate_vcpu_reset(v);
    return 0;
}

void xstate_vcpu_destroy(struct vcpu *v)
{
    if (v->arch.xsave_pa)
        palloc_free(v->arch.xsave_pa, XSAVE_AREA_PAGES);
    v->arch.xsave_pa = 0;
}

/* An all-zero header (XSTATE_BV = 0) makes XRSTOR load every component's
 * initial state; MXCSR still comes from the area. FCW 0x37F is what FNINIT
 * gives and what the area must hold for the FXRSTOR fallback. */
void xstate_vcpu_reset(struct vcpu *v)
{
    uint8_t *area = (uint8_t *)v->arch.xsave_pa;

    memset(area, 0, XSAVE_AREA_PAGES * PAGE_SIZE);
    *(uint16_t *)(area + FXSAVE_FCW) = 0x37f;
    *(uint32_t *)(area + FXSAVE_MXCSR) = 0x1f80;
    v->arch.xcr0 = XSTATE_X87;
}

void xstate_enter_guest(struct vcpu *v)
{
    void *area = (void *)v->arch.xsave_pa;

    if (!has_xsave) {
        __asm__ volatile("fxrstor64 %0" :: "m"(*(uint8_t (*)[512])area));
        return;
    }
    __asm__ volatile("xrstor64 %0" :: "m"(*(uint8_t (*)[4096])area),
                     "a"((uint32_t)supported), "d"((uint32_t)(supported >> 32)));
    if (v->arch.xcr0 != supported)
        xsetbv(0, v->arch.xcr0);
}

void xstate_leave_guest(struct vcpu *v)
{
    void *area = (void *)v->arch.xsave_pa;

    if (!has_xsave) {
        __asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t (*)[512])area));
        return;
    }
    if (v->arch.xcr0 != supported)
        xsetbv(0, supported);
    __asm__ volatile("xsave64 %0" : "+m"(*(uint8_t (*)[4096])area)
                     : "a"((uint32_t)supported), "d"((uint32_t)(supported >> 32)));
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
    return 0;
}
