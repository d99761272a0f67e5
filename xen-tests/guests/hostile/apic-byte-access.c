/*
 * hostile: policies=trap native=no
 *
 * apic-byte-access: byte and word accesses to the xAPIC page (issue 9,
 * finding 12). xAPIC registers are 32 bits wide, aligned on 16-byte
 * boundaries; the SDM leaves other accesses undefined. dbgvisor follows KVM:
 * a write that is not one aligned dword is dropped (logged once), so a byte
 * or word written at the ICR sends no IPI and a byte at TPR or the timer's
 * initial count changes nothing; a narrower read returns the bytes of the
 * register it covers (a read past the dword returns 0). The same values
 * written as dwords do take effect, so each check can fail.
 * native=no: QEMU's APIC drops every access narrower than 32 bits, reads
 * included (they return 0), where KVM and dbgvisor return the bytes.
 */
#include "guest.h"

#define IPI_VECTOR 0x50
#define APIC_TPR   0x080
#define APIC_VER   0x030

static volatile unsigned ipis;

static void ipi_handler(struct trap_frame *f)
{
    (void)f;
    ipis++;
    apic_eoi();
}

static volatile uint8_t *reg8(uint32_t off) { return (volatile uint8_t *)(APIC_BASE_ADDR + off); }
static volatile uint16_t *reg16(uint32_t off) { return (volatile uint16_t *)(APIC_BASE_ADDR + off); }

static void settle(void)
{
    for (int i = 0; i < 2000; i++)
        pause();
}

int main(void)
{
    uint32_t self_fixed = (1u << 18) | IPI_VECTOR;     /* shorthand self, fixed */

    apic_init();
    trap_set_handler(IPI_VECTOR, ipi_handler);
    sti();

    /* Sub-dword writes at the ICR: no IPI. */
    apic_write(APIC_ICR2, 0);
    *reg8(APIC_ICR) = IPI_VECTOR;
    *reg16(APIC_ICR) = IPI_VECTOR;
    *reg8(APIC_ICR + 2) = 0x04;                         /* the shorthand byte */
    *reg16(APIC_ICR + 1) = 0x0400;
    settle();
    report(ipis == 0, "byte and word writes at the ICR send no IPI (%u arrived)", ipis);
    apic_write(APIC_ICR, self_fixed);
    settle();
    report(ipis == 1, "the same IPI as a dword write arrives");

    /* Other registers: sub-dword writes change nothing. */
    *reg8(APIC_TPR) = 0xf0;
    report(apic_read(APIC_TPR) == 0, "a byte write at TPR changes nothing");
    *reg8(APIC_TMICT) = 0xff;
    *reg16(APIC_TMICT + 2) = 0xffff;
    report(apic_read(APIC_TMICT) == 0 && apic_read(APIC_TMCCT) == 0, "byte/word writes at the timer count do not start it");
    apic_write(APIC_TPR, 0x20);
    report(apic_read(APIC_TPR) == 0x20, "a dword write at TPR takes effect");
    apic_write(APIC_TPR, 0);

    /* Reads: the register's bytes. */
    uint32_t ver = apic_read(APIC_VER), id = apic_read(APIC_ID);
    report(*reg8(APIC_VER) == (ver & 0xff) && *reg8(APIC_VER + 2) == ((ver >> 16) & 0xff),
           "byte reads of the version register give its bytes (%#x)", ver);
    report(*reg16(APIC_VER + 2) == (ver >> 16), "a word read gives the upper half");
    report(*reg8(APIC_ID + 3) == (id >> 24), "a byte read of the ID register's top byte gives the APIC ID");
    apic_write(APIC_TPR, 0x30);
    report(*reg8(APIC_TPR) == 0x30, "a byte read of TPR sees a dword write");
    apic_write(APIC_TPR, 0);
    settle();
    report(ipis == 1, "no stray IPI arrived");
    return report_summary();
}
