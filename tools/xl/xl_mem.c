/*
 * xl mem-set and mem-max, as Xen's tools/xl/xl_mem.c. A dbgvisor domain's
 * memory is one contiguous block fixed when it is built (no balloon driver,
 * no populate-on-demand): a request for the size it has is honoured, any
 * other fails saying so, then with Xen's message.
 */
#include <stdio.h>
#include <stdlib.h>
#include "xl.h"
#include "xl_utils.h"

static int set_memory(int argc, char **argv, const char *cmd, const char *what)
{
    struct dbgv_ctl_dominfo di;
    const char *mem;
    uint32_t domid;
    int64_t kb;

    optind = 0;
    while ( xl_getopt(argc, argv, "", NULL, cmd, 2) != -1 )
        ;
    domid = xl_find_domain_or_exit(argv[optind]);
    mem = argv[optind + 1];
    if ( (kb = xl_parse_mem_size_kb(mem)) == -1 )
    {
        fprintf(stderr, "invalid memory size: %s\n", mem);
        return EXIT_FAILURE;
    }
    if ( domid != 0 && dbgctl_domain_info(ctx, domid, &di) == 0 &&
         (uint64_t)kb == di.mem_bytes >> 10 )
        return EXIT_SUCCESS;        /* what it has: nothing to change */
    fprintf(stderr, "xl %s: not supported: a dbgvisor domain's memory is fixed when it is "
            "built (memory=, no balloon driver)\n", cmd);
    fprintf(stderr, "cannot set domid %u %s memory to : %s\n", domid, what, mem);
    return EXIT_FAILURE;
}

int main_memmax(int argc, char **argv)
{
    return set_memory(argc, argv, "mem-max", "static max");
}

int main_memset(int argc, char **argv)
{
    return set_memory(argc, argv, "mem-set", "dynamic max");
}
