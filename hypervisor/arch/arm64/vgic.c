/*
 * A domain's GICv3 (ARM IHI 0069): the distributor and one redistributor per
 * vCPU (frames of 128 KiB from 0x080a0000, in vCPU order, TYPER.Last on the
 * last) at QEMU virt's addresses, so a guest brings up its GIC as on
 * bare QEMU, and the interrupts it enables delivered through the virtual CPU
 * interface's list registers (ICH_LR<n>_EL2). Its ICC_* system registers
 * are the virtual interface's (ICV_*, HCR_EL2.IMO/FMO, vgic_cpuif.c).
 *
 * Delivered today: PPIs backed by a physical interrupt (the virtual and
 * physical timers, the PMU's overflow).
 * The physical interrupt is acknowledged at EL2 and left active; the list
 * register is a hardware one (HW = 1, pINTID), so when the guest deactivates
 * the virtual interrupt the GIC deactivates the physical one, and a timer
 * whose line is still high fires again, as a level-sensitive PPI does. While
 * the guest cannot take it (disabled, group off) the physical interrupt is
 * held active and released (deactivated, so the GIC samples the line again)
 * when the guest changes its enables.
 * SGIs between vCPUs: a trapped ICC_SGI1R_EL1 (vgic_cpuif.c) marks the SGI
 * pending in each target's sgi_pending and kicks it; before its next entry
 * the target moves those it can take into free list registers (software
 * interrupts: its EOI deactivates them, nothing physical behind them).
 * SPIs (the domain's devices' lines, the PL011's): the distributor's model
 * (vgic_dist.c) under the domain's gicd_lock. A change that concerns a vCPU
 * (a line, the guest's distributor writes) flags it (spi_sync) and kicks it;
 * before its next entry, and before every entry while its list registers
 * hold an SPI, it syncs them with the distributor. An EOI maintenance
 * interrupt (PPI 25) ends the guest's run when it deactivates a
 * level-sensitive SPI, so the line is sampled again then.
 * Not modelled yet: the redistributors' pending/active registers (RAZ/WI),
 * LPIs and the ITS, underflow maintenance (an SGI or SPI that finds no free
 * list register waits for the vCPU's next exit) (docs/arm64.md).
 */
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/percpu.h>
#include <dbgvisor/sched.h>
#include <asm/gicv3.h>
#include <asm/gicv3_regs.h>
#include <asm/sysreg.h>
#include <asm/vgic.h>
#include <asm/vgic_dist.h>

#define ICFGR0_SGIS_EDGE 0xaaaaaaaaU   /* SGIs are edge-triggered (RO) */
#define ICH_HCR_EN       (1ULL << 0)

static uint64_t read_lr(unsigned n)
{
    switch (n) {
    case 0:  return read_sysreg(s3_4_c12_c12_0);
    case 1:  return read_sysreg(s3_4_c12_c12_1);
    case 2:  return read_sysreg(s3_4_c12_c12_2);
    case 3:  return read_sysreg(s3_4_c12_c12_3);
    case 4:  return read_sysreg(s3_4_c12_c12_4);
    case 5:  return read_sysreg(s3_4_c12_c12_5);
    case 6:  return read_sysreg(s3_4_c12_c12_6);
    case 7:  return read_sysreg(s3_4_c12_c12_7);
    case 8:  return read_sysreg(s3_4_c12_c13_0);
    case 9:  return read_sysreg(s3_4_c12_c13_1);
    case 10: return read_sysreg(s3_4_c12_c13_2);
    case 11: return read_sysreg(s3_4_c12_c13_3);
    case 12: return read_sysreg(s3_4_c12_c13_4);
    case 13: return read_sysreg(s3_4_c12_c13_5);
    case 14: return read_sysreg(s3_4_c12_c13_6);
    default: return read_sysreg(s3_4_c12_c13_7);
    }
}

static void write_lr(unsigned n, uint64_t v)
{
    switch (n) {
    case 0:  write_sysreg(s3_4_c12_c12_0, v); break;
    case 1:  write_sysreg(s3_4_c12_c12_1, v); break;
    case 2:  write_sysreg(s3_4_c12_c12_2, v); break;
    case 3:  write_sysreg(s3_4_c12_c12_3, v); break;
    case 4:  write_sysreg(s3_4_c12_c12_4, v); break;
    case 5:  write_sysreg(s3_4_c12_c12_5, v); break;
    case 6:  write_sysreg(s3_4_c12_c12_6, v); break;
    case 7:  write_sysreg(s3_4_c12_c12_7, v); break;
    case 8:  write_sysreg(s3_4_c12_c13_0, v); break;
    case 9:  write_sysreg(s3_4_c12_c13_1, v); break;
    case 10: write_sysreg(s3_4_c12_c13_2, v); break;
    case 11: write_sysreg(s3_4_c12_c13_3, v); break;
    case 12: write_sysreg(s3_4_c12_c13_4, v); break;
    case 13: write_sysreg(s3_4_c12_c13_5, v); break;
    case 14: write_sysreg(s3_4_c12_c13_6, v); break;
    default: write_sysreg(s3_4_c12_c13_7, v); break;
    }
}

static unsigned nr_lrs(void)
{
    return (unsigned)(read_sysreg(ICH_VTR_EL2) & 0x1f) + 1;
}

/* ICH_AP0R<n>/AP1R<n>: one register per 32 preemption levels (VTR.PREbits). */
static unsigned nr_aprs(void)
{
    return 1u << (((read_sysreg(ICH_VTR_EL2) >> 26) & 7) + 1 - 5);
}

static uint64_t read_apr(unsigned group, unsigned n)
{
    switch (group * 4 + n) {
    case 0: return read_sysreg(s3_4_c12_c8_0);
    case 1: return read_sysreg(s3_4_c12_c8_1);
    case 2: return read_sysreg(s3_4_c12_c8_2);
    case 3: return read_sysreg(s3_4_c12_c8_3);
    case 4: return read_sysreg(s3_4_c12_c9_0);
    case 5: return read_sysreg(s3_4_c12_c9_1);
    case 6: return read_sysreg(s3_4_c12_c9_2);
    default: return read_sysreg(s3_4_c12_c9_3);
    }
}

static void write_apr(unsigned group, unsigned n, uint64_t v)
{
    switch (group * 4 + n) {
    case 0: write_sysreg(s3_4_c12_c8_0, v); break;
    case 1: write_sysreg(s3_4_c12_c8_1, v); break;
    case 2: write_sysreg(s3_4_c12_c8_2, v); break;
    case 3: write_sysreg(s3_4_c12_c8_3, v); break;
    case 4: write_sysreg(s3_4_c12_c9_0, v); break;
    case 5: write_sysreg(s3_4_c12_c9_1, v); break;
    case 6: write_sysreg(s3_4_c12_c9_2, v); break;
    default: write_sysreg(s3_4_c12_c9_3, v); break;
    }
}

/* The vCPU's redistributor out of reset (the domain's distributor is reset
 * with the domain: zero). */
void vgic_vcpu_reset(struct vcpu *v)
{
    struct vgic_cpu *g = &v->arch.vgic;

    memset(g, 0, sizeof(*g));
    g->asleep = true;
    g->spi_sync = true;         /* SPIs its lost list registers held go back */
}

/* PPIs whose physical interrupt the vCPU owns while it is active: those
 * linked to a hardware list register (its timers', its PMU's), or held. */
#define VCPU_PHYS_PPIS (1U << PPI_VIRT_TIMER | 1U << PPI_PHYS_TIMER | 1U << PPI_PMU)

void vgic_load(struct vcpu *v)
{
    struct vgic_cpu *g = &v->arch.vgic;
    unsigned n, aprs = nr_aprs();

    for (n = 0; n < 32; n++)
        if ((g->phys_active >> n) & 1)
            gicv3_set_ppi_active(n, true);
    for (n = 0; n < nr_lrs(); n++)
        write_lr(n, g->lr[n]);
    for (n = 0; n < aprs; n++) {
        write_apr(0, n, g->ap0r[n]);
        write_apr(1, n, g->ap1r[n]);
    }
    write_sysreg(ICH_VMCR_EL2, g->vmcr);
    write_sysreg(ICH_HCR_EL2, ICH_HCR_EN);
    isb();
}

void vgic_save(struct vcpu *v)
{
    struct vgic_cpu *g = &v->arch.vgic;
    unsigned n, aprs = nr_aprs();

    write_sysreg(ICH_HCR_EL2, 0);
    isb();
    g->vmcr = read_sysreg(ICH_VMCR_EL2);
    for (n = 0; n < aprs; n++) {
        g->ap0r[n] = read_apr(0, n);
        g->ap1r[n] = read_apr(1, n);
        write_apr(0, n, 0);
        write_apr(1, n, 0);
    }
    for (n = 0; n < nr_lrs(); n++) {
        g->lr[n] = read_lr(n);
        write_lr(n, 0);
    }
    g->phys_active = 0;
    for (n = 0; n < 32; n++)
        if (((VCPU_PHYS_PPIS >> n) & 1) && gicv3_ppi_active(n)) {
            g->phys_active |= 1U << n;
            gicv3_set_ppi_active(n, false);
        }
    isb();
}

bool vgic_saved_pending(const struct vcpu *v)
{
    unsigned n;

    for (n = 0; n < 16; n++)
        if (v->arch.vgic.lr[n] & ICH_LR_PENDING)
            return true;
    return false;
}

bool vgic_has_pending(void)
{
    unsigned n;

    for (n = 0; n < nr_lrs(); n++)
        if (read_lr(n) & ICH_LR_PENDING)
            return true;
    return false;
}

/* The guest would be signalled this interrupt: enabled, its group enabled. */
static bool deliverable(const struct vcpu *v, uint32_t intid)
{
    const struct vgic_cpu *g = &v->arch.vgic;
    uint32_t grp = (g->group >> intid) & 1 ? GICD_CTLR_GRP1 : GICD_CTLR_GRP0;

    return ((g->enabled >> intid) & 1) && (v->domain->arch.gicd.ctlr & grp);
}

void vgic_inject_hw(struct vcpu *v, uint32_t intid)
{
    struct vgic_cpu *g = &v->arch.vgic;
    uint64_t empty = read_sysreg(ICH_ELRSR_EL2);
    unsigned n, count = nr_lrs();

    if (intid >= 32)
        return;
    for (n = 0; n < count && !((empty >> n) & 1); n++)
        ;
    if (!deliverable(v, intid) || n == count) {
        g->held |= 1U << intid;
        return;
    }
    write_lr(n, ICH_LR_PENDING | ICH_LR_HW | ((g->group >> intid) & 1 ? ICH_LR_GROUP1 : 0) |
                (uint64_t)g->priority[intid] << ICH_LR_PRIORITY_SHIFT |
                (uint64_t)intid << ICH_LR_PINTID_SHIFT | intid);
    isb();
}

/* The guest changed what it can take: held physical interrupts are
 * deactivated, so the GIC samples their lines again and those still high come
 * back to vgic_inject_hw. */
static void release_held(struct vcpu *v)
{
    uint32_t held = v->arch.vgic.held;
    unsigned intid;

    v->arch.vgic.held = 0;
    for (intid = 0; intid < 32; intid++)
        if ((held >> intid) & 1)
            gicv3_deactivate(intid);
}

/* Disabled while pending in a list register: it leaves the list register (the
 * GIC stops forwarding it); its physical interrupt is sampled again. */
static void withdraw_disabled(struct vcpu *v, uint32_t disabled)
{
    unsigned n;

    for (n = 0; n < nr_lrs(); n++) {
        uint64_t lr = read_lr(n);
        uint32_t intid = (uint32_t)lr;
        if ((lr & ICH_LR_STATE) != ICH_LR_PENDING || intid >= 32 || !((disabled >> intid) & 1))
            continue;
        write_lr(n, 0);
        isb();
        if (lr & ICH_LR_HW)
            gicv3_deactivate((uint32_t)(lr >> ICH_LR_PINTID_SHIFT) & 0x1fff);
    }
}

/* The vCPUs of mask (d's) sync their SPIs before their next entry; those
 * that may be in the guest or asleep are kicked (the running one, at EL2
 * here, syncs on its way back in). */
static void notify_spi_sync(struct domain *d, uint32_t mask)
{
    struct vcpu *self = this_pcpu()->current;
    unsigned i;

    for (i = 0; mask && i < d->nr_vcpus; i++) {
        struct vcpu *t = d->vcpus[i];
        if (!((mask >> i) & 1))
            continue;
        __atomic_store_n(&t->arch.vgic.spi_sync, true, __ATOMIC_RELEASE);
        if (t != self)
            sched_vcpu_kick(t);
    }
}

void vgic_domain_init(struct domain *d)
{
    memset(&d->arch.gicd, 0, sizeof(d->arch.gicd));
    d->arch.gicd_lock = (spinlock_t)SPINLOCK_INIT;
}

void vgic_set_spi_level(struct domain *d, uint32_t intid, bool level)
{
    uint32_t mask;

    spin_lock(&d->arch.gicd_lock);
    vgic_dist_set_level(&d->arch.gicd, intid, level);
    mask = vgic_dist_vcpus_to_sync(&d->arch.gicd, d->nr_vcpus);
    spin_unlock(&d->arch.gicd_lock);
    notify_spi_sync(d, mask);
}

bool vgic_dist_access(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val)
{
    struct domain *d = v->domain;
    uint32_t mask = 0;
    bool ok;

    spin_lock(&d->arch.gicd_lock);
    ok = vgic_dist_mmio(&d->arch.gicd, off, size, write, val);
    if (ok && write)
        mask = vgic_dist_vcpus_to_sync(&d->arch.gicd, d->nr_vcpus);
    spin_unlock(&d->arch.gicd_lock);
    if (ok && write && off == GICD_CTLR)
        release_held(v);                /* the PPIs' group enables changed too */
    notify_spi_sync(d, mask);
    return ok;
}

bool vgic_spi_waiting(const struct vcpu *v)
{
    return __atomic_load_n(&v->arch.vgic.spi_sync, __ATOMIC_ACQUIRE);
}

void vgic_sync_spis(struct vcpu *v)
{
    struct domain *d = v->domain;
    uint64_t lr[16], was[16];
    unsigned n, count = nr_lrs();
    uint32_t mask;

    __atomic_store_n(&v->arch.vgic.spi_sync, false, __ATOMIC_RELEASE);
    for (n = 0; n < count; n++)
        lr[n] = was[n] = read_lr(n);
    spin_lock(&d->arch.gicd_lock);
    v->arch.vgic.spis_held = vgic_dist_sync_lrs(&d->arch.gicd, v->id, lr, count);
    mask = vgic_dist_vcpus_waiting(&d->arch.gicd, d->nr_vcpus) & ~(1U << v->id);
    spin_unlock(&d->arch.gicd_lock);
    for (n = 0; n < count; n++)
        if (lr[n] != was[n])
            write_lr(n, lr[n]);
    isb();
    notify_spi_sync(d, mask);           /* SPIs it gave up that are routed elsewhere now */
}

static bool redist_read(struct vcpu *t, uint64_t off, unsigned size, uint64_t *val)
{
    struct vgic_cpu *g = &t->arch.vgic;

    if (off >= GICR_SGI + GICR_IPRIORITYR && off < GICR_SGI + GICR_IPRIORITYR + 32) {
        unsigned i, first = (unsigned)(off - GICR_SGI - GICR_IPRIORITYR);
        *val = 0;
        for (i = 0; i < size && first + i < 32; i++)
            *val |= (uint64_t)g->priority[first + i] << (8 * i);
        return size == 1 || size == 4;
    }
    if (off == GICR_TYPER)                  /* affinity and processor number: the id */
        *val = (uint64_t)t->id << 32 | (uint64_t)t->id << 8 |
               (t->id + 1 == t->domain->nr_vcpus ? GICR_TYPER_LAST : 0);
    else if (off == GICR_TYPER + 4 && size == 4)
        *val = t->id;
    else if (size != 4)
        return false;
    switch (off) {
    case GICR_TYPER:
    case GICR_TYPER + 4:              break;
    case GICR_IIDR:                   *val = VGIC_IIDR; break;
    case GICR_WAKER:                  *val = g->asleep ? WAKER_SLEEP | WAKER_ASLEEP : 0; break;
    case GIC_PIDR2:
    case GICR_SGI + GIC_PIDR2:        *val = GIC_PIDR2_GICV3; break;
    case GICR_SGI + GICR_IGROUPR0:    *val = g->group; break;
    case GICR_SGI + GICR_ISENABLER0:
    case GICR_SGI + GICR_ICENABLER0:  *val = g->enabled; break;
    case GICR_SGI + GICR_ICFGR0:      *val = ICFGR0_SGIS_EDGE; break;
    case GICR_SGI + GICR_ICFGR1:      *val = g->icfgr1; break;
    case GICR_SGI + GICR_IGRPMODR0:   *val = g->grpmod; break;
    default:                          *val = 0; break;
    }
    return true;
}

/* Writes to t's redistributor (by any vCPU v of the domain): the list
 * registers in the hardware are v's, so only v's own enables act on them. */
static bool redist_write(struct vcpu *v, struct vcpu *t, uint64_t off, unsigned size,
                         uint32_t val)
{
    struct vgic_cpu *g = &t->arch.vgic;
    bool own = t == v;

    if (off >= GICR_SGI + GICR_IPRIORITYR && off < GICR_SGI + GICR_IPRIORITYR + 32) {
        unsigned i, first = (unsigned)(off - GICR_SGI - GICR_IPRIORITYR);
        if (size != 1 && size != 4)
            return false;
        for (i = 0; i < size && first + i < 32; i++)
            g->priority[first + i] = (uint8_t)(val >> (8 * i));
        return true;
    }
    if (size != 4)
        return false;
    switch (off) {
    case GICR_WAKER:                  g->asleep = val & WAKER_SLEEP; break;
    case GICR_SGI + GICR_IGROUPR0:    g->group = val; if (own) release_held(v); break;
    case GICR_SGI + GICR_ISENABLER0:  g->enabled |= val; if (own) release_held(v); break;
    case GICR_SGI + GICR_ICENABLER0:
        g->enabled &= ~val;
        if (own)
            withdraw_disabled(v, val);
        break;
    case GICR_SGI + GICR_ICFGR1:      g->icfgr1 = val; break;
    case GICR_SGI + GICR_IGRPMODR0:   g->grpmod = val; break;
    default:                          break;     /* read-only, or not modelled: WI */
    }
    return true;
}

/* The frame of each vCPU; past the last one nothing answers (an external
 * abort, as QEMU gives past its last redistributor). */
bool vgic_redist_access(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val)
{
    uint64_t index = off / VGICR_FRAME;
    struct vcpu *t;

    if (index >= v->domain->nr_vcpus)
        return false;
    t = v->domain->vcpus[index];
    off %= VGICR_FRAME;
    if (write)
        return redist_write(v, t, off, size, (uint32_t)*val);
    return redist_read(t, off, size, val);
}

/* ICC_SGI1R_EL1: TargetList [15:0], Aff1 [23:16], INTID [27:24], Aff2
 * [39:32], IRM [40], Aff3 [55:48]. vCPU n's MPIDR is n (Aff0). */
#define SGI1R_TARGETS(x)  ((uint32_t)(x) & 0xffff)
#define SGI1R_INTID(x)    ((uint32_t)((x) >> 24) & 0xf)
#define SGI1R_IRM         (1ULL << 40)
#define SGI1R_AFF_UPPER   (0xffULL << 16 | 0xffULL << 32 | 0xffULL << 48)

void vgic_send_sgi(struct vcpu *v, uint64_t sgi1r)
{
    struct domain *d = v->domain;
    uint32_t intid = SGI1R_INTID(sgi1r);
    unsigned i;

    for (i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *t = d->vcpus[i];
        bool target = (sgi1r & SGI1R_IRM) ? t != v
                    : !(sgi1r & SGI1R_AFF_UPPER) && ((SGI1R_TARGETS(sgi1r) >> i) & 1);
        if (!target)
            continue;
        __atomic_or_fetch(&t->arch.vgic.sgi_pending, 1U << intid, __ATOMIC_RELEASE);
        sched_vcpu_kick(t);
    }
}

static uint32_t deliverable_sgis(const struct vcpu *v, uint32_t pending)
{
    uint32_t out = 0;
    unsigned intid;

    for (intid = 0; intid < 16; intid++)
        if (((pending >> intid) & 1) && deliverable(v, intid))
            out |= 1U << intid;
    return out;
}

bool vgic_sgi_waiting(const struct vcpu *v)
{
    return deliverable_sgis(v, __atomic_load_n(&v->arch.vgic.sgi_pending, __ATOMIC_ACQUIRE));
}

/* Into a list register: merged with one that holds the INTID already
 * (pending stays pending; active becomes active and pending), else a free one. */
static bool queue_sgi(struct vcpu *v, uint32_t intid)
{
    const struct vgic_cpu *g = &v->arch.vgic;
    uint64_t empty = read_sysreg(ICH_ELRSR_EL2);
    unsigned n, count = nr_lrs(), free_lr = count;

    for (n = 0; n < count; n++) {
        uint64_t lr = read_lr(n);
        if ((empty >> n) & 1) {
            if (free_lr == count)
                free_lr = n;
            continue;
        }
        if ((uint32_t)lr == intid) {
            write_lr(n, lr | ICH_LR_PENDING);
            return true;
        }
    }
    if (free_lr == count)
        return false;
    write_lr(free_lr, ICH_LR_PENDING | ((g->group >> intid) & 1 ? ICH_LR_GROUP1 : 0) |
                      (uint64_t)g->priority[intid] << ICH_LR_PRIORITY_SHIFT | intid);
    return true;
}

void vgic_flush_sgis(struct vcpu *v)
{
    uint32_t pending = __atomic_exchange_n(&v->arch.vgic.sgi_pending, 0, __ATOMIC_ACQUIRE);
    uint32_t take = deliverable_sgis(v, pending), left = pending & ~take;
    unsigned intid;

    for (intid = 0; intid < 16; intid++)
        if (((take >> intid) & 1) && !queue_sgi(v, intid))
            left |= 1U << intid;
    if (left)
        __atomic_or_fetch(&v->arch.vgic.sgi_pending, left, __ATOMIC_RELEASE);
    isb();
}
