/*
 * ACPI fixed hardware of one domain (the blocks the FADT in
 * asm/acpi_tables.h announces): PM1a event block (PM1_STS, PM1_EN), PM1a
 * control block (PM1_CNT) and the 24-bit PM timer at 3.579545 MHz.
 * Self-contained: the owner passes port accesses in, supplies the time (ns),
 * is told when the guest enters a sleep state (SLP_EN with its SLP_TYP) and
 * of SCI level changes. Only the PM timer raises status (TMR_STS, every
 * 2^23 ticks): seen at accesses, and, so that an enabled TMR_STS raises the
 * SCI without one, by vacpi_pm_poll() at vacpi_pm_next_event().
 */
#ifndef ASM_VACPI_PM_H
#define ASM_VACPI_PM_H

#include <stdbool.h>
#include <stdint.h>

#define VACPI_PM_TIMER_HZ 3579545u
#define VACPI_PM_NEVER    UINT64_MAX

typedef uint64_t (*vacpi_pm_clock_fn)(void *opaque);             /* now, in ns */
typedef void (*vacpi_pm_sleep_fn)(void *opaque, unsigned slp_typ); /* SLP_EN written */
typedef void (*vacpi_pm_irq_fn)(void *opaque, bool level);        /* SCI */

struct vacpi_pm {
    uint16_t base;              /* PM1a_EVT; PM1a_CNT at +4, PM_TMR at +8 */
    uint16_t sts;               /* PM1_STS bits other than TMR_STS */
    uint16_t en;
    uint16_t cnt;               /* SCI_EN, BM_RLD, SLP_TYP as written */
    uint64_t tmr_sts_since;     /* timer ticks when TMR_STS was last cleared */
    bool sci;
    vacpi_pm_clock_fn clock;
    vacpi_pm_sleep_fn sleep;
    vacpi_pm_irq_fn irq;
    void *opaque;
};

void vacpi_pm_init(struct vacpi_pm *pm, uint16_t base, vacpi_pm_clock_fn clock,
                   vacpi_pm_sleep_fn sleep, vacpi_pm_irq_fn irq, void *opaque);
/* Accesses of 1, 2 or 4 bytes; false if the port is not the device's. */
bool vacpi_pm_io_read(struct vacpi_pm *pm, uint16_t port, unsigned size, uint32_t *val);
bool vacpi_pm_io_write(struct vacpi_pm *pm, uint16_t port, unsigned size, uint32_t val);
/* Bring the SCI up to now; when (ns) an enabled status bit is next set, or
 * VACPI_PM_NEVER (the SCI is already up, or nothing enabled will set). */
void vacpi_pm_poll(struct vacpi_pm *pm);
uint64_t vacpi_pm_next_event(struct vacpi_pm *pm);

#endif
