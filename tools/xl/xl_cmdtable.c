/* The xl command table, in the style of Xen's xl_cmdtable.c. */
#include <string.h>
#include "xl.h"

/* Guest debugging (xl_guestdebug.c). */
int main_debug_attach(int argc, char **argv);
int main_debug_detach(int argc, char **argv);
int main_debug_bp(int argc, char **argv);
int main_debug_wp(int argc, char **argv);
int main_debug_step(int argc, char **argv);
int main_debug_continue(int argc, char **argv);
int main_debug_regs(int argc, char **argv);
int main_debug_mem(int argc, char **argv);
int main_debug_gdb(int argc, char **argv);

const struct cmd_spec cmd_table[] = {
    { "create", main_create, true,
      "Create a domain from a config file",
      "[options] <ConfigFile> [key=value ...]",
      "-h  Print this help.\n"
      "-p  Leave the domain paused after it is created.\n"
      "-c  Connect to the console after the domain is created.\n"
      "-F  Run in foreground until death of the domain.\n"
      "-e  Do not wait in the background for the death of the domain\n"
      "    (on_poweroff/on_reboot/on_crash are not applied).\n"
      "-n  Dry run: parse and check the config and image, create nothing.\n"
      "-q  Quiet." },
    { "list", main_list, true,
      "List information about all/some domains",
      "[options] [Domain ...]",
      "-l, --long     Output all domain details in JSON.\n"
      "-v, --verbose  Also print the UUID, shutdown reason and debug policy." },
    { "destroy", main_destroy, true,
      "Terminate a domain immediately", "<Domain>", NULL },
    { "domid", main_domid, true,
      "Convert a domain name to domain id", "<DomainName>", NULL },
    { "domname", main_domname, true,
      "Convert a domain id to domain name", "<DomainId>", NULL },
    { "shutdown", main_shutdown, true,
      "Issue a shutdown signal to a domain",
      "[options] <-a|Domain>",
      "-a, --all          Shutdown all guest domains.\n"
      "-w, --wait         Wait for guest(s) to complete shutdown.\n"
      "-F                 If the guest has not shut down within the timeout, have\n"
      "                   the hypervisor power it off (on_poweroff applies).\n"
      "-t, --timeout SECS How long -F waits (10)." },
    { "reboot", main_reboot, true,
      "Issue a reboot signal to a domain",
      "[options] <-a|Domain>",
      "-a, --all          Reboot all guest domains.\n"
      "-w, --wait         Wait for guest(s) to complete the reboot (shut down).\n"
      "-F                 If the guest has not rebooted within the timeout, have\n"
      "                   the hypervisor reset it (on_reboot applies).\n"
      "-t, --timeout SECS How long -F waits (10)." },
    { "pause", main_pause, true,
      "Pause execution of a domain", "<Domain>", NULL },
    { "unpause", main_unpause, true,
      "Unpause a paused domain", "<Domain>", NULL },
    { "console", main_console, true,
      "Attach to domain's console",
      "[options] <Domain>",
      "-t <type>    console type, pv or serial (the same one console)\n"
      "-n <number>  console number (0: the domain's serial port)\n"
      "-b           print what is buffered and exit instead of attaching\n"
      "Keystrokes go to the guest; Ctrl-] detaches." },
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
    { "debug-attach", main_debug_attach, true,
      "Attach the host debugger to a domain (pauses it)", "<Domain>", NULL },
    { "debug-detach", main_debug_detach, true,
      "Remove the host debugger's breakpoints and resume the domain", "<Domain>", NULL },
    { "debug-bp", main_debug_bp, true,
      "Set or clear a host execution breakpoint (guest virtual address)",
      "[options] <Domain> <address> | --clear --id N <Domain>",
      "-i, --id N    Breakpoint id 0-7 (default 0); ids are shared with debug-wp.\n"
      "-v, --vcpu N  Only on this vCPU (default: every vCPU).\n"
      "-c, --clear   Remove breakpoint --id N." },
    { "debug-wp", main_debug_wp, true,
      "Set or clear a host watchpoint (guest virtual address)",
      "[options] <Domain> <address> | --clear --id N <Domain>",
      "-i, --id N      Breakpoint id 0-7 (default 0).\n"
      "-l, --len N     1, 2, 4 or 8 bytes, address aligned (default 1).\n"
      "-t, --type T    w (write, default), r (read), rw (access).\n"
      "-v, --vcpu N    Only on this vCPU (default: every vCPU).\n"
      "-c, --clear     Remove watchpoint --id N." },
    { "debug-step", main_debug_step, true,
      "Single-step a vCPU of a paused, attached domain and print the event",
      "[options] <Domain>",
      "-v, --vcpu N     vCPU (default 0).\n"
      "-n, --count N    Steps (default 1).\n"
      "--irqs           Let interrupts in while stepping.\n"
      "-T, --timeout S  Give up after S seconds per step (default 30)." },
    { "debug-continue", main_debug_continue, true,
      "Resume an attached domain until its next debug event",
      "[options] <Domain>",
      "-w, --wait       Wait for the next event and print it (exit 2 if the domain ended).\n"
      "-T, --timeout S  With --wait: give up after S seconds (default 30)." },
    { "debug-regs", main_debug_regs, true,
      "Print a vCPU's registers and the guest's own debug registers",
      "[options] <Domain>", "-v, --vcpu N  vCPU (default 0)." },
    { "debug-mem", main_debug_mem, true,
      "Read or write guest memory by virtual (default) or physical address",
      "[options] <Domain> <address> <length> | --write HEX <Domain> <address>",
      "-v, --vcpu N   Translate through this vCPU's page tables (default 0).\n"
      "-p, --phys     The address is guest-physical.\n"
      "-W, --write H  Write these bytes (hex) instead of reading." },
    { "debug-gdb", main_debug_gdb, true,
      "Serve the GDB remote protocol for a domain on loopback (runs gdbsx)",
      "[--port N] <Domain>", "-P, --port N  TCP port on 127.0.0.1 (default 1234)." },
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
