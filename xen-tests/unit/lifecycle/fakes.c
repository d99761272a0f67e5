/* Fakes for domain.c (see fakes.h). Thread-safe: the race tests call the
 * life-cycle functions from two host threads at once. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <asm/hvm_emul.h>
#include <asm/svm_vcpu.h>
#include <dbgvisor/console.h>
#include <dbgvisor/control.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/events.h>
#include <dbgvisor/page_alloc.h>
#include <dbgvisor/sched.h>
#include <dbgvisor/time.h>

#include "fakes.h"

static atomic_uint events[64];

unsigned fake_events(unsigned type) { return atomic_load(&events[type % 64]); }
void fake_reset(void)
{
    for (unsigned i = 0; i < 64; i++)
        atomic_store(&events[i], 0);
}

void events_post_domain_data(uint32_t domid, uint16_t type, int32_t code, uint64_t data)
{
    atomic_fetch_add(&events[type % 64], 1);
}
void events_post_domain(uint32_t domid, uint16_t type, int32_t code)
{
    events_post_domain_data(domid, type, code, 0);
}

uint64_t palloc_alloc(size_t npages, size_t align_pages)
{
    return (uint64_t)(uintptr_t)aligned_alloc(align_pages * 4096, npages * 4096);
}
void palloc_free(uint64_t addr, size_t npages) { free((void *)(uintptr_t)addr); }
uint64_t palloc_alloc_for(struct palloc_owner *o, size_t npages, size_t align_pages)
{
    uint64_t pa = palloc_alloc(npages, align_pages);
    if (pa)
        o->pages += npages;
    return pa;
}
void palloc_free_for(struct palloc_owner *o, uint64_t addr, size_t npages)
{
    o->pages -= npages;
    palloc_free(addr, npages);
}

int svm_domain_init(struct domain *d) { return 0; }
void svm_domain_destroy(struct domain *d) { }
void hvm_domain_firmware_init(struct domain *d) { }
int svm_vcpu_init(struct vcpu *v) { return 0; }
bool hvm_cpu_has_rtm(void) { return false; }
void dbg_init(struct dbg_vcpu *d, uint32_t vcpu_id, enum dbgv_debug_policy policy,
              uint32_t quiet_switches, bool rtm) { }
void dbg_snapshot(const struct dbg_vcpu *d, struct dbgv_vcpu_debug_state *out) { memset(out, 0, sizeof(*out)); }
void sched_vcpu_kick(struct vcpu *v) { }
void sched_domain_sync(struct domain *d) { }
uint32_t sched_all_pcpus(void) { return 0x3; }   /* two pCPUs */
void ctl_ring_init(struct ctl_ring *r, void *buf, uint32_t size) { }
void ctl_ring_write(struct ctl_ring *r, const void *data, size_t len) { }
void log_printk(enum log_level lvl, const char *fmt, ...) { }
void console_write_raw(const char *s, size_t len) { }
uint64_t now_ns(void) { return 0; }
