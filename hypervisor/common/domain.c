/*
 * Domains: creation (memory, vCPUs, the architecture's translation through
 * dbgvisor/domain_arch.h), life-cycle states and the guest console. A domain
 * that ends (shutdown or crash) only ever affects itself. Shared by x86 and
 * arm64.
 */
#include <dbgvisor/console.h>
#include <dbgvisor/control.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/domain_arch.h>
#include <dbgvisor/events.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/page_alloc.h>
#include <dbgvisor/policy_names.h>
#include <dbgvisor/sched.h>
#include <dbgvisor/time.h>

struct domain domains[MAX_DOMAINS];
spinlock_t domains_lock = SPINLOCK_INIT;
static unsigned next_domid = 1;
static struct vcpu vcpu_pool[MAX_DOMAINS * 2];   /* typical domains have 1-2 vCPUs */
static bool vcpu_used[ARRAY_SIZE(vcpu_pool)];

static struct vcpu *vcpu_alloc(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(vcpu_pool); i++)
        if (!vcpu_used[i]) {
            vcpu_used[i] = true;
            memset(&vcpu_pool[i], 0, sizeof(vcpu_pool[i]));
            return &vcpu_pool[i];
        }
    return NULL;
}

static void vcpu_release(struct vcpu *v)
{
    vcpu_used[v - vcpu_pool] = false;
}

struct domain *domain_by_id(unsigned id)
{
    for (int i = 0; i < MAX_DOMAINS; i++)
        if (domains[i].state != DOMAIN_FREE && domains[i].id == id)
            return &domains[i];
    return NULL;
}

static bool name_taken(const char *name)
{
    for (int i = 0; i < MAX_DOMAINS; i++)
        if (domains[i].state != DOMAIN_FREE && !strcmp(domains[i].name, name))
            return true;
    return false;
}

int domain_rename(struct domain *d, const char *name)
{
    int rc = 0;

    if (!name[0] || strlen(name) >= DOMAIN_NAME_LEN)
        return -DBGV_EINVAL;
    spin_lock(&domains_lock);
    if (strcmp(d->name, name) && name_taken(name))
        rc = -DBGV_EEXIST;
    else {
        printk("domain %u (%s) renamed to %s\n", d->id, d->name, name);
        snprintf(d->name, sizeof(d->name), "%s", name);
    }
    spin_unlock(&domains_lock);
    return rc;
}

static int domain_transition(struct domain *d, unsigned from, enum domain_state to,
                             void (*on_change)(struct domain *, const void *), const void *arg);
#define STATE_BIT(s) (1u << (s))

static void free_domain_resources(struct domain *d)
{
    arch_domain_destroy(d);
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (d->vcpus[i])
            vcpu_release(d->vcpus[i]);
    if (d->ram_hpa)
        palloc_free_for(&d->pages, d->ram_hpa, d->mem_bytes / PAGE_SIZE);
    if (d->pages.pages)
        pr_warn("domain %u (%s) freed with %zu pages still allocated (leaked)\n",
                d->id, d->name, d->pages.pages);
    domain_transition(d, STATE_BIT(DOMAIN_BUILDING) | STATE_BIT(DOMAIN_SHUTDOWN) |
                      STATE_BIT(DOMAIN_CRASHED), DOMAIN_FREE, NULL, NULL);
}

int domain_create(const struct domain_config *cfg, struct domain **out)
{
    struct domain *d = NULL;
    int rc;

    if (!cfg->name || !cfg->name[0] || strlen(cfg->name) >= DOMAIN_NAME_LEN)
        return -DBGV_EINVAL;
    if (cfg->vcpus < 1 || cfg->vcpus > MAX_VCPUS || cfg->mem_bytes < (1u << 20) ||
        cfg->debug_policy >= DBGV_POLICY_COUNT || cfg->unbacked_access >= DBGV_UNBACKED_COUNT)
        return -DBGV_EINVAL;
    if (cfg->mem_bytes > (3ull << 30))       /* RAM comes from below 4 GiB */
        return -DBGV_ENOMEM;

    spin_lock(&domains_lock);
    rc = -DBGV_EEXIST;
    if (name_taken(cfg->name))
        goto out;
    for (int i = 0; i < MAX_DOMAINS; i++)
        if (domains[i].state == DOMAIN_FREE) {
            d = &domains[i];
            break;
        }
    rc = -DBGV_ENOSPC;
    if (!d)
        goto out;
    rc = -DBGV_ENOMEM;
    memset(d, 0, sizeof(*d));
    d->state = DOMAIN_BUILDING;
    d->id = (uint16_t)next_domid++;
    snprintf(d->name, sizeof(d->name), "%s", cfg->name);
    snprintf(d->cmdline, sizeof(d->cmdline), "%s", cfg->cmdline ? cfg->cmdline : "");
    d->mem_bytes = ALIGN_UP(cfg->mem_bytes, 2ull << 20);
    d->debug_policy = cfg->debug_policy;
    d->unbacked_access = cfg->unbacked_access;
    d->quiet_switches = cfg->quiet_switches;
    d->created_ns = now_ns();
    ctl_ring_init(&d->console, d->console_buf, sizeof(d->console_buf));
    d->ram_hpa = palloc_alloc_for(&d->pages, d->mem_bytes / PAGE_SIZE, 512);
    if (!d->ram_hpa)
        goto fail;
    memset((void *)d->ram_hpa, 0, d->mem_bytes);
    if (arch_domain_init(d) < 0)
        goto fail;
    for (unsigned i = 0; i < cfg->vcpus; i++) {
        struct vcpu *v = vcpu_alloc();
        if (!v)
            goto fail;
        d->vcpus[d->nr_vcpus++] = v;
        v->domain = d;
        v->id = i;
        v->pcpu = -1;
        v->hard_affinity = sched_all_pcpus();
        v->state = VCPU_OFFLINE;
        if (arch_vcpu_init(v) < 0)
            goto fail;
        dbg_init(&v->dbg, i, (enum dbgv_debug_policy)d->debug_policy, d->quiet_switches,
                 arch_debug_has_rtm());
        v->arch.wait_for_sipi = i > 0;     /* APs wait for INIT-SIPI-SIPI (x86), CPU_ON (arm64) */
    }
    arch_domain_vcpus_ready(d);
    *out = d;
    rc = 0;
    goto out;
fail:
    free_domain_resources(d);
out:
    spin_unlock(&domains_lock);
    return rc;
}

bool domain_is_ended(const struct domain *d)
{
    return d->state == DOMAIN_SHUTDOWN || d->state == DOMAIN_CRASHED;
}

/*
 * The life cycle is a small state machine; every change goes through
 * domain_transition() under d->lock, so two changes never interleave (a pause
 * cannot overwrite a crash, an unpause cannot restart an ended domain):
 *
 *   BUILDING --unpause--> ACTIVE <--pause / unpause--> PAUSED
 *   BUILDING, ACTIVE, PAUSED --shutdown--> SHUTDOWN, --crash--> CRASHED
 *   SHUTDOWN, CRASHED: final; only domain_destroy frees the slot (FREE).
 *
 * The scheduler reads the state without the lock: it only picks vCPUs of
 * ACTIVE domains, and sched_domain_sync() waits out any vCPU picked before a
 * change away from ACTIVE (schedule.c).
 */
static const uint8_t legal_next[] = {
    [DOMAIN_FREE]     = STATE_BIT(DOMAIN_BUILDING),
    [DOMAIN_BUILDING] = STATE_BIT(DOMAIN_ACTIVE) | STATE_BIT(DOMAIN_SHUTDOWN) |
                        STATE_BIT(DOMAIN_CRASHED) | STATE_BIT(DOMAIN_FREE),
    [DOMAIN_ACTIVE]   = STATE_BIT(DOMAIN_PAUSED) | STATE_BIT(DOMAIN_SHUTDOWN) |
                        STATE_BIT(DOMAIN_CRASHED),
    [DOMAIN_PAUSED]   = STATE_BIT(DOMAIN_ACTIVE) | STATE_BIT(DOMAIN_SHUTDOWN) |
                        STATE_BIT(DOMAIN_CRASHED),
    [DOMAIN_SHUTDOWN] = STATE_BIT(DOMAIN_FREE),
    [DOMAIN_CRASHED]  = STATE_BIT(DOMAIN_FREE),
};

/* Moves d from one of the states in `from` (a STATE_BIT mask) to `to` if that
 * is a legal step; returns the state d was in, or -1 with nothing changed.
 * `on_change` (may be NULL) runs under the lock when the step is taken, for
 * the fields that must be visible together with the new state. */
static int domain_transition(struct domain *d, unsigned from, enum domain_state to,
                             void (*on_change)(struct domain *, const void *), const void *arg)
{
    int was;

    spin_lock(&d->lock);
    was = d->state;
    if (!(from & STATE_BIT(was)) || !(legal_next[was] & STATE_BIT(to))) {
        spin_unlock(&d->lock);
        return -1;
    }
    if (on_change)
        on_change(d, arg);
    d->state = to;
    spin_unlock(&d->lock);
    return was;
}

static void kick_all_vcpus(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        sched_vcpu_kick(d->vcpus[i]);
}

int domain_pause(struct domain *d)
{
    if (domain_transition(d, STATE_BIT(DOMAIN_ACTIVE), DOMAIN_PAUSED, NULL, NULL) < 0 &&
        d->state != DOMAIN_PAUSED)
        return -1;
    /* Paused means off the pCPUs: also when a debug event paused it first. */
    sched_domain_sync(d);
    return 0;
}

int domain_wait_stopped(struct domain *d)
{
    if (d->state != DOMAIN_PAUSED && d->state != DOMAIN_BUILDING)
        return -1;
    sched_domain_sync(d);
    return 0;
}

void domain_pause_from_vcpu(struct domain *d)
{
    if (domain_transition(d, STATE_BIT(DOMAIN_ACTIVE), DOMAIN_PAUSED, NULL, NULL) >= 0)
        kick_all_vcpus(d);
}

/* First unpause: the boot vCPU starts; APs wait for their SIPI. No vCPU of a
 * BUILDING domain is ever picked, so this is safe before the state changes. */
static void start_boot_vcpu(struct domain *d, const void *unused)
{
    (void)unused;
    d->vcpus[0]->state = VCPU_RUNNABLE;
}

int domain_unpause(struct domain *d)
{
    if (domain_transition(d, STATE_BIT(DOMAIN_BUILDING), DOMAIN_ACTIVE, start_boot_vcpu,
                          NULL) >= 0 ||
        domain_transition(d, STATE_BIT(DOMAIN_PAUSED), DOMAIN_ACTIVE, NULL, NULL) >= 0) {
        kick_all_vcpus(d);
        return 0;
    }
    return d->state == DOMAIN_ACTIVE ? 0 : -1;
}

struct end_info {
    int exit_code;
    uint8_t shutdown_reason;    /* enum dbgv_shutdown_reason */
    const char *reason;
};

static void record_end(struct domain *d, const void *arg)
{
    const struct end_info *e = arg;

    d->exit_code = e->exit_code;
    d->shutdown_reason = e->shutdown_reason;
    if (e->reason)
        snprintf(d->crash_reason, sizeof(d->crash_reason), "%s", e->reason);
}

/* Ends d unless it has ended already: true for the one caller that ended it. */
static bool domain_end(struct domain *d, enum domain_state state, int code,
                       uint8_t shutdown_reason, const char *reason)
{
    const unsigned alive = STATE_BIT(DOMAIN_BUILDING) | STATE_BIT(DOMAIN_ACTIVE) |
                           STATE_BIT(DOMAIN_PAUSED);
    struct end_info e = { code, shutdown_reason, reason };

    if (domain_transition(d, alive, state, record_end, &e) < 0)
        return false;
    kick_all_vcpus(d);
    return true;
}

/* One line with the domain's debug counters, summed over its vCPUs (`make bench`). */
static void log_debug_counters(struct domain *d)
{
    struct dbgv_debug_counters sum = { 0 };

    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct dbgv_vcpu_debug_state st;
        dbg_snapshot(&d->vcpus[i]->dbg, &st);
        sum.dr_access_exits += st.counters.dr_access_exits;
        sum.db_exits += st.counters.db_exits;
        sum.dr_loads += st.counters.dr_loads;
        sum.dr_saves += st.counters.dr_saves;
    }
    printk("debug counters %s: dr-exits=%llu db-exits=%llu dr-loads=%llu dr-saves=%llu\n",
           d->name, (unsigned long long)sum.dr_access_exits, (unsigned long long)sum.db_exits,
           (unsigned long long)sum.dr_loads, (unsigned long long)sum.dr_saves);
}

void domain_shutdown_reason(struct domain *d, enum dbgv_shutdown_reason why, int code)
{
    if (!domain_end(d, DOMAIN_SHUTDOWN, code, (uint8_t)why, NULL))
        return;
    if (why == DBGV_SHUTDOWN_POWEROFF)
        printk("domain %u (%s) exited with code %d\n", d->id, d->name, code);
    else
        printk("domain %u (%s) shut down: %s\n", d->id, d->name, dbgv_shutdown_reason_name(why));
    log_debug_counters(d);
    arch_domain_log_end(d);
    events_post_domain_data(d->id, DBGV_EV_DOMAIN_SHUTDOWN, code, why);
    __atomic_store_n(&d->end_reported, true, __ATOMIC_RELEASE);
}

void domain_shutdown(struct domain *d, int code)
{
    domain_shutdown_reason(d, DBGV_SHUTDOWN_POWEROFF, code);
}

void domain_request_shutdown(struct domain *d, unsigned reason)
{
    if (domain_is_ended(d))
        return;
    d->shutdown_request = (uint8_t)(reason + 1);
    printk("domain %u (%s): shutdown requested (reason %u)\n", d->id, d->name, reason);
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
    char reason[sizeof(d->crash_reason)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    if (!domain_end(d, DOMAIN_CRASHED, -1, DBGV_SHUTDOWN_CRASH, reason))
        return;
    pr_err("domain %u (%s) crashed: %s\n", d->id, d->name, d->crash_reason);
    events_post_domain_data(d->id, DBGV_EV_DOMAIN_CRASHED, -1, DBGV_SHUTDOWN_CRASH);
    __atomic_store_n(&d->end_reported, true, __ATOMIC_RELEASE);
}

int domain_destroy(struct domain *d)
{
    if (d->state == DOMAIN_FREE)
        return -1;
    domain_end(d, DOMAIN_CRASHED, -1, DBGV_SHUTDOWN_CRASH, "destroyed");
    __atomic_store_n(&d->end_reported, true, __ATOMIC_RELEASE);
    /* Ended is final, so once synced no vCPU is on a pCPU or will enter
     * again: the VMCBs or vCPU buffers, NPT or stage 2, and RAM can go. */
    sched_domain_sync(d);
    spin_lock(&domains_lock);
    free_domain_resources(d);
    spin_unlock(&domains_lock);
    return 0;
}

void *domain_gpa_to_hva(struct domain *d, uint64_t gpa, uint64_t len)
{
    uint64_t off = gpa - arch_domain_ram_base(d);

    if (gpa < arch_domain_ram_base(d) || off >= d->mem_bytes || len > d->mem_bytes - off)
        return NULL;
    return (void *)(d->ram_hpa + off);
}

int domain_write_gpa(struct domain *d, uint64_t gpa, const void *src, uint64_t len)
{
    void *p = domain_gpa_to_hva(d, gpa, len);
    if (!p)
        return -1;
    memcpy(p, src, len);
    return 0;
}

int domain_read_gpa(struct domain *d, uint64_t gpa, void *dst, uint64_t len)
{
    void *p = domain_gpa_to_hva(d, gpa, len);
    if (!p)
        return -1;
    memcpy(dst, p, len);
    return 0;
}
