/*
 * The domain's interrupt router (asm/hvm_irq.h): ISA lines to the vPIC and
 * the vIOAPIC, vIOAPIC messages to the local APICs, the vPIC's INT to the
 * vCPU that takes ExtINT, the vPIT's channel 0 to ISA IRQ0, and the timer
 * poll that the entry path and the scheduler share (the vPIT, the local
 * APIC timer, and the platform's: RTC, PM timer, asm/hvm_platform.h).
 *
 * PIT ticks are reinjected as KVM and Xen do: the periods that elapsed are
 * owed to the guest (tick_reinject.c, per the domain's timer_mode), one IRQ0
 * edge is raised at a time, and the next only once the guest acknowledged
 * the last (EOI at the PIC, or auto-EOI at INTA; or the local APIC's EOI of
 * the vector the I/O APIC sent it as). What is owed is dropped while no
 * route can carry IRQ0 to a CPU and when channel 0 is reprogrammed. So a
 * vCPU that was descheduled or stalled counts every tick of that time, as
 * Linux's timer_irq_works() and jiffies expect.
 */
#include <asm/hvm_irq.h>
#include <asm/hvm_platform.h>
#include <asm/svm_vcpu.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/sched.h>
#include <dbgvisor/time.h>

static struct hvm_irq *irq_of(struct domain *d) { return &d->arch.irq; }

static void record_kick(struct hvm_irq *irq, const struct vcpu *v)
{
    __atomic_fetch_or(&irq->kick_mask, 1u << v->id, __ATOMIC_SEQ_CST);
}

uint32_t hvm_irq_take_kicks(struct domain *d)
{
    return __atomic_exchange_n(&irq_of(d)->kick_mask, 0, __ATOMIC_SEQ_CST);
}

void hvm_irq_flush_kicks(struct domain *d)
{
    uint32_t mask = hvm_irq_take_kicks(d);

    for (unsigned i = 0; mask >> i && i < d->nr_vcpus; i++)   /* none on nearly every entry */
        if (mask & (1u << i))
            sched_vcpu_kick(d->vcpus[i]);
}

static void unlock_and_kick(struct domain *d)
{
    spin_unlock(&irq_of(d)->lock);
    hvm_irq_flush_kicks(d);
}

static bool takes_extint(const struct vcpu *v);
static void isa_irq_set_locked(struct hvm_irq *irq, unsigned isa, bool level);

/* ---- PIT tick reinjection (under the lock) ---- */

/* Whether IRQ0 can reach a CPU now: unmasked at the PIC with a vCPU taking
 * its INT, or unmasked at I/O APIC pin 2. */
static bool pit_irq_routed(struct domain *d)
{
    struct hvm_irq *irq = irq_of(d);

    if (!(irq->vioapic.rte[HVM_PIT_GSI] & VIOAPIC_RTE_MASKED))
        return true;
    if (vpic_irq_masked(&irq->vpic, HVM_PIT_IRQ))
        return false;
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (takes_extint(d->vcpus[i]))
            return true;
    return false;
}

static void pit_pulse(struct hvm_irq *irq)
{
    isa_irq_set_locked(irq, HVM_PIT_IRQ, true);
    isa_irq_set_locked(irq, HVM_PIT_IRQ, false);
}

/* n more channel-0 periods elapsed (n may be 0): raise the next owed tick
 * if the last one was acknowledged. */
static void pit_ticks_due(struct domain *d, unsigned n)
{
    struct hvm_irq *irq = irq_of(d);
    uint64_t rte = irq->vioapic.rte[HVM_PIT_GSI];

    tick_reinject_due(&irq->pit_ticks, n);
    if (!pit_irq_routed(d)) {
        tick_reinject_drop(&irq->pit_ticks);
        if (n)
            pit_pulse(irq);             /* the PIC's IRR still latches a masked edge */
        return;
    }
    if (!tick_reinject_take(&irq->pit_ticks))
        return;
    __atomic_store_n(&irq->pit_eoi_vector, rte & VIOAPIC_RTE_MASKED ? 0 : (uint8_t)rte,
                     __ATOMIC_RELAXED);
    pit_pulse(irq);
}

static void pit_tick_acked(struct domain *d)
{
    __atomic_store_n(&irq_of(d)->pit_eoi_vector, 0, __ATOMIC_RELAXED);
    tick_reinject_ack(&irq_of(d)->pit_ticks);
    pit_ticks_due(d, 0);
}

/* After the guest touched the PIC: an EOI (or auto-EOI INTA) of IRQ0. */
static void pic_serviced(struct domain *d)
{
    if (vpic_take_serviced(&irq_of(d)->vpic) & (1u << HVM_PIT_IRQ))
        pit_tick_acked(d);
}

void hvm_irq_set_timer_mode(struct domain *d, enum dbgv_timer_mode mode)
{
    spin_lock(&irq_of(d)->lock);
    tick_reinject_init(&irq_of(d)->pit_ticks, mode);
    spin_unlock(&irq_of(d)->lock);
}

/* ---- vPIC INT -> ExtINT ---- */

/* Who takes the vPIC's INT: a vCPU whose LINT0 is ExtINT, or vCPU 0 whose
 * APIC is hardware-disabled (INT is then its INTR pin). */
static bool takes_extint(const struct vcpu *v)
{
    return vlapic_accepts_extint(v) || (v->id == 0 && !vlapic_hw_enabled(v));
}

static void pic_int_changed(void *opaque, bool level)
{
    struct domain *d = opaque;

    if (!level)
        return;
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (takes_extint(d->vcpus[i]))
            record_kick(irq_of(d), d->vcpus[i]);
}

bool hvm_irq_extint_pending(struct vcpu *v)
{
    return __atomic_load_n(&irq_of(v->domain)->vpic.int_out, __ATOMIC_SEQ_CST) && takes_extint(v);
}

int hvm_irq_extint_ack(struct vcpu *v)
{
    struct hvm_irq *irq = irq_of(v->domain);
    int vector = -1;

    spin_lock(&irq->lock);
    if (vpic_int_pending(&irq->vpic))
        vector = vpic_ack(&irq->vpic);
    pic_serviced(v->domain);
    unlock_and_kick(v->domain);
    return vector;
}

/* ---- vIOAPIC messages -> local APICs ---- */

static bool ioapic_deliver(void *opaque, const struct vioapic_msg *msg)
{
    struct domain *d = opaque;
    struct vcpu *lowest = NULL;
    bool taken = false;

    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *t = d->vcpus[i];

        if (!vlapic_hw_enabled(t) || !vlapic_match_dest(t, msg->dest, msg->logical))
            continue;
        switch (msg->delivery_mode) {
        case VIOAPIC_DM_FIXED:
            vlapic_accept_irq(t, msg->vector, msg->level);
            record_kick(irq_of(d), t);
            taken = true;
            break;
        case VIOAPIC_DM_LOWEST:
            if (vlapic_lowest_priority_beats(t, lowest))   /* arbitration: vlapic.c */
                lowest = t;
            break;
        case VIOAPIC_DM_NMI:
            vlapic_set_nmi_pending(t);
            record_kick(irq_of(d), t);
            taken = true;
            break;
        default:
            break;      /* SMI, INIT and ExtINT through the I/O APIC: not modelled */
        }
    }
    if (lowest) {
        vlapic_lowest_priority_won(lowest);
        vlapic_accept_irq(lowest, msg->vector, msg->level);
        record_kick(irq_of(d), lowest);
        taken = true;
    }
    return taken;
}

void hvm_irq_lapic_eoi(struct vcpu *v, uint8_t vector)
{
    struct hvm_irq *irq = irq_of(v->domain);

    spin_lock(&irq->lock);
    vioapic_eoi(&irq->vioapic, vector);
    if (vector == irq->pit_eoi_vector)
        pit_tick_acked(v->domain);
    unlock_and_kick(v->domain);
}

void hvm_irq_lapic_edge_eoi(struct vcpu *v, uint8_t vector)
{
    struct hvm_irq *irq = irq_of(v->domain);

    /* Most EOIs are not the PIT's: decided without the lock. */
    if (vector != __atomic_load_n(&irq->pit_eoi_vector, __ATOMIC_RELAXED))
        return;
    spin_lock(&irq->lock);
    if (vector == irq->pit_eoi_vector)
        pit_tick_acked(v->domain);
    unlock_and_kick(v->domain);
}

/* ---- ISA lines ---- */

static unsigned isa_irq_to_gsi(unsigned irq)
{
    return irq == HVM_PIT_IRQ ? HVM_PIT_GSI : irq;
}

static void isa_irq_set_locked(struct hvm_irq *irq, unsigned isa, bool level)
{
    vpic_set_irq(&irq->vpic, isa, level);
    vioapic_set_irq(&irq->vioapic, isa_irq_to_gsi(isa), level);
}

void hvm_isa_irq_set_deferred(struct domain *d, unsigned isa, bool level)
{
    if (isa >= HVM_ISA_IRQS)
        return;
    spin_lock(&irq_of(d)->lock);
    isa_irq_set_locked(irq_of(d), isa, level);
    spin_unlock(&irq_of(d)->lock);
}

void hvm_isa_irq_set(struct domain *d, unsigned isa, bool level)
{
    hvm_isa_irq_set_deferred(d, isa, level);
    hvm_irq_flush_kicks(d);
}

void hvm_isa_irq_pulse(struct domain *d, unsigned isa)
{
    if (isa >= HVM_ISA_IRQS)
        return;
    spin_lock(&irq_of(d)->lock);
    isa_irq_set_locked(irq_of(d), isa, true);
    isa_irq_set_locked(irq_of(d), isa, false);
    unlock_and_kick(d);
}

/* ---- ports and MMIO ---- */

/* Under the lock: a PIT write may (re)start or stop channel 0. */
static void refresh_pit_deadline(struct hvm_irq *irq)
{
    __atomic_store_n(&irq->vpit_next_ns, vpit_irq0_next(&irq->vpit), __ATOMIC_RELAXED);
}

bool hvm_irq_io_read(struct domain *d, uint16_t port, uint8_t *val)
{
    struct hvm_irq *irq = irq_of(d);
    bool ours;

    spin_lock(&irq->lock);
    ours = vpic_io_read(&irq->vpic, port, val) || vpit_io_read(&irq->vpit, port, val);
    pic_serviced(d);                    /* a poll-mode read acknowledges */
    unlock_and_kick(d);
    return ours;
}

bool hvm_irq_io_write(struct domain *d, uint16_t port, uint8_t val)
{
    struct hvm_irq *irq = irq_of(d);
    bool ours;

    spin_lock(&irq->lock);
    ours = vpic_io_write(&irq->vpic, port, val);
    if (ours) {
        pic_serviced(d);
    } else if (port >= VPIT_PORT_BASE && port <= VPIT_PORT_CTRL) {
        /* Ticks of the old period that came due before this write are
         * raised first; what is still owed of them then lapses. */
        pit_ticks_due(d, vpit_irq0_edges(&irq->vpit));
        ours = vpit_io_write(&irq->vpit, port, val);
        if (vpit_irq0_take_reprogrammed(&irq->vpit))
            tick_reinject_drop(&irq->pit_ticks);
        refresh_pit_deadline(irq);      /* only a PIT write moves channel 0 */
    } else if (vpit_io_write(&irq->vpit, port, val)) {
        ours = true;                    /* port 0x61: channel 2's gate */
    }
    unlock_and_kick(d);
    return ours;
}

/* The window is dword registers: a narrower access reads or writes the
 * low bytes of the register at its dword (as QEMU's ioapic does). */
uint64_t hvm_vioapic_read(struct vcpu *v, uint64_t gpa, unsigned size)
{
    struct hvm_irq *irq = irq_of(v->domain);
    uint32_t offset = (uint32_t)(gpa - VIOAPIC_BASE);
    uint64_t val;

    spin_lock(&irq->lock);
    val = vioapic_mmio_read(&irq->vioapic, offset & ~3u) >> ((offset & 3) * 8);
    unlock_and_kick(v->domain);
    return size >= 4 ? val : val & ((1ull << (size * 8)) - 1);
}

void hvm_vioapic_write(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val)
{
    struct hvm_irq *irq = irq_of(v->domain);
    uint32_t offset = (uint32_t)(gpa - VIOAPIC_BASE);

    (void)size;
    if (offset & 3)
        return;
    spin_lock(&irq->lock);
    vioapic_mmio_write(&irq->vioapic, offset, (uint32_t)val);
    unlock_and_kick(v->domain);
}

/* ---- timers ---- */

static uint64_t pit_clock(void *opaque)
{
    (void)opaque;
    return now_ns();
}

/* vPIT channel 0: the periods that passed since the last poll are owed as
 * IRQ0 ticks, raised one per acknowledgement (pit_ticks_due). */
static void poll_domain_timers(struct domain *d, uint64_t now)
{
    struct hvm_irq *irq = irq_of(d);

    if (now < __atomic_load_n(&irq->vpit_next_ns, __ATOMIC_RELAXED))
        return;
    spin_lock(&irq->lock);
    pit_ticks_due(d, vpit_irq0_edges(&irq->vpit));
    refresh_pit_deadline(irq);
    spin_unlock(&irq->lock);
}

bool hvm_poll_timers(struct vcpu *v, uint64_t now)
{
    poll_domain_timers(v->domain, now);
    hvm_platform_poll_timers(v->domain, now);
    vlapic_poll_timer(v, now);
    return hvm_vcpu_has_interrupt(v);
}

uint64_t hvm_next_timer_ns(struct vcpu *v)
{
    return hvm_next_timer_of(&v->domain->arch, &v->arch);
}

bool hvm_vcpu_has_interrupt(struct vcpu *v)
{
    return vlapic_pending_vector(v) >= 0 || vlapic_nmi_deliverable(v) || hvm_irq_extint_pending(v);
}

void hvm_irq_domain_init(struct domain *d)
{
    struct hvm_irq *irq = irq_of(d);

    irq->lock = (spinlock_t)SPINLOCK_INIT;
    irq->kick_mask = 0;
    vpic_init(&irq->vpic, pic_int_changed, d);
    vpit_init(&irq->vpit, pit_clock, d);
    vioapic_init(&irq->vioapic, ioapic_deliver, d);
    irq->vpit_next_ns = VPIT_NEVER;
    tick_reinject_init(&irq->pit_ticks, DBGV_TIMER_MODE_DEFAULT);
    irq->pit_eoi_vector = 0;
}
