/*
 * The domain's GICv3 distributor and its SPIs (hypervisor/arch/arm64/vgic_dist.c),
 * driven as vgic.c drives it: the guest's register accesses, a device's line,
 * and the vCPU's list registers synced before an entry, with the guest's
 * acknowledge and EOI done to the list registers as the virtual CPU interface
 * does them (pending -> active -> gone). What ARM IHI 0069 says: an SPI is
 * forwarded only while enabled with its group enabled, to the PE its
 * GICD_IROUTER names; ISPENDR/ICPENDR/ISACTIVER/ICACTIVER set and clear the
 * state (a level one stays pending while its line is high); the
 * highest-priority pending interrupt goes first; a level interrupt whose line
 * is still high when it is deactivated is pending again.
 */
#include <stdint.h>
#include <string.h>
#include <asm/gicv3_regs.h>
#include <asm/vgic_dist.h>
#include "tests.h"

#define UART       33              /* the PL011's SPI 1 */
#define UART_BIT   (1U << (UART - 32))
#define NR_LRS     4
#define LR_INTID(lr) ((uint32_t)(lr))
#define LR_PRIORITY(lr) ((unsigned)((lr) >> ICH_LR_PRIORITY_SHIFT) & 0xff)

static void wr(struct vgic_dist *d, uint64_t off, uint64_t val)
{
    CU_ASSERT_TRUE(vgic_dist_mmio(d, off, 4, true, &val));
}

static uint32_t rd(struct vgic_dist *d, uint64_t off)
{
    uint64_t val = 0xdeadbeef;

    CU_ASSERT_TRUE(vgic_dist_mmio(d, off, 4, false, &val));
    return (uint32_t)val;
}

/* The list register holding intid, or -1. */
static int lr_of(const uint64_t *lr, uint32_t intid)
{
    int i;

    for (i = 0; i < NR_LRS; i++)
        if ((lr[i] & ICH_LR_STATE) && LR_INTID(lr[i]) == intid)
            return i;
    return -1;
}

/* vCPU 0 syncs and holds one SPI, the UART's: its list register. */
static int synced_uart_lr(struct vgic_dist *d, uint64_t *lr)
{
    int i;

    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(d, 0, lr, NR_LRS), 1);
    i = lr_of(lr, UART);
    CU_ASSERT_FATAL(i >= 0);
    return i;
}

/* What the virtual CPU interface does on the guest's IAR read and EOI. */
static void guest_ack(uint64_t *lr, int i)
{
    lr[i] = (lr[i] & ~ICH_LR_STATE) | ICH_LR_ACTIVE;
}

static void guest_eoi(uint64_t *lr, int i)
{
    lr[i] &= ~ICH_LR_STATE;         /* EOI (maintenance request) kept */
}

/* Group 1 enabled, the UART's SPI level-sensitive, group 1, enabled, to vCPU 0. */
static void setup_uart(struct vgic_dist *d)
{
    memset(d, 0, sizeof(*d));
    wr(d, GICD_CTLR, GICD_CTLR_GRP1);
    wr(d, GICD_IGROUPR + 4, UART_BIT);
    wr(d, GICD_ISENABLER + 4, UART_BIT);
}

static void test_identification(void)
{
    struct vgic_dist d;
    uint32_t typer;

    memset(&d, 0, sizeof(d));
    typer = rd(&d, GICD_TYPER);
    CU_ASSERT_EQUAL(typer & 0x1f, 1);                   /* INTIDs up to 63 */
    CU_ASSERT_TRUE(!!(typer & GICD_TYPER_NO1N));
    CU_ASSERT_EQUAL((typer >> 19) & 0x1f, 15);
    wr(&d, GICD_CTLR, 0xffffffff);
    CU_ASSERT_EQUAL(rd(&d, GICD_CTLR), GICD_CTLR_GRP0 | GICD_CTLR_GRP1 | GICD_CTLR_ARE |
                                       GICD_CTLR_DS);
    /* INTIDs 0-31 are the redistributors' (ARE): RAZ/WI here. */
    wr(&d, GICD_ISENABLER, 0xffffffff);
    CU_ASSERT_EQUAL(rd(&d, GICD_ISENABLER), 0);
    /* A 2-byte access is not one the GIC accepts. */
    uint64_t v = 0;
    CU_ASSERT_FALSE(vgic_dist_mmio(&d, GICD_CTLR, 2, false, &v));
}

/* Enable and group enable gate forwarding; ICENABLER withdraws a pending one. */
static void test_enable(void)
{
    struct vgic_dist d;
    uint64_t lr[NR_LRS] = { 0 };

    memset(&d, 0, sizeof(d));
    wr(&d, GICD_IGROUPR + 4, UART_BIT);
    vgic_dist_set_level(&d, UART, true);
    CU_ASSERT_EQUAL(rd(&d, GICD_ISPENDR + 4), UART_BIT);   /* pending, not forwarded */
    CU_ASSERT_EQUAL(vgic_dist_vcpus_waiting(&d, 1), 0);
    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 0, lr, NR_LRS), 0);
    wr(&d, GICD_ISENABLER + 4, UART_BIT);
    CU_ASSERT_EQUAL(rd(&d, GICD_ICENABLER + 4), UART_BIT);
    CU_ASSERT_EQUAL(vgic_dist_vcpus_waiting(&d, 1), 0);    /* group 1 still off */
    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 0, lr, NR_LRS), 0);
    wr(&d, GICD_CTLR, GICD_CTLR_GRP1);
    CU_ASSERT_EQUAL(vgic_dist_vcpus_waiting(&d, 1), 1);
    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 0, lr, NR_LRS), 1);
    CU_ASSERT_FATAL(lr_of(lr, UART) >= 0);
    CU_ASSERT_EQUAL(lr[lr_of(lr, UART)] & ICH_LR_STATE, ICH_LR_PENDING);
    CU_ASSERT_TRUE(!!(lr[lr_of(lr, UART)] & ICH_LR_GROUP1));
    CU_ASSERT_EQUAL(vgic_dist_vcpus_to_sync(&d, 1), 1);    /* the holder */
    wr(&d, GICD_ICENABLER + 4, UART_BIT);
    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 0, lr, NR_LRS), 0);
    CU_ASSERT_EQUAL(lr_of(lr, UART), -1);
    CU_ASSERT_EQUAL(rd(&d, GICD_ISPENDR + 4), UART_BIT);   /* still pending, masked */
}

/* ISPENDR/ICPENDR and ISACTIVER/ICACTIVER, through acknowledge and EOI. */
static void test_pending_active(void)
{
    struct vgic_dist d;
    uint64_t lr[NR_LRS] = { 0 };
    int i;

    setup_uart(&d);
    wr(&d, GICD_ICFGR + 8, 2U << 2);                        /* INTID 33: edge */
    CU_ASSERT_EQUAL(rd(&d, GICD_ICFGR + 8), 2U << 2);
    wr(&d, GICD_ISPENDR + 4, UART_BIT);
    CU_ASSERT_EQUAL(rd(&d, GICD_ISPENDR + 4), UART_BIT);
    wr(&d, GICD_ICPENDR + 4, UART_BIT);
    CU_ASSERT_EQUAL(rd(&d, GICD_ICPENDR + 4), 0);
    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 0, lr, NR_LRS), 0);
    wr(&d, GICD_ISPENDR + 4, UART_BIT);
    i = synced_uart_lr(&d, lr);
    CU_ASSERT_FALSE(!!(lr[i] & ICH_LR_EOI));                    /* edge: nothing to resample */
    guest_ack(lr, i);
    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 0, lr, NR_LRS), 1);
    CU_ASSERT_EQUAL(rd(&d, GICD_ISACTIVER + 4), UART_BIT);
    CU_ASSERT_EQUAL(rd(&d, GICD_ISPENDR + 4), 0);           /* the acknowledge took it */
    i = lr_of(lr, UART);
    CU_ASSERT_FATAL(i >= 0);
    CU_ASSERT_EQUAL(lr[i] & ICH_LR_STATE, ICH_LR_ACTIVE);
    guest_eoi(lr, i);
    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 0, lr, NR_LRS), 0);
    CU_ASSERT_EQUAL(rd(&d, GICD_ISACTIVER + 4), 0);
    CU_ASSERT_EQUAL(rd(&d, GICD_ISPENDR + 4), 0);
    /* Edge-triggered: a rising edge latches it; the line dropping does not clear it. */
    vgic_dist_set_level(&d, UART, true);
    vgic_dist_set_level(&d, UART, false);
    CU_ASSERT_EQUAL(rd(&d, GICD_ISPENDR + 4), UART_BIT);
    i = synced_uart_lr(&d, lr);
    guest_ack(lr, i);
    guest_eoi(lr, i);
    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 0, lr, NR_LRS), 0);
    /* Active set by the guest goes to the vCPU as active; ICACTIVER ends it. */
    wr(&d, GICD_ISACTIVER + 4, UART_BIT);
    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 0, lr, NR_LRS), 1);
    CU_ASSERT_EQUAL(lr[lr_of(lr, UART)] & ICH_LR_STATE, ICH_LR_ACTIVE);
    wr(&d, GICD_ICACTIVER + 4, UART_BIT);
    CU_ASSERT_EQUAL(rd(&d, GICD_ISACTIVER + 4), 0);
    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 0, lr, NR_LRS), 0);
    CU_ASSERT_EQUAL(lr_of(lr, UART), -1);
    /* Level-sensitive with its line high: ICPENDR leaves it pending. */
    wr(&d, GICD_ICFGR + 8, 0);
    vgic_dist_set_level(&d, UART, true);
    wr(&d, GICD_ICPENDR + 4, UART_BIT);
    CU_ASSERT_EQUAL(rd(&d, GICD_ISPENDR + 4), UART_BIT);
}

/* GICD_IROUTER: the vCPU whose MPIDR (Aff0 = n) it names, or none. */
static void test_route(void)
{
    struct vgic_dist d;
    uint64_t lr[NR_LRS] = { 0 }, v;
    const uint64_t irouter = GICD_IROUTER + UART * 8;

    setup_uart(&d);
    v = 1;
    CU_ASSERT_TRUE(vgic_dist_mmio(&d, irouter, 8, true, &v));
    vgic_dist_set_level(&d, UART, true);
    CU_ASSERT_EQUAL(vgic_dist_vcpus_waiting(&d, 2), 2);
    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 0, lr, NR_LRS), 0);
    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 1, lr, NR_LRS), 1);
    CU_ASSERT_EQUAL(vgic_dist_vcpus_waiting(&d, 2), 0);     /* held by vCPU 1 now */
    memset(lr, 0, sizeof(lr));
    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 0, lr, NR_LRS), 0);  /* not twice */
    /* Back from vCPU 1 (its list registers lost), then routed nowhere. */
    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 1, lr, 0), 0);
    v = 5;                                                  /* no vCPU 5 of 2 */
    CU_ASSERT_TRUE(vgic_dist_mmio(&d, irouter, 8, true, &v));
    CU_ASSERT_EQUAL(vgic_dist_vcpus_waiting(&d, 2), 0);
    v = 0x100;                                              /* Aff1 = 1 */
    CU_ASSERT_TRUE(vgic_dist_mmio(&d, irouter, 8, true, &v));
    CU_ASSERT_EQUAL(vgic_dist_vcpus_waiting(&d, 2), 0);
    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 0, lr, NR_LRS), 0);
    /* IRM (1 of N) is not offered: RAZ/WI. 32-bit halves read and write. */
    v = 1ULL << 31 | 0x3ULL << 32;
    CU_ASSERT_TRUE(vgic_dist_mmio(&d, irouter, 8, true, &v));
    CU_ASSERT_TRUE(vgic_dist_mmio(&d, irouter, 8, false, &v));
    CU_ASSERT_EQUAL(v, 0x3ULL << 32);
    v = 0;
    CU_ASSERT_TRUE(vgic_dist_mmio(&d, irouter + 4, 4, true, &v));
    CU_ASSERT_TRUE(vgic_dist_mmio(&d, irouter + 4, 4, false, &v));
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(vgic_dist_vcpus_waiting(&d, 2), 1);     /* Aff 0.0.0.0: vCPU 0 */
    /* Held by vCPU 0 and routed to vCPU 1 meanwhile: vCPU 1 does not get it
     * too; once vCPU 0 gives it back (the guest acknowledged and ended it,
     * the line still high), it is vCPU 1's. */
    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 0, lr, NR_LRS), 1);
    v = 1;
    CU_ASSERT_TRUE(vgic_dist_mmio(&d, irouter, 8, true, &v));
    CU_ASSERT_EQUAL(vgic_dist_vcpus_to_sync(&d, 2), 1);     /* the holder */
    {
        uint64_t lr1[NR_LRS] = { 0 };
        int k = lr_of(lr, UART);
        CU_ASSERT_FATAL(k >= 0);
        CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 1, lr1, NR_LRS), 0);
        CU_ASSERT_EQUAL(lr_of(lr1, UART), -1);
        guest_ack(lr, k);
        guest_eoi(lr, k);
        CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 0, lr, NR_LRS), 0);
        CU_ASSERT_EQUAL(vgic_dist_vcpus_waiting(&d, 2), 2);
        CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 1, lr1, NR_LRS), 1);
        CU_ASSERT(lr_of(lr1, UART) >= 0);
    }
}

/* Priority: byte access, the list register's field, highest first. */
static void test_priority(void)
{
    struct vgic_dist d;
    uint64_t lr[NR_LRS] = { 0 }, v = 0x20;
    unsigned i;

    setup_uart(&d);
    wr(&d, GICD_IGROUPR + 4, UART_BIT | 1U << 8);           /* INTID 40 too */
    wr(&d, GICD_ISENABLER + 4, 1U << 8);
    wr(&d, GICD_IPRIORITYR + 32, 0x80808080);               /* 32-35 */
    CU_ASSERT_TRUE(vgic_dist_mmio(&d, GICD_IPRIORITYR + 40, 1, true, &v));
    CU_ASSERT_EQUAL(rd(&d, GICD_IPRIORITYR + 40), 0x20);
    CU_ASSERT_EQUAL(rd(&d, GICD_IPRIORITYR + 32), 0x80808080);
    vgic_dist_set_level(&d, UART, true);
    wr(&d, GICD_ISPENDR + 4, 1U << 8);
    /* One free list register (the others hold PPIs, hardware-linked). */
    for (i = 1; i < NR_LRS; i++)
        lr[i] = ICH_LR_PENDING | ICH_LR_HW | 27;
    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 0, lr, NR_LRS), 1);
    CU_ASSERT_EQUAL(LR_INTID(lr[0]), 40);
    CU_ASSERT_EQUAL(LR_PRIORITY(lr[0]), 0x20);
    for (i = 1; i < NR_LRS; i++)
        CU_ASSERT_EQUAL(lr[i], ICH_LR_PENDING | ICH_LR_HW | 27);
    CU_ASSERT_EQUAL(vgic_dist_vcpus_waiting(&d, 1), 1);     /* 33 still waits */
    guest_ack(lr, 0);
    guest_eoi(lr, 0);
    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 0, lr, NR_LRS), 1);
    CU_ASSERT_EQUAL(LR_INTID(lr[0]), UART);
    CU_ASSERT_EQUAL(LR_PRIORITY(lr[0]), 0x80);
}

/* A level SPI follows its line: withdrawn when it drops while pending, and
 * pending again when it is deactivated with the line still high. */
static void test_level_resample(void)
{
    struct vgic_dist d;
    uint64_t lr[NR_LRS] = { 0 };
    int i;

    setup_uart(&d);
    vgic_dist_set_level(&d, UART, true);
    i = synced_uart_lr(&d, lr);
    CU_ASSERT_TRUE(!!(lr[i] & ICH_LR_EOI));                     /* maintenance at deactivation */
    vgic_dist_set_level(&d, UART, false);
    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 0, lr, NR_LRS), 0);
    CU_ASSERT_EQUAL(lr_of(lr, UART), -1);
    CU_ASSERT_EQUAL(rd(&d, GICD_ISPENDR + 4), 0);

    vgic_dist_set_level(&d, UART, true);
    i = synced_uart_lr(&d, lr);
    guest_ack(lr, i);
    /* Still high when the guest deactivates it: pending again. */
    guest_eoi(lr, i);
    i = synced_uart_lr(&d, lr);
    CU_ASSERT_EQUAL(lr[i] & ICH_LR_STATE, ICH_LR_PENDING);
    /* Acknowledged, then the handler drains the device: active only; its
     * deactivation leaves nothing. */
    guest_ack(lr, i);
    vgic_dist_set_level(&d, UART, false);
    i = synced_uart_lr(&d, lr);
    CU_ASSERT_EQUAL(lr[i] & ICH_LR_STATE, ICH_LR_ACTIVE);
    guest_eoi(lr, i);
    CU_ASSERT_EQUAL(vgic_dist_sync_lrs(&d, 0, lr, NR_LRS), 0);
    CU_ASSERT_EQUAL(lr_of(lr, UART), -1);
    for (i = 0; i < NR_LRS; i++)
        CU_ASSERT_EQUAL(lr[i], 0);                          /* no maintenance left asking */
    CU_ASSERT_EQUAL(rd(&d, GICD_ISACTIVER + 4) | rd(&d, GICD_ISPENDR + 4), 0);
}

void register_vgic_dist_tests(void)
{
    static const struct unit_test tests[] = {
        { "identification and INTIDs 0-31", test_identification },
        { "enable and group enable gate forwarding", test_enable },
        { "set/clear pending and active", test_pending_active },
        { "routing by GICD_IROUTER", test_route },
        { "priority", test_priority },
        { "level resampled at deactivation", test_level_resample },
    };
    add_suite("vgic_dist", tests, sizeof(tests) / sizeof(tests[0]));
}
