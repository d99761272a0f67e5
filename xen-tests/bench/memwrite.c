/*
 * Control-channel throughput: create a paused domain, write SIZE bytes of a
 * pattern into its memory through libdebugctl (MEM_WRITE, 4 KiB frames),
 * read a sample back to check it arrived, destroy the domain.
 *
 *   memwrite KIB [MEM_MIB [NAME]]   (DBGCTL_URI selects the hypervisor)
 *
 * Prints: "memwrite bytes=N seconds=S kib_per_s=R transport=T".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <debugctl.h>

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    size_t kib = argc > 1 ? strtoul(argv[1], NULL, 0) : 1024;
    unsigned int mem = argc > 2 ? strtoul(argv[2], NULL, 0) : kib / 1024 + 2;
    const char *name = argc > 3 ? argv[3] : "memwrite";
    size_t len = kib * 1024;
    uint8_t *buf = malloc(len), back[4096];
    dbgctl *h;
    uint32_t domid;
    int rc;

    if ( !buf )
        return 1;
    for ( size_t i = 0; i < len; i++ )
        buf[i] = (uint8_t)(i * 131 + (i >> 12));
    if ( (rc = dbgctl_open(NULL, &h)) )
    {
        fprintf(stderr, "memwrite: open: %s\n", dbgctl_strerror(rc));
        return 1;
    }
    dbgctl_set_timeout(h, 30000);
    if ( (rc = dbgctl_domain_create(h, name, mem, 1, 0, 0, &domid)) )
    {
        fprintf(stderr, "memwrite: create: %s\n", dbgctl_strerror(rc));
        return 1;
    }
    double t0 = now_s();
    rc = dbgctl_mem_write(h, domid, 0, buf, len);
    double t = now_s() - t0;
    if ( rc )
        fprintf(stderr, "memwrite: write: %s\n", dbgctl_strerror(rc));
    /* The last page must hold what was written. */
    if ( !rc && len >= sizeof(back) )
    {
        rc = dbgctl_mem_read(h, domid, len - sizeof(back), back, sizeof(back));
        if ( !rc && memcmp(back, buf + len - sizeof(back), sizeof(back)) )
            rc = -EIO;
        if ( rc )
            fprintf(stderr, "memwrite: read back: %s\n", dbgctl_strerror(rc));
    }
    dbgctl_domain_destroy(h, domid);
    if ( !rc )
        printf("memwrite bytes=%zu seconds=%.3f kib_per_s=%.0f transport=%s\n",
               len, t, len / 1024.0 / t, dbgctl_transport_name(h));
    dbgctl_close(h);
    free(buf);
    return rc ? 1 : 0;
}
