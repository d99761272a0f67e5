/*
 * Guest linear -> guest physical translation by walking the guest's own page
 * tables (no paging, 32-bit two-level with PSE, PAE, 4- and 5-level long
 * mode) as the CPU does it for an access of a given kind (read, write or
 * fetch; at the CPL or an implicit supervisor access): entries are read
 * from the bus (RAM, a device, or all-ones from nothing) and checked for P
 * and reserved bits, the rights of all levels combine (U/S and R/W are
 * ANDed, NX ORed) and are checked as QEMU TCG checks them (U/S at CPL 3,
 * R/W for user writes and with CR0.WP for supervisor ones, NX with
 * EFER.NXE under PAE, SMEP, SMAP unless EFLAGS.AC allows an explicit
 * supervisor access), and the #PF error code carries P, W, U, RSVD and I/D
 * as hardware sets them. Accessed is set in every entry the walk uses and
 * Dirty in the leaf for a write, with a compare-exchange on guest memory
 * (another vCPU may be editing the entry: the walk starts over). PKU needs
 * no check: CPUID does not offer it (PKRU is not switched), so CR4.PKE
 * cannot be set.
 * Used by the instruction emulator, string I/O, LMSW's operand and
 * instruction fetches for decoding, for the CPU's own reads of system
 * tables (implicit supervisor, A set) and, probing (no rights, no A/D), by
 * the debugger.
 */
#include <asm/decode.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>

#define PTE_P   0x1ull
#define PTE_RW  0x2ull
#define PTE_US  0x4ull
#define PTE_A   0x20ull
#define PTE_D   0x40ull
#define PTE_PS  0x80ull
#define PTE_NX  (1ull << 63)
#define ADDR_MASK 0x000ffffffffff000ull
#define CR4_PSE (1u << 4)
#define CR4_LA57_BIT (1ull << 12)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)
#define CR0_WP  (1ull << 16)
#define EFLAGS_AC (1ull << 18)
#define WALK_RESTARTS 8         /* entries changed under the walk this often: give up */

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

/* One walk in progress: the access, and the rights of the levels so far. */
struct walk {
    struct vcpu *v;
    unsigned access;            /* GA_* */
    bool pae;                   /* PAE/long-mode entries (NX exists) */
    uint64_t rights;            /* U/S and R/W of all levels ANDed, NX ORed */
    uint32_t error;             /* the #PF error code once it faults */
    bool restart;               /* an entry changed under a compare-exchange */
    struct guest_walk_trace *trace;     /* the entries read, or NULL */
};

/* A page-table read is a bus read: RAM, or a device, or nothing at all,
 * which gives all-ones as on a PC (such an entry is present with its
 * reserved bits set: #PF with RSVD, or in 32-bit paging without PSE a
 * mapping of the top page of the 4 GiB space). */
static uint64_t read_pte(struct walk *w, uint64_t gpa, unsigned size)
{
    uint64_t val = hvm_bus_read(w->v, gpa, size);
    struct guest_walk_trace *t = w->trace;

    if (t && t->n < GW_TRACE_MAX) {
        t->gpa[t->n] = gpa;
        t->val[t->n] = val;
        t->size[t->n++] = (uint8_t)size;
    }
    return val;
}

/* The access is made at CPL 3 (U in the error code, user rights). */
static bool user_access(const struct walk *w)
{
    return !(w->access & GA_IMPLICIT) && w->v->arch.vmcb->save.cpl == 3;
}

/* The error code of a fault (P and RSVD in `base`): W, U and I/D as the
 * CPU adds them (I/D only where NX or SMEP make fetches special). */
static int fault(struct walk *w, uint32_t base)
{
    const struct vmcb_save *s = &w->v->arch.vmcb->save;

    w->error = base;
    if (w->access & GA_WRITE)
        w->error |= PF_WRITE;
    if (user_access(w))
        w->error |= PF_USER;
    if ((w->access & GA_FETCH) && ((w->pae && (s->efer & EFER_NXE)) || (s->cr4 & CR4_SMEP)))
        w->error |= PF_FETCH;
    return GW_FAULT;
}

/* An entry stops the walk: not present, or present with a reserved bit set. */
static bool entry_faults(struct walk *w, uint64_t pte, uint64_t rsvd)
{
    if (!(pte & PTE_P))
        fault(w, 0);
    else if (pte & rsvd)
        fault(w, PF_PRESENT | PF_RSVD);
    else
        return false;
    return true;
}

/* Sets `bits` in the entry at gpa (size 4 or 8) that read as `pte`, as the
 * CPU does with a locked update; an entry not in RAM keeps its bits. If the
 * entry changed since it was read, the walk starts over. */
static void set_entry_bits(struct walk *w, uint64_t gpa, unsigned size, uint64_t pte, uint64_t bits)
{
    void *p;

    if ((w->access & GA_PROBE) || (pte & bits) == bits)
        return;
    p = domain_gpa_to_hva(w->v->domain, gpa, size);
    if (!p)
        return;
    if (size == 4) {
        uint32_t old = (uint32_t)pte;
        w->restart |= !__atomic_compare_exchange_n((uint32_t *)p, &old, (uint32_t)(pte | bits), false,
                                                   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    } else {
        uint64_t old = pte;
        w->restart |= !__atomic_compare_exchange_n((uint64_t *)p, &old, pte | bits, false,
                                                   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
}

/* A non-leaf entry the walk goes through: its rights count, A is set. */
static void use_table_entry(struct walk *w, uint64_t gpa, unsigned size, uint64_t pte)
{
    w->rights &= pte | PTE_NX;
    w->rights |= pte & PTE_NX;
    set_entry_bits(w, gpa, size, pte, PTE_A);
}

/* Whether the combined rights allow the access (QEMU TCG's rules). */
static bool rights_allow(const struct walk *w)
{
    const struct vmcb_save *s = &w->v->arch.vmcb->save;
    bool user_page = w->rights & PTE_US, writable = w->rights & PTE_RW;
    bool nx = w->pae && (s->efer & EFER_NXE) && (w->rights & PTE_NX);

    if (w->access & GA_PROBE)
        return true;
    if (user_access(w)) {
        if (!user_page)
            return false;
        if (w->access & GA_FETCH)
            return !nx;
        return !(w->access & GA_WRITE) || writable;
    }
    if (w->access & GA_FETCH)
        return !nx && !(user_page && (s->cr4 & CR4_SMEP));
    /* SMAP: explicit supervisor data accesses with EFLAGS.AC set are let
     * through (implicit ones too below CPL 3, as QEMU does) */
    if (user_page && (s->cr4 & CR4_SMAP) &&
        (s->cpl == 3 || !(s->rflags & EFLAGS_AC)))
        return false;
    return !(w->access & GA_WRITE) || writable || !(s->cr0 & CR0_WP);
}

/* The leaf entry maps the page: its rights are checked, then A (and D for
 * a write) set, as the CPU does only for an access it lets through. */
static int use_leaf(struct walk *w, uint64_t gpa, unsigned size, uint64_t pte)
{
    w->rights &= pte | PTE_NX;
    w->rights |= pte & PTE_NX;
    if (!rights_allow(w))
        return fault(w, PF_PRESENT);
    set_entry_bits(w, gpa, size, pte, PTE_A | ((w->access & GA_WRITE) ? PTE_D : 0));
    return GW_OK;
}

static int walk_32bit(struct walk *w, uint64_t gva, uint64_t *gpa)
{
    struct vcpu *v = w->v;
    struct vmcb_save *s = &v->arch.vmcb->save;
    uint64_t pde_pa = (s->cr3 & 0xfffff000ull) + ((gva >> 22) & 0x3ff) * 4, pte_pa, pte;
    bool pse = s->cr4 & CR4_PSE;
    /* 4 MiB pages: bits 20:13 give PA bits 39:32 up to MAXPHYADDR, bit 21 is reserved. */
    unsigned m = MIN(guest_maxphyaddr(v), 40u);
    uint64_t big_rsvd = (1ull << 21) | (((1ull << (40 - m)) - 1) << (13 + m - 32));

    pte = read_pte(w, pde_pa, 4);
    if (entry_faults(w, pte, (pse && (pte & PTE_PS)) ? big_rsvd : 0))
        return GW_FAULT;
    if ((pte & PTE_PS) && pse) {
        *gpa = (pte & 0xffc00000ull) | ((pte & 0x1fe000ull) << 19) | (gva & 0x3fffff);
        return use_leaf(w, pde_pa, 4, pte);
    }
    use_table_entry(w, pde_pa, 4, pte);
    pte_pa = (pte & 0xfffff000ull) + ((gva >> 12) & 0x3ff) * 4;
    pte = read_pte(w, pte_pa, 4);
    if (entry_faults(w, pte, 0))
        return GW_FAULT;
    *gpa = (pte & 0xfffff000ull) | (gva & 0xfff);
    return use_leaf(w, pte_pa, 4, pte);
}

static int walk_pae(struct walk *w, uint64_t gva, uint64_t *gpa)
{
    struct vcpu *v = w->v;
    struct vmcb_save *s = &v->arch.vmcb->save;
    /* Long mode walks 4 levels, or 5 with CR4.LA57 (offered by CPUID). */
    int levels = !(s->efer & EFER_LMA) ? 3 : (s->cr4 & CR4_LA57_BIT) ? 5 : 4;
    uint64_t table = (levels >= 4) ? (s->cr3 & ADDR_MASK) : (s->cr3 & 0xffffffe0ull);
    uint64_t rsvd = pae_reserved(v), pte;

    for (int level = levels; level >= 1; level--) {
        unsigned shift = 12 + 9 * (level - 1);
        unsigned idx = (level == 3 && levels == 3) ? ((gva >> 30) & 3) : ((gva >> shift) & 511);
        bool legacy_pdpte = levels == 3 && level == 3;
        bool large = level >= 2 && level <= 3 && !legacy_pdpte;
        uint64_t level_rsvd = rsvd, pte_pa = table + idx * 8;

        pte = read_pte(w, pte_pa, 8);
        if (legacy_pdpte)
            level_rsvd = rsvd | PTE_NX | 0x1e6ull;     /* and bits 63, 8:5, 2:1 */
        else if (level >= 4)
            level_rsvd |= PTE_PS;                               /* PML4E/PML5E bit 7 MBZ */
        else if (large && (pte & PTE_PS))
            level_rsvd |= ((1ull << (shift - 13)) - 1) << 13;   /* 2M/1G page: PA bits below */
        if (entry_faults(w, pte, level_rsvd))
            return GW_FAULT;
        if (large && (pte & PTE_PS)) {
            uint64_t page = 1ull << shift;
            *gpa = (pte & ADDR_MASK & ~(page - 1)) | (gva & (page - 1));
            return use_leaf(w, pte_pa, 8, pte);
        }
        if (level == 1) {
            *gpa = (pte & ADDR_MASK) | (gva & 0xfff);
            return use_leaf(w, pte_pa, 8, pte);
        }
        if (!legacy_pdpte)              /* PDPTEs are loaded registers: no rights, no A */
            use_table_entry(w, pte_pa, 8, pte);
        table = pte & ADDR_MASK;
    }
    return GW_FAULT;                    /* not reached: level 1 is a leaf */
}

static int translate(struct vcpu *v, uint64_t gva, unsigned access, uint64_t *gpa,
                     uint32_t *pf_error, struct guest_walk_trace *trace)
{
    struct vmcb_save *s = &v->arch.vmcb->save;
    struct walk w = { .v = v, .access = access, .trace = trace };
    uint32_t unused;
    int r = GW_FAULT;

    if (!pf_error)
        pf_error = &unused;
    *pf_error = 0;
    if (!(s->cr0 & X86_CR0_PG)) {
        *gpa = gva & 0xffffffffull;
        return GW_OK;
    }
    w.pae = s->cr4 & X86_CR4_PAE;
    for (unsigned attempt = 0; attempt < WALK_RESTARTS; attempt++) {
        w.rights = PTE_US | PTE_RW;
        w.restart = false;
        if (trace)
            trace->n = 0;
        r = w.pae ? walk_pae(&w, gva, gpa) : walk_32bit(&w, gva, gpa);
        if (!w.restart)
            break;
    }
    *pf_error = w.error;
    return r;
}

int guest_translate(struct vcpu *v, uint64_t gva, unsigned access, uint64_t *gpa,
                    uint32_t *pf_error)
{
    return translate(v, gva, access, gpa, pf_error, NULL);
}

int guest_translate_traced(struct vcpu *v, uint64_t gva, uint64_t *gpa, uint32_t *pf_error,
                           struct guest_walk_trace *trace)
{
    return translate(v, gva, GA_PROBE, gpa, pf_error, trace);
}

int guest_virt_to_phys(struct vcpu *v, uint64_t gva, uint64_t *gpa)
{
    return guest_translate(v, gva, GA_PROBE, gpa, NULL);
}

void guest_inject_pf(struct vcpu *v, uint64_t gla, uint32_t pf_error)
{
    v->arch.vmcb->save.cr2 = gla;
    svm_inject_exception(v, X86_EXC_PF, true, pf_error);
}

/* Reads up to len bytes of RAM at gla with the given access kind. */
static unsigned read_linear(struct vcpu *v, uint64_t gla, void *buf, unsigned len, unsigned access)
{
    unsigned done = 0;

    while (done < len) {
        uint64_t gpa;
        unsigned chunk = MIN(len - done, (unsigned)(0x1000 - ((gla + done) & 0xfff)));
        if (guest_translate(v, gla + done, access, &gpa, NULL) != GW_OK)
            break;
        if (domain_read_gpa(v->domain, gpa, (uint8_t *)buf + done, chunk))
            break;
        done += chunk;
    }
    return done;
}

unsigned guest_read_linear(struct vcpu *v, uint64_t gla, void *buf, unsigned len,
                           enum guest_read_kind kind)
{
    return read_linear(v, gla, buf, len, kind == GR_SYSTEM ? GA_READ | GA_IMPLICIT : GA_PROBE);
}

int guest_cpu_mode(struct vcpu *v)
{
    return guest_cpu_mode_of(&v->arch.vmcb->save);
}

unsigned guest_fetch_insn(struct vcpu *v, uint8_t *buf, unsigned len)
{
    return read_linear(v, guest_linear(v, X86_SEG_CS, v->arch.vmcb->save.rip), buf, len, GA_FETCH);
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

    if (seg == X86_SEG_NONE)            /* already linear (descriptor tables) */
        return (s->efer & EFER_LMA) ? off : off & 0xffffffffull;
    if (guest_cpu_mode(v) != X86_MODE_LONG64)
        return (segment(s, seg)->base + off) & 0xffffffffull;
    return (seg == X86_SEG_FS || seg == X86_SEG_GS) ? segment(s, seg)->base + off : off;
}

bool guest_access_linear(struct vcpu *v, unsigned seg, uint64_t off, void *buf, unsigned size,
                         unsigned access)
{
    uint64_t gla = guest_linear(v, seg, off), gpa[2], val = 0;
    unsigned first = MIN(size, (unsigned)(0x1000 - (gla & 0xfff)));
    uint32_t pf_error;

    /* Both pages are translated (and checked) before any byte moves: an
     * access that straddles a page faults as a whole. */
    for (unsigned part = 0; part < (first < size ? 2u : 1u); part++) {
        uint64_t page_gla = part ? gla + first : gla;
        if (guest_translate(v, page_gla, access, &gpa[part], &pf_error) != GW_OK) {
            guest_inject_pf(v, page_gla, pf_error);
            return false;
        }
    }
    if (access & GA_WRITE) {
        memcpy(&val, buf, size);
        hvm_bus_write(v, gpa[0], first, val);
        if (first < size)
            hvm_bus_write(v, gpa[1], size - first, val >> (first * 8));
    } else {
        val = hvm_bus_read(v, gpa[0], first);
        if (first < size)
            val |= hvm_bus_read(v, gpa[1], size - first) << (first * 8);
        memcpy(buf, &val, size);
    }
    return true;
}
