/*
 * A domain's GICv3 distributor (ARM IHI 0069) with 32 SPIs (INTIDs 32-63,
 * GICD_TYPER.ITLinesNumber = 1; QEMU virt's PL011 is SPI 1, INTID 33).
 * One security state (DS = 1) with affinity routing (ARE = 1), so the
 * registers of INTIDs 0-31 are the redistributors' and read as zero here.
 *
 * An SPI is pending while its latch is set (an edge, or ISPENDR; cleared
 * when the guest acknowledges it or by ICPENDR) or, level-sensitive, while
 * its line is high; it is forwarded while enabled with its group enabled in
 * GICD_CTLR, to the vCPU its GICD_IROUTER names by affinity (vCPU n's MPIDR
 * is n; 1-of-N routing is not offered: TYPER.No1N, IRM RAZ/WI). An affinity
 * that names no vCPU forwards it nowhere: it stays pending.
 *
 * Delivery is through the target's list registers (vgic_dist_sync_lrs): a
 * pending SPI goes in pending, and from then on the list register holds its
 * state, which the guest changes without exiting (acknowledge: active;
 * EOI/deactivate: gone). The owner syncs before each entry of a vCPU that
 * holds one or that vgic_dist_vcpus_to_sync names: the list registers' state
 * comes back and the distributor's goes out again, so a level SPI whose line
 * is still high when the guest deactivates it is pending again (its list
 * register asks for an EOI maintenance interrupt, which ends the guest's run
 * at that moment), one whose line dropped while it sat pending is withdrawn,
 * and an SPI disabled while pending leaves the list register.
 */
#include <asm/gicv3_regs.h>
#include <asm/vgic_dist.h>

#define TYPER_IDBITS_16   (15U << 19)
#define TYPER_ITLINES     ((VGIC_NR_SPIS / 32) & 0x1f)
/* The word registers of INTIDs 32-63 (the second of each bank). */
#define SPI_WORD          4
#define IROUTER_FIRST     (GICD_IROUTER + VGIC_SPI_FIRST * 8)
#define IROUTER_LAST      (IROUTER_FIRST + VGIC_NR_SPIS * 8)
#define NO_TARGET         0xffffffffU

static uint32_t held(const struct vgic_dist *d)
{
    uint32_t mask = 0;
    unsigned s;

    for (s = 0; s < VGIC_NR_SPIS; s++)
        if (d->holder[s])
            mask |= 1U << s;
    return mask;
}

/* Pending in the distributor (not counting a list register's copy). */
static uint32_t pending(const struct vgic_dist *d)
{
    return d->latch | (d->level & ~d->edge);
}

/* Forwarded to a CPU interface: enabled, its group enabled. */
static uint32_t forwarded(const struct vgic_dist *d)
{
    uint32_t grp1 = (d->ctlr & GICD_CTLR_GRP1) ? d->group : 0;
    uint32_t grp0 = (d->ctlr & GICD_CTLR_GRP0) ? ~d->group : 0;

    return d->enabled & (grp0 | grp1);
}

/* The vCPU GICD_IROUTER names (Aff0; Aff1-3 zero), or NO_TARGET. */
static uint32_t target(const struct vgic_dist *d, unsigned s)
{
    uint64_t r = d->irouter[s];

    return (r & ~0xffULL) ? NO_TARGET : (uint32_t)r;
}

/* The guest-visible pending and active bits: a list register's copy while it
 * holds the SPI, with the guest's ICPENDR/ICACTIVER since applied. */
static uint32_t pending_view(const struct vgic_dist *d)
{
    return pending(d) | (d->lr_pending & ~d->clear_pending);
}

static uint32_t active_view(const struct vgic_dist *d)
{
    return d->active | (d->lr_active & ~d->clear_active);
}

/* ICFGR2/3: two bits per INTID, bit 1 of each = edge-triggered. */
static uint32_t icfgr_read(const struct vgic_dist *d, unsigned half)
{
    uint32_t v = 0;
    unsigned i;

    for (i = 0; i < 16; i++)
        if ((d->edge >> (half * 16 + i)) & 1)
            v |= 2U << (2 * i);
    return v;
}

static void icfgr_write(struct vgic_dist *d, unsigned half, uint32_t v)
{
    unsigned i;

    for (i = 0; i < 16; i++) {
        uint32_t bit = 1U << (half * 16 + i);
        d->edge = ((v >> (2 * i + 1)) & 1) ? d->edge | bit : d->edge & ~bit;
    }
}

static bool irouter_access(struct vgic_dist *d, uint64_t off, unsigned size, bool write,
                           uint64_t *val)
{
    unsigned s = (unsigned)((off - IROUTER_FIRST) / 8), shift = (unsigned)(off & 4) * 8;
    uint64_t mask = size == 8 ? ~0ULL : 0xffffffffULL << shift;

    if ((size != 8 && size != 4) || (off & (size - 1)))
        return false;
    if (write)
        d->irouter[s] = ((d->irouter[s] & ~mask) | ((*val << shift) & mask)) & GICD_IROUTER_AFF;
    else
        *val = (d->irouter[s] & mask) >> shift;
    return true;
}

static bool priority_access(struct vgic_dist *d, unsigned first, unsigned size, bool write,
                            uint64_t *val)
{
    unsigned i;

    if ((size != 1 && size != 4) || (first & (size - 1)))
        return false;
    if (!write)
        *val = 0;
    for (i = 0; i < size; i++) {
        if (write)
            d->priority[first + i] = (uint8_t)(*val >> (8 * i));
        else
            *val |= (uint64_t)d->priority[first + i] << (8 * i);
    }
    return true;
}

static void write_word(struct vgic_dist *d, uint64_t off, uint32_t v)
{
    uint32_t in_lr = held(d);

    switch (off) {
    case GICD_CTLR:                 d->ctlr = v & (GICD_CTLR_GRP0 | GICD_CTLR_GRP1); break;
    case GICD_IGROUPR + SPI_WORD:   d->group = v; break;
    case GICD_ISENABLER + SPI_WORD: d->enabled |= v; break;
    case GICD_ICENABLER + SPI_WORD: d->enabled &= ~v; break;
    case GICD_ISPENDR + SPI_WORD:   d->latch |= v; d->clear_pending &= ~v; break;
    case GICD_ICPENDR + SPI_WORD:   d->latch &= ~v; d->clear_pending |= v & in_lr; break;
    case GICD_ISACTIVER + SPI_WORD: d->active |= v; d->clear_active &= ~v; break;
    case GICD_ICACTIVER + SPI_WORD: d->active &= ~v; d->clear_active |= v & in_lr; break;
    case GICD_ICFGR + 8:            icfgr_write(d, 0, v); break;
    case GICD_ICFGR + 12:           icfgr_write(d, 1, v); break;
    default:                        break;      /* read-only, or RAZ/WI */
    }
}

static uint32_t read_word(const struct vgic_dist *d, uint64_t off)
{
    switch (off) {
    case GICD_CTLR:                 return d->ctlr | GICD_CTLR_ARE | GICD_CTLR_DS;
    case GICD_TYPER:                return TYPER_IDBITS_16 | GICD_TYPER_NO1N | TYPER_ITLINES;
    case GICD_IIDR:                 return VGIC_IIDR;
    case GIC_PIDR2:                 return GIC_PIDR2_GICV3;
    case GICD_IGROUPR + SPI_WORD:   return d->group;
    case GICD_ISENABLER + SPI_WORD:
    case GICD_ICENABLER + SPI_WORD: return d->enabled;
    case GICD_ISPENDR + SPI_WORD:
    case GICD_ICPENDR + SPI_WORD:   return pending_view(d);
    case GICD_ISACTIVER + SPI_WORD:
    case GICD_ICACTIVER + SPI_WORD: return active_view(d);
    case GICD_ICFGR + 8:            return icfgr_read(d, 0);
    case GICD_ICFGR + 12:           return icfgr_read(d, 1);
    default:                        return 0;   /* INTIDs 0-31 (ARE), absent SPIs, reserved */
    }
}

bool vgic_dist_mmio(struct vgic_dist *d, uint64_t off, unsigned size, bool write, uint64_t *val)
{
    if (off >= IROUTER_FIRST && off < IROUTER_LAST)
        return irouter_access(d, off, size, write, val);
    if (off >= GICD_IPRIORITYR + VGIC_SPI_FIRST && off < GICD_IPRIORITYR + VGIC_SPI_FIRST + VGIC_NR_SPIS)
        return priority_access(d, (unsigned)(off - GICD_IPRIORITYR - VGIC_SPI_FIRST), size, write, val);
    if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 1024 && size == 1) {
        if (!write)
            *val = 0;                                   /* SGIs/PPIs (ARE), absent SPIs */
        return true;
    }
    if (off >= GICD_IROUTER && off < GICD_IROUTER_END && size == 8 && !(off & 7)) {
        if (!write)
            *val = 0;                                   /* absent SPIs */
        return true;
    }
    if (size != 4 || (off & 3))
        return false;
    if (write)
        write_word(d, off, (uint32_t)*val);
    else
        *val = read_word(d, off);
    return true;
}

void vgic_dist_set_level(struct vgic_dist *d, uint32_t intid, bool level)
{
    uint32_t bit;

    if (intid < VGIC_SPI_FIRST || intid >= VGIC_SPI_FIRST + VGIC_NR_SPIS)
        return;
    bit = 1U << (intid - VGIC_SPI_FIRST);
    if (level && !(d->level & bit) && (d->edge & bit))
        d->latch |= bit;                                /* a rising edge */
    d->level = level ? d->level | bit : d->level & ~bit;
}

uint32_t vgic_dist_vcpus_waiting(const struct vgic_dist *d, unsigned nr_vcpus)
{
    uint32_t want = ((pending(d) & forwarded(d)) | d->active) & ~held(d), mask = 0;
    unsigned s;

    for (s = 0; s < VGIC_NR_SPIS; s++) {
        uint32_t t = target(d, s);
        if (((want >> s) & 1) && t < nr_vcpus)
            mask |= 1U << t;
    }
    return mask;
}

uint32_t vgic_dist_vcpus_to_sync(const struct vgic_dist *d, unsigned nr_vcpus)
{
    uint32_t mask = vgic_dist_vcpus_waiting(d, nr_vcpus);
    unsigned s;

    for (s = 0; s < VGIC_NR_SPIS; s++)
        if (d->holder[s])
            mask |= 1U << (d->holder[s] - 1);
    return mask;
}

/* A list register the GIC reports empty (ICH_ELRSR_EL2): no state, and no
 * EOI maintenance interrupt outstanding. */
static bool lr_free(uint64_t lr)
{
    return !(lr & ICH_LR_STATE) && ((lr & ICH_LR_HW) || !(lr & ICH_LR_EOI));
}

static bool lr_is_spi(uint64_t lr)
{
    uint32_t intid = (uint32_t)lr;

    return !(lr & ICH_LR_HW) && intid >= VGIC_SPI_FIRST && intid < VGIC_SPI_FIRST + VGIC_NR_SPIS;
}

/* The SPIs in vCPU vcpu's list registers back into the distributor; those
 * still active there: *kept. */
static void take_back(struct vgic_dist *d, unsigned vcpu, uint64_t *lr, unsigned nr_lrs,
                      uint32_t *kept)
{
    unsigned i, s;

    for (i = 0; i < nr_lrs; i++) {
        uint32_t bit;
        bool p, a;
        if (!lr_is_spi(lr[i]))
            continue;
        s = (uint32_t)lr[i] - VGIC_SPI_FIRST;
        bit = 1U << s;
        p = (lr[i] & ICH_LR_PENDING) && !(d->clear_pending & bit);
        a = (lr[i] & ICH_LR_ACTIVE) && !(d->clear_active & bit);
        if (p && (d->lr_latch & bit))
            d->latch |= bit;                            /* not acknowledged yet */
        if (a) {
            d->active |= bit;
            *kept |= bit;
        }
        lr[i] = 0;
    }
    /* Whatever it held is back (a list register lost with a vCPU reset too). */
    for (s = 0; s < VGIC_NR_SPIS; s++) {
        uint32_t bit = 1U << s;
        if (d->holder[s] != vcpu + 1)
            continue;
        d->holder[s] = 0;
        d->lr_pending &= ~bit;
        d->lr_active &= ~bit;
        d->lr_latch &= ~bit;
        d->clear_pending &= ~bit;
        d->clear_active &= ~bit;
    }
}

/* The next SPI to give a list register: highest priority (lowest value),
 * then lowest INTID. */
static unsigned first_by_priority(const struct vgic_dist *d, uint32_t cand)
{
    unsigned s, best = VGIC_NR_SPIS;

    for (s = 0; s < VGIC_NR_SPIS; s++)
        if (((cand >> s) & 1) && (best == VGIC_NR_SPIS || d->priority[s] < d->priority[best]))
            best = s;
    return best;
}

unsigned vgic_dist_sync_lrs(struct vgic_dist *d, unsigned vcpu, uint64_t *lr, unsigned nr_lrs)
{
    uint32_t kept = 0, cand = 0, deliver, in_lr;
    unsigned s, i = 0, count = 0;

    take_back(d, vcpu, lr, nr_lrs, &kept);
    in_lr = held(d);
    deliver = pending(d) & forwarded(d);
    for (s = 0; s < VGIC_NR_SPIS; s++) {
        uint32_t bit = 1U << s;
        if (in_lr & bit)
            continue;                                   /* in another vCPU's list registers */
        if ((kept & bit) || (target(d, s) == vcpu && ((deliver | d->active) & bit)))
            cand |= bit;
    }
    while (cand && (s = first_by_priority(d, cand)) < VGIC_NR_SPIS) {
        uint32_t bit = 1U << s;
        bool p = deliver & bit, a = d->active & bit;
        while (i < nr_lrs && !lr_free(lr[i]))
            i++;
        if (i == nr_lrs)
            break;                                      /* the rest wait for the next sync */
        lr[i++] = (p ? ICH_LR_PENDING : 0) | (a ? ICH_LR_ACTIVE : 0) |
                  ((d->edge & bit) ? 0 : ICH_LR_EOI) | ((d->group & bit) ? ICH_LR_GROUP1 : 0) |
                  (uint64_t)d->priority[s] << ICH_LR_PRIORITY_SHIFT | (VGIC_SPI_FIRST + s);
        if (p && (d->latch & bit)) {
            d->lr_latch |= bit;
            d->latch &= ~bit;
        }
        d->lr_pending |= p ? bit : 0;
        d->lr_active |= a ? bit : 0;
        d->active &= ~bit;
        d->holder[s] = (uint8_t)(vcpu + 1);
        cand &= ~bit;
        count++;
    }
    return count;
}
