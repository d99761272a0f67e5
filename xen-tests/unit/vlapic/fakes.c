/* The local APIC unit tests' surroundings: time, the scheduler's signals
 * and the EOI broadcast are fakes; a domain of NR vCPUs in its reset state. */
#include <asm/hvm_irq.h>
#include <asm/vlapic.h>
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/sched.h>
#include <dbgvisor/time.h>
#include <string.h>
#include "tests.h"

struct domain dom;
struct vcpu vcpus[NR];
uint64_t fake_now;
unsigned inits[NR], sipis[NR], eois;
uint8_t last_eoi_vector;

uint64_t now_ns(void) { return fake_now; }
uint64_t tsc_khz(void) { return 1000000; }
void sched_vcpu_kick(struct vcpu *v) { (void)v; }
void sched_vcpu_init_received(struct vcpu *v) { inits[v->id % NR]++; }
void sched_vcpu_sipi(struct vcpu *v, uint8_t vector) { (void)vector; sipis[v->id % NR]++; }
void hvm_irq_lapic_eoi(struct vcpu *v, uint8_t vector) { (void)v; eois++; last_eoi_vector = vector; }
void hvm_irq_lapic_edge_eoi(struct vcpu *v, uint8_t vector) { (void)v; (void)vector; }
void log_printk(enum log_level lvl, const char *fmt, ...) { (void)lvl; (void)fmt; }

/* vCPU i has APIC ID ids[i] (one beyond cluster 0, to see LDR's cluster). */
static const unsigned ids[NR] = { 0, 1, 0x23 };

void setup(void)
{
    memset(&dom, 0, sizeof(dom));
    memset(vcpus, 0, sizeof(vcpus));
    memset(inits, 0, sizeof(inits));
    memset(sipis, 0, sizeof(sipis));
    eois = 0;
    fake_now = 1000;
    dom.nr_vcpus = NR;
    for (unsigned i = 0; i < NR; i++) {
        vcpus[i].domain = &dom;
        vcpus[i].id = ids[i];
        dom.vcpus[i] = &vcpus[i];
        vlapic_reset(&vcpus[i]);
    }
}

int rd(struct vcpu *v, uint32_t msr, uint64_t *val) { return vlapic_x2apic_read(v, msr, val); }
int wr(struct vcpu *v, uint32_t msr, uint64_t val) { return vlapic_x2apic_write(v, msr, val); }
uint64_t rdv(struct vcpu *v, uint32_t msr)
{
    uint64_t val = 0xdead;
    CU_ASSERT_EQUAL(rd(v, msr, &val), 0);
    return val;
}
bool irr(struct vcpu *v, unsigned vec) { return v->arch.vlapic.irr[vec / 32] & (1u << (vec % 32)); }
void clear_irr(void)
{
    for (unsigned i = 0; i < NR; i++)
        memset(vcpus[i].arch.vlapic.irr, 0, sizeof(vcpus[i].arch.vlapic.irr));
}
