/*
 * hostile: native=compare
 *
 * mmio-verr-verw: VERR and VERW whose selector operand (m16) is MMIO (its
 * high byte is the I/O APIC's IOREGSEL, a RAM page right below it). The
 * processor reads the selector and sets ZF if the segment can be read
 * (VERR) or written (VERW) at CPL with the selector's RPL: a null
 * selector, one past the GDT limit, a system
 * descriptor (the TSS) or a non-conforming segment whose DPL is below CPL
 * or RPL clears ZF; code is readable only with its R bit, never writable;
 * nothing about the selector faults (Intel SDM vol. 2 VERR/VERW, AMD APM
 * vol. 3). dbgvisor used to end the domain ("cannot emulate ... 0f 00").
 * Each selector is verified from RAM and from MMIO: ZF must agree.
 */
#include "mmio-alias.h"

static const uint16_t sels[] = { 0x0000, 0x0008, 0x0010, 0x0013, 0x0018, 0x0020, 0x0023,
                                 0x0028, 0x002b, 0x0030, 0x0040, 0xfff8 };

static bool verify(const void *operand, bool write)
{
    uint8_t zf;
    if (write)
        asm volatile("verw (%1); setz %0" : "=r"(zf) : "r"(operand) : "cc", "memory");
    else
        asm volatile("verr (%1); setz %0" : "=r"(zf) : "r"(operand) : "cc", "memory");
    return zf;
}

int main(void)
{
    map_alias_below_ioapic();
    for (unsigned i = 0; i < sizeof(sels) / sizeof(sels[0]); i++) {
        for (int write = 0; write < 2; write++) {
            uint16_t ram = sels[i];
            bool zf_ram = verify(&ram, write), zf_io;

            zf_io = verify(put_straddling(&sels[i], 2), write);
            printf("%s %#06x: ZF=%d\n", write ? "verw" : "verr", sels[i], zf_ram);
            report(zf_io == zf_ram, "%s %#06x from MMIO: ZF %d as from RAM", write ? "verw" : "verr",
                   sels[i], zf_io);
        }
    }
    return report_summary();
}
