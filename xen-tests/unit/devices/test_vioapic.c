/*
 * The virtual I/O APIC (hypervisor/arch/x86/hvm/vioapic.c): the register
 * window, reset state, what software can write in an entry, edge and level
 * delivery, masking, remote IRR and the EOI broadcast, the message fields.
 */
#include <asm/vioapic.h>
#include "tests.h"

static struct vioapic ioa;
static struct vioapic_msg last;
static unsigned delivered;
static bool accept = true;

static bool deliver(void *opaque, const struct vioapic_msg *msg)
{
    (void)opaque;
    last = *msg;
    delivered++;
    return accept;
}

static void reset(void)
{
    vioapic_init(&ioa, deliver, NULL);
    delivered = 0;
    accept = true;
}

static uint32_t reg_read(uint8_t reg)
{
    vioapic_mmio_write(&ioa, VIOAPIC_REGSEL, reg);
    return vioapic_mmio_read(&ioa, VIOAPIC_WINDOW);
}

static void reg_write(uint8_t reg, uint32_t val)
{
    vioapic_mmio_write(&ioa, VIOAPIC_REGSEL, reg);
    vioapic_mmio_write(&ioa, VIOAPIC_WINDOW, val);
}

static void rte_write(unsigned pin, uint64_t rte)
{
    reg_write(0x11 + 2 * pin, (uint32_t)(rte >> 32));
    reg_write(0x10 + 2 * pin, (uint32_t)rte);
}

static uint64_t rte_read(unsigned pin)
{
    return ((uint64_t)reg_read(0x11 + 2 * pin) << 32) | reg_read(0x10 + 2 * pin);
}

static void test_registers(void)
{
    reset();
    CU_ASSERT_EQUAL(reg_read(0x01), 0x00170011);        /* 24 entries, version 0x11 */
    CU_ASSERT_EQUAL(reg_read(0x00), 0);
    reg_write(0x00, 0x0a000000);
    CU_ASSERT_EQUAL(reg_read(0x00), 0x0a000000);
    CU_ASSERT_EQUAL(reg_read(0x02), 0x0a000000);        /* arbitration ID follows the ID */
    reg_write(0x01, 0xffffffff);                        /* version is read-only */
    CU_ASSERT_EQUAL(reg_read(0x01), 0x00170011);
    vioapic_mmio_write(&ioa, VIOAPIC_REGSEL, 0x12);
    CU_ASSERT_EQUAL(vioapic_mmio_read(&ioa, VIOAPIC_REGSEL), 0x12);
    CU_ASSERT_EQUAL(reg_read(0x40), 0);                 /* past the table: nothing */
    for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++)
        CU_ASSERT_EQUAL(rte_read(pin), VIOAPIC_RTE_MASKED);
    /* Delivery status, remote IRR and bits 55:17 are not writable. */
    rte_write(5, ~0ull);
    CU_ASSERT_EQUAL(rte_read(5), 0xff0000000001afffull);
    CU_ASSERT_EQUAL(rte_read(4), VIOAPIC_RTE_MASKED);   /* its neighbours are untouched */
    CU_ASSERT_EQUAL(rte_read(6), VIOAPIC_RTE_MASKED);
}

static void test_edge(void)
{
    reset();
    vioapic_set_irq(&ioa, 2, true);
    vioapic_set_irq(&ioa, 2, false);
    CU_ASSERT_EQUAL(delivered, 0);                      /* masked: the edge is lost */
    rte_write(2, 0x30 | (3ull << 56));                  /* fixed, physical, edge, to APIC 3 */
    CU_ASSERT_EQUAL(delivered, 0);                      /* unmasking does not replay it */
    vioapic_set_irq(&ioa, 2, true);
    CU_ASSERT_EQUAL(delivered, 1);
    CU_ASSERT_EQUAL(last.vector, 0x30);
    CU_ASSERT_EQUAL(last.dest, 3);
    CU_ASSERT_EQUAL(last.delivery_mode, VIOAPIC_DM_FIXED);
    CU_ASSERT(!last.logical);
    CU_ASSERT(!last.level);
    vioapic_set_irq(&ioa, 2, true);                     /* still high: no new edge */
    CU_ASSERT_EQUAL(delivered, 1);
    vioapic_set_irq(&ioa, 2, false);
    vioapic_set_irq(&ioa, 2, true);
    CU_ASSERT_EQUAL(delivered, 2);
    CU_ASSERT_EQUAL(rte_read(2) & VIOAPIC_RTE_REMOTE_IRR, 0);  /* edges never set it */
    rte_write(7, 0x41 | VIOAPIC_RTE_LOGICAL | (1ull << 8) | (0x0full << 56));
    vioapic_set_irq(&ioa, 7, true);
    CU_ASSERT(last.logical);
    CU_ASSERT_EQUAL(last.delivery_mode, VIOAPIC_DM_LOWEST);
    CU_ASSERT_EQUAL(last.dest, 0x0f);
    vioapic_set_irq(&ioa, 30, true);                    /* no such pin: ignored */
    CU_ASSERT_EQUAL(delivered, 3);
}

static void test_level_remote_irr(void)
{
    reset();
    rte_write(9, 0x51 | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_POLARITY);
    vioapic_set_irq(&ioa, 9, true);
    CU_ASSERT_EQUAL(delivered, 1);
    CU_ASSERT(last.level);
    CU_ASSERT(rte_read(9) & VIOAPIC_RTE_REMOTE_IRR);
    vioapic_set_irq(&ioa, 9, false);
    vioapic_set_irq(&ioa, 9, true);
    CU_ASSERT_EQUAL(delivered, 1);                      /* waits for the EOI */
    vioapic_eoi(&ioa, 0x52);                            /* another vector: no effect */
    CU_ASSERT(rte_read(9) & VIOAPIC_RTE_REMOTE_IRR);
    vioapic_eoi(&ioa, 0x51);                            /* still asserted: again */
    CU_ASSERT_EQUAL(delivered, 2);
    CU_ASSERT(rte_read(9) & VIOAPIC_RTE_REMOTE_IRR);
    vioapic_set_irq(&ioa, 9, false);
    vioapic_eoi(&ioa, 0x51);                            /* deasserted: remote IRR clears, no message */
    CU_ASSERT_EQUAL(delivered, 2);
    CU_ASSERT_EQUAL(rte_read(9) & VIOAPIC_RTE_REMOTE_IRR, 0);
}

static void test_level_mask_and_reject(void)
{
    reset();
    rte_write(10, 0x60 | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_MASKED);
    vioapic_set_irq(&ioa, 10, true);
    CU_ASSERT_EQUAL(delivered, 0);
    rte_write(10, 0x60 | VIOAPIC_RTE_LEVEL);            /* unmasked while asserted: delivers */
    CU_ASSERT_EQUAL(delivered, 1);
    /* Switching the entry to edge drops a stale remote IRR. */
    rte_write(10, 0x60);
    CU_ASSERT_EQUAL(rte_read(10) & VIOAPIC_RTE_REMOTE_IRR, 0);
    /* Nobody accepted it: no remote IRR, so the next EOI is not awaited. */
    reset();
    accept = false;
    rte_write(11, 0x61 | VIOAPIC_RTE_LEVEL);
    vioapic_set_irq(&ioa, 11, true);
    CU_ASSERT_EQUAL(delivered, 1);
    CU_ASSERT_EQUAL(rte_read(11) & VIOAPIC_RTE_REMOTE_IRR, 0);
}

/* Vectors 0-15: sent (the local APICs report the error), refused by every
 * APIC, so no remote IRR that no EOI could clear; a legal vector given to
 * the still-asserted pin then delivers. */
static void test_level_illegal_vector(void)
{
    reset();
    rte_write(12, 0x09 | VIOAPIC_RTE_LEVEL);
    vioapic_set_irq(&ioa, 12, true);
    CU_ASSERT_EQUAL(delivered, 1);
    CU_ASSERT_EQUAL(last.vector, 0x09);
    CU_ASSERT_EQUAL(rte_read(12) & VIOAPIC_RTE_REMOTE_IRR, 0);
    rte_write(12, 0x62 | VIOAPIC_RTE_LEVEL);             /* each write re-sends while asserted */
    CU_ASSERT_EQUAL(last.vector, 0x62);
    CU_ASSERT(rte_read(12) & VIOAPIC_RTE_REMOTE_IRR);
}

void register_vioapic_tests(void)
{
    CU_pSuite s = CU_add_suite("vioapic", NULL, NULL);
    CU_add_test(s, "registers and reset state", test_registers);
    CU_add_test(s, "edge-triggered pins", test_edge);
    CU_add_test(s, "level-triggered pins: remote IRR and EOI", test_level_remote_irr);
    CU_add_test(s, "level-triggered pins: mask and rejection", test_level_mask_and_reject);
    CU_add_test(s, "level-triggered pins: illegal vector", test_level_illegal_vector);
}
