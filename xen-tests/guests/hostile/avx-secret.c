/*
 * hostile: copies=2 pcpus=1 policies=trap,adaptive native=compare
 *
 * avx-secret: AVX state must never cross domains (issue 9, finding 1).
 * Like sse-secret, but the secret lives in the upper half of ymm1, which
 * FXSAVE does not cover: only switching the XSAVE state with YMM protects it.
 * Copy 0 enables AVX (CR4.OSXSAVE, XCR0 = x87|SSE|AVX), keeps the secret in
 * ymm1 across timer sleeps and checks it after each; copy 1 reads ymm1 after
 * each sleep, must never see the secret's upper half, and overwrites it.
 * CPUID must offer AVX, as on bare QEMU (-cpu max). Natively copy 0 runs
 * alone and must pass the same way.
 */
#include "guest.h"

#define ROUNDS 30
static const uint64_t secret[4] = { 0x1111111111111111ULL, 0x2222222222222222ULL,
                                    0x5ec7e75ec7e75ec7ULL, 0xa5a55a5aa5a55a5aULL };
static const uint64_t marker[4] = { 0x3333333333333333ULL, 0x4444444444444444ULL,
                                    0xbadc0ffee0ddf00dULL, 0xfeedfacecafebeefULL };

static void ymm1_set(const uint64_t v[4]) { asm volatile("vmovdqu %0, %%ymm1" :: "m"(*(const uint64_t (*)[4])v)); }
static void ymm1_get(uint64_t v[4]) { asm volatile("vmovdqu %%ymm1, %0" : "=m"(*(uint64_t (*)[4])v)); }

int main(void)
{
    bool victim = cmdline_uint("copy", 0) == 0;
    unsigned kept = 0, leaked = 0;
    uint64_t v[4];
    struct cpuid_regs r1 = cpuid(1, 0), rd = cpuid(0xd, 0);

    report((r1.c & BIT(26)) && (r1.c & BIT(28)) && (rd.a & 7) == 7,
           "CPUID offers XSAVE and AVX with the YMM state component");
    /* Go on regardless: where AVX is hidden but works, the leak still shows. */
    sse_enable();
    write_cr4(read_cr4() | BIT(18));
    asm volatile("xsetbv" :: "c"(0), "a"(7), "d"(0));
    ymm1_set(victim ? secret : marker);
    for (int i = 0; i < ROUNDS; i++) {
        sleep_ticks(20000 + (victim ? 0 : 7000));
        ymm1_get(v);
        if (victim) {
            kept += v[0] == secret[0] && v[1] == secret[1] && v[2] == secret[2] && v[3] == secret[3];
        } else {
            leaked += v[2] == secret[2] || v[3] == secret[3];
            ymm1_set(marker);
        }
    }
    if (victim)
        report(kept == ROUNDS, "the secret in ymm1 survived every sleep");
    else
        report(leaked == 0, "no sleep showed another domain's ymm1 upper half");
    return report_summary();
}
