/* The xl command table, in the style of Xen's xl_cmdtable.c. */
#include <string.h>
#include "xl.h"

const struct cmd_spec cmd_table[] = {
    { "create", main_create, true,
      "Create a domain from a config file",
      "[options] <ConfigFile> [key=value ...]",
      "-h  Print this help.\n"
      "-p  Leave the domain paused after it is created.\n"
      "-c  Connect to the console after the domain is created.\n"
      "-n  Dry run: parse and check the config and image, create nothing.\n"
      "-q  Quiet." },
    { "list", main_list, true,
      "List information about all/some domains",
      "[options] [Domain ...]",
      "-l, --long     Output all domain details in JSON.\n"
      "-v, --verbose  Also print the UUID, shutdown reason and debug policy." },
    { "destroy", main_destroy, true,
      "Terminate a domain immediately", "<Domain>", NULL },
    { "shutdown", main_shutdown, true,
      "Issue a shutdown signal to a domain",
      "[options] <Domain>",
      "-w, --wait  Wait for the domain to complete shutdown." },
    { "pause", main_pause, true,
      "Pause execution of a domain", "<Domain>", NULL },
    { "unpause", main_unpause, true,
      "Unpause a paused domain", "<Domain>", NULL },
    { "console", main_console, true,
      "Attach to domain's console",
      "[options] <Domain>",
      "-n  Print what is buffered and exit instead of following.\n"
      "Ctrl-] detaches from a followed console." },
    { "vcpu-list", main_vcpulist, true,
      "List the VCPUs for all/some domains",
      "[options] [Domain ...]",
      "-v  Also print each vCPU's instruction pointer." },
    { "info", main_info, true,
      "Get information about the hypervisor host", "", NULL },
    { "dmesg", main_dmesg, true,
      "Read and/or clear the hypervisor's message buffer", "", NULL },
    { "debug-state", main_debug_state, true,
      "Show the per-vCPU debug-register virtualization state",
      "[options] <Domain>",
      "-l, --long  Output in JSON." },
    { "debug-policy", main_debug_policy, true,
      "Set a domain's debug-register switching policy",
      "<Domain> <trap|lazy-exit|lazy-sched|adaptive> [--quiet-switches N]",
      "--quiet-switches N  adaptive: re-trap after N quiet switches." },
    { "help", main_help, false,
      "Print this help", "[command]", NULL },
};

const int cmd_table_count = sizeof(cmd_table) / sizeof(cmd_table[0]);

const struct cmd_spec *cmd_find(const char *name)
{
    for ( int i = 0; i < cmd_table_count; i++ )
        if ( !strcmp(cmd_table[i].name, name) )
            return &cmd_table[i];
    return NULL;
}
