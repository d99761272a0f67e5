/*
 * The physical GICv3 (ARM IHI 0069) at EL2. The hypervisor takes two PPIs:
 * the virtual timer's (27) while a guest runs, which it hands to the guest
 * through a list register (vgic.c), and its own hyp timer's (26), which wakes
 * an idle pCPU and ends a running vCPU's slice (sched_arch.c), and SGIs 0 and 1
 * between pCPUs (the scheduler's kick and exit-guest IPIs). Each pCPU brings
 * up its own redistributor and CPU interface (gicv3_cpu_init). The virtual
 * CPU interface's maintenance interrupt (25) ends a guest's run when it
 * deactivates a level-sensitive SPI (vgic.c). EOImode 1 splits priority drop from
 * deactivation, so a timer interrupt stays active (and cannot fire again)
 * until the guest deactivates the virtual interrupt linked to it.
 */
#include <dbgvisor/console.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/percpu.h>
#include <asm/fdt.h>
#include <asm/gicv3.h>
#include <asm/gicv3_regs.h>
#include <asm/sysreg.h>

#define ICC_SRE_ALL       0xfULL        /* SRE, DFB, DIB, Enable (EL1 may use ICC_SRE_EL1) */
#define ICC_CTLR_EOIMODE  (1ULL << 1)
#define HV_PRIORITY       0xa0
/* Shared peripheral interrupts (SPIs) at the distributor. */
#define SPI_FIRST         32
#define SPI_LAST          1019
#define SPIN_LIMIT        10000000UL

static volatile uint32_t *reg32(uint64_t addr) { return (volatile uint32_t *)addr; }

static uint64_t gicd, gicr_base, gicr_size;
static uint64_t gicr_of_pcpu[MAX_PCPUS];      /* each pCPU's own redistributor */

/* This CPU's redistributor: the frame whose TYPER affinity is our MPIDR's. */
static uint64_t find_redistributor(uint64_t base, uint64_t size)
{
    uint64_t mpidr = read_sysreg(mpidr_el1);
    uint64_t aff = (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24;
    uint64_t off = 0;

    while (off + GICR_FRAME <= size) {
        uint64_t typer = *(volatile uint64_t *)(base + off + GICR_TYPER);
        if ((typer >> 32) == aff)
            return base + off;
        if (typer & GICR_TYPER_LAST)
            break;
        off += GICR_FRAME * ((typer & GICR_TYPER_VLPIS) ? 2 : 1);
    }
    return 0;
}

static bool wait_clear(volatile uint32_t *r, uint32_t bits)
{
    unsigned long i;

    for (i = 0; i < SPIN_LIMIT; i++)
        if (!(*r & bits))
            return true;
    return false;
}

bool gicv3_init(const void *dtb)
{
    uint32_t len;
    const uint8_t *reg = fdt_compatible_prop(dtb, "arm,gic-v3", "reg", &len);

    if (!reg || len < 32) {
        pr_err("no GICv3 in the device tree (QEMU: -M virt,gic-version=3)\n");
        return false;
    }
    gicd = fdt_cells(reg, 2);
    gicr_base = fdt_cells(reg + 16, 2);
    gicr_size = fdt_cells(reg + 24, 2);
    *reg32(gicd + GICD_CTLR) |= GICD_CTLR_ARE | GICD_CTLR_GRP1;
    if (!wait_clear(reg32(gicd + GICD_CTLR), GICD_CTLR_RWP)) {
        pr_err("GICv3: distributor does not respond\n");
        return false;
    }
    if (!gicv3_cpu_init())
        return false;
    printk("GICv3: distributor %#llx, redistributor %#llx, %llu list registers\n",
           (unsigned long long)gicd, (unsigned long long)gicr_of_pcpu[this_pcpu()->id],
           (unsigned long long)(read_sysreg(ICH_VTR_EL2) & 0x1f) + 1);
    return true;
}

bool gicv3_cpu_init(void)
{
    uint32_t irqs = 1U << PPI_HYP_TIMER | 1U << PPI_VIRT_TIMER | 1U << PPI_PHYS_TIMER |
                    1U << PPI_PMU | 1U << PPI_MAINTENANCE | 1U << SGI_KICK | 1U << SGI_EXIT_GUEST;
    uint64_t gicr = find_redistributor(gicr_base, gicr_size);
    volatile uint8_t *prio;
    unsigned i;

    if (!gicr) {
        pr_err("GICv3: no redistributor for this CPU\n");
        return false;
    }
    gicr_of_pcpu[this_pcpu()->id] = gicr;
    *reg32(gicr + GICR_WAKER) &= ~WAKER_SLEEP;
    if (!wait_clear(reg32(gicr + GICR_WAKER), WAKER_ASLEEP)) {
        pr_err("GICv3: redistributor does not respond\n");
        return false;
    }
    prio = (volatile uint8_t *)(gicr + GICR_SGI + GICR_IPRIORITYR);
    for (i = 0; i < 32; i++)
        if ((irqs >> i) & 1)
            prio[i] = HV_PRIORITY;
    *reg32(gicr + GICR_SGI + GICR_IGROUPR0) |= irqs;
    *reg32(gicr + GICR_SGI + GICR_ISENABLER0) = irqs;
    write_sysreg(ICC_SRE_EL2, ICC_SRE_ALL);
    isb();
    write_sysreg(ICC_PMR_EL1, 0xff);
    write_sysreg(ICC_CTLR_EL1, read_sysreg(ICC_CTLR_EL1) | ICC_CTLR_EOIMODE);
    write_sysreg(ICC_IGRPEN1_EL1, 1);
    isb();
    return true;
}

/* ICC_SGI1R_EL1: the target's affinity and a one-CPU target list. */
void gicv3_send_sgi(uint64_t mpidr, uint32_t intid)
{
    uint64_t v = (uint64_t)intid << 24 | 1ULL << (mpidr & 0xf) | ((mpidr >> 8) & 0xff) << 16 |
                 ((mpidr >> 16) & 0xff) << 32 | ((mpidr >> 32) & 0xff) << 48;

    dsb(ishst);                 /* what the target will look at is visible first */
    write_sysreg(ICC_SGI1R_EL1, v);
    isb();
}

/* The active state of one of this pCPU's PPIs, in its redistributor. */
bool gicv3_ppi_active(uint32_t intid)
{
    return (*reg32(gicr_of_pcpu[this_pcpu()->id] + GICR_SGI + GICR_ISACTIVER0) >> intid) & 1;
}

void gicv3_set_ppi_active(uint32_t intid, bool active)
{
    uint64_t gicr = gicr_of_pcpu[this_pcpu()->id];

    *reg32(gicr + GICR_SGI + (active ? GICR_ISACTIVER0 : GICR_ICACTIVER0)) = 1U << intid;
    dsb(sy);
}

uint32_t gicv3_ack(void)
{
    uint32_t intid = (uint32_t)read_sysreg(ICC_IAR1_EL1) & 0xffffff;

    dsb(sy);
    return intid;
}

void gicv3_priority_drop(uint32_t intid)
{
    write_sysreg(ICC_EOIR1_EL1, intid);
    isb();
}

void gicv3_deactivate(uint32_t intid)
{
    write_sysreg(ICC_DIR_EL1, intid);
    isb();
}

/* One handler per SPI the hypervisor owns (the control channel's UART). */
static struct { uint32_t intid; void (*fn)(void); } spi_handler;

bool gicv3_spi_enable(uint32_t intid, uint64_t mpidr, void (*fn)(void))
{
    uint32_t n = intid / 32, bit = 1U << (intid % 32);
    volatile uint32_t *cfg = reg32(gicd + GICD_ICFGR + (intid / 16) * 4);

    if (intid < SPI_FIRST || intid > SPI_LAST || spi_handler.fn)
        return false;
    spi_handler.intid = intid;
    spi_handler.fn = fn;
    *cfg &= ~(2U << (intid % 16) * 2);                      /* level-sensitive */
    ((volatile uint8_t *)(gicd + GICD_IPRIORITYR))[intid] = HV_PRIORITY;
    *reg32(gicd + GICD_IGROUPR + n * 4) |= bit;              /* group 1 */
    *(volatile uint64_t *)(gicd + GICD_IROUTER + intid * 8) =
        (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 32;   /* that pCPU only */
    *reg32(gicd + GICD_ISENABLER + n * 4) = bit;
    return true;
}

bool gicv3_spi_dispatch(uint32_t intid)
{
    if (!spi_handler.fn || intid != spi_handler.intid)
        return false;
    spi_handler.fn();
    return true;
}
