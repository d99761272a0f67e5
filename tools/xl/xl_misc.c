/* xl rename and debug-keys, as Xen's tools/xl/xl_misc.c. */
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
    rc = domid ? dbgctl_domain_rename(ctx, domid, new_name) : -EPERM;
    if ( rc )
    {
        fprintf(stderr, "Can't rename domain '%s'.\n", dom);
        if ( xl_verbose )
            xl_err("%s", dbgctl_strerror(rc));
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}

int main_debug_keys(int argc, char **argv)
{
    const char *keys;

    optind = 0;
    while ( xl_getopt(argc, argv, "", NULL, "debug-keys", 1) != -1 )
        ;
    keys = argv[optind];
    if ( dbgctl_debug_keys(ctx, keys) )
    {
        fprintf(stderr, "cannot send debug keys: %s\n", keys);
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
