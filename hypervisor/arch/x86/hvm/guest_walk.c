/*
 * Guest linear -> guest physical translation by walking the guest's own page
 * tables (no paging, 32-bit two-level with PSE, PAE, 4- and 5-level long mode).
 * Used to fetch instructions for emulation and, for the debugger, to access
 * memory by virtual address.
 */
#include <asm/decode.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>

#define PTE_P   0x1ull
#define PTE_PS  0x80ull
#define PF_WRITE (1u << 1)
#define PF_USER  (1u << 2)
#define ADDR_MASK 0x000ffffffffff000ull
#define CR4_LA57_BIT (1ull << 12)

static int read_pte(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t *pte)
{
    *pte = 0;
    return domain_read_gpa(v->domain, gpa, pte, size);
}

int guest_virt_to_phys(struct vcpu *v, uint64_t gva, uint64_t *gpa)
{
    struct vmcb_save *s = &v->arch.vmcb->save;
    uint64_t pte;

    if (!(s->cr0 & X86_CR0_PG)) {
        *gpa = gva & 0xffffffffull;
        return GW_OK;
    }
    if (!(s->cr4 & X86_CR4_PAE)) {
        uint64_t pde_pa = (s->cr3 & 0xfffff000ull) + ((gva >> 22) & 0x3ff) * 4;
        if (read_pte(v, pde_pa, 4, &pte) || !(pte & PTE_P))
            return GW_FAULT;
        if ((pte & PTE_PS) && (s->cr4 & (1u << 4))) {
            *gpa = (pte & 0xffc00000ull) | ((pte & 0x1fe000ull) << 19) | (gva & 0x3fffff);
            return GW_OK;
        }
        uint64_t pte_pa = (pte & 0xfffff000ull) + ((gva >> 12) & 0x3ff) * 4;
        if (read_pte(v, pte_pa, 4, &pte) || !(pte & PTE_P))
            return GW_FAULT;
        *gpa = (pte & 0xfffff000ull) | (gva & 0xfff);
        return GW_OK;
    }
    /* Long mode walks 4 levels, or 5 with CR4.LA57 (offered by CPUID). */
    int levels = !(s->efer & EFER_LMA) ? 3 : (s->cr4 & CR4_LA57_BIT) ? 5 : 4;
    uint64_t table = (levels >= 4) ? (s->cr3 & ADDR_MASK) : (s->cr3 & 0xffffffe0ull);
    for (int level = levels; level >= 1; level--) {
        unsigned shift = 12 + 9 * (level - 1);
        unsigned idx = (level == 3 && levels == 3) ? ((gva >> 30) & 3) : ((gva >> shift) & 511);
        if (read_pte(v, table + idx * 8, 8, &pte) || !(pte & PTE_P))
            return GW_FAULT;
        if (level <= 3 && level >= 2 && (pte & PTE_PS) && !(levels == 3 && level == 3)) {
            uint64_t page = 1ull << shift;
            *gpa = (pte & ADDR_MASK & ~(page - 1)) | (gva & (page - 1));
            return GW_OK;
        }
        table = pte & ADDR_MASK;
    }
    *gpa = table | (gva & 0xfff);
    return GW_OK;
}

unsigned guest_read_linear(struct vcpu *v, uint64_t gla, void *buf, unsigned len)
{
    unsigned done = 0;

    while (done < len) {
        uint64_t gpa;
        unsigned chunk = MIN(len - done, (unsigned)(0x1000 - ((gla + done) & 0xfff)));
        if (guest_virt_to_phys(v, gla + done, &gpa) != GW_OK)
            break;
        if (domain_read_gpa(v->domain, gpa, (uint8_t *)buf + done, chunk))
            break;
        done += chunk;
    }
    return done;
}

int guest_cpu_mode(struct vcpu *v)
{
    struct vmcb_save *s = &v->arch.vmcb->save;

    if (!(s->cr0 & X86_CR0_PE))
        return X86_MODE_REAL16;
    if ((s->efer & EFER_LMA) && (s->cs.attrib & 0x200))
        return X86_MODE_LONG64;
    return (s->cs.attrib & 0x400) ? X86_MODE_PROT32 : X86_MODE_PROT16;
}

unsigned guest_fetch_insn(struct vcpu *v, uint8_t *buf, unsigned len)
{
    struct vmcb_save *s = &v->arch.vmcb->save;
    uint64_t rip = s->rip;

    if (guest_cpu_mode(v) != X86_MODE_LONG64)
        rip = (s->cs.base + rip) & 0xffffffffull;
    return guest_read_linear(v, rip, buf, len);
}

enum vcpu_run_result guest_insn_changed(struct vcpu *v, unsigned n, const char *what)
{
    struct domain *d = v->domain;
    unsigned long long rip = v->arch.vmcb->save.rip;

    if (n == 0) {
        domain_crash(d, "%s at rip %#llx: the instruction cannot be fetched", what, rip);
        return RUN_RESCHEDULE;
    }
    if (__atomic_fetch_add(&d->reexecuted_insns, 1, __ATOMIC_RELAXED) == 0)
        printk("domain %u (%s): %s at rip %#llx: the instruction changed before it was "
               "decoded, re-executed (reported once)\n", d->id, d->name, what, rip);
    return RUN_CONTINUE;
}

static const struct vmcb_seg *segment(const struct vmcb_save *s, unsigned seg)
{
    const struct vmcb_seg *segs[] = { &s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs };
    return seg < ARRAY_SIZE(segs) ? segs[seg] : &s->ds;
}

uint64_t guest_linear(struct vcpu *v, unsigned seg, uint64_t off)
{
    const struct vmcb_save *s = &v->arch.vmcb->save;

    if (guest_cpu_mode(v) != X86_MODE_LONG64)
        return (segment(s, seg)->base + off) & 0xffffffffull;
    return (seg == X86_SEG_FS || seg == X86_SEG_GS) ? segment(s, seg)->base + off : off;
}

bool guest_access_linear(struct vcpu *v, unsigned seg, uint64_t off, void *buf, unsigned size,
                         bool write)
{
    struct vmcb_save *s = &v->arch.vmcb->save;
    uint64_t gla = guest_linear(v, seg, off), gpa, val = 0;

    if (guest_virt_to_phys(v, gla, &gpa) != GW_OK) {
        s->cr2 = gla;
        svm_inject_exception(v, X86_EXC_PF, true,
                             (write ? PF_WRITE : 0) | (s->cpl == 3 ? PF_USER : 0));
        return false;
    }
    if (write) {
        memcpy(&val, buf, size);
        hvm_bus_write(v, gpa, size, val);
    } else {
        val = hvm_bus_read(v, gpa, size);
        memcpy(buf, &val, size);
    }
    return true;
}
