/*
 * Debug keys as Xen's keyhandler.c offers them: each prints one view of the
 * hypervisor's state into its log, announced by "'<key>' pressed -> ...".
 * Runs on pCPU 0's control loop, like the rest of the control backend; the
 * views are snapshots read without stopping the guests.
 */
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/keyhandler.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/page_alloc.h>
#include <dbgvisor/percpu.h>
#include <dbgvisor/policy_names.h>
#include <dbgvisor/sched.h>
#include <dbgvisor/time.h>

struct key_handler {
    char key;
    void (*fn)(char key);
    const char *desc;
};

static void show_handlers(char key);

/* "{0-1,3}": a pCPU bitmap as Xen's cpuset_print() shows it. */
static void cpuset_str(uint32_t map, char *out, size_t len)
{
    size_t n = snprintf(out, len, "{");
    bool first = true;

    for (unsigned i = 0; i < 32 && n < len; i++) {
        if (!(map & (1u << i)) || (i && (map & (1u << (i - 1)))))
            continue;           /* not the start of a run */
        unsigned end = i;
        while (end + 1 < 32 && (map & (1u << (end + 1))))
            end++;
        n += snprintf(out + n, len - n, end > i ? "%s%u-%u" : "%s%u", first ? "" : ",", i, end);
        first = false;
    }
    if (n < len)
        snprintf(out + n, len - n, "}");
}

static const char *domain_state_name(enum domain_state s)
{
    static const char *const names[] = { "free", "building", "active", "paused",
                                         "shutdown", "crashed" };
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static const char *vcpu_state_name(enum vcpu_state s)
{
    static const char *const names[] = { "offline", "runnable", "running", "blocked" };
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static void dump_domains(char key)
{
    uint64_t now = now_ns();
    char set[48];

    printk("'%c' pressed -> dumping domain info (now=0x%X:%08X)\n", key,
           (uint32_t)(now >> 32), (uint32_t)now);
    for (int i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = &domains[i];
        if (d->state == DOMAIN_FREE)
            continue;
        printk("General information for domain %u:\n", d->id);
        printk("    name=%s state=%s nr_pages=%llu vcpus=%u debug_policy=%s\n", d->name,
               domain_state_name(d->state), (unsigned long long)(d->mem_bytes / PAGE_SIZE),
               d->nr_vcpus, dbgv_policy_name(d->debug_policy));
        printk("VCPU information and callbacks for domain %u:\n", d->id);
        for (unsigned j = 0; j < d->nr_vcpus; j++) {
            struct vcpu *v = d->vcpus[j];
            cpuset_str(v->hard_affinity, set, sizeof(set));
            printk("    VCPU%u: CPU%d [has=%c] state=%s cpu_affinity=%s\n", v->id, v->pcpu,
                   v->on_cpu ? 'T' : 'F', vcpu_state_name(v->state), set);
        }
    }
}

static void dump_runq(char key)
{
    printk("'%c' pressed -> dumping run queues\n", key);
    printk("Scheduler: dbgvisor round-robin (rr), slice %llu ms, one queue for all pCPUs\n",
           (unsigned long long)(sched_slice_ns() / 1000000));
    for (unsigned c = 0; c < nr_pcpus; c++) {
        struct vcpu *v = pcpus[c].current;
        if (v)
            printk("CPU[%02u] current=d%uv%u\n", c, v->domain->id, v->id);
        else
            printk("CPU[%02u] current=idle\n", c);
    }
    printk("RUNQ:\n");
    for (int i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = &domains[i];
        if (d->state != DOMAIN_ACTIVE)
            continue;
        for (unsigned j = 0; j < d->nr_vcpus; j++)
            if (d->vcpus[j]->state == VCPU_RUNNABLE)
                printk("    d%uv%u\n", d->id, j);
    }
}

static void dump_memory(char key)
{
    printk("'%c' pressed -> dumping memory info\n", key);
    printk("    total pages %llu, free pages %llu (4 KiB)\n",
           (unsigned long long)palloc_total_pages(), (unsigned long long)palloc_free_pages());
    for (int i = 0; i < MAX_DOMAINS; i++)
        if (domains[i].state != DOMAIN_FREE)
            printk("    domain %u: %llu pages at host 0x%llx\n", domains[i].id,
                   (unsigned long long)(domains[i].mem_bytes / PAGE_SIZE),
                   (unsigned long long)domains[i].ram_hpa);
}

/* dbgvisor's own: the debug-register virtualization state of every vCPU. */
static void dump_debug_regs(char key)
{
    printk("'%c' pressed -> dumping debug-register state\n", key);
    for (int i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = &domains[i];
        if (d->state == DOMAIN_FREE)
            continue;
        for (unsigned j = 0; j < d->nr_vcpus; j++) {
            struct dbgv_vcpu_debug_state s;
            dbg_snapshot(&d->vcpus[j]->dbg, &s);
            printk("    d%uv%u: policy=%s %s dr7=%llx dr6=%llx dr0-3=%llx,%llx,%llx,%llx"
                   " dr_exits=%llu db_exits=%llu\n", d->id, j, dbgv_policy_name(s.policy),
                   dbgv_lazy_state_name(s.lazy_state), (unsigned long long)s.guest_dr7,
                   (unsigned long long)s.guest_dr6, (unsigned long long)s.guest_dr[0],
                   (unsigned long long)s.guest_dr[1], (unsigned long long)s.guest_dr[2],
                   (unsigned long long)s.guest_dr[3],
                   (unsigned long long)s.counters.dr_access_exits,
                   (unsigned long long)s.counters.db_exits);
        }
    }
}

static const struct key_handler handlers[] = {
    { 'D', dump_debug_regs, "dump debug-register virtualization state" },
    { 'h', show_handlers, "show this message" },
    { 'm', dump_memory, "memory info" },
    { 'q', dump_domains, "dump domain (and guest debug) info" },
    { 'r', dump_runq, "dump run queues" },
};

static void show_handlers(char key)
{
    printk("'%c' pressed -> showing installed handlers\n", key);
    for (unsigned i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
        printk(" key '%c' (ascii '%02x') => %s\n", handlers[i].key, handlers[i].key,
               handlers[i].desc);
}

void keyhandler_handle(char key)
{
    for (unsigned i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
        if (handlers[i].key == key)
            handlers[i].fn(key);
}
