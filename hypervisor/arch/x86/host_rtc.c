/*
 * Reads the machine's RTC at ports 0x70/0x71 once (see asm/host_rtc.h).
 * Guests never reach these ports: their accesses exit to hvm/rtc.c. The
 * time registers are read while no update is in progress and read again
 * until two reads agree, as the MC146818 data sheet advises.
 */
#include <asm/host_rtc.h>
#include <asm/vrtc.h>
#include <asm/x86.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/spinlock.h>
#include <dbgvisor/time.h>

#define RTC_INDEX       0x70
#define RTC_DATA        0x71
#define RTC_NMI_OFF     0x80            /* keep NMIs masked while selecting */
#define REG_A           0x0a
#define REG_B           0x0b
#define A_UIP           0x80
#define MAX_TRIES       1000000

static spinlock_t host_rtc_lock = SPINLOCK_INIT;
static bool host_rtc_read;
static int64_t base_secs;
static uint64_t base_ns;

static uint8_t cmos_read(uint8_t reg)
{
    outb(RTC_INDEX, RTC_NMI_OFF | reg);
    return inb(RTC_DATA);
}

static void read_regs(uint8_t regs[VRTC_CENTURY + 1])
{
    static const uint8_t wanted[] = { 0, 2, 4, 7, 8, 9, REG_B, VRTC_CENTURY };

    for (unsigned tries = 0; (cmos_read(REG_A) & A_UIP) && tries < MAX_TRIES; tries++)
        ;
    for (unsigned i = 0; i < ARRAY_SIZE(wanted); i++)
        regs[wanted[i]] = cmos_read(wanted[i]);
}

int64_t host_rtc_unix_seconds(void)
{
    uint8_t a[VRTC_CENTURY + 1] = { 0 }, b[VRTC_CENTURY + 1] = { 0 };
    int64_t secs;

    spin_lock(&host_rtc_lock);
    if (!host_rtc_read) {
        read_regs(a);
        for (unsigned tries = 0; tries < 5; tries++) {
            read_regs(b);
            if (!memcmp(a, b, sizeof(a)))
                break;
            memcpy(a, b, sizeof(a));
        }
        base_secs = vrtc_regs_to_unix(b);
        base_ns = now_ns();
        host_rtc_read = true;
    }
    secs = base_secs + (int64_t)((now_ns() - base_ns) / 1000000000ull);
    spin_unlock(&host_rtc_lock);
    return secs;
}
