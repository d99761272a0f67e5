/*
 * Virtual local APIC: enough of it for the guest contract: ID, version,
 * TPR, PPR, APR, LDR/DFR, SPIV, EOI, ISR/IRR, ESR, ICR (INIT/SIPI/fixed/
 * lowest-priority/NMI IPIs to the domain's own vCPUs, physical or logical
 * destinations and every shorthand; never busy; lowest priority by
 * arbitration), LVTs (the error LVT raised by APIC errors) and a timer in one-shot and periodic mode counting at 1 GHz
 * before the divider, as QEMU's does, or in TSC-deadline mode (SDM 10.5.4).
 * Level-triggered vectors from the I/O APIC are marked in TMR and their EOI
 * is broadcast to it (hvm/irq.c).
 * Two modes (SDM vol 3 11.12, AMD APM vol 2 16.11): xAPIC, through the page
 * at IA32_APIC_BASE (mmio.c), and x2APIC, through the MSRs 0x800-0xBFF
 * (msr.c): a 32-bit read-only ID, LDR derived from it, the ICR as one 64-bit
 * register, SELF IPI, #GP for what the mode lacks and for reserved bits.
 */
#include <asm/hvm_irq.h>
#include <asm/svm_vcpu.h>
#include <asm/vlapic.h>
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/sched.h>
#include <dbgvisor/time.h>

#define LAPIC_ID      0x020
#define LAPIC_VER     0x030
#define LAPIC_TPR     0x080
#define LAPIC_APR     0x090
#define LAPIC_PPR     0x0A0
#define LAPIC_EOI     0x0B0
#define LAPIC_LDR     0x0D0
#define LAPIC_DFR     0x0E0
#define LAPIC_SPIV    0x0F0
#define LAPIC_ISR     0x100
#define LAPIC_TMR     0x180
#define LAPIC_IRR     0x200
#define LAPIC_ESR     0x280
#define LAPIC_ICR_LO  0x300
#define LAPIC_ICR_HI  0x310
#define LAPIC_LVT_TMR 0x320
#define LAPIC_LVT_THM 0x330
#define LAPIC_LVT_PMC 0x340
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERR 0x370
#define LAPIC_TMR_ICR 0x380
#define LAPIC_TMR_CCR 0x390
#define LAPIC_TMR_DCR 0x3E0
#define LAPIC_SELF_IPI 0x3F0     /* x2APIC mode only */
#define LVT_MASKED    (1u << 16)
#define LVT_TIMER_MODE(lvt) (((lvt) >> 17) & 3)
#define TIMER_ONESHOT  0
#define TIMER_PERIODIC 1
#define TIMER_TSC_DEADLINE 2
#define LVT_DM_EXTINT  (7u << 8)
/* ESR bits (SDM vol 3 11.5.3, AMD APM vol 2 16.4.8); the checksum and
 * accept errors belong to the P6/Pentium APIC bus. */
#define ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define ESR_ILLEGAL_REGISTER    (1u << 7)
/* Vectors 0-15 are illegal for fixed and lowest-priority interrupts: they
 * are never delivered and never set an IRR bit (SDM 11.5.2). */
#define FIRST_LEGAL_VECTOR 16

static inline bool test_vec(const uint32_t *bm, int vec) { return bm[vec / 32] & (1u << (vec % 32)); }
/* IRR is set from other pCPUs (IPIs): atomic. */
static inline void set_vec(uint32_t *bm, int vec) { __atomic_fetch_or(&bm[vec / 32], 1u << (vec % 32), __ATOMIC_SEQ_CST); }
static inline void clr_vec(uint32_t *bm, int vec) { __atomic_fetch_and(&bm[vec / 32], ~(1u << (vec % 32)), __ATOMIC_SEQ_CST); }

static int highest(const uint32_t *bm)
{
    for (int i = 7; i >= 0; i--)
        if (bm[i])
            return i * 32 + 31 - __builtin_clz(bm[i]);
    return -1;
}

/* An error the APIC detected: collected until the next ESR write latches
 * it. A new error raises the LVT error interrupt when that entry is
 * unmasked (and the APIC software-enabled); an illegal vector there is
 * itself a receive error and delivers nothing. May run on another pCPU
 * than v's (a received IPI): atomic. */
static void apic_error(struct vcpu *v, uint32_t bits)
{
    struct vlapic *l = &v->arch.vlapic;
    uint32_t lvt = __atomic_load_n(&l->lvt_error, __ATOMIC_SEQ_CST);
    uint32_t before = __atomic_fetch_or(&l->esr_pending, bits, __ATOMIC_SEQ_CST);

    if ((before & bits) == bits || (lvt & LVT_MASKED) || !(l->spiv & 0x100))
        return;
    if ((lvt & 0xff) < FIRST_LEGAL_VECTOR) {
        __atomic_fetch_or(&l->esr_pending, ESR_RECV_ILLEGAL_VECTOR, __ATOMIC_SEQ_CST);
        return;
    }
    vlapic_set_irq(v, (uint8_t)lvt);
}

/* The ESR write: the errors collected since the last one become visible. */
static void esr_latch(struct vlapic *l)
{
    l->esr = __atomic_exchange_n(&l->esr_pending, 0, __ATOMIC_SEQ_CST);
}

void vlapic_reset(struct vcpu *v)
{
    struct vlapic *l = &v->arch.vlapic;
    memset(l, 0, sizeof(*l));
    l->id = v->id;
    l->spiv = 0xff;
    l->dfr = 0xffffffff;
    l->lvt_timer = l->lvt_lint0 = l->lvt_lint1 = l->lvt_error = l->lvt_thermal = l->lvt_perf = LVT_MASKED;
}

void vlapic_init_signal(struct vcpu *v)
{
    struct vlapic *l = &v->arch.vlapic;
    uint32_t id = l->id, ldr = l->ldr;
    bool hw_disabled = l->hw_disabled, x2apic = l->x2apic;

    vlapic_reset(v);
    l->id = id;
    l->hw_disabled = hw_disabled;
    l->x2apic = x2apic;
    if (x2apic)
        l->ldr = ldr;                                 /* derived from the ID, read-only */
}

bool vlapic_hw_enabled(const struct vcpu *v)
{
    return vlapic_state_hw_enabled(&v->arch.vlapic);
}

bool vlapic_x2apic_mode(const struct vcpu *v)
{
    return __atomic_load_n(&v->arch.vlapic.x2apic, __ATOMIC_SEQ_CST);
}

bool vlapic_mmio_decoded(const struct vcpu *v)
{
    return vlapic_hw_enabled(v) && !vlapic_x2apic_mode(v);
}

/* EN changes: a disabled APIC loses its state, an enabled one starts from
 * its reset state in xAPIC mode. */
static void set_hw_enabled(struct vcpu *v, bool enabled)
{
    struct vlapic *l = &v->arch.vlapic;
    /* NMI blocking belongs to the processor, not to the APIC: it survives. */
    bool nmi_blocked = l->nmi_blocked, nmi_iret_seen = l->nmi_iret_seen;
    uint64_t nmi_iret_rip = l->nmi_iret_rip;

    vlapic_reset(v);
    l->nmi_blocked = nmi_blocked;
    l->nmi_iret_seen = nmi_iret_seen;
    l->nmi_iret_rip = nmi_iret_rip;
    __atomic_store_n(&l->hw_disabled, !enabled, __ATOMIC_SEQ_CST);
}

/* x2APIC logical ID (SDM 11.12.10.2): cluster ID = x2APIC ID[19:4] in bits
 * 31:16, one bit per logical ID (x2APIC ID[3:0]) below. */
static uint32_t x2apic_ldr(uint32_t id)
{
    return ((id >> 4) << 16) | (1u << (id & 0xf));
}

/* xAPIC -> x2APIC keeps every register but these (SDM 11.12.5.1): the ID
 * becomes the initial (x2)APIC ID whatever software wrote to the xAPIC ID,
 * LDR is derived from it, the ICR's high half is not kept. */
static void enter_x2apic(struct vcpu *v)
{
    struct vlapic *l = &v->arch.vlapic;

    l->id = v->id;
    l->ldr = x2apic_ldr(l->id);
    l->icr_hi = 0;
    __atomic_store_n(&l->x2apic, true, __ATOMIC_SEQ_CST);
}

bool vlapic_set_mode(struct vcpu *v, bool enabled, bool x2apic)
{
    bool was_enabled = vlapic_hw_enabled(v), was_x2apic = vlapic_x2apic_mode(v);

    if (x2apic && !enabled)
        return false;                                 /* EXTD without EN: invalid */
    if (enabled == was_enabled && x2apic == was_x2apic)
        return true;
    if ((was_x2apic && enabled && !x2apic) || (!was_enabled && x2apic))
        return false;                                 /* x2APIC -> xAPIC, disabled -> x2APIC */
    if (x2apic)
        enter_x2apic(v);
    else
        set_hw_enabled(v, enabled);                   /* to or from disabled */
    return true;
}

static uint64_t divisor(const struct vlapic *l)
{
    unsigned code = ((l->timer_dcr & 8) >> 1) | (l->timer_dcr & 3);
    return code == 7 ? 1 : 2ull << code;
}

static void timer_arm(struct vlapic *l, uint64_t now)
{
    l->timer_start_ns = now;
    l->timer_deadline_ns = l->timer_icr ? now + l->timer_icr * divisor(l) : 0;
}

static bool tsc_deadline_mode(const struct vlapic *l)
{
    return LVT_TIMER_MODE(l->lvt_timer) == TIMER_TSC_DEADLINE;
}

static uint64_t timer_period_ns(const struct vlapic *l)
{
    return (uint64_t)l->timer_icr * divisor(l);
}

/* The current count: what is left of this period (a periodic timer not yet
 * polled since its deadline is already in the next period); 0 when expired
 * or in TSC-deadline mode. */
static uint32_t timer_current(const struct vlapic *l)
{
    uint64_t now = now_ns(), left;

    if (!l->timer_deadline_ns || tsc_deadline_mode(l))
        return 0;
    if (now < l->timer_deadline_ns)
        left = l->timer_deadline_ns - now;
    else if (LVT_TIMER_MODE(l->lvt_timer) == TIMER_PERIODIC && timer_period_ns(l))
        left = timer_period_ns(l) - (now - l->timer_deadline_ns) % timer_period_ns(l);
    else
        return 0;
    return (uint32_t)(left / divisor(l));
}

/* The LVT timer's mode changes: moving into or out of TSC-deadline mode
 * disarms the timer (SDM 10.5.4.1; IA32_TSC_DEADLINE and the initial count
 * read 0 afterwards, as KVM does). */
static void timer_set_lvt(struct vlapic *l, uint32_t val)
{
    bool was_deadline = tsc_deadline_mode(l);

    l->lvt_timer = val;
    if (was_deadline != tsc_deadline_mode(l)) {
        l->timer_icr = 0;
        l->tsc_deadline = 0;
        l->timer_deadline_ns = 0;
    }
}

/* PPR: TPR, or the class of the highest vector in service if that is higher. */
static uint32_t processor_priority(const struct vlapic *l)
{
    int isrv = highest(l->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

    return (l->tpr & 0xf0) >= isr_class ? l->tpr : isr_class;
}

/* Arbitration priority (SDM vol 3 11.6.2.4): the TPR while it is at least
 * the class of the highest vector requested and above the one in service;
 * otherwise the higher of those classes (the in-service one only as far as
 * the TPR's class has it: the SDM's "TPR[7:4] AND ISRV[7:4]"). */
static uint32_t arbitration_priority(const struct vlapic *l)
{
    int irrv = highest(l->irr), isrv = highest(l->isr);
    uint32_t tpr_class = l->tpr & 0xf0;
    uint32_t irr_class = irrv < 0 ? 0 : (uint32_t)irrv & 0xf0;
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

    if (tpr_class >= irr_class && tpr_class > isr_class)
        return l->tpr;
    return MAX(tpr_class & isr_class, irr_class);
}

uint32_t vlapic_read(struct vcpu *v, uint32_t off)
{
    struct vlapic *l = &v->arch.vlapic;

    if (off >= LAPIC_ISR && off < LAPIC_ISR + 0x80)
        return l->isr[(off - LAPIC_ISR) / 16];
    if (off >= LAPIC_IRR && off < LAPIC_IRR + 0x80)
        return l->irr[(off - LAPIC_IRR) / 16];
    if (off >= LAPIC_TMR && off < LAPIC_TMR + 0x80)
        return l->tmr[(off - LAPIC_TMR) / 16];
    switch (off) {
    case LAPIC_ID:      return vlapic_x2apic_mode(v) ? l->id : l->id << 24;
    case LAPIC_VER:     return 0x00050014;     /* 6 LVTs, version 0x14 */
    case LAPIC_TPR:     return l->tpr;
    case LAPIC_APR:     return arbitration_priority(l);
    case LAPIC_PPR:     return processor_priority(l);
    case LAPIC_LDR:     return l->ldr;
    case LAPIC_DFR:     return l->dfr;
    case LAPIC_SPIV:    return l->spiv;
    case LAPIC_ESR:     return l->esr;
    case LAPIC_ICR_LO:  return l->icr_lo & ~(1u << 12);   /* never busy */
    case LAPIC_ICR_HI:  return l->icr_hi;
    case LAPIC_LVT_TMR: return l->lvt_timer;
    case LAPIC_LVT_THM: return l->lvt_thermal;
    case LAPIC_LVT_PMC: return l->lvt_perf;
    case LAPIC_LVT_LINT0: return l->lvt_lint0;
    case LAPIC_LVT_LINT1: return l->lvt_lint1;
    case LAPIC_LVT_ERR: return l->lvt_error;
    case LAPIC_TMR_ICR: return l->timer_icr;
    case LAPIC_TMR_CCR: return timer_current(l);
    case LAPIC_TMR_DCR: return l->timer_dcr;
    default:            return 0;
    }
}

#define DFR_FLAT        0xfu
#define ICR_LOGICAL     (1u << 11)
#define ICR_SHORTHAND_SELF (1u << 18)
#define ICR_ASSERT      (1u << 14)
#define ICR_LEVEL_TRIGGER (1u << 15)
#define DM_FIXED        0
#define DM_LOWEST       1
#define DM_NMI          4
#define DM_INIT         5
#define DM_STARTUP      6

/* Logical destination: flat model (DFR 0xF) ANDs the 8-bit MDA with LDR;
 * cluster model matches the cluster (0xF: all) and ANDs the 4-bit members. */
static bool logical_match(const struct vlapic *l, uint8_t mda)
{
    uint8_t ldr = (uint8_t)(l->ldr >> 24);

    if ((l->dfr >> 28) == DFR_FLAT)
        return mda & ldr;
    return ((mda >> 4) == 0xf || (mda >> 4) == (ldr >> 4)) && (mda & ldr & 0xf);
}

#define X2APIC_BROADCAST 0xffffffffu

/* Whether a message for mda (APIC ID or logical destination, as wide as the
 * sender's mode makes it) hits t, decoded in t's own mode as KVM does for a
 * domain whose vCPUs mix modes: an x2APIC matches 32-bit IDs, 0xFFFFFFFF
 * broadcast and logical clusters; an xAPIC 8-bit IDs, 0xFF broadcast and
 * its DFR model. */
static bool dest_match(const struct vcpu *t, uint32_t mda, bool logical)
{
    const struct vlapic *l = &t->arch.vlapic;

    if (vlapic_x2apic_mode(t)) {
        if (mda == X2APIC_BROADCAST)
            return true;
        if (logical)
            return (mda >> 16) == (l->ldr >> 16) && (mda & l->ldr & 0xffff);
        return mda == l->id;
    }
    if (logical)
        return mda <= 0xff && logical_match(l, (uint8_t)mda);
    return mda == 0xff || mda == l->id;               /* physical, 0xFF broadcast */
}

bool vlapic_match_dest(const struct vcpu *t, uint8_t dest, bool logical)
{
    /* An 8-bit message's 0xFF is the broadcast in either mode (no
     * interrupt remapping). */
    return dest_match(t, dest == 0xff && vlapic_x2apic_mode(t) ? X2APIC_BROADCAST : dest, logical);
}

/* Lowest-priority delivery picks, among the destination APICs that are
 * software-enabled, the one with the lowest arbitration priority; ties go
 * to the one that won fewest lowest-priority interrupts so far (KVM's
 * apic_arb_prio count: the tied targets take turns), then the lowest vCPU
 * index. Like KVM, no focus-processor rule: the SDM makes focus checking
 * model-specific and SVR bit 9 only stores its setting. */
bool vlapic_lowest_priority_beats(const struct vcpu *c, const struct vcpu *winner)
{
    const struct vlapic *l = &c->arch.vlapic, *w;
    uint32_t apr, wapr;

    if (!(l->spiv & 0x100))
        return false;
    if (!winner)
        return true;
    w = &winner->arch.vlapic;
    apr = arbitration_priority(l) & 0xf0;
    wapr = arbitration_priority(w) & 0xf0;
    if (apr != wapr)
        return apr < wapr;
    return __atomic_load_n(&l->lowest_wins, __ATOMIC_RELAXED) <
           __atomic_load_n(&w->lowest_wins, __ATOMIC_RELAXED);
}

void vlapic_lowest_priority_won(struct vcpu *v)
{
    __atomic_fetch_add(&v->arch.vlapic.lowest_wins, 1, __ATOMIC_RELAXED);
}

static bool ipi_hits(const struct vcpu *src, const struct vcpu *t, uint32_t lo, uint32_t dest)
{
    switch ((lo >> 18) & 3) {
    case 1:  return t == src;                         /* self */
    case 2:  return true;                             /* all including self */
    case 3:  return t != src;                         /* all excluding self */
    }
    return dest_match(t, dest, lo & ICR_LOGICAL);
}

/* An IPI from v's ICR: lo its low half, dest the destination field (8 bits
 * in xAPIC mode, 32 in x2APIC mode). A fixed or lowest-priority IPI with a
 * vector below 16 is still sent: the sender records a send error, each
 * APIC that accepts it a receive error (SDM 11.5.3; vol 3 10.6.3.1). */
static void send_ipi(struct vcpu *v, uint32_t lo, uint32_t dest)
{
    struct domain *d = v->domain;
    unsigned mode = (lo >> 8) & 7;
    uint8_t vector = lo & 0xff;
    struct vcpu *lowest = NULL;

    if (mode == DM_INIT && (lo & ICR_LEVEL_TRIGGER) && !(lo & ICR_ASSERT))
        return;                                       /* INIT level de-assert: nothing to do */
    if ((mode == DM_FIXED || mode == DM_LOWEST) && vector < FIRST_LEGAL_VECTOR)
        apic_error(v, ESR_SEND_ILLEGAL_VECTOR);
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *t = d->vcpus[i];

        if (!vlapic_hw_enabled(t) || !ipi_hits(v, t, lo, dest))
            continue;                                 /* a disabled APIC receives nothing */
        if (mode == DM_INIT) {
            sched_vcpu_init_received(t);
        } else if (mode == DM_STARTUP) {
            sched_vcpu_sipi(t, vector);
        } else if (mode == DM_FIXED) {
            vlapic_set_irq(t, vector);
        } else if (mode == DM_LOWEST) {
            if (vlapic_lowest_priority_beats(t, lowest))
                lowest = t;
        } else if (mode == DM_NMI) {
            vlapic_set_nmi(t);                        /* the vector field is ignored */
        }
    }
    if (lowest) {
        vlapic_lowest_priority_won(lowest);
        vlapic_set_irq(lowest, vector);
    }
}

void vlapic_write(struct vcpu *v, uint32_t off, uint32_t val)
{
    struct vlapic *l = &v->arch.vlapic;

    switch (off) {
    case LAPIC_ID:      l->id = val >> 24; break;
    case LAPIC_TPR:     l->tpr = val & 0xff; break;
    case LAPIC_LDR:     l->ldr = val & 0xff000000u; break;
    case LAPIC_DFR:     l->dfr = val | 0x0fffffffu; break;
    case LAPIC_SPIV:    l->spiv = val & 0x3ff; break;
    case LAPIC_ESR:     esr_latch(l); break;       /* any value (x2APIC: 0) */
    case LAPIC_EOI: {
        int vec = highest(l->isr);
        if (vec < 0)
            break;
        clr_vec(l->isr, vec);
        if (test_vec(l->tmr, vec)) {                  /* level-triggered: EOI broadcast */
            clr_vec(l->tmr, vec);
            hvm_irq_lapic_eoi(v, (uint8_t)vec);
        } else {
            hvm_irq_lapic_edge_eoi(v, (uint8_t)vec);  /* a PIT tick's acknowledgement */
        }
        break;
    }
    case LAPIC_ICR_HI:  l->icr_hi = val; break;
    case LAPIC_ICR_LO:
        l->icr_lo = val;
        send_ipi(v, val, l->icr_hi >> 24);
        break;
    case LAPIC_LVT_TMR: timer_set_lvt(l, val & 0x700ff); break;
    case LAPIC_LVT_THM: l->lvt_thermal = val & 0x107ff; break;
    case LAPIC_LVT_PMC: l->lvt_perf = val & 0x107ff; break;
    case LAPIC_LVT_LINT0: l->lvt_lint0 = val & 0x1f7ff; break;
    case LAPIC_LVT_LINT1: l->lvt_lint1 = val & 0x1f7ff; break;
    case LAPIC_LVT_ERR: l->lvt_error = val & 0x100ff; break;
    case LAPIC_TMR_ICR:
        if (tsc_deadline_mode(l))
            break;                                    /* ignored in TSC-deadline mode */
        l->timer_icr = val;
        timer_arm(l, now_ns());
        break;
    case LAPIC_TMR_DCR: l->timer_dcr = val & 0xb; break;
    default: break;
    }
}

/*
 * The page as the bus sees it: each register is 32 bits at the start of a
 * 16-byte slot. Accesses that are not one aligned dword are undefined in the
 * SDM; as KVM does, a narrower read returns the register's bytes it covers
 * (a read that strays past the dword returns 0) and any write other than an
 * aligned dword is dropped: a byte at the ICR must not send an IPI.
 */
/* The xAPIC page's registers (SDM table 11-1; six LVTs, so no CMCI slot,
 * and SELF IPI only in x2APIC mode): an access to any other 16-byte slot
 * is an Illegal Register Address error and reads 0. */
static bool xapic_register_exists(uint32_t offset)
{
    uint32_t slot = offset & ~0xfu;

    return slot == LAPIC_ID || slot == LAPIC_VER || (slot >= LAPIC_TPR && slot <= LAPIC_ESR) ||
           (slot >= LAPIC_ICR_LO && slot <= LAPIC_TMR_CCR) || slot == LAPIC_TMR_DCR;
}

uint64_t vlapic_mmio_read(struct vcpu *v, uint32_t offset, unsigned size)
{
    unsigned in_slot = offset & 0xf;

    if (!xapic_register_exists(offset)) {
        apic_error(v, ESR_ILLEGAL_REGISTER);
        return 0;
    }

    if (in_slot + size > 4)
        return 0;
    return (vlapic_read(v, offset & ~0xfu) >> (in_slot * 8)) & (size == 4 ? ~0u : (1u << (size * 8)) - 1);
}

void vlapic_mmio_write(struct vcpu *v, uint32_t offset, unsigned size, uint64_t val)
{
    struct vlapic *l = &v->arch.vlapic;

    /* An aligned dword or nothing, before anything else (as KVM and QEMU): a
     * narrower write is dropped whatever it hits, without an error. */
    if (size == 4 && !(offset & 0xf)) {
        if (!xapic_register_exists(offset))
            apic_error(v, ESR_ILLEGAL_REGISTER);
        else
            vlapic_write(v, offset, (uint32_t)val);
        return;
    }
    if (!l->partial_write_logged) {
        l->partial_write_logged = true;
        printk("d%u v%u: %u-byte APIC write at offset %#x dropped (only aligned dwords count; "
               "reported once)\n", v->domain->id, v->id, size, offset);
    }
}

/* ---- x2APIC mode: the registers as MSRs 0x800-0xBFF (SDM table 11-6) ---- */

/* Each register that exists in x2APIC mode, with the bits a WRMSR may set
 * (0 for one that must be written with 0); read-only and write-only ones
 * are marked. Reserved bits, bits 63:32 included, raise #GP (SDM
 * 11.12.1.3). No DFR, ICR2, APR or RRD in this mode, and no CMCI LVT (the
 * version register counts 6 LVTs). */
enum { X2_RW, X2_RO, X2_WO };
struct x2apic_reg { uint16_t offset; uint8_t access; uint64_t writable; };

/* The ICR is one 64-bit register: vector, delivery mode, destination mode,
 * level, trigger mode, shorthand, and the destination in 63:32. The
 * delivery status (bit 12) is reserved too, as AMD defines it. */
#define X2APIC_ICR_VALID 0xffffffff000ccfffull

static const struct x2apic_reg x2apic_regs[] = {
    { LAPIC_ID, X2_RO, 0 },            { LAPIC_VER, X2_RO, 0 },
    { LAPIC_TPR, X2_RW, 0xff },        { LAPIC_PPR, X2_RO, 0 },
    { LAPIC_EOI, X2_WO, 0 },           { LAPIC_LDR, X2_RO, 0 },
    { LAPIC_SPIV, X2_RW, 0x3ff },      { LAPIC_ESR, X2_RW, 0 },
    { LAPIC_ICR_LO, X2_RW, X2APIC_ICR_VALID },
    { LAPIC_LVT_TMR, X2_RW, 0x710ff }, { LAPIC_LVT_THM, X2_RW, 0x117ff },
    { LAPIC_LVT_PMC, X2_RW, 0x117ff }, { LAPIC_LVT_LINT0, X2_RW, 0x1f7ff },
    { LAPIC_LVT_LINT1, X2_RW, 0x1f7ff }, { LAPIC_LVT_ERR, X2_RW, 0x110ff },
    { LAPIC_TMR_ICR, X2_RW, 0xffffffff }, { LAPIC_TMR_CCR, X2_RO, 0 },
    { LAPIC_TMR_DCR, X2_RW, 0xb },     { LAPIC_SELF_IPI, X2_WO, 0xff },
};
static const struct x2apic_reg x2apic_vector_bitmap = { LAPIC_ISR, X2_RO, 0 };   /* ISR, TMR, IRR */

/* The register an MSR of 0x800-0xBFF names, or NULL (#GP): outside x2APIC
 * mode, or no such register. */
static const struct x2apic_reg *x2apic_reg(const struct vcpu *v, uint32_t off)
{
    if (!vlapic_x2apic_mode(v))
        return NULL;
    if (off >= LAPIC_ISR && off < LAPIC_IRR + 0x80)
        return &x2apic_vector_bitmap;
    for (size_t i = 0; i < ARRAY_SIZE(x2apic_regs); i++)
        if (x2apic_regs[i].offset == off)
            return &x2apic_regs[i];
    return NULL;
}

int vlapic_x2apic_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    struct vlapic *l = &v->arch.vlapic;
    uint32_t off = (msr - X2APIC_MSR_FIRST) << 4;
    const struct x2apic_reg *r = x2apic_reg(v, off);

    if (!r || r->access == X2_WO)
        return -1;
    *val = off == LAPIC_ICR_LO ? ((uint64_t)l->icr_hi << 32) | l->icr_lo : vlapic_read(v, off);
    return 0;
}

int vlapic_x2apic_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    struct vlapic *l = &v->arch.vlapic;
    uint32_t off = (msr - X2APIC_MSR_FIRST) << 4;
    const struct x2apic_reg *r = x2apic_reg(v, off);

    if (!r || r->access == X2_RO || (val & ~r->writable))
        return -1;
    if (off == LAPIC_ICR_LO) {
        l->icr_lo = (uint32_t)val;
        l->icr_hi = (uint32_t)(val >> 32);
        send_ipi(v, l->icr_lo, l->icr_hi);
    } else if (off == LAPIC_SELF_IPI) {
        send_ipi(v, ICR_SHORTHAND_SELF | (uint32_t)val, 0);   /* fixed, edge */
    } else {
        vlapic_write(v, off, (uint32_t)val);
    }
    return 0;
}

uint8_t vlapic_cr8(const struct vcpu *v)
{
    return vlapic_state_cr8(&v->arch.vlapic);
}

void vlapic_cr8_written(struct vcpu *v, uint8_t cr8)
{
    v->arch.vlapic.tpr = (uint32_t)(cr8 & 0xf) << 4;   /* TPR[3:0] are cleared */
}

bool vlapic_poll_timer(struct vcpu *v, uint64_t now)
{
    struct vlapic *l = &v->arch.vlapic;

    if (l->timer_deadline_ns && now >= l->timer_deadline_ns) {
        if (!(l->lvt_timer & LVT_MASKED) && (l->spiv & 0x100))
            vlapic_accept_irq(v, (uint8_t)l->lvt_timer, false);
        if (LVT_TIMER_MODE(l->lvt_timer) == TIMER_PERIODIC && timer_period_ns(l)) {
            /* Periods missed while the vCPU did not run coalesce into this one
             * interrupt: the next deadline is the first one still ahead. */
            uint64_t period = timer_period_ns(l);
            timer_arm(l, l->timer_deadline_ns + period * ((now - l->timer_deadline_ns) / period));
        } else {
            l->timer_deadline_ns = 0;                 /* one-shot; TSC deadline disarms */
            l->tsc_deadline = 0;
        }
    }
    return vlapic_pending_vector(v) >= 0 || vlapic_nmi_deliverable(v);
}

uint64_t vlapic_timer_deadline_ns(const struct vcpu *v)
{
    return vlapic_deadline_or_never(&v->arch.vlapic);
}

/* IA32_TSC_DEADLINE: in guest TSC units; the host clock's deadline is
 * rounded up so the interrupt never arrives before the guest's TSC has
 * reached the value. Outside TSC-deadline mode it reads 0 and ignores writes. */
uint64_t vlapic_tsc_deadline(const struct vcpu *v)
{
    return tsc_deadline_mode(&v->arch.vlapic) ? v->arch.vlapic.tsc_deadline : 0;
}

void vlapic_set_tsc_deadline(struct vcpu *v, uint64_t deadline, uint64_t guest_tsc_now)
{
    struct vlapic *l = &v->arch.vlapic;
    uint64_t now = now_ns(), khz = tsc_khz(), delta;

    if (!tsc_deadline_mode(l))
        return;
    l->tsc_deadline = deadline;
    if (!deadline) {
        l->timer_deadline_ns = 0;                     /* 0 disarms */
        return;
    }
    delta = deadline > guest_tsc_now ? deadline - guest_tsc_now : 0;
    if (delta / khz > (UINT64_MAX - now) / 2000000u)
        l->timer_deadline_ns = UINT64_MAX - 1;        /* centuries away */
    else
        l->timer_deadline_ns = now + (delta / khz) * 1000000u + ((delta % khz) * 1000000u + khz - 1) / khz;
}

int vlapic_pending_vector(struct vcpu *v)
{
    struct vlapic *l = &v->arch.vlapic;
    int irr = highest(l->irr);

    if (irr < 16 || !vlapic_hw_enabled(v))
        return -1;
    /* A vector waits while its priority class is not above the processor's. */
    if ((uint32_t)(irr & 0xf0) <= (processor_priority(l) & 0xf0))
        return -1;
    return irr;
}

void vlapic_ack(struct vcpu *v, int vec)
{
    clr_vec(v->arch.vlapic.irr, vec);
    set_vec(v->arch.vlapic.isr, vec);
}

void vlapic_accept_irq(struct vcpu *v, uint8_t vec, bool level)
{
    if (vec < FIRST_LEGAL_VECTOR) {
        apic_error(v, ESR_RECV_ILLEGAL_VECTOR);       /* refused, IRR untouched */
        return;
    }
    if (level)
        set_vec(v->arch.vlapic.tmr, vec);
    else
        clr_vec(v->arch.vlapic.tmr, vec);
    set_vec(v->arch.vlapic.irr, vec);
}

void vlapic_set_irq(struct vcpu *v, uint8_t vec)
{
    vlapic_accept_irq(v, vec, false);
    sched_vcpu_kick(v);
}

void vlapic_set_nmi_pending(struct vcpu *v)
{
    __atomic_store_n(&v->arch.vlapic.nmi_pending, true, __ATOMIC_SEQ_CST);
}

void vlapic_set_nmi(struct vcpu *v)
{
    vlapic_set_nmi_pending(v);
    sched_vcpu_kick(v);
}

bool vlapic_accepts_extint(const struct vcpu *v)
{
    uint32_t lint0 = v->arch.vlapic.lvt_lint0;

    return vlapic_hw_enabled(v) && !(lint0 & LVT_MASKED) && (lint0 & (7u << 8)) == LVT_DM_EXTINT;
}

bool vlapic_nmi_deliverable(const struct vcpu *v)
{
    const struct vlapic *l = &v->arch.vlapic;
    return __atomic_load_n(&l->nmi_pending, __ATOMIC_SEQ_CST) && !l->nmi_blocked;
}
