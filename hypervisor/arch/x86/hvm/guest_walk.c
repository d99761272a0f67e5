/*
 * Guest linear -> guest physical translation by walking the guest's own page
 * tables (no paging, 32-bit two-level with PSE, PAE, 4- and 5-level long
 * mode), as the CPU does: entries are read from the bus (RAM, a device, or
 * all-ones from nothing) and checked for P and reserved bits (the #PF error
 * code's P and RSVD; access rights are not checked).
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
#define PTE_NX  (1ull << 63)
#define ADDR_MASK 0x000ffffffffff000ull
#define CR4_PSE (1u << 4)
#define CR4_LA57_BIT (1ull << 12)

/* A page-table read is a bus read: RAM, or a device, or nothing at all,
 * which gives all-ones as on a PC (such an entry is present with its
 * reserved bits set: #PF with RSVD, or in 32-bit paging without PSE a
 * mapping of the top page of the 4 GiB space). */
static uint64_t read_pte(struct vcpu *v, uint64_t gpa, unsigned size, struct guest_walk_trace *t)
{
    uint64_t val = hvm_bus_read(v, gpa, size);

    if (t && t->n < GW_TRACE_MAX) {
        t->gpa[t->n] = gpa;
        t->val[t->n] = val;
        t->size[t->n++] = (uint8_t)size;
    }
    return val;
}

static unsigned guest_maxphyaddr(struct vcpu *v)
{
    uint32_t r[4];

    hvm_cpuid(v, 0x80000008, 0, r);
    return (r[0] & 0xff) ? (r[0] & 0xff) : 36;
}

/* Bits 51:MAXPHYADDR, and NX while EFER.NXE is off: reserved in every
 * PAE/long-mode entry. */
static uint64_t pae_reserved(struct vcpu *v)
{
    uint64_t rsvd = ADDR_MASK & ~((1ull << guest_maxphyaddr(v)) - 1);

    if (!(v->arch.vmcb->save.efer & EFER_NXE))
        rsvd |= PTE_NX;
    return rsvd;
}

/* An entry stops the walk: not present (P clear in the error code) or
 * present with a reserved bit set (P and RSVD). */
static int walk_fault(uint64_t pte, uint64_t rsvd, uint32_t *pf_error)
{
    if (!(pte & PTE_P))
        *pf_error = 0;
    else if (pte & rsvd)
        *pf_error = PF_PRESENT | PF_RSVD;
    else
        return 0;
    return GW_FAULT;
}

int guest_translate(struct vcpu *v, uint64_t gva, uint64_t *gpa, uint32_t *pf_error)
{
    return guest_translate_traced(v, gva, gpa, pf_error, NULL);
}

int guest_translate_traced(struct vcpu *v, uint64_t gva, uint64_t *gpa, uint32_t *pf_error,
                           struct guest_walk_trace *t)
{
    struct vmcb_save *s = &v->arch.vmcb->save;
    uint32_t unused;
    uint64_t pte;

    if (t)
        t->n = 0;
    if (!pf_error)
        pf_error = &unused;
    *pf_error = 0;
    if (!(s->cr0 & X86_CR0_PG)) {
        *gpa = gva & 0xffffffffull;
        return GW_OK;
    }
    if (!(s->cr4 & X86_CR4_PAE)) {
        uint64_t pde_pa = (s->cr3 & 0xfffff000ull) + ((gva >> 22) & 0x3ff) * 4;
        bool pse = s->cr4 & CR4_PSE;
        /* 4 MiB pages: bits 20:13 give PA bits 39:32 up to MAXPHYADDR, bit 21 is reserved. */
        unsigned m = MIN(guest_maxphyaddr(v), 40u);
        uint64_t big_rsvd = (1ull << 21) | (((1ull << (40 - m)) - 1) << (13 + m - 32));

        pte = read_pte(v, pde_pa, 4, t);
        if (walk_fault(pte, (pse && (pte & PTE_PS)) ? big_rsvd : 0, pf_error))
            return GW_FAULT;
        if ((pte & PTE_PS) && pse) {
            *gpa = (pte & 0xffc00000ull) | ((pte & 0x1fe000ull) << 19) | (gva & 0x3fffff);
            return GW_OK;
        }
        pte = read_pte(v, (pte & 0xfffff000ull) + ((gva >> 12) & 0x3ff) * 4, 4, t);
        if (walk_fault(pte, 0, pf_error))
            return GW_FAULT;
        *gpa = (pte & 0xfffff000ull) | (gva & 0xfff);
        return GW_OK;
    }
    /* Long mode walks 4 levels, or 5 with CR4.LA57 (offered by CPUID). */
    int levels = !(s->efer & EFER_LMA) ? 3 : (s->cr4 & CR4_LA57_BIT) ? 5 : 4;
    uint64_t table = (levels >= 4) ? (s->cr3 & ADDR_MASK) : (s->cr3 & 0xffffffe0ull);
    uint64_t rsvd = pae_reserved(v);
    for (int level = levels; level >= 1; level--) {
        unsigned shift = 12 + 9 * (level - 1);
        unsigned idx = (level == 3 && levels == 3) ? ((gva >> 30) & 3) : ((gva >> shift) & 511);
        bool legacy_pdpte = levels == 3 && level == 3;
        bool large = level >= 2 && level <= 3 && !legacy_pdpte;
        uint64_t level_rsvd = rsvd;

        pte = read_pte(v, table + idx * 8, 8, t);
        if (legacy_pdpte)
            level_rsvd = rsvd | PTE_NX | 0x1e6ull;     /* and bits 63, 8:5, 2:1 */
        else if (level >= 4)
            level_rsvd |= PTE_PS;                               /* PML4E/PML5E bit 7 MBZ */
        else if (large && (pte & PTE_PS))
            level_rsvd |= ((1ull << (shift - 13)) - 1) << 13;   /* 2M/1G page: PA bits below */
        if (walk_fault(pte, level_rsvd, pf_error))
            return GW_FAULT;
        if (large && (pte & PTE_PS)) {
            uint64_t page = 1ull << shift;
            *gpa = (pte & ADDR_MASK & ~(page - 1)) | (gva & (page - 1));
            return GW_OK;
        }
        table = pte & ADDR_MASK;
    }
    *gpa = table | (gva & 0xfff);
    return GW_OK;
}

int guest_virt_to_phys(struct vcpu *v, uint64_t gva, uint64_t *gpa)
{
    return guest_translate(v, gva, gpa, NULL);
}

void guest_inject_pf(struct vcpu *v, uint64_t gla, uint32_t pf_error)
{
    struct vmcb_save *s = &v->arch.vmcb->save;

    s->cr2 = gla;
    if (s->cpl == 3)
        pf_error |= PF_USER;
    svm_inject_exception(v, X86_EXC_PF, true, pf_error);
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
    return guest_read_linear(v, guest_linear(v, X86_SEG_CS, v->arch.vmcb->save.rip), buf, len);
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
    uint64_t gla = guest_linear(v, seg, off), gpa, val = 0;
    uint32_t pf_error;

    if (guest_translate(v, gla, &gpa, &pf_error) != GW_OK) {
        guest_inject_pf(v, gla, pf_error | (write ? PF_WRITE : 0));
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
