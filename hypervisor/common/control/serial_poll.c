/*
 * Polling a serial control port (x86's COM2, arm64's second PL011) into the
 * protocol server's main stream, within a time budget so that a flood of
 * bytes cannot starve the guests. The arch supplies the port's byte reader.
 */
#include <asm/cpu_relax.h>
#include <dbgvisor/control.h>
#include <dbgvisor/control_channel.h>
#include <dbgvisor/time.h>

#define POLL_BUDGET_NS  2000000ull  /* at most 2 ms per pass: guests keep running */
#define POLL_IDLE_NS    500000ull   /* the host side refills the FIFO meanwhile */
#define POLL_BACKOFF_NS 20000ull

uint64_t ctl_serial_poll(int (*getc)(void), uint64_t start)
{
    uint64_t last = start, now = start;

    while (now - start < POLL_BUDGET_NS && now - last < POLL_IDLE_NS) {
        int c = getc();
        now = now_ns();
        if (c >= 0) {
            ctl_rx_byte((uint8_t)c);
            last = now;
            continue;
        }
        /* Empty FIFO: wait without touching the device, so QEMU's I/O thread
         * can take its lock and refill the FIFO from the socket. */
        uint64_t until = now + POLL_BACKOFF_NS;
        while ((now = now_ns()) < until)
            cpu_relax();
    }
    ctl_poll(now);
    return now;
}
