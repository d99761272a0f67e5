/* A toolstack client that disconnects loses no event: read events, close,
 * let domains end while nobody is connected, reconnect and ask "since N".
 * Usage: events_reconnect phase1|phase2 STATEFILE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <debugctl.h>

int main(int argc, char **argv)
{
    struct dbgv_ctl_event ev[64];
    unsigned int nr = 0;
    uint64_t since = 1, lost = 0;
    dbgctl *h;
    FILE *f;
    int rc;

    if (argc != 3)
        return 2;
    if (!strcmp(argv[1], "phase2") && (f = fopen(argv[2], "r"))) {
        if (fscanf(f, "%llu", (unsigned long long *)&since) != 1)
            since = 1;
        fclose(f);
    }
    if ((rc = dbgctl_open(NULL, &h)) < 0) {
        fprintf(stderr, "open: %s\n", dbgctl_strerror(rc));
        return 1;
    }
    do {
        if ((rc = dbgctl_events_read(h, &since, DBGV_DOMID_ANY, ev, 64, &nr, &lost)) < 0) {
            fprintf(stderr, "events: %s\n", dbgctl_strerror(rc));
            return 1;
        }
        for (unsigned int i = 0; i < nr; i++)
            printf("event seq=%llu dom=%u type=%u code=%d\n", (unsigned long long)ev[i].seq,
                   ev[i].domid, ev[i].type, ev[i].code);
    } while (nr == 64);
    printf("lost=%llu next=%llu\n", (unsigned long long)lost, (unsigned long long)since);
    if ((f = fopen(argv[2], "w"))) {
        fprintf(f, "%llu\n", (unsigned long long)since);
        fclose(f);
    }
    dbgctl_close(h);
    return 0;
}
