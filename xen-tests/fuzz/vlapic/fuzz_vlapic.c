/*
 * Virtual xAPIC (hypervisor/arch/x86/hvm/vlapic.c) of a 2-vCPU domain driven
 * by sequences of MMIO accesses (any size and offset), time steps, external
 * vectors, INTA/EOI, CR8 writes, IA32_APIC_BASE.EN/EXTD changes and x2APIC
 * MSR writes (any register, any value).
 * Invariants, after every step, for both vCPUs:
 *  - a vector offered for delivery is >= 16, pending in IRR, its priority
 *    class above TPR and above the highest vector in service, and the APIC
 *    is enabled: nothing is delivered while masked by priority or disabled;
 *  - a masked LVT timer, or a software-disabled APIC, never raises the
 *    timer vector; a timer poll before the deadline raises nothing;
 *  - an MMIO read returns no more bits than its size; a write that is not
 *    one aligned dword changes no register;
 *  - EOI retires exactly the highest vector in service;
 *  - a WRMSR that raises #GP changes nothing.
 */
#include <asm/vlapic.h>
#include "hvm_fakes.h"

#define APIC_TPR  0x080
#define APIC_EOI  0x0b0
#define APIC_SPIV 0x0f0
#define APIC_TMR  0x320

static int highest_bit(const uint32_t *bm)
{
    for ( int i = 7; i >= 0; i-- )
        if ( bm[i] )
            return i * 32 + 31 - __builtin_clz(bm[i]);
    return -1;
}

static bool bit(const uint32_t *bm, int v) { return bm[v / 32] & (1u << (v % 32)); }

static void check_delivery(struct vcpu *v)
{
    const struct vlapic *l = &v->arch.vlapic;
    int vec = vlapic_pending_vector(v), isr = highest_bit(l->isr);

    if ( vec < 0 )
        return;
    FUZZ_CHECK(vec >= 16 && vec < 256 && bit(l->irr, vec), "vector %d offered, not in IRR", vec);
    FUZZ_CHECK(vlapic_hw_enabled(v), "vector %d offered by a disabled APIC", vec);
    FUZZ_CHECK((vec & 0xf0) > (l->tpr & 0xf0), "vector %d offered above TPR %#x", vec, l->tpr);
    FUZZ_CHECK(isr < 0 || (vec & 0xf0) > (isr & 0xf0),
               "vector %d offered while %d (same or higher class) is in service", vec, isr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size };

    fake_domain_init();
    for ( unsigned i = 0; i < FAKE_NR_VCPUS; i++ )
        vlapic_reset(&fake_vcpu[i]);

    while ( fuzz_more(&in) )
    {
        uint8_t op = fuzz_u8(&in);
        struct vcpu *v = &fake_vcpu[op >> 7];
        struct vlapic *l = &v->arch.vlapic;

        switch ( op & 7 )
        {
        case 0: {                                   /* MMIO write */
            uint32_t off = fuzz_u16(&in) & 0xfff;
            unsigned sz = 1u << (fuzz_u8(&in) & 3);
            uint32_t val = fuzz_u32(&in);
            struct vlapic before = *l;

            vlapic_mmio_write(v, off, sz, val);
            if ( sz != 4 || (off & 0xf) )
            {
                before.partial_write_logged = l->partial_write_logged;
                FUZZ_CHECK(!memcmp(&before, l, sizeof(before)),
                           "%u-byte write at %#x changed the APIC", sz, off);
            }
            break;
        }
        case 1: {                                   /* MMIO read */
            uint32_t off = fuzz_u16(&in) & 0xfff;
            unsigned sz = 1u << (fuzz_u8(&in) & 3);
            uint64_t val = vlapic_mmio_read(v, off, sz);

            FUZZ_CHECK(sz == 8 || val >> (8 * sz) == 0, "%u-byte read returned %#llx", sz,
                       (unsigned long long)val);
            break;
        }
        case 2: {                                   /* a register write, aligned */
            static const uint32_t regs[] = { APIC_TPR, APIC_EOI, APIC_SPIV, APIC_TMR, 0x380,
                                             0x3e0, 0x300, 0x310, 0x0d0, 0x0e0, 0x020, 0x350 };
            uint32_t off = regs[fuzz_u8(&in) % 12], val = fuzz_u32(&in);
            int isr = highest_bit(l->isr);
            uint32_t isr_before[8];

            memcpy(isr_before, l->isr, sizeof(isr_before));
            vlapic_write(v, off, val);
            if ( off == APIC_EOI && isr >= 0 )
            {
                isr_before[isr / 32] &= ~(1u << (isr % 32));
                FUZZ_CHECK(!memcmp(isr_before, l->isr, sizeof(isr_before)),
                           "EOI did not retire exactly vector %d", isr);
            }
            break;
        }
        case 3: {                                   /* time passes, the timer is polled */
            uint32_t irr_before[8];
            uint64_t deadline = l->timer_deadline_ns;
            bool masked = (l->lvt_timer & (1u << 16)) || !(l->spiv & 0x100);
            uint8_t tvec = l->lvt_timer & 0xff;
            /* A timer vector below 16 is a Receive Illegal Vector error instead
             * (SDM 11.5.3): what it may raise is the LVT error entry's vector. */
            uint8_t vec = tvec >= 16 ? tvec : (uint8_t)(l->lvt_error & 0xff);

            fake_now += (uint64_t)fuzz_u32(&in) << (op >> 4 & 7);
            memcpy(irr_before, l->irr, sizeof(irr_before));
            vlapic_poll_timer(v, fake_now);
            for ( int w = 0; w < 8; w++ )
            {
                uint32_t raised = l->irr[w] & ~irr_before[w];

                FUZZ_CHECK(!raised || (!masked && deadline && fake_now >= deadline && vec >= 16 &&
                                       raised == (1u << (vec % 32)) && w == vec / 32),
                           "timer poll raised IRR bits %#x (word %d) masked=%d deadline=%llu now=%llu",
                           raised, w, masked, (unsigned long long)deadline,
                           (unsigned long long)fake_now);
            }
            break;
        }
        case 4:                                     /* an external vector */
            vlapic_set_irq(v, fuzz_u8(&in));
            break;
        case 5: {                                   /* the CPU takes what is offered */
            int vec = vlapic_pending_vector(v);

            if ( vec >= 0 )
                vlapic_ack(v, vec);
            break;
        }
        case 6:
            vlapic_cr8_written(v, fuzz_u8(&in));
            FUZZ_CHECK(vlapic_cr8(v) == (l->tpr >> 4), "CR8 %u TPR %#x", vlapic_cr8(v), l->tpr);
            break;
        case 7: {                                   /* IA32_APIC_BASE, or an x2APIC WRMSR */
            uint8_t b = fuzz_u8(&in);

            if ( b & 4 )
            {
                uint32_t msr = X2APIC_MSR_FIRST + fuzz_u8(&in);
                uint64_t val = fuzz_u64(&in);
                struct vlapic before = *l;

                if ( vlapic_x2apic_write(v, msr, val) < 0 )
                    FUZZ_CHECK(!memcmp(&before, l, sizeof(before)),
                               "refused WRMSR %#x %#llx changed the APIC", msr, (unsigned long long)val);
            }
            else
                vlapic_set_mode(v, b & 1, b & 2);
            break;
        }
        }
        for ( unsigned i = 0; i < FAKE_NR_VCPUS; i++ )
            check_delivery(&fake_vcpu[i]);
    }
    return 0;
}
