/*
 * Decoding a trapped MOV DR, once per instruction.
 *
 * QEMU's TCG gives no decode assist: the exit code names the debug register
 * and the direction, but not the general register, so the instruction must be
 * read from guest memory (a page walk and a fetch) and decoded. A vCPU that
 * trapping policy makes exit on every access runs the same few MOV DRs again
 * and again, so each vCPU keeps the last decodes.
 *
 * A decode is a function of the CPU mode, CR3, the paging controls and the
 * linear RIP (the key), and of guest memory: the paging-structure entries the
 * walk read (same addresses, same values: the walk lands on the same page)
 * and the instruction's bytes there. An entry keeps, for each of those, the
 * aligned quadword of RAM that holds it, a mask and the value, so a hit is
 * the key compares plus one load-xor-and-test per entry of the walk and one
 * or two for the bytes, with no walk and no fetch. Code rewritten in place
 * and a page remapped at any level (even without a TLB flush we could see),
 * by this vCPU, another one or the hypervisor itself (the emulator, the
 * debugger, the toolstack), all miss and are decoded afresh: nothing needs
 * to tell the cache about a write. Only RAM is cached.
 *
 * Why not write-protect those pages in the NPT and check a generation: QEMU
 * TCG probes every guest page-table page through the NPT with a store access
 * on each walk (to be able to set A/D; hardware only writes when a bit
 * changes), so a write-protected table page takes a #NPF on every guest TLB
 * fill. Measured: each table page of the bench's walk faulted right after it
 * was protected. The table entries have to be compared by value; the bytes
 * then cost one or two compares more, about what a generation check would,
 * without a #NPF path, hooks on every hypervisor store into guest RAM, or
 * faults for guests that write their tables (docs/benchmarks.md).
 */
#include <asm/decode.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include "dr_decode.h"

#define ENTRIES 8                 /* the bench's DR round has 7 MOV DRs */
#define WORDS (GW_TRACE_MAX + 2)  /* the walk's entries, the bytes (at most 2 quadwords) */
#define CR4_PSE  (1ull << 4)
#define CR4_LA57 (1ull << 12)
#define CTX_VALID (1ull << 63)

/* A part of an aligned quadword of guest RAM and what it held. */
struct held_word {
    const uint64_t *hva;
    uint64_t mask;
    uint64_t val;
};

struct decode_entry {
    uint64_t lin_rip;
    uint64_t ctx;                 /* CTX_VALID | mode | the paging controls; 0: empty */
    uint64_t cr3;
    unsigned n_words;
    struct held_word w[WORDS];
    struct x86_insn insn;
};

struct dr_decode_cache {
    unsigned next;                /* round-robin replacement */
    struct decode_entry *hint;    /* after the last hit: a loop's MOV DRs fill in
                                     the order they run, so the next one is there */
    struct decode_entry e[ENTRIES];
};
static struct dr_decode_cache caches[MAX_DOMAINS][MAX_VCPUS];

/* The vCPU's cache: a fresh vCPU (zeroed) takes its slot over, emptied. */
static struct dr_decode_cache *cache_of(struct vcpu *v)
{
    struct dr_decode_cache *c = v->arch.dr_decode;

    if (!c) {
        c = &caches[v->domain - domains][v->id % MAX_VCPUS];
        memset(c, 0, sizeof(*c));
        c->hint = c->e;
        v->arch.dr_decode = c;
    }
    return c;
}

/* The key besides CR3 and RIP: the mode decides the decode, these CR0, CR4
 * and EFER bits the walk (CR0 bits 0 and 31, CR4 bits 4, 5 and 12, EFER
 * bits 10 and 11: no two share a position, so they are or-ed as they are). */
static uint64_t context(const struct vmcb_save *s, int mode)
{
    return CTX_VALID | ((uint64_t)mode << 32) |
           (s->cr0 & (X86_CR0_PG | X86_CR0_PE)) |
           (s->cr4 & (X86_CR4_PAE | CR4_PSE | CR4_LA57)) |
           (s->efer & (EFER_LMA | EFER_NXE));
}

/* Whether memory still holds what the entry was decoded from. A store by
 * another vCPU racing with this check is cross-modifying code without
 * synchronization: either version is what a CPU could have run. */
static bool still_holds(const struct decode_entry *e)
{
    for (const struct held_word *w = e->w, *end = w + e->n_words; w < end; w++)
        if ((__atomic_load_n(w->hva, __ATOMIC_RELAXED) ^ w->val) & w->mask)
            return false;
    return true;
}

/* Record that the len (<= 8) bytes at hva, within one aligned quadword,
 * hold value (little-endian, in its low bytes). */
static void hold(struct decode_entry *e, const void *hva, unsigned len, uint64_t value)
{
    unsigned shift = ((uintptr_t)hva & 7) * 8;
    uint64_t mask = len == 8 ? ~0ull : (1ull << (len * 8)) - 1;
    struct held_word *w = &e->w[e->n_words++];

    w->hva = (const uint64_t *)((uintptr_t)hva & ~7ull);
    w->mask = mask << shift;
    w->val = (value & mask) << shift;
}

static uint64_t le_bytes(const uint8_t *b, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;)
        v = (v << 8) | b[i];
    return v;
}

/* Remember a decode when its walk and bytes are all in RAM. */
static void fill(struct vcpu *v, struct decode_entry *e, uint64_t lin, uint64_t ctx,
                 const uint8_t *bytes, const struct x86_insn *insn)
{
    struct guest_walk_trace t;
    const uint8_t *code;
    unsigned first;
    uint64_t gpa;

    e->ctx = 0;
    if (guest_translate_traced(v, lin, &gpa, NULL, &t) != GW_OK)
        return;
    /* The bytes in at most two aligned quadwords of one page (a MOV DR is 3
     * to 5 bytes, more only with redundant prefixes: those are not cached). */
    if ((gpa & 7) + insn->len > 16 || (gpa & 0xfff) + insn->len > 0x1000)
        return;
    e->n_words = 0;
    for (unsigned i = 0; i < t.n; i++) {
        const void *p = domain_gpa_to_hva(v->domain, t.gpa[i], t.size[i]);
        if (!p)
            return;                 /* an entry on a device: not cached */
        hold(e, p, t.size[i], t.val[i]);
    }
    code = domain_gpa_to_hva(v->domain, gpa, insn->len);
    if (!code)
        return;
    first = MIN(insn->len, 8u - (unsigned)(gpa & 7));
    hold(e, code, first, le_bytes(bytes, first));
    if (first < insn->len)
        hold(e, code + first, insn->len - first, le_bytes(bytes + first, insn->len - first));
    /* What we fetched must be what this walk leads to, or the entry would
     * pair one version of the bytes with another mapping. */
    if (!still_holds(e))
        return;
    e->lin_rip = lin;
    e->cr3 = v->arch.vmcb->save.cr3;
    e->insn = *insn;
    e->ctx = ctx;
}

static bool key_matches(const struct decode_entry *e, uint64_t lin, uint64_t cr3, uint64_t ctx)
{
    return e->lin_rip == lin && e->cr3 == cr3 && e->ctx == ctx;
}

/* Outside long mode the linear address wraps at 4 GiB (CS.base counts). */
static uint64_t linear_rip(const struct vmcb_save *s, int mode)
{
    return mode == X86_MODE_LONG64 ? s->rip : (uint32_t)(s->cs.base + s->rip);
}

/* A miss: fetch, decode, and remember the decode (in the stale entry of the
 * same key if there is one). */
static __attribute__((noinline)) int decode_and_fill(struct vcpu *v, int mode, struct x86_insn *insn,
                                                     unsigned *fetched)
{
    const struct vmcb_save *s = &v->arch.vmcb->save;
    struct dr_decode_cache *c = cache_of(v);
    uint64_t lin = linear_rip(s, mode), ctx = context(s, mode);
    struct decode_entry *slot = NULL;
    uint8_t bytes[X86_MAX_INSN_LEN];

    *fetched = guest_fetch_insn(v, bytes, sizeof(bytes));
    if (x86_decode(bytes, *fetched, (enum x86_mode)mode, insn) < 0)
        return -1;
    for (unsigned i = 0; i < ENTRIES && !slot; i++)
        if (key_matches(&c->e[i], lin, s->cr3, ctx))
            slot = &c->e[i];
    if (!slot) {
        slot = &c->e[c->next];
        c->next = (c->next + 1) % ENTRIES;
    }
    fill(v, slot, lin, ctx, bytes, insn);
    return 0;
}

int svm_decode_dr_insn(struct vcpu *v, int mode, struct x86_insn *insn, unsigned *fetched)
{
    const struct vmcb_save *s = &v->arch.vmcb->save;
    struct dr_decode_cache *c = v->arch.dr_decode;
    uint64_t lin = linear_rip(s, mode), ctx = context(s, mode), cr3 = s->cr3;
    struct decode_entry *e;

    /* Every call from here is a tail call, so the hit saves no registers. */
    if (__builtin_expect(!c, 0))
        return decode_and_fill(v, mode, insn, fetched);     /* the vCPU's first */
    e = c->hint;
    if (!key_matches(e, lin, cr3, ctx))
        for (e = c->e; e < c->e + ENTRIES && !key_matches(e, lin, cr3, ctx); e++)
            ;
    if (e == c->e + ENTRIES || !still_holds(e))
        return decode_and_fill(v, mode, insn, fetched);
    c->hint = e + 1 == c->e + ENTRIES ? c->e : e + 1;
    *insn = e->insn;
    *fetched = insn->len;
    return 0;
}
