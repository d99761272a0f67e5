/*
 * ACPI PM1a blocks and PM timer (see asm/vacpi_pm.h). Register semantics
 * from ACPI 6.3 4.8.3: status bits are write-1-to-clear, SLP_EN and
 * GBL_RLS are write-only and read as zero, SCI_EN reads 1 on a platform
 * without SMI_CMD (always in ACPI mode).
 */
#include <asm/vacpi_pm.h>
#include <dbgvisor/lib.h>

#define NS_PER_S        1000000000ull
#define BLOCK_LEN       12              /* STS, EN, CNT, 2 unused, TMR */
#define OFF_STS         0
#define OFF_EN          2
#define OFF_CNT         4
#define OFF_TMR         8

#define STS_TMR         (1u << 0)
#define STS_WRITABLE    0x8731u         /* TMR, BM, GBL, PWRBTN, SLPBTN, RTC, WAK */
#define EN_WRITABLE     0x0721u         /* TMR, GBL, PWRBTN, SLPBTN, RTC */
#define CNT_SCI_EN      (1u << 0)
#define CNT_BM_RLD      (1u << 1)
#define CNT_SLP_TYP(v)  (((v) >> 10) & 7)
#define CNT_SLP_TYP_MASK (7u << 10)
#define CNT_SLP_EN      (1u << 13)
#define TMR_MASK        0xffffffu
#define TMR_STS_SHIFT   23              /* TMR_STS is set when bit 23 toggles */

static uint64_t timer_ticks(const struct vacpi_pm *pm)
{
    uint64_t ns = pm->clock(pm->opaque);

    return ns / NS_PER_S * VACPI_PM_TIMER_HZ + ns % NS_PER_S * VACPI_PM_TIMER_HZ / NS_PER_S;
}

/* The first ns at which the timer reads at least `ticks` (timer_ticks' inverse, rounded up). */
static uint64_t ticks_to_ns(uint64_t ticks)
{
    return ticks / VACPI_PM_TIMER_HZ * NS_PER_S +
           (ticks % VACPI_PM_TIMER_HZ * NS_PER_S + VACPI_PM_TIMER_HZ - 1) / VACPI_PM_TIMER_HZ;
}

static uint16_t status(const struct vacpi_pm *pm, uint64_t ticks)
{
    bool tmr = (ticks >> TMR_STS_SHIFT) != (pm->tmr_sts_since >> TMR_STS_SHIFT);

    return (uint16_t)(pm->sts | (tmr ? STS_TMR : 0));
}

static void update_sci(struct vacpi_pm *pm, uint64_t ticks)
{
    bool level = (pm->cnt & CNT_SCI_EN) && (status(pm, ticks) & pm->en);

    if (level != pm->sci) {
        pm->sci = level;
        if (pm->irq)
            pm->irq(pm->opaque, level);
    }
}

void vacpi_pm_poll(struct vacpi_pm *pm)
{
    update_sci(pm, timer_ticks(pm));
}

uint64_t vacpi_pm_next_event(struct vacpi_pm *pm)
{
    uint64_t ticks = timer_ticks(pm);

    update_sci(pm, ticks);
    if (pm->sci || !(pm->cnt & CNT_SCI_EN) || !(pm->en & STS_TMR))
        return VACPI_PM_NEVER;
    /* Only TMR_STS sets by itself: when bit 23 of the timer next toggles. */
    return ticks_to_ns(((ticks >> TMR_STS_SHIFT) + 1) << TMR_STS_SHIFT);
}

void vacpi_pm_init(struct vacpi_pm *pm, uint16_t base, vacpi_pm_clock_fn clock,
                   vacpi_pm_sleep_fn sleep, vacpi_pm_irq_fn irq, void *opaque)
{
    memset(pm, 0, sizeof(*pm));
    pm->base = base;
    pm->clock = clock;
    pm->sleep = sleep;
    pm->irq = irq;
    pm->opaque = opaque;
    pm->cnt = CNT_SCI_EN;
    pm->tmr_sts_since = timer_ticks(pm);
}

static bool claimed(const struct vacpi_pm *pm, uint16_t port, unsigned size, unsigned *off)
{
    if (port < pm->base || port + size > pm->base + (unsigned)BLOCK_LEN)
        return false;
    *off = port - pm->base;
    /* The two bytes between PM1_CNT and the timer are not the device's. */
    return !(*off < OFF_TMR && *off + size > OFF_CNT + 2);
}

bool vacpi_pm_io_read(struct vacpi_pm *pm, uint16_t port, unsigned size, uint32_t *val)
{
    uint8_t regs[BLOCK_LEN] = { 0 };
    uint64_t ticks = timer_ticks(pm);
    uint32_t tmr = (uint32_t)(ticks & TMR_MASK);
    uint16_t sts = status(pm, ticks);
    unsigned off;

    if (!claimed(pm, port, size, &off))
        return false;
    /* One snapshot per access, so a wide read of the timer is consistent. */
    regs[OFF_STS] = (uint8_t)sts;
    regs[OFF_STS + 1] = (uint8_t)(sts >> 8);
    regs[OFF_EN] = (uint8_t)pm->en;
    regs[OFF_EN + 1] = (uint8_t)(pm->en >> 8);
    regs[OFF_CNT] = (uint8_t)pm->cnt;
    regs[OFF_CNT + 1] = (uint8_t)(pm->cnt >> 8);
    for (unsigned i = 0; i < 4; i++)
        regs[OFF_TMR + i] = (uint8_t)(tmr >> (8 * i));
    *val = 0;
    for (unsigned i = 0; i < size; i++)
        *val |= (uint32_t)regs[off + i] << (8 * i);
    update_sci(pm, ticks);
    return true;
}

/* One byte of a write: offset within the block, shift within its register. */
static void write_byte(struct vacpi_pm *pm, unsigned off, uint8_t b, uint64_t ticks,
                       uint16_t *cnt_written)
{
    unsigned shift = (off & 1) * 8;
    uint16_t bits = (uint16_t)(b << shift);

    switch (off & ~1u) {
    case OFF_STS:
        if (bits & STS_TMR)
            pm->tmr_sts_since = ticks;
        pm->sts &= (uint16_t)~(bits & STS_WRITABLE);
        break;
    case OFF_EN:
        pm->en = (uint16_t)((pm->en & ~(0xffu << shift)) | (bits & EN_WRITABLE));
        break;
    case OFF_CNT:
        *cnt_written = (uint16_t)((*cnt_written & ~(0xffu << shift)) | bits);
        pm->cnt = (uint16_t)((pm->cnt & ~((CNT_BM_RLD | CNT_SLP_TYP_MASK) & (0xffu << shift))) |
                             (bits & (CNT_BM_RLD | CNT_SLP_TYP_MASK)));
        break;
    default:                            /* the timer is read-only */
        break;
    }
}

bool vacpi_pm_io_write(struct vacpi_pm *pm, uint16_t port, unsigned size, uint32_t val)
{
    uint64_t ticks = timer_ticks(pm);
    uint16_t cnt_written = 0;
    unsigned off;

    if (!claimed(pm, port, size, &off))
        return false;
    for (unsigned i = 0; i < size; i++)
        write_byte(pm, off + i, (uint8_t)(val >> (8 * i)), ticks, &cnt_written);
    update_sci(pm, ticks);
    if ((cnt_written & CNT_SLP_EN) && pm->sleep)
        pm->sleep(pm->opaque, CNT_SLP_TYP(pm->cnt));
    return true;
}
