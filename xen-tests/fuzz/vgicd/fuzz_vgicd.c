/*
 * The arm64 domain's GICv3 distributor (hypervisor/arch/arm64/vgic_dist.c)
 * driven as vgic.c drives it: the guest's accesses to the distributor frame,
 * the devices' lines, syncs of a vCPU's list registers before its entry, and
 * in between what the guest's virtual CPU interface does to those list
 * registers without exiting (acknowledge, EOI/deactivate) or a vCPU reset.
 * Input: one byte (vCPUs 1-4, list registers 1-4, which hold a hardware PPI
 * of their own), then 12-byte steps (operation, selector, offset, value).
 *
 * Invariants:
 *  - the programmed registers (CTLR, IGROUPR, the enables, ICFGR,
 *    IPRIORITYR, IROUTER) hold what the architecture's write rules give,
 *    kept by the harness from the writes taken;
 *  - a refused access and any read leave the distributor unchanged; IROUTER
 *    reads only affinity bits (IRM RAZ: no 1-of-N), CTLR reads ARE and DS;
 *  - after a sync, list registers that held no SPI are untouched (the
 *    hardware PPI stays), the count returned is the SPIs they hold, and no
 *    SPI sits in two list registers of any vCPUs;
 *  - **an SPI goes into a list register pending only if it is enabled, its
 *    group enabled, pending (a latch taken with it, or its level line high)
 *    and routed to that vCPU** (or already active there); its priority,
 *    group and EOI request (level-sensitive only) are the distributor's;
 *  - with a list register free after a sync, nothing deliverable is left
 *    waiting for that vCPU, and what waits has no higher priority than what
 *    the sync put in.
 */
#include <asm/gicv3_regs.h>
#include <asm/vgic_dist.h>
#include "fuzz.h"

#define MAX_VCPUS 4
#define MAX_LRS   4
#define HW_PPI    (ICH_LR_HW | ICH_LR_PENDING | (27ULL << ICH_LR_PINTID_SHIFT) | 27)

static unsigned nr_vcpus, nr_lrs;
static uint64_t lrs[MAX_VCPUS][MAX_LRS];

/* The programmed registers as the GIC architecture defines their writes,
 * kept here apart from the model and compared with it after every write. */
static struct {
    uint32_t ctlr, enabled, group, edge;
    uint8_t priority[VGIC_NR_SPIS];
    uint64_t irouter[VGIC_NR_SPIS];
} shadow;

static void shadow_write(uint64_t off, unsigned size, uint64_t val)
{
    uint32_t w = (uint32_t)val;
    unsigned i;

    if ( off >= GICD_IROUTER + VGIC_SPI_FIRST * 8 && off < GICD_IROUTER + (VGIC_SPI_FIRST + VGIC_NR_SPIS) * 8 )
    {
        uint64_t *r = &shadow.irouter[(off - GICD_IROUTER) / 8 - VGIC_SPI_FIRST];

        if ( size == 8 )
            *r = val & GICD_IROUTER_AFF;
        else if ( off & 4 )
            *r = (*r & 0xffffffffULL) | ((uint64_t)w << 32 & GICD_IROUTER_AFF);
        else
            *r = (*r & ~0xffffffffULL) | (w & GICD_IROUTER_AFF);
        return;
    }
    if ( off >= GICD_IPRIORITYR + VGIC_SPI_FIRST && off < GICD_IPRIORITYR + VGIC_SPI_FIRST + VGIC_NR_SPIS )
    {
        for ( i = 0; i < size; i++ )
            shadow.priority[off - GICD_IPRIORITYR - VGIC_SPI_FIRST + i] = (uint8_t)(val >> (8 * i));
        return;
    }
    if ( size != 4 )
        return;
    switch ( off )
    {
    case GICD_CTLR:          shadow.ctlr = w & (GICD_CTLR_GRP0 | GICD_CTLR_GRP1); break;
    case GICD_IGROUPR + 4:   shadow.group = w; break;
    case GICD_ISENABLER + 4: shadow.enabled |= w; break;
    case GICD_ICENABLER + 4: shadow.enabled &= ~w; break;
    case GICD_ICFGR + 8:
    case GICD_ICFGR + 12:
        for ( i = 0; i < 16; i++ )
        {
            uint32_t bit = 1U << ((off == GICD_ICFGR + 12) * 16 + i);

            shadow.edge = (w >> (2 * i + 1)) & 1 ? shadow.edge | bit : shadow.edge & ~bit;
        }
        break;
    }
}

static void check_shadow(const struct vgic_dist *d)
{
    FUZZ_CHECK(d->ctlr == shadow.ctlr && d->enabled == shadow.enabled && d->group == shadow.group &&
               d->edge == shadow.edge, "ctlr %#x/%#x enabled %#x/%#x group %#x/%#x edge %#x/%#x",
               d->ctlr, shadow.ctlr, d->enabled, shadow.enabled, d->group, shadow.group, d->edge,
               shadow.edge);
    FUZZ_CHECK(!memcmp(d->priority, shadow.priority, sizeof(shadow.priority)), "priorities differ");
    FUZZ_CHECK(!memcmp(d->irouter, shadow.irouter, sizeof(shadow.irouter)), "IROUTERs differ");
}

static bool is_spi(uint64_t lr)
{
    return !(lr & ICH_LR_HW) && (uint32_t)lr >= VGIC_SPI_FIRST &&
           (uint32_t)lr < VGIC_SPI_FIRST + VGIC_NR_SPIS;
}

static uint32_t forwarded(const struct vgic_dist *d)
{
    uint32_t grp1 = (d->ctlr & GICD_CTLR_GRP1) ? d->group : 0;
    uint32_t grp0 = (d->ctlr & GICD_CTLR_GRP0) ? ~d->group : 0;

    return d->enabled & (grp0 | grp1);
}

static void check_mmio(struct vgic_dist *d, uint64_t off, unsigned size, bool write, uint64_t val)
{
    struct vgic_dist before = *d;
    bool ok = vgic_dist_mmio(d, off, size, write, &val);

    if ( !ok || !write )
        FUZZ_CHECK(!memcmp(&before, d, sizeof(*d)), "%s %#llx/%u (%s) changed the distributor",
                   write ? "write" : "read", (unsigned long long)off, size, ok ? "taken" : "refused");
    if ( ok && write )
    {
        shadow_write(off, size, val);
        check_shadow(d);
    }
    if ( !ok || write )
        return;
    if ( off >= GICD_IROUTER && off < GICD_IROUTER_END && size == 8 )
        FUZZ_CHECK(!(val & ~GICD_IROUTER_AFF), "IROUTER %#llx reads %#llx",
                   (unsigned long long)off, (unsigned long long)val);
    if ( off == GICD_CTLR )
        FUZZ_CHECK((val & (GICD_CTLR_ARE | GICD_CTLR_DS)) == (GICD_CTLR_ARE | GICD_CTLR_DS),
                   "CTLR reads %#llx", (unsigned long long)val);
}

static void check_sync(struct vgic_dist *d, unsigned v)
{
    uint64_t before[MAX_LRS];
    uint32_t lr_latch_before = d->lr_latch, latch_before = d->latch, fwd = forwarded(d);
    unsigned n, spis = 0, free_lrs = 0, worst = 0, i, s, w;
    uint32_t waiting;

    memcpy(before, lrs[v], sizeof(before));
    n = vgic_dist_sync_lrs(d, v, lrs[v], nr_lrs);
    for ( i = 0; i < nr_lrs; i++ )
    {
        uint64_t lr = lrs[v][i];

        if ( !is_spi(before[i]) && before[i] )
            FUZZ_CHECK(lr == before[i], "vCPU %u LR%u %#llx became %#llx", v, i,
                       (unsigned long long)before[i], (unsigned long long)lr);
        if ( !lr )
            free_lrs++;
        if ( !is_spi(lr) )
            continue;
        spis++;
        s = (uint32_t)lr - VGIC_SPI_FIRST;
        FUZZ_CHECK(d->holder[s] == v + 1, "SPI %u in vCPU %u's LR, holder %u", s + 32, v, d->holder[s]);
        FUZZ_CHECK(((lr >> ICH_LR_PRIORITY_SHIFT) & 0xff) == d->priority[s], "SPI %u priority", s + 32);
        FUZZ_CHECK(!!(lr & ICH_LR_GROUP1) == !!((d->group >> s) & 1), "SPI %u group", s + 32);
        FUZZ_CHECK(!!(lr & ICH_LR_EOI) == !((d->edge >> s) & 1), "SPI %u EOI request", s + 32);
        FUZZ_CHECK(lr & ICH_LR_STATE, "SPI %u in an LR with no state", s + 32);
        if ( (lr & ICH_LR_PENDING) && !(lr & ICH_LR_ACTIVE) )
        {
            bool latched = ((lr_latch_before | latch_before) >> s) & 1;
            bool level_high = ((d->level & ~d->edge) >> s) & 1;

            FUZZ_CHECK((fwd >> s) & 1, "SPI %u delivered while not forwarded (enable %d, ctlr %#x, group %d)",
                       s + 32, (d->enabled >> s) & 1, d->ctlr, (d->group >> s) & 1);
            FUZZ_CHECK(latched || level_high, "SPI %u delivered while not pending", s + 32);
            FUZZ_CHECK(d->irouter[s] == v, "SPI %u delivered to vCPU %u, routed to %#llx", s + 32, v,
                       (unsigned long long)d->irouter[s]);
        }
        if ( d->priority[s] > worst )
            worst = d->priority[s];
    }
    FUZZ_CHECK(n == spis, "sync says %u SPIs, the LRs hold %u", n, spis);
    for ( s = 0; s < VGIC_NR_SPIS; s++ )
    {
        unsigned copies = 0;

        for ( w = 0; w < nr_vcpus; w++ )
            for ( i = 0; i < nr_lrs; i++ )
                copies += is_spi(lrs[w][i]) && (uint32_t)lrs[w][i] == VGIC_SPI_FIRST + s;
        FUZZ_CHECK(copies <= 1, "SPI %u in %u list registers", s + 32, copies);
    }
    waiting = vgic_dist_vcpus_waiting(d, nr_vcpus);
    if ( free_lrs )
        FUZZ_CHECK(!((waiting >> v) & 1), "vCPU %u has a free LR but an SPI waits for it", v);
    else if ( (waiting >> v) & 1 )
        for ( s = 0; s < VGIC_NR_SPIS; s++ )
        {
            uint32_t bit = 1U << s;
            bool waits = !d->holder[s] && d->irouter[s] == v &&
                         ((((d->latch | (d->level & ~d->edge)) & fwd) | d->active) & bit);

            FUZZ_CHECK(!waits || d->priority[s] >= worst,
                       "SPI %u (priority %u) waits behind one of priority %u", s + 32,
                       d->priority[s], worst);
        }
}

/* The guest's CPU interface on one list register, without an exit. */
static void guest_acts(unsigned v, unsigned i, unsigned what)
{
    uint64_t *lr = &lrs[v][i];

    if ( !is_spi(*lr) )
        return;
    if ( what == 0 && (*lr & ICH_LR_PENDING) )          /* acknowledge (IAR) */
        *lr = (*lr & ~ICH_LR_STATE) | ICH_LR_ACTIVE;
    else if ( what == 1 && (*lr & ICH_LR_ACTIVE) )      /* EOI + deactivate */
        *lr &= ~ICH_LR_STATE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size };
    struct vgic_dist d;
    unsigned v, i, cfg;

    memset(&d, 0, sizeof(d));
    memset(&shadow, 0, sizeof(shadow));
    cfg = (unsigned)fuzz_take(&in, 1);
    nr_vcpus = 1 + (cfg & 3);
    nr_lrs = 1 + ((cfg >> 2) & 3);
    memset(lrs, 0, sizeof(lrs));
    for ( v = 0; v < nr_vcpus; v++ )
        if ( (cfg >> 4) & (1U << v) )
            lrs[v][nr_lrs - 1] = HW_PPI;                  /* the timer's, not the distributor's */
    while ( fuzz_more(&in) )
    {
        unsigned op = (unsigned)fuzz_take(&in, 1), sel = (unsigned)fuzz_take(&in, 1);
        uint64_t off = fuzz_take(&in, 2), val = fuzz_take(&in, 8);
        static const unsigned sizes[] = { 4, 4, 8, 1, 2, 4, 4, 4 };
        /* The SPI registers a guest programs (the second word of each bank). */
        static const uint64_t spi_regs[] = {
            GICD_CTLR, GICD_IGROUPR + 4, GICD_ISENABLER + 4, GICD_ICENABLER + 4,
            GICD_ISPENDR + 4, GICD_ICPENDR + 4, GICD_ISACTIVER + 4, GICD_ICACTIVER + 4,
            GICD_ICFGR + 8, GICD_ICFGR + 12,
        };
        bool write = op & 0x80;

        v = sel % nr_vcpus;
        i = (sel >> 2) % nr_lrs;
        switch ( op % 8 )
        {
        case 0:
            check_mmio(&d, spi_regs[off % 10], 4, write, val);
            break;
        case 1:
            if ( sel & 1 )
                check_mmio(&d, GICD_IPRIORITYR + VGIC_SPI_FIRST + (off % 32 & ~3U), 4, write, val);
            else
                check_mmio(&d, GICD_IROUTER + (VGIC_SPI_FIRST + off % 32) * 8, 8, write,
                           off & 0x100 ? val : val % 5);       /* vCPUs 0-3, or none */
            break;
        case 2:
            check_mmio(&d, off, sizes[sel % 8], write, val);  /* anywhere in the frame */
            break;
        case 3:
            vgic_dist_set_level(&d, 28 + (sel % 40), val & 1);
            break;
        case 4:
        case 5:
            check_sync(&d, v);
            break;
        case 6:
            guest_acts(v, i, sel >> 7);
            break;
        default:    /* a vCPU reset loses its list registers' SPIs */
            for ( i = 0; i < nr_lrs; i++ )
                if ( is_spi(lrs[v][i]) )
                    lrs[v][i] = 0;
            check_sync(&d, v);
            break;
        }
    }
    return 0;
}
