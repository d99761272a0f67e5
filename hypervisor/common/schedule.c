/*
 * Scheduler: every pCPU runs the same loop. It picks the runnable vCPU that
 * has waited longest (fair round-robin across all domains), runs it until
 * its slice ends, it blocks in HLT or its domain stops, and halts when there
 * is nothing to run. Blocked vCPUs wake when their virtual APIC has an
 * interrupt due.
 *
 * On and off the pCPUs (what sched_domain_sync() guarantees):
 *  1. pick_next(), under sched_lock, picks only vCPUs of ACTIVE domains and
 *     marks the one it picks on_cpu, recording the pCPU in on_pcpu.
 *  2. run_vcpu() re-checks the domain state before every VM entry; the entry
 *     path holds host interrupts pending until VMRUN (clgi; sti; vmrun), so a
 *     kick IPI sent after that check makes the guest exit at once.
 *  3. vcpu_put() clears on_cpu, under sched_lock, after the vCPU's last exit.
 *  4. Whoever moves a domain away from ACTIVE (domain.c) writes the new state
 *     before sched_domain_sync() takes sched_lock. So each vCPU was either
 *     picked before that (sync sees on_cpu, kicks its pCPU and waits for
 *     vcpu_put) or will be checked after it (pick_next sees the new state).
 * Once sync returns, no vCPU of the domain is on a pCPU, and none enters
 * again until the domain is ACTIVE again.
 */
#include <asm/sched_arch.h>
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/percpu.h>
#include <dbgvisor/sched.h>
#include <dbgvisor/shutdown.h>
#include <dbgvisor/time.h>

static spinlock_t sched_lock = SPINLOCK_INIT;
static uint64_t slice_ns = SCHED_SLICE_NS;
static bool exit_when_done;
static bool any_domain_seen;

/* Hook for pCPU 0's housekeeping (the control channel), set by setup. */
void (*sched_housekeeping)(void);
bool (*sched_housekeeping_pending)(void);

/* The arch's tick (asm/sched_arch.h), on the pCPU it ticks. */
void sched_tick(void)
{
    struct pcpu *p = this_pcpu();
    struct vcpu *v = p->current;

    if (!v || now_ns() - v->slice_start_ns >= __atomic_load_n(&slice_ns, __ATOMIC_RELAXED))
        p->need_resched = true;
    if (p->id == 0 && sched_housekeeping_pending && sched_housekeeping_pending())
        p->need_resched = true;
}

/* The arch's kick IPI arrived on this pCPU. */
void sched_kicked(void)
{
    this_pcpu()->need_resched = true;
}

void sched_init(bool exit_when_finished)
{
    exit_when_done = exit_when_finished;
    arch_sched_init();
}

/* The debug core's switch rules, where the arch keeps its debug registers there. */
static void debug_switch_in(struct vcpu *v)
{
#if ARCH_SCHED_DEBUG_CORE
    dbg_on_schedule(&v->dbg);
#endif
}

static void debug_switch_out(struct vcpu *v)
{
#if ARCH_SCHED_DEBUG_CORE
    dbg_on_deschedule(&v->dbg);
#endif
}

static int wake_locked(struct vcpu *v);
static void send_to_pcpu(int target, enum sched_ipi ipi);

/* sched_lock held: the vCPUs the domain's timers just interrupted wake, or
 * exit the guest on their pCPUs to take the interrupt. */
static void wake_kicked_locked(struct domain *d)
{
    uint32_t kicks = arch_domain_take_kicks(d);

    for (unsigned j = 0; kicks && j < d->nr_vcpus; j++)
        if (kicks & (1u << j))
            send_to_pcpu(wake_locked(d->vcpus[j]), SCHED_IPI_KICK);
}

/* One pass over the vCPUs of active domains: fire the timers of those that
 * are blocked (their vCPU's, and their domain's devices) and wake the ones
 * with an interrupt to take, and pick the runnable one that waited longest.
 * *next_timer is when the earliest timer of a vCPU still blocked is due. */
static struct vcpu *pick_next(uint64_t now, uint64_t *next_timer)
{
    struct vcpu *best = NULL;

    *next_timer = UINT64_MAX;
    spin_lock(&sched_lock);
    for (int i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = &domains[i];
        if (d->state != DOMAIN_ACTIVE)
            continue;
        for (unsigned j = 0; j < d->nr_vcpus; j++) {
            struct vcpu *v = d->vcpus[j];
            if (v->state != VCPU_BLOCKED)
                continue;
            if (arch_vcpu_poll_timers(v, now))
                v->state = VCPU_RUNNABLE;
            else if (arch_vcpu_next_timer_ns(v) < *next_timer)
                *next_timer = arch_vcpu_next_timer_ns(v);
        }
        wake_kicked_locked(d);
        for (unsigned j = 0; j < d->nr_vcpus; j++) {
            struct vcpu *v = d->vcpus[j];
            if (v->state == VCPU_RUNNABLE && !v->on_cpu &&
                (v->hard_affinity & (1u << this_pcpu()->id)) &&
                (!best || v->last_run_ns < best->last_run_ns))
                best = v;
        }
    }
    if (best) {
        best->state = VCPU_RUNNING;
        best->on_cpu = true;
        best->on_pcpu = (int)this_pcpu()->id;
    }
    spin_unlock(&sched_lock);
    return best;
}

static void vcpu_put(struct vcpu *v, uint64_t now)
{
    spin_lock(&sched_lock);
    v->cpu_time_ns += now - v->slice_start_ns;
    v->last_run_ns = now;
    if (v->state == VCPU_RUNNING)
        v->state = VCPU_RUNNABLE;
    v->on_cpu = false;
    spin_unlock(&sched_lock);
}

static void run_vcpu(struct pcpu *p, struct vcpu *v)
{
    p->current = v;
    v->slice_start_ns = now_ns();
    p->need_resched = false;
    debug_switch_in(v);
    arch_vcpu_load(v);
    /* The state is re-read before every entry (protocol step 2). */
    while (sched_vcpu_keeps_running(p, v) && arch_vcpu_run(v) != RUN_RESCHEDULE)
        ;
    arch_vcpu_put(v);
    debug_switch_out(v);
    p->current = NULL;
    vcpu_put(v, now_ns());
}

static enum hv_exit_code overall_result(bool *all_ended)
{
    enum hv_exit_code code = HV_EXIT_OK;

    *all_ended = true;
    for (int i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = &domains[i];
        if (d->state == DOMAIN_FREE)
            continue;
        any_domain_seen = true;
        /* Ended and reported: another pCPU may still be printing its end lines. */
        if (!domain_is_ended(d) || !__atomic_load_n(&d->end_reported, __ATOMIC_ACQUIRE)) {
            *all_ended = false;
        } else if (d->state == DOMAIN_CRASHED) {
            code = HV_EXIT_DOMAIN_CRASHED;
        } else if (d->exit_code != 0 && code == HV_EXIT_OK) {
            code = HV_EXIT_DOMAIN_FAILED;
        }
    }
    return code;
}

void sched_run(void)
{
    struct pcpu *p = this_pcpu();

    for (;;) {
        if (p->id == 0) {
            if (sched_housekeeping)
                sched_housekeeping();
            bool all_ended;
            enum hv_exit_code code = overall_result(&all_ended);
            if (exit_when_done && any_domain_seen && all_ended) {
                printk("all domains have ended\n");
                machine_exit(code);
            }
        }
        uint64_t now = now_ns(), next_timer;
        struct vcpu *v = pick_next(now, &next_timer);
        if (v) {
            run_vcpu(p, v);
        } else {
            uint64_t t0 = now_ns();
            p->need_resched = false;
            arch_sched_idle(p->id, next_timer);        /* until the tick, a kick or a timer */
            p->idle_ns += now_ns() - t0;
        }
    }
}

/* The pCPU that has v on it, or -1; read under sched_lock. */
static int pcpu_of_locked(const struct vcpu *v)
{
    return v->on_cpu ? v->on_pcpu : -1;
}

static void send_to_pcpu(int target, enum sched_ipi ipi)
{
    if (target < 0)
        return;
    if ((unsigned)target != this_pcpu()->id)
        arch_sched_send_ipi((unsigned)target, ipi);
    else if (ipi == SCHED_IPI_KICK)
        this_pcpu()->need_resched = true;
}

/* sched_lock held: a blocked vCPU becomes runnable; the pCPU it is on, or -1. */
static int wake_locked(struct vcpu *v)
{
    if (v->state == VCPU_BLOCKED)
        v->state = VCPU_RUNNABLE;
    return pcpu_of_locked(v);
}

void sched_vcpu_kick(struct vcpu *v)
{
    spin_lock(&sched_lock);
    int target = wake_locked(v);
    spin_unlock(&sched_lock);
    send_to_pcpu(target, SCHED_IPI_KICK);
    /* An idle pCPU notices new work at its next tick. */
}

uint64_t sched_slice_ns(void)
{
    return __atomic_load_n(&slice_ns, __ATOMIC_RELAXED);
}

void sched_set_slice_ns(uint64_t ns)
{
    __atomic_store_n(&slice_ns, ns, __ATOMIC_RELAXED);
}

uint64_t sched_vcpu_time_ns(struct vcpu *v)
{
    spin_lock(&sched_lock);
    uint64_t t = v->cpu_time_ns + (v->on_cpu ? now_ns() - v->slice_start_ns : 0);
    spin_unlock(&sched_lock);
    return t;
}

uint32_t sched_all_pcpus(void)
{
    return nr_pcpus >= 32 ? UINT32_MAX : (1u << nr_pcpus) - 1;
}

void sched_vcpu_set_affinity(struct vcpu *v, uint32_t cpumap)
{
    spin_lock(&sched_lock);
    v->hard_affinity = cpumap;
    int target = pcpu_of_locked(v);
    spin_unlock(&sched_lock);
    if (target >= 0 && !(cpumap & (1u << target)))
        send_to_pcpu(target, SCHED_IPI_KICK);   /* off that pCPU; picked again elsewhere */
}

void sched_vcpu_exit_guest(struct vcpu *v)
{
    send_to_pcpu(__atomic_load_n(&v->on_cpu, __ATOMIC_ACQUIRE) ? v->on_pcpu : -1,
                 SCHED_IPI_EXIT_GUEST);
}

void sched_domain_sync(struct domain *d)
{
    struct vcpu *self = this_pcpu()->current;

    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        if (v == self)
            continue;           /* the caller's own vCPU leaves when it returns */
        /* Taking the lock orders this read after the caller's state change
         * (protocol step 4); on_cpu can then only go from true to false. */
        spin_lock(&sched_lock);
        int target = pcpu_of_locked(v);
        spin_unlock(&sched_lock);
        if (target < 0)
            continue;
        send_to_pcpu(target, SCHED_IPI_KICK);
        while (__atomic_load_n(&v->on_cpu, __ATOMIC_ACQUIRE))
            cpu_relax();
    }
}

/*
 * INIT and SIPI (the guest's own IPIs, vlapic.c), as a CPU takes them: INIT puts the target
 * in the INIT state, waiting for a SIPI, whatever it was doing; a SIPI starts a CPU that
 * waits for one and is ignored by any other. The vCPU's state is changed only where nobody
 * else uses it: here under sched_lock when it is on no pCPU, otherwise by the vCPU itself
 * before its next entry (sched_vcpu_take_init_sipi), with the INIT left pending and a SIPI
 * that arrives meanwhile latched.
 */

/* sched_lock held; v on no pCPU or on the calling one. */
static void enter_wait_for_sipi(struct vcpu *v)
{
    arch_vcpu_init_signal(v);
    v->arch.init_pending = v->arch.sipi_latched = false;
    v->arch.wait_for_sipi = true;
    v->state = VCPU_OFFLINE;
}

static void start_at_sipi(struct vcpu *v, uint8_t vector)
{
    arch_vcpu_start_sipi(v, vector);
    v->arch.wait_for_sipi = v->arch.sipi_latched = false;
}

void sched_vcpu_init_received(struct vcpu *v)
{
    bool on_cpu;

    spin_lock(&sched_lock);
    on_cpu = v->on_cpu;
    if (on_cpu) {
        v->arch.sipi_latched = false;      /* an earlier SIPI is undone by this INIT */
        v->arch.init_pending = true;
    } else {
        enter_wait_for_sipi(v);
    }
    spin_unlock(&sched_lock);
    if (on_cpu)
        sched_vcpu_kick(v);                /* out of the guest, to apply it */
}

void sched_vcpu_sipi(struct vcpu *v, uint8_t vector)
{
    spin_lock(&sched_lock);
    if (v->domain->state == DOMAIN_ACTIVE && (v->arch.wait_for_sipi || v->arch.init_pending)) {
        if (!v->on_cpu) {
            if (v->arch.init_pending)
                enter_wait_for_sipi(v);
            start_at_sipi(v, vector);
            v->state = VCPU_RUNNABLE;
        } else if (!v->arch.sipi_latched) {
            v->arch.sipi_vector = vector;
            v->arch.sipi_latched = true;
            if (v->state == VCPU_OFFLINE)
                v->state = VCPU_RUNNABLE;  /* parked but not yet off its pCPU: run it again */
        }
    }
    spin_unlock(&sched_lock);
}

bool sched_vcpu_take_init_sipi(struct vcpu *v)
{
    bool park;

    spin_lock(&sched_lock);
    bool sipi = v->arch.sipi_latched;
    uint8_t vector = v->arch.sipi_vector;

    if (v->arch.init_pending)
        enter_wait_for_sipi(v);
    if (sipi && v->arch.wait_for_sipi) {
        start_at_sipi(v, vector);
        v->state = VCPU_RUNNING;
    }
    v->arch.sipi_latched = false;
    park = v->state == VCPU_OFFLINE;
    spin_unlock(&sched_lock);
    return park;
}
