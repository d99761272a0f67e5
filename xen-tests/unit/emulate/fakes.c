/* The platform guest_walk.c runs on, faked: RAM, the bus, CPUID, exceptions. */
#include <stdarg.h>
#include <string.h>
#include <asm/hvm_emul.h>
#include <asm/svm.h>
#include <asm/xstate.h>
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include "tests.h"

uint8_t fake_ram[FAKE_RAM_BYTES];
static struct domain fake_domain;
static struct vmcb fake_vmcb;
struct vcpu fake_vcpu;
int injected_vector = -1;
uint32_t injected_error;

void fake_reset(void)
{
    memset(fake_ram, 0, sizeof(fake_ram));
    memset(fake_mmio, 0, sizeof(fake_mmio));
    memset(&fake_vmcb, 0, sizeof(fake_vmcb));
    memset(&fake_vcpu, 0, sizeof(fake_vcpu));
    fake_vcpu.domain = &fake_domain;
    fake_vcpu.arch.vmcb = &fake_vmcb;
    fake_vmcb.save.cs.attrib = 0x29b;       /* 64-bit code once EFER.LMA is set */
    injected_vector = -1;
    injected_error = 0;
    memset(&fake_x87_pointers, 0, sizeof(fake_x87_pointers));
    fake_x87_pointer_sets = 0;
}

void *domain_gpa_to_hva(struct domain *d, uint64_t gpa, uint64_t len)
{
    (void)d;
    return gpa < FAKE_RAM_BYTES && len <= FAKE_RAM_BYTES - gpa ? fake_ram + gpa : NULL;
}

int domain_read_gpa(struct domain *d, uint64_t gpa, void *dst, uint64_t len)
{
    void *p = domain_gpa_to_hva(d, gpa, len);
    if (!p)
        return -1;
    memcpy(dst, p, len);
    return 0;
}

uint8_t fake_mmio[FAKE_MMIO_BYTES];

uint64_t hvm_bus_read(struct vcpu *v, uint64_t gpa, unsigned size)
{
    uint64_t val = 0;

    if (domain_read_gpa(v->domain, gpa, &val, size) == 0)
        return val;
    if (gpa - FAKE_MMIO_BASE < FAKE_MMIO_BYTES && gpa - FAKE_MMIO_BASE + size <= FAKE_MMIO_BYTES) {
        memcpy(&val, fake_mmio + (gpa - FAKE_MMIO_BASE), size);
        return val;
    }
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

void hvm_bus_write(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val)
{
    void *p = domain_gpa_to_hva(v->domain, gpa, size);
    if (p)
        memcpy(p, &val, size);
    else if (gpa - FAKE_MMIO_BASE < FAKE_MMIO_BYTES && gpa - FAKE_MMIO_BASE + size <= FAKE_MMIO_BYTES)
        memcpy(fake_mmio + (gpa - FAKE_MMIO_BASE), &val, size);
}

bool domain_is_ended(const struct domain *d)
{
    (void)d;
    return false;
}

void svm_skip_instruction(struct vcpu *v, unsigned len);
void svm_skip_instruction(struct vcpu *v, unsigned len)
{
    v->arch.vmcb->save.rip += len;
    v->arch.vmcb->control.int_state &= ~1ull;
}

static uint8_t fake_vectors[16][32];

void xstate_vector_get(struct vcpu *v, unsigned n, uint8_t buf[32])
{
    (void)v;
    memcpy(buf, fake_vectors[n & 15], 32);
}

void xstate_vector_set(struct vcpu *v, unsigned n, const uint8_t buf[32])
{
    (void)v;
    memcpy(fake_vectors[n & 15], buf, 32);
}

struct x87_env fake_x87_pointers;
unsigned fake_x87_pointer_sets;

void xstate_x87_set_pointers(const struct x87_env *ptrs)
{
    fake_x87_pointers = *ptrs;
    fake_x87_pointer_sets++;
}

void hvm_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    (void)v; (void)subleaf;
    memset(out, 0, 4 * sizeof(out[0]));
    if (leaf == 0x80000008)
        out[0] = 48;                        /* MAXPHYADDR */
}

void svm_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
    (void)v; (void)has_error;
    injected_vector = vector;
    injected_error = error;
}

void log_printk(enum log_level lvl, const char *fmt, ...)
{
    (void)lvl; (void)fmt;
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
    (void)d; (void)fmt;
}
