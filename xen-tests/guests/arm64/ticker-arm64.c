/*
 * ticker-arm64: a domain for the toolstack to look at and act on
 * (xen-tests/integration/test_arm64_tools.sh). It parks known values in its
 * debug registers (DBGBVR1, DBGWVR0, MDSCR_EL1.MDE/KDE; nothing armed), so
 * `xl debug-state` has something of the guest's to show, then prints
 * "tick N" about every 50 ms, sleeping in WFIT in between (its vCPU blocks in
 * the hypervisor), for ever: it ends when the toolstack destroys it, or after
 * TICKS ticks with exit code 0. While paused it prints nothing. It also says
 * whether its device tree names a second UART (alias serial1): under dbgvisor
 * that PL011 is the hypervisor's control channel and must not be there,
 * and prints its /chosen bootargs and the first line of its ramdisk
 * (linux,initrd-start/end), so a test sees what `xl create` gave it. Each
 * line it receives on its PL011 (`xl console` input, polled every tick) it
 * echoes as "ticker: got LINE".
 */
#include <asm/fdt.h>
#include "guest.h"

#define MDSCR_KDE   (1UL << 13)
#define MDSCR_MDE   (1UL << 15)
#define PARKED_BVR1 0x40abc000UL
#define PARKED_WVR0 0x40def000UL
#define TICKS       100000

/* The command line and the ramdisk's size and first line, as /chosen names them. */
static void print_boot_data(void)
{
    uint32_t len, elen;
    const char *bootargs = fdt_node_prop(boot_dtb, "chosen", "bootargs", &len);
    const uint8_t *s = fdt_node_prop(boot_dtb, "chosen", "linux,initrd-start", &len);
    const uint8_t *e = fdt_node_prop(boot_dtb, "chosen", "linux,initrd-end", &elen);
    char line[48];
    unsigned i;

    printf("ticker: bootargs \"%s\"\n", bootargs ? bootargs : "");
    if (!s || !e || len != 8 || elen != 8) {
        printf("ticker: initrd none\n");
        return;
    }
    const char *rd = (const char *)fdt_cells(s, 2);
    unsigned long size = (unsigned long)(fdt_cells(e, 2) - fdt_cells(s, 2));
    for (i = 0; i < sizeof(line) - 1 && i < size && rd[i] != '\n'; i++)
        line[i] = rd[i];
    line[i] = '\0';
    printf("ticker: initrd %lu bytes \"%s\"\n", size, line);
}

/* The bytes waiting in the PL011's receive FIFO; a whole line is echoed. */
static void echo_input(void)
{
    static char line[64];
    static unsigned n;
    int c;

    while ((c = getchar_serial()) >= 0) {
        if (c == '\r' || c == '\n') {
            line[n] = '\0';
            if (n)
                printf("ticker: got \"%s\"\n", line);
            n = 0;
        } else if (n < sizeof(line) - 1) {
            line[n++] = (char)c;
        }
    }
}

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
    print_boot_data();
    for (n = 1; n <= TICKS; n++) {
        sleep_ms(50);
        echo_input();
        printf("tick %u\n", n);
    }
    report(true, "ticked %u times", TICKS);
    return report_summary();
}
