/* The physical GICv3 as the hypervisor uses it at EL2 (gicv3.c). */
#ifndef ASM_ARM64_GICV3_H
#define ASM_ARM64_GICV3_H

#include <stdbool.h>
#include <stdint.h>

#define PPI_HYP_TIMER   26      /* CNTHP: wakes a blocked vCPU */
#define PPI_VIRT_TIMER  27      /* CNTV: the running guest's timer */
#define PPI_PHYS_TIMER  30      /* CNTP: the running guest's EL1 physical timer */
#define PPI_PMU         23      /* PMU overflow: the running guest's counters */
#define PPI_MAINTENANCE 25
#define SGI_KICK        0       /* between pCPUs: reschedule (sched_arch.c) */
#define SGI_EXIT_GUEST  1       /* between pCPUs: leave the guest, nothing else */

/* Distributor and this CPU's redistributor from the device tree ("arm,gic-v3"):
 * the two timer PPIs enabled as group 1, the CPU interface on with split
 * priority drop / deactivation (EOImode 1). False if there is no GICv3. */
bool gicv3_init(const void *dtb);
/* This pCPU's redistributor and CPU interface (gicv3_init does the boot CPU's). */
bool gicv3_cpu_init(void);
/* Software-generated interrupt intid to the pCPU with this MPIDR. */
void gicv3_send_sgi(uint64_t mpidr, uint32_t intid);
/* Active state of one of this pCPU's PPIs (a vCPU's linked timer interrupt
 * goes with the vCPU when it leaves the pCPU, vgic.c). */
bool gicv3_ppi_active(uint32_t intid);
void gicv3_set_ppi_active(uint32_t intid, bool active);
/* Acknowledge the highest-priority pending interrupt: its INTID (1023: none). */
uint32_t gicv3_ack(void);
/* Priority drop only: the interrupt stays active until gicv3_deactivate, or
 * until the guest deactivates the virtual interrupt it is linked to. */
void gicv3_priority_drop(uint32_t intid);
void gicv3_deactivate(uint32_t intid);
/* A level-sensitive SPI (intid 32-1019) routed to the pCPU with this MPIDR,
 * fn called when it is taken (then deactivated: fn must quiet the source).
 * One such SPI for now; false if intid is not an SPI or one is taken. */
bool gicv3_spi_enable(uint32_t intid, uint64_t mpidr, void (*fn)(void));
/* Runs the handler of an SPI taken at EL2; false if it has none. */
bool gicv3_spi_dispatch(uint32_t intid);

#endif
