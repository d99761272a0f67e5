/*
 * A domain's PC platform (see asm/hvm_platform.h): instances, their wiring
 * to the domain (reset and S5 end it with the matching shutdown reason),
 * the firmware data they expose (CMOS bytes, ACPI tables) and the
 * accounting of ports nothing emulates, and the devices' interrupt lines
 * (RTC IRQ8, the SCI on IRQ9, the 8042's IRQ1/12, COM2's IRQ3) into the domain's
 * interrupt router, both from port accesses and from the timer poll (RTC
 * update, alarm and periodic interrupts, the PM timer's overflow).
 *
 * Lock order: platform lock, then the router's (a leaf). The device
 * callbacks run under the platform lock and only record kicks
 * (hvm_isa_irq_set_deferred): the port paths send them once the lock is
 * dropped; the timer poll, which the scheduler runs under sched_lock, leaves
 * them to its caller, and only tries the platform lock (a vCPU ending the
 * domain through a port holds it while the shutdown takes sched_lock).
 */
#include <asm/acpi_tables.h>
#include <asm/host_rtc.h>
#include <asm/hvm_irq.h>
#include <asm/hvm_platform.h>
#include <asm/isa_bus.h>
#include <asm/svm_vcpu.h>
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/time.h>

#define POST_PORT       0x80
#define RTC_ISA_IRQ     8
#define SCI_ISA_IRQ     9               /* the FADT's SCI_INT; level, active high (MADT) */
#define COM2_BASE       0x2F8
#define COM2_ISA_IRQ    3
#define PORTS_LOGGED    64              /* per domain: a guest cannot flood the log */

/* CMOS bytes firmware and boot loaders read (IBM AT layout, QEMU/SeaBIOS extensions). */
#define CMOS_EQUIPMENT  0x14            /* bit 1: FPU present */
#define CMOS_BASE_KB    0x15            /* and 0x16: conventional memory in KiB */
#define CMOS_EXT_KB     0x17            /* and 0x18, mirrored at 0x30/0x31: 1-64 MiB in KiB */
#define CMOS_CHECKSUM   0x2e            /* and 0x2f: sum of 0x10-0x2d, big-endian */
#define CMOS_EXT_KB2    0x30
#define CMOS_HIGH_64K   0x34            /* and 0x35: memory above 16 MiB in 64 KiB units */
#define CMOS_NR_CPUS    0x5f            /* QEMU/SeaBIOS: vCPUs - 1 */
#define EQUIP_FPU       0x02

static uint64_t platform_clock(void *opaque)
{
    (void)opaque;
    return now_ns();
}

static void platform_reset(struct domain *d, const char *how)
{
    printk("domain %u (%s): reset through %s\n", d->id, d->name, how);
    domain_shutdown_reason(d, DBGV_SHUTDOWN_REBOOT, 0);
}

static void kbc_reset(void *opaque)
{
    platform_reset(opaque, "the 8042's reset line");
}

static void rcr_reset(void *opaque)
{
    platform_reset(opaque, "the reset control register (0xCF9)");
}

static void platform_sleep(void *opaque, unsigned slp_typ)
{
    struct domain *d = opaque;

    if (slp_typ == ACPI_SLP_TYP_S5) {
        printk("domain %u (%s): ACPI S5 (soft off) through PM1a_CNT\n", d->id, d->name);
        domain_shutdown_reason(d, DBGV_SHUTDOWN_POWEROFF, 0);
    }
    /* The DSDT offers no other sleep state: SLP_EN with another type does nothing. */
}

static void rtc_irq(void *opaque, bool level)
{
    hvm_isa_irq_set_deferred(opaque, RTC_ISA_IRQ, level);
}

static void sci_irq(void *opaque, bool level)
{
    hvm_isa_irq_set_deferred(opaque, SCI_ISA_IRQ, level);
}

static void com2_irq(void *opaque, bool level)
{
    hvm_isa_irq_set_deferred(opaque, COM2_ISA_IRQ, level);
}

/* Nothing is attached to COM2: what the guest sends is lost, as on a port
 * without a cable. (The host's COM2, the control channel, is another
 * device: a guest's port accesses all exit and never reach the host's.) */
static void com2_tx(void *opaque, uint8_t byte)
{
    (void)opaque;
    (void)byte;
}

static void kbc_irq(void *opaque, unsigned irq, bool level)
{
    hvm_isa_irq_set_deferred(opaque, irq, level);
}

/* Under the lock: when the RTC or the PM timer next raises its line by
 * itself (read without the lock by the timer poll). */
static void refresh_deadline(struct hvm_platform *p)
{
    uint64_t next = MIN(vrtc_next_event(&p->rtc), vacpi_pm_next_event(&p->pm));

    __atomic_store_n(&p->next_event_ns, next, __ATOMIC_RELAXED);
}

void hvm_platform_poll_timers(struct domain *d, uint64_t now)
{
    struct hvm_platform *p = &d->arch.platform;

    if (now < __atomic_load_n(&p->next_event_ns, __ATOMIC_RELAXED) || !spin_trylock(&p->lock))
        return;                             /* not due, or a port access is under way: next poll */
    vrtc_poll(&p->rtc);
    vacpi_pm_poll(&p->pm);
    refresh_deadline(p);
    spin_unlock(&p->lock);
}

static void cmos_word(struct vrtc *rtc, uint8_t index, uint16_t val)
{
    vrtc_set_cmos(rtc, index, (uint8_t)val);
    vrtc_set_cmos(rtc, (uint8_t)(index + 1), (uint8_t)(val >> 8));
}

static void fill_cmos(struct vrtc *rtc, uint64_t mem_bytes)
{
    uint64_t ext_kb = mem_bytes > (1u << 20) ? (mem_bytes - (1u << 20)) / 1024 : 0;
    uint64_t high = mem_bytes > (16u << 20) ? (mem_bytes - (16u << 20)) >> 16 : 0;
    uint16_t sum = 0;

    vrtc_set_cmos(rtc, CMOS_EQUIPMENT, EQUIP_FPU);
    cmos_word(rtc, CMOS_BASE_KB, 640);
    cmos_word(rtc, CMOS_EXT_KB, (uint16_t)MIN(ext_kb, 0xfc00u));
    cmos_word(rtc, CMOS_EXT_KB2, (uint16_t)MIN(ext_kb, 0xfc00u));
    cmos_word(rtc, CMOS_HIGH_64K, (uint16_t)MIN(high, 0xffffu));
    for (unsigned i = 0x10; i < CMOS_CHECKSUM; i++)
        sum += rtc->ram[i];
    vrtc_set_cmos(rtc, CMOS_CHECKSUM, (uint8_t)(sum >> 8));
    vrtc_set_cmos(rtc, CMOS_CHECKSUM + 1, (uint8_t)sum);
}

void hvm_platform_init(struct domain *d)
{
    struct hvm_platform *p = &d->arch.platform;

    p->lock = (spinlock_t)SPINLOCK_INIT;
    vrtc_init(&p->rtc, host_rtc_unix_seconds(), platform_clock, rtc_irq, d);
    fill_cmos(&p->rtc, d->mem_bytes);
    vi8042_init(&p->kbc, kbc_reset, kbc_irq, d);
    vacpi_pm_init(&p->pm, ACPI_PM_BASE, platform_clock, platform_sleep, sci_irq, d);
    vpci_host_init(&p->pci, rcr_reset, d);
    vuart_init(&p->com2, com2_tx, com2_irq, d);
    p->next_event_ns = UINT64_MAX;          /* nothing enabled at power-on */
}

void hvm_domain_firmware_init(struct domain *d)
{
    uint8_t *tables = domain_gpa_to_hva(d, ACPI_TABLES_GPA, ACPI_TABLES_SIZE);

    vrtc_set_cmos(&d->arch.platform.rtc, CMOS_NR_CPUS, (uint8_t)(d->nr_vcpus - 1));
    if (!tables || !acpi_build_tables(tables, ACPI_TABLES_SIZE, ACPI_TABLES_GPA, d->nr_vcpus))
        pr_err("domain %u (%s): no room for the ACPI tables\n", d->id, d->name);
}

static void unclaimed(struct vcpu *v, uint16_t port, unsigned size, bool write)
{
    struct domain *d = v->domain;
    struct hvm_platform *p = &d->arch.platform;
    uint8_t bit = (uint8_t)(1u << (port % 8));

    __atomic_fetch_add(&p->unclaimed_port_accesses, 1, __ATOMIC_RELAXED);
    if (__atomic_fetch_or(&p->unclaimed_port_seen[port / 8], bit, __ATOMIC_RELAXED) & bit)
        return;
    unsigned nth = __atomic_fetch_add(&p->unclaimed_ports_logged, 1, __ATOMIC_RELAXED);
    if (nth == PORTS_LOGGED)
        printk("domain %u (%s): more ports without a device; not reported one by one\n",
               d->id, d->name);
    if (nth >= PORTS_LOGGED)
        return;
    printk("domain %u (%s): no device at port %#x (%u-byte %s): reads all-ones, writes "
           "dropped; reported once per port\n", d->id, d->name, port, size,
           write ? "write" : "read");
}

/* An access no device of the domain claims: all-ones on reads, writes
 * dropped (the caller's part), counted and reported once per port. */
void hvm_platform_no_device(struct vcpu *v, uint16_t port, unsigned size, bool write)
{
    if (port != POST_PORT)                  /* POST codes: accepted, nobody displays them */
        unclaimed(v, port, size, write);
}

static bool com2_port(uint16_t port)
{
    return port >= COM2_BASE && port < COM2_BASE + 8;
}

/* One byte of a byte-wide device (RTC, 8042, COM2); false if none is there. */
static bool byte_read(void *bus, uint16_t port, uint8_t *byte)
{
    struct hvm_platform *p = bus;

    if (com2_port(port)) {
        *byte = vuart_io_read(&p->com2, port - COM2_BASE);
        return true;
    }
    return vrtc_io_read(&p->rtc, port, byte) || vi8042_io_read(&p->kbc, port, byte);
}

static bool byte_write(void *bus, uint16_t port, uint8_t byte)
{
    struct hvm_platform *p = bus;

    if (com2_port(port)) {
        vuart_io_write(&p->com2, port - COM2_BASE, byte);
        return true;
    }
    return vrtc_io_write(&p->rtc, port, byte) || vi8042_io_write(&p->kbc, port, byte);
}

uint32_t hvm_platform_io_read(struct vcpu *v, uint16_t port, unsigned size)
{
    struct hvm_platform *p = &v->domain->arch.platform;
    uint32_t val = 0xffffffffu;
    bool claimed;

    spin_lock(&p->lock);
    claimed = isa_bus_read(byte_read, p, port, size, &val) || vacpi_pm_io_read(&p->pm, port, size, &val) ||
              vpci_host_io_read(&p->pci, port, size, &val);
    if (claimed)
        refresh_deadline(p);
    spin_unlock(&p->lock);
    hvm_irq_flush_kicks(v->domain);
    if (!claimed)
        hvm_platform_no_device(v, port, size, false);
    return claimed ? val : 0xffffffffu;
}

void hvm_platform_io_write(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    struct hvm_platform *p = &v->domain->arch.platform;
    bool claimed;

    /* A reset or S5 ends the domain from inside these calls; the domain's
     * own lock is never held while taking the platform's. */
    spin_lock(&p->lock);
    claimed = isa_bus_write(byte_write, p, port, size, val) || vacpi_pm_io_write(&p->pm, port, size, val) ||
              vpci_host_io_write(&p->pci, port, size, val);
    if (claimed)
        refresh_deadline(p);
    spin_unlock(&p->lock);
    hvm_irq_flush_kicks(v->domain);
    if (!claimed)
        hvm_platform_no_device(v, port, size, true);
}
