/*
 * hostile: copies=2 pcpus=1 policies=trap,adaptive native=no
 *
 * dr-addr-mask: the AMD debug-register address-mask MSRs (DR0_ADDR_MASK
 * 0xC0011027, DR1-3_ADDR_MASK 0xC0011019-0xC001101B) exist only when CPUID
 * 0x80000001.ECX[26] (DataBreakpointExtension) says so (XSA-444 family:
 * masks not context-switched leak breakpoints between guests). dbgvisor does
 * not offer the extension, so each mask MSR must raise #GP on read and
 * write. Should a future CPUID offer it, copy 0 keeps masks set across
 * sleeps and copy 1 must only ever read its own (zero) masks.
 * native=no: QEMU TCG answers these RDMSRs with 0 without offering the
 * CPUID bit, where hardware without the extension raises #GP.
 */
#include "guest.h"

#define GP 13
static const uint32_t mask_msr[4] = { 0xc0011027, 0xc0011019, 0xc001101a, 0xc001101b };


int main(void)
{
    unsigned copy = cmdline_uint("copy", 0);
    bool offered = cpuid(0x80000001, 0).c & BIT(26);
    uint64_t v;

    if (!offered) {
        for (int i = 0; i < 4; i++)
            report(try_rdmsr(mask_msr[i], &v) == GP && try_wrmsr(mask_msr[i], 0xfff) == GP,
                   "DR%d address mask (%#x): not offered, #GP on read and write", i, mask_msr[i]);
        return report_summary();
    }
    /* Offered: the masks are per vCPU, start at 0 and never show another domain's. */
    unsigned foreign = 0;
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 4; i++) {
            try_rdmsr(mask_msr[i], &v);
            uint64_t want = copy == 0 && round > 0 ? 0xff0u + i : 0;
            foreign += v != want;
            if (copy == 0)
                try_wrmsr(mask_msr[i], 0xff0u + i);
        }
        sleep_ticks(20000 + copy * 7000);
    }
    report(foreign == 0, "the address masks only ever held this domain's values");
    return report_summary();
}
