/*
 * What the per-vCPU device models (hvm/vlapic.c, hvm/uart.c) call outside
 * themselves, faked for the hosted harnesses: time and the TSC rate, the
 * scheduler's kicks and INIT/SIPI, the EOI broadcast to the I/O APIC, the
 * log and the domain console. A domain of FAKE_NR_VCPUS
 * vCPUs is built around them.
 */
#ifndef FUZZ_HVM_FAKES_H
#define FUZZ_HVM_FAKES_H

#include <stdarg.h>
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/sched.h>
#include <dbgvisor/time.h>
#include <asm/hvm_irq.h>
#include "fuzz.h"

#define FAKE_NR_VCPUS 2

static uint64_t fake_now;
static unsigned fake_kicks, fake_inits, fake_sipis, fake_console_bytes;
static struct domain fake_dom;
static struct vcpu fake_vcpu[FAKE_NR_VCPUS];

uint64_t now_ns(void) { return fake_now; }
uint64_t tsc_khz(void) { return 2000000; }
void hvm_irq_lapic_eoi(struct vcpu *v, uint8_t vector) { }
void hvm_irq_lapic_edge_eoi(struct vcpu *v, uint8_t vector) { }
void sched_vcpu_kick(struct vcpu *v) { fake_kicks++; }
void sched_vcpu_init_received(struct vcpu *v) { fake_inits++; }
void sched_vcpu_sipi(struct vcpu *v, uint8_t vector) { fake_sipis++; }
void log_printk(enum log_level lvl, const char *fmt, ...) { }
void domain_console_putc(struct domain *d, char c) { fake_console_bytes++; }

static void fake_domain_init(void)
{
    memset(&fake_dom, 0, sizeof(fake_dom));
    memset(fake_vcpu, 0, sizeof(fake_vcpu));
    fake_now = 1000;
    fake_kicks = fake_inits = fake_sipis = fake_console_bytes = 0;
    fake_dom.nr_vcpus = FAKE_NR_VCPUS;
    for ( unsigned i = 0; i < FAKE_NR_VCPUS; i++ )
    {
        fake_vcpu[i].domain = &fake_dom;
        fake_vcpu[i].id = i;
        fake_dom.vcpus[i] = &fake_vcpu[i];
    }
}

#endif
