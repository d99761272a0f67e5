/*
 * The PC platform devices of one domain beyond the guest contract (issue
 * 10): CMOS/RTC, the 8042's reset line, COM2 (a 16550A with nothing
 * attached), the PCI host bridge with its reset control register, the ACPI
 * PM blocks, the POST port, and the ACPI tables in the BIOS area. hvm/platform.c owns the instances and
 * routes ports to them; ports nobody claims read all-ones, drop writes and
 * are counted, each reported once in the hypervisor log (`xl dmesg`), the
 * first 64 distinct ports of a domain, then one line saying there are more.
 */
#ifndef ASM_HVM_PLATFORM_H
#define ASM_HVM_PLATFORM_H

#include <stdint.h>
#include <asm/vacpi_pm.h>
#include <asm/vi8042.h>
#include <asm/vpci_host.h>
#include <asm/vrtc.h>
#include <asm/vuart.h>
#include <dbgvisor/spinlock.h>

struct hvm_platform {
    spinlock_t lock;                            /* the devices below, for all vCPUs */
    struct vrtc rtc;
    struct vi8042 kbc;
    struct vacpi_pm pm;
    struct vpci_host pci;
    struct vuart com2;                          /* 0x2F8, IRQ 3, nothing attached */
    uint64_t next_event_ns;                     /* the RTC's or PM timer's next interrupt */
    uint64_t unclaimed_port_accesses;
    uint8_t unclaimed_port_seen[65536 / 8];     /* accessed before */
    unsigned unclaimed_ports_logged;            /* distinct ports met (the first 64 logged) */
};

struct domain;
struct vcpu;
/* Power-on state of the devices (the domain's memory size is known). */
void hvm_platform_init(struct domain *d);
/* Port accesses the guest contract's devices did not take. */
uint32_t hvm_platform_io_read(struct vcpu *v, uint16_t port, unsigned size);
void hvm_platform_io_write(struct vcpu *v, uint16_t port, unsigned size, uint32_t val);
void hvm_platform_no_device(struct vcpu *v, uint16_t port, unsigned size, bool write);
/* The devices' own interrupts (RTC update/alarm/periodic, PM timer overflow
 * with TMR_EN) due by now, into the interrupt router, whose kicks stay
 * recorded for the caller (hvm_poll_timers); and when the next is due (ns,
 * UINT64_MAX if none is enabled). */
void hvm_platform_poll_timers(struct domain *d, uint64_t now);
static inline uint64_t hvm_platform_next_timer_ns(const struct hvm_platform *p)
{
    return __atomic_load_n(&p->next_event_ns, __ATOMIC_RELAXED);
}

#endif
