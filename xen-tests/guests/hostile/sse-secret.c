/*
 * hostile: copies=2 pcpus=1 policies=trap,adaptive native=compare
 *
 * sse-secret: FPU/SSE state must never cross domains (issue 9, finding 1).
 * Two copies share one pCPU. Copy 0 keeps a secret in xmm1 across timer
 * sleeps (so it is descheduled) and checks it after each; copy 1 reads xmm1
 * after each sleep, must never see the secret, and overwrites it with its
 * own marker. Natively copy 0 runs alone and must pass the same way.
 */
#include "guest.h"

#define ROUNDS 40
static const uint64_t secret[2] = { 0x5ec7e75ec7e75ec7ULL, 0x0123456789abcdefULL };
static const uint64_t marker[2] = { 0xbadc0ffee0ddf00dULL, 0xfeedfacecafebeefULL };

static void xmm1_set(const uint64_t v[2]) { asm volatile("movdqu %0, %%xmm1" :: "m"(*(const uint64_t (*)[2])v)); }
static void xmm1_get(uint64_t v[2]) { asm volatile("movdqu %%xmm1, %0" : "=m"(*(uint64_t (*)[2])v)); }

int main(void)
{
    bool victim = cmdline_uint("copy", 0) == 0;
    unsigned kept = 0, leaked = 0;
    uint64_t v[2];

    sse_enable();
    xmm1_set(victim ? secret : marker);
    for (int i = 0; i < ROUNDS; i++) {
        sleep_ticks(20000 + (victim ? 0 : 7000));
        xmm1_get(v);
        if (victim) {
            kept += v[0] == secret[0] && v[1] == secret[1];
        } else {
            leaked += v[0] == secret[0] || v[1] == secret[1];
            xmm1_set(marker);
        }
    }
    if (victim)
        report(kept == ROUNDS, "the secret in xmm1 survived every sleep");
    else
        report(leaked == 0, "no sleep showed another domain's xmm1");
    return report_summary();
}
