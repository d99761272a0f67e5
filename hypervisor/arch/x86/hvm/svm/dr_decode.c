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
 * linear RIP (the key: RIP, CS base and the raw bits that decide the mode and
 * the walk, so that a hit computes neither), and of guest memory: the
 * paging-structure entries the walk read (same addresses, same values: the
 * walk lands on the same page) and the instruction's bytes there. An entry
 * keeps, for each of those, the aligned quadword of RAM that holds it, a mask
 * and the value, so a hit is the key compares plus one load-xor-and per entry
 * of the walk and one or two for the bytes, with no walk and no fetch. Code
 * rewritten in place and a page remapped at any level (even without a TLB
 * flush we could see), by this vCPU, another one or the hypervisor itself
 * (the emulator, the debugger, the toolstack), all miss and are decoded
 * afresh: nothing needs to tell the cache about a write. Only RAM is cached.
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
#define CS_L_D   0x600u           /* CS attributes L and D/B: with CR0.PE and EFER.LMA, the mode */
#define CTX_VALID (1ull << 63)
#define HIT_PATH static inline __attribute__((always_inline))   /* no call frame on a hit */

/* A part of an aligned quadword of guest RAM and what it held. */
struct held_word {
    const uint64_t *hva;
    uint64_t mask;
    uint64_t val;
};

struct decode_entry {
    uint64_t rip, cs_base, cr3;   /* with the mode, the linear RIP */
    uint64_t ctx;                 /* CTX_VALID | the mode's and the walk's controls; 0: empty */
    struct dr_insn_plain plain;
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

/* The key besides CR3, RIP and CS base: the bits that decide the mode (CR0.PE,
 * EFER.LMA, CS.L and CS.D: guest_cpu_mode_of) and the walk (CR0 bits 0 and 31,
 * CR4 bits 4, 5 and 12, EFER bits 10 and 11). None shares a position with
 * another, CS's two moved above them, so they are or-ed as they are: the raw
 * bits, so that a hit needs no mode computed. */
HIT_PATH uint64_t context(const struct vmcb_save *s)
{
    return CTX_VALID | ((uint64_t)(s->cs.attrib & CS_L_D) << 32) |
           (s->cr0 & (X86_CR0_PG | X86_CR0_PE)) |
           (s->cr4 & (X86_CR4_PAE | CR4_PSE | CR4_LA57)) |
           (s->efer & (EFER_LMA | EFER_NXE));
}

HIT_PATH uint64_t held_diff(const struct held_word *w)
{
    return (__atomic_load_n(w->hva, __ATOMIC_RELAXED) ^ w->val) & w->mask;
}

/* Whether memory still holds what the entry was decoded from: every word
 * compared, or-ed, one branch (a hit compares them all anyway). A store by
 * another vCPU racing with this check is cross-modifying code without
 * synchronization: either version is what a CPU could have run. */
HIT_PATH bool still_holds(const struct decode_entry *e)
{
    const struct held_word *w = e->w;
    uint64_t diff = 0;

    _Static_assert(WORDS == 7, "one case per word");
    switch (e->n_words) {
    case 7: diff |= held_diff(&w[6]); __attribute__((fallthrough));
    case 6: diff |= held_diff(&w[5]); __attribute__((fallthrough));
    case 5: diff |= held_diff(&w[4]); __attribute__((fallthrough));
    case 4: diff |= held_diff(&w[3]); __attribute__((fallthrough));
    case 3: diff |= held_diff(&w[2]); __attribute__((fallthrough));
    case 2: diff |= held_diff(&w[1]); __attribute__((fallthrough));
    case 1: diff |= held_diff(&w[0]);
    }
    return diff == 0;
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

/* The exit handler's view: a MOV DR without LOCK naming DR0-7 makes exactly
 * one exit code; anything else is for the full path. */
static struct dr_insn_plain plain_of(const struct x86_insn *insn, int mode)
{
    struct dr_insn_plain p = {
        .gpr = insn->gpr & 15, .len = insn->len, .long_mode = mode == X86_MODE_LONG64,
    };

    if (!insn->lock && insn->dr < 8)
        p.exitcode = svm_mov_dr_exitcode(insn);
    return p;
}

/* Remember a decode when its walk and bytes are all in RAM. */
static void fill(struct vcpu *v, struct decode_entry *e, uint64_t lin, int mode,
                 const uint8_t *bytes, const struct x86_insn *insn)
{
    const struct vmcb_save *s = &v->arch.vmcb->save;
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
    e->rip = s->rip;
    e->cs_base = s->cs.base;
    e->cr3 = s->cr3;
    e->insn = *insn;
    e->plain = plain_of(insn, mode);
    e->ctx = context(s);
}

HIT_PATH bool key_matches(const struct decode_entry *e, uint64_t rip, uint64_t cs_base,
                        uint64_t cr3, uint64_t ctx)
{
    return e->rip == rip && e->ctx == ctx && e->cr3 == cr3 && e->cs_base == cs_base;
}

/* Outside long mode the linear address wraps at 4 GiB (CS.base counts). */
static uint64_t linear_rip(const struct vmcb_save *s, int mode)
{
    return mode == X86_MODE_LONG64 ? s->rip : (uint32_t)(s->cs.base + s->rip);
}

/* The entry for the guest's RIP, CS base, CR3 and controls if memory still
 * holds what it was decoded from. */
HIT_PATH struct decode_entry *lookup(struct dr_decode_cache *c, const struct vmcb_save *s)
{
    uint64_t rip = s->rip, cs_base = s->cs.base, cr3 = s->cr3, ctx = context(s);
    struct decode_entry *e = c->hint;

    if (!key_matches(e, rip, cs_base, cr3, ctx))
        for (e = c->e; !key_matches(e, rip, cs_base, cr3, ctx); e++)
            if (e + 1 == c->e + ENTRIES)
                return NULL;
    if (!still_holds(e))
        return NULL;
    c->hint = e + 1 == c->e + ENTRIES ? c->e : e + 1;
    return e;
}

/* A miss: fetch, decode, and remember the decode (in the stale entry of the
 * same key if there is one). */
static int decode_and_fill(struct vcpu *v, int mode, struct x86_insn *insn, unsigned *fetched)
{
    const struct vmcb_save *s = &v->arch.vmcb->save;
    struct dr_decode_cache *c = cache_of(v);
    uint64_t ctx = context(s);
    struct decode_entry *slot = NULL;
    uint8_t bytes[X86_MAX_INSN_LEN];

    *fetched = guest_fetch_insn(v, bytes, sizeof(bytes));
    if (x86_decode(bytes, *fetched, (enum x86_mode)mode, insn) < 0)
        return -1;
    for (unsigned i = 0; i < ENTRIES && !slot; i++)
        if (key_matches(&c->e[i], s->rip, s->cs.base, s->cr3, ctx))
            slot = &c->e[i];
    if (!slot) {
        slot = &c->e[c->next];
        c->next = (c->next + 1) % ENTRIES;
    }
    fill(v, slot, linear_rip(s, mode), mode, bytes, insn);
    return 0;
}

const struct dr_insn_plain *svm_dr_insn_cached(struct vcpu *v)
{
    struct dr_decode_cache *c = v->arch.dr_decode;
    struct decode_entry *e;

    if (__builtin_expect(!c, 0))
        return NULL;                /* the vCPU's first */
    e = lookup(c, &v->arch.vmcb->save);
    return e ? &e->plain : NULL;
}

int svm_decode_dr_insn(struct vcpu *v, int mode, struct x86_insn *insn, unsigned *fetched)
{
    struct dr_decode_cache *c = v->arch.dr_decode;
    struct decode_entry *e = c ? lookup(c, &v->arch.vmcb->save) : NULL;

    if (!e)
        return decode_and_fill(v, mode, insn, fetched);
    *insn = e->insn;
    *fetched = insn->len;
    return 0;
}
