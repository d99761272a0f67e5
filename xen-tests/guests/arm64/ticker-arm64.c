/*
 * ticker-arm64: a domain for the toolstack to look at and act on
 * (xen-tests/integration/test_arm64_tools.sh). It parks known values in its
 * debug registers (DBGBVR1, DBGWVR0, MDSCR_EL1.MDE/KDE; nothing armed), so
 * `xl debug-state` has something of the guest's to show, then prints
 * "tick N" about every 50 ms, sleeping in WFIT in between (its vCPU blocks in
 * the hypervisor), for ever: it ends when the toolstack destroys it, or after
 * TICKS ticks with exit code 0. While paused it prints nothing. It also says
 * whether its device tree names a second UART (alias serial1): under dbgvisor
 * that PL011 is the hypervisor's control channel and must not be there.
 */
#include <asm/fdt.h>
#include "guest.h"

#define MDSCR_KDE   (1UL << 13)
#define MDSCR_MDE   (1UL << 15)
#define PARKED_BVR1 0x40abc000UL
#define PARKED_WVR0 0x40def000UL
#define TICKS       100000

int main(void)
{
    uint32_t len;
    unsigned n;

    write_sysreg(oslar_el1, 0);
    write_sysreg(dbgbvr1_el1, PARKED_BVR1);
    write_sysreg(dbgwvr0_el1, PARKED_WVR0);
    write_sysreg(mdscr_el1, MDSCR_KDE | MDSCR_MDE);
    isb();
    printf("ticker: DBGBVR1 %#lx DBGWVR0 %#lx\n", (unsigned long)read_sysreg(dbgbvr1_el1),
           (unsigned long)read_sysreg(dbgwvr0_el1));
    printf("ticker: alias serial1 %s\n",
           fdt_node_prop(boot_dtb, "aliases", "serial1", &len) ? "yes" : "no");
    for (n = 1; n <= TICKS; n++) {
        sleep_ms(50);
        printf("tick %u\n", n);
    }
    report(true, "ticked %u times", TICKS);
    return report_summary();
}
