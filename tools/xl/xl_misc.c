/* xl rename, sysrq and debug-keys, as Xen's tools/xl/xl_misc.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "xl.h"

int main_rename(int argc, char **argv)
{
    const char *dom, *new_name;
    uint32_t domid;
    int rc;

    optind = 0;
    while ( xl_getopt(argc, argv, "", NULL, "rename", 2) != -1 )
        ;
    dom = argv[optind++];
    new_name = argv[optind];
    domid = xl_find_domain_or_exit(dom);
    /* Domain-0 is the toolstack's stand-in here: its name is fixed. */
    rc = domid ? dbgctl_domain_rename(xl_ctx(), domid, new_name) : -EPERM;
    if ( rc )
    {
        fprintf(stderr, "Can't rename domain '%s'.\n", dom);
        if ( xl_verbose )
            xl_err("%s", dbgctl_strerror(rc));
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}

/*
 * Xen writes the key to the guest's control/sysrq in xenstore, for its PV
 * drivers to act on, and succeeds. dbgvisor's guest contract has no such
 * channel (port 0xF5 carries only shutdown requests, docs/architecture.md):
 * the key reaches no guest, as in Xen for an HVM guest without PV drivers,
 * which never reads control/sysrq. Xen's checks and exit status, and a
 * note that says so rather than pretending to deliver it.
 */
int main_sysrq(int argc, char **argv)
{
    const char *key;
    uint32_t domid;

    optind = 0;
    while ( xl_getopt(argc, argv, "", NULL, "sysrq", 2) != -1 )
        ;
    domid = xl_find_domain_or_exit(argv[optind++]);
    key = argv[optind];
    if ( key[0] == '\0' || key[1] != '\0' )
    {
        fprintf(stderr, "Invalid sysrq.\n\n");
        xl_help("sysrq");
        return EXIT_FAILURE;
    }
    fprintf(stderr, "xl sysrq: sysrq '%c' not delivered: domain %u has no PV control channel "
            "(as a Xen HVM guest without PV drivers)\n", key[0], domid);
    return EXIT_SUCCESS;
}

int main_debug_keys(int argc, char **argv)
{
    const char *keys;

    optind = 0;
    while ( xl_getopt(argc, argv, "", NULL, "debug-keys", 1) != -1 )
        ;
    keys = argv[optind];
    if ( dbgctl_debug_keys(xl_ctx(), keys) )
    {
        fprintf(stderr, "cannot send debug keys: %s\n", keys);
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
