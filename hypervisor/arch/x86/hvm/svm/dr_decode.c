/*
 * Decoding a trapped MOV DR, once per instruction.
 *
 * QEMU's TCG gives no decode assist: the exit code names the debug register
 * and the direction, but not the general register, so the instruction must be
 * read from guest memory (a page walk and a fetch) and decoded. A vCPU that
 * trapping policy makes exit on every access runs the same few MOV DRs again
 * and again, so each vCPU keeps the last decodes.
 *
 * An entry is valid only while a fresh fetch would give the same decode:
 *  - keyed on the linear RIP, the CPU mode (which decides the decode) and
 *    everything the translation depends on besides memory (CR3, CR0.PG,
 *    CR4.PAE/PSE/LA57, EFER.LMA/NXE);
 *  - checked on every use against memory: each paging-structure entry the
 *    walk read (same guest-physical address, same value: the walk, which is
 *    a function of those, would land on the same page) and the instruction's
 *    own bytes at the guest-physical address it was fetched from.
 * So code rewritten in place (by this vCPU, another one, or a device) and a
 * page remapped (a PTE changed, even without a TLB flush we could see) both
 * miss and are decoded afresh. Only RAM is cached: an entry or instruction
 * read from a device is decoded every time. Checking costs a handful of loads;
 * write-protecting the code and page-table pages in the NPT instead would
 * cost a #NPF per guest page-table update and still not see CR3 switches.
 */
#include <asm/decode.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include "dr_decode.h"

#define ENTRIES 8                 /* the bench's DR round has 7 MOV DRs */
#define CR4_PSE  (1ull << 4)
#define CR4_LA57 (1ull << 12)

struct decode_entry {
    bool     valid;
    uint8_t  mode;                /* enum x86_mode */
    uint8_t  n_pte;
    uint8_t  pte_size[GW_TRACE_MAX];
    uint64_t lin_rip;
    uint64_t cr3;
    uint64_t paging;              /* the CR0/CR4/EFER bits the walk depends on */
    const void *pte_hva[GW_TRACE_MAX];
    uint64_t pte_val[GW_TRACE_MAX];
    const uint8_t *insn_hva;
    uint8_t  bytes[X86_MAX_INSN_LEN];
    struct x86_insn insn;
};

struct decode_cache {
    uint32_t domid;               /* whose decodes these are: slots are reused */
    unsigned next;                /* round-robin replacement */
    struct decode_entry e[ENTRIES];
};
static struct decode_cache caches[MAX_DOMAINS][MAX_VCPUS];

static struct decode_cache *cache_of(struct vcpu *v)
{
    struct decode_cache *c = &caches[v->domain - domains][v->id % MAX_VCPUS];

    if (c->domid != v->domain->id) {
        memset(c, 0, sizeof(*c));
        c->domid = v->domain->id;
    }
    return c;
}

static uint64_t paging_bits(const struct vmcb_save *s)
{
    return (s->cr0 & (X86_CR0_PG | X86_CR0_PE)) |
           ((s->cr4 & (X86_CR4_PAE | CR4_PSE | CR4_LA57)) << 32) |
           ((s->efer & (EFER_LMA | EFER_NXE)) << 48);
}

/* Whether memory still holds what the entry was decoded from. */
static bool still_holds(const struct decode_entry *e)
{
    for (unsigned i = 0; i < e->n_pte; i++) {
        uint64_t now = e->pte_size[i] == 8 ? __atomic_load_n((const uint64_t *)e->pte_hva[i], __ATOMIC_RELAXED)
                                           : __atomic_load_n((const uint32_t *)e->pte_hva[i], __ATOMIC_RELAXED);
        if (now != e->pte_val[i])
            return false;
    }
    for (unsigned i = 0; i < e->insn.len; i++)
        if (__atomic_load_n(&e->insn_hva[i], __ATOMIC_RELAXED) != e->bytes[i])
            return false;
    return true;
}

/* Remember a decode when its walk and bytes are all in RAM and on one page. */
static void fill(struct vcpu *v, struct decode_cache *c, uint64_t lin, int mode,
                 const uint8_t *bytes, const struct x86_insn *insn)
{
    const struct vmcb_save *s = &v->arch.vmcb->save;
    struct decode_entry *e = &c->e[c->next];
    struct guest_walk_trace t;
    uint64_t gpa;

    if ((lin & 0xfff) + insn->len > 0x1000)
        return;                     /* crosses a page: two walks to check, not worth it */
    if (guest_translate_traced(v, lin, &gpa, NULL, &t) != GW_OK)
        return;
    e->valid = false;
    for (unsigned i = 0; i < t.n; i++) {
        e->pte_hva[i] = domain_gpa_to_hva(v->domain, t.gpa[i], t.size[i]);
        if (!e->pte_hva[i])
            return;                 /* an entry on a device: no cache */
        e->pte_size[i] = t.size[i];
        e->pte_val[i] = t.val[i];
    }
    e->insn_hva = domain_gpa_to_hva(v->domain, gpa, insn->len);
    if (!e->insn_hva)
        return;
    e->n_pte = (uint8_t)t.n;
    e->mode = (uint8_t)mode;
    e->lin_rip = lin;
    e->cr3 = s->cr3;
    e->paging = paging_bits(s);
    memcpy(e->bytes, bytes, insn->len);
    e->insn = *insn;
    /* What we fetched must be what this walk leads to, or the entry would
     * pair one version of the bytes with another mapping. */
    if (!still_holds(e))
        return;
    e->valid = true;
    c->next = (c->next + 1) % ENTRIES;
}

int svm_decode_dr_insn(struct vcpu *v, int mode, struct x86_insn *insn, unsigned *fetched)
{
    const struct vmcb_save *s = &v->arch.vmcb->save;
    struct decode_cache *c = cache_of(v);
    uint64_t lin = guest_linear(v, X86_SEG_CS, s->rip);
    uint64_t paging = paging_bits(s);
    uint8_t bytes[X86_MAX_INSN_LEN];

    for (unsigned i = 0; i < ENTRIES; i++) {
        const struct decode_entry *e = &c->e[i];
        if (e->valid && e->lin_rip == lin && e->cr3 == s->cr3 && e->paging == paging &&
            e->mode == mode && still_holds(e)) {
            *insn = e->insn;
            *fetched = insn->len;
            return 0;
        }
    }
    *fetched = guest_fetch_insn(v, bytes, sizeof(bytes));
    if (x86_decode(bytes, *fetched, (enum x86_mode)mode, insn) < 0)
        return -1;
    fill(v, c, lin, mode, bytes, insn);
    return 0;
}
