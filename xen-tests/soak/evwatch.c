/* Event-stream reader for the soak: follows every domain's events through
 * reconnects and checks that none is lost or repeated.
 *
 * Usage: evwatch STOPFILE RECONNECT_MS OUTFILE
 * Polls EVENTS_READ (all domains) every 50 ms from the last next_seq; every
 * RECONNECT_MS it closes its connection and opens a new one, keeping only
 * next_seq, as a client that restarts would. Runs until STOPFILE exists, then
 * drains and writes to OUTFILE one line per event ("seq type domid code")
 * and a summary line:
 *   summary events=N first=F last=L gaps=G dups=D lost=X reconnects=R errors=E
 *           created=C destroyed=Y shutdown=S crashed=K debug=B
 * A gap is a sequence number missing between two events read (the stream is
 * global, so consecutive reads must be consecutive numbers), a dup one read
 * twice or out of order; lost is what the hypervisor says it overwrote.
 * Transient errors (a reply that timed out under load) are counted and the
 * read is retried on a new connection from the same next_seq. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <debugctl.h>

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    struct dbgv_ctl_event ev[64];
    uint64_t since = 1, lost_total = 0, last = 0, first = 0, events = 0, gaps = 0, dups = 0;
    uint64_t by_type[16] = { 0 };
    unsigned reconnects = 0, errors = 0;
    dbgctl *h = NULL;
    double opened = 0;
    int draining = 0;
    FILE *out;

    if (argc != 4)
        return 2;
    if (!(out = fopen(argv[3], "w")))
        return 2;
    double reconnect_ms = atof(argv[2]);
    for (;;) {
        unsigned int nr = 0;
        uint64_t lost = 0;
        int rc;

        if (!draining && access(argv[1], F_OK) == 0)
            draining = 1;           /* one more full read after the stop file */
        if (h && reconnect_ms > 0 && now_ms() - opened >= reconnect_ms) {
            dbgctl_close(h);
            h = NULL;
            reconnects++;
        }
        if (!h) {
            if ((rc = dbgctl_open(NULL, &h)) < 0) {
                fprintf(stderr, "evwatch: open: %s\n", dbgctl_strerror(rc));
                errors++;
                h = NULL;
                if (draining || errors > 1000)
                    break;
                usleep(200000);
                continue;
            }
            opened = now_ms();
        }
        rc = dbgctl_events_read(h, &since, DBGV_DOMID_ANY, ev, 64, &nr, &lost);
        if (rc < 0) {
            fprintf(stderr, "evwatch: events_read from %" PRIu64 ": %s\n", since, dbgctl_strerror(rc));
            errors++;
            dbgctl_close(h);
            h = NULL;
            if (errors > 1000)
                break;
            usleep(100000);
            continue;
        }
        lost_total += lost;
        for (unsigned int i = 0; i < nr; i++) {
            uint64_t seq = ev[i].seq;

            if (events == 0)
                first = seq;
            else if (seq <= last)
                dups++;
            else if (seq != last + 1)
                gaps += seq - last - 1;
            last = seq > last ? seq : last;
            events++;
            by_type[ev[i].type & 15]++;
            fprintf(out, "%" PRIu64 " %u %u %d\n", seq, ev[i].type, ev[i].domid, ev[i].code);
        }
        if (nr == 64)
            continue;               /* more queued: read on at once */
        if (draining)
            break;
        usleep(50000);
    }
    fprintf(out, "summary events=%" PRIu64 " first=%" PRIu64 " last=%" PRIu64 " gaps=%" PRIu64
            " dups=%" PRIu64 " lost=%" PRIu64 " reconnects=%u errors=%u created=%" PRIu64
            " destroyed=%" PRIu64 " shutdown=%" PRIu64 " crashed=%" PRIu64 " debug=%" PRIu64 "\n",
            events, first, last, gaps, dups, lost_total, reconnects, errors,
            by_type[DBGV_EV_DOMAIN_CREATED], by_type[DBGV_EV_DOMAIN_DESTROYED],
            by_type[DBGV_EV_DOMAIN_SHUTDOWN], by_type[DBGV_EV_DOMAIN_CRASHED],
            by_type[DBGV_EV_BREAKPOINT] + by_type[DBGV_EV_WATCHPOINT] + by_type[DBGV_EV_STEP_DONE]);
    fclose(out);
    if (h)
        dbgctl_close(h);
    return 0;
}
