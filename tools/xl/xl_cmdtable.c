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
    /* name, function, needs the hypervisor, can dry-run (-N),
     * summary, usage, options: Xen 4.17's texts where the command is Xen's. */
    { "create", main_create, true, true,
      "Create a domain from config file <filename>",
      "<ConfigFile> [options] [vars]",
      "-h                      Print this help.\n"
      "-p                      Leave the domain paused after it is created.\n"
      "-c                      Connect to the console after the domain is created.\n"
      "-f FILE, --defconfig=FILE\n                     Use the given configuration file.\n"
      "-q, --quiet             Quiet.\n"
      "-n, --dryrun            Dry run - prints the resulting configuration\n"
      "                         (deprecated in favour of global -N option).\n"
      "-d                      Enable debug messages.\n"
      "-F                      Run in foreground until death of the domain.\n"
      "-e                      Do not wait in the background for the death of the domain." },
    { "list", main_list, true, false,
      "List information about all/some domains",
      "[options] [Domain]\n",
      "-l, --long              Output all VM details\n"
      "-v, --verbose           Prints out UUIDs and security context" },
    { "destroy", main_destroy, true, false,
      "Terminate a domain immediately", "<Domain>", NULL },
    { "shutdown", main_shutdown, true, false,
      "Issue a shutdown signal to a domain",
      "[options] <-a|Domain>",
      "-a, --all               Shutdown all guest domains.\n"
      "-h                      Print this help.\n"
      "-F                      If the guest has not shut down within the timeout, have\n"
      "                        the hypervisor power it off (on_poweroff applies).\n"
      "-t, --timeout SECS      How long -F waits (10).\n"
      "-w, --wait              Wait for guest(s) to shutdown.\n" },
    { "reboot", main_reboot, true, false,
      "Issue a reboot signal to a domain",
      "[options] <-a|Domain>",
      "-a, --all               Shutdown all guest domains.\n"
      "-h                      Print this help.\n"
      "-F                      If the guest has not rebooted within the timeout, have\n"
      "                        the hypervisor reset it (on_reboot applies).\n"
      "-t, --timeout SECS      How long -F waits (10).\n"
      "-w, --wait              Wait for guest(s) to reboot.\n" },
    { "pause", main_pause, true, false,
      "Pause execution of a domain", "<Domain>", NULL },
    { "unpause", main_unpause, true, false,
      "Unpause a paused domain", "<Domain>", NULL },
    { "console", main_console, true, false,
      "Attach to domain's console",
      "[options] <Domain>\n"
      "-t <type>       console type, pv or serial (the same one console)\n"
      "-n <number>     console number (0: the domain's serial port)\n"
      "-b              print what is buffered and exit instead of attaching",
      NULL },
    { "mem-max", main_memmax, true, false,
      "Set the maximum amount reservation for a domain",
      "<Domain> <MemMB['b'[bytes]|'k'[KB]|'m'[MB]|'g'[GB]|'t'[TB]]>", NULL },
    { "mem-set", main_memset, true, false,
      "Set the current memory usage for a domain",
      "<Domain> <MemMB['b'[bytes]|'k'[KB]|'m'[MB]|'g'[GB]|'t'[TB]]>", NULL },
    { "vcpu-list", main_vcpulist, true, false,
      "List the VCPUs for all/some domains",
      "[Domain, ...]", NULL },
    { "vcpu-pin", main_vcpupin, true, true,
      "Set which CPUs a VCPU can use",
      "[option] <Domain> <VCPU|all> <Hard affinity|-|all> <Soft affinity|-|all>",
      "-f, --force        undo an override pinning done by the kernel" },
    { "vcpu-set", main_vcpuset, true, false,
      "Set the number of active VCPUs allowed for the domain",
      "[option] <Domain> <vCPUs>",
      "-i, --ignore-host  Don't limit the vCPU based on the host CPU count" },
    { "info", main_info, true, false,
      "Get information about Xen host",
      "[Key]", NULL },
    { "sched-credit", main_sched_credit, true, false,
      "Get/set credit scheduler parameters",
      "[-d <Domain> [-w[=WEIGHT]|-c[=CAP]]] [-s [-t TSLICE] [-r RATELIMIT]] [-p CPUPOOL]",
      "-d DOMAIN, --domain=DOMAIN        Domain to modify\n"
      "-w WEIGHT, --weight=WEIGHT        Weight (int)\n"
      "-c CAP, --cap=CAP                 Cap (int)\n"
      "-s         --schedparam           Query / modify scheduler parameters\n"
      "-t TSLICE, --tslice_ms=TSLICE     Set the timeslice, in milliseconds\n"
      "-r RLIMIT, --ratelimit_us=RLIMIT  Set the scheduling rate limit, in microseconds\n"
      "-p CPUPOOL, --cpupool=CPUPOOL     Restrict output to CPUPOOL" },
    { "sched-rr", main_sched_rr, true, false,
      "Get/set dbgvisor's round-robin scheduler parameters",
      "[-d <Domain>] [-s [-t TSLICE]]",
      "-d DOMAIN, --domain=DOMAIN        Domain to show\n"
      "-s         --schedparam           Query / modify scheduler parameters\n"
      "-t TSLICE, --tslice_ms=TSLICE     Set the timeslice, in milliseconds" },
    { "domid", main_domid, true, false,
      "Convert a domain name to domain id", "<DomainName>", NULL },
    { "domname", main_domname, true, false,
      "Convert a domain id to domain name", "<DomainId>", NULL },
    { "rename", main_rename, true, false,
      "Rename a domain", "<Domain> <NewDomainName>", NULL },
    { "debug-keys", main_debug_keys, true, false,
      "Send debug keys to Xen", "<Keys>", NULL },
    { "dmesg", main_dmesg, true, false,
      "Read and/or clear dmesg buffer",
      "[-c]",
      "  -c                        Clear dmesg buffer as well as printing it" },
    { "top", main_top, false, false,
      "Monitor a host and the domains in real time", "", NULL },
    { "uptime", main_uptime, true, false,
      "Print uptime for all/some domains", "[-s] [Domain]", NULL },
    { "debug-state", main_debug_state, true, false,
      "Show the per-vCPU debug-register virtualization state",
      "[options] <Domain>",
      "-l, --long  Output in JSON." },
    { "debug-policy", main_debug_policy, true, false,
      "Set a domain's debug-register switching policy",
      "<Domain> <trap|lazy-exit|lazy-sched|adaptive> [--quiet-switches N]",
      "--quiet-switches N  adaptive: re-trap after N quiet switches." },
    { "debug-attach", main_debug_attach, true, false,
      "Attach the host debugger to a domain (pauses it)", "<Domain>", NULL },
    { "debug-detach", main_debug_detach, true, false,
      "Remove the host debugger's breakpoints and resume the domain", "<Domain>", NULL },
    { "debug-bp", main_debug_bp, true, false,
      "Set or clear a host execution breakpoint (guest virtual address)",
      "[options] <Domain> <address> | --clear --id N <Domain>",
      "-i, --id N    Breakpoint id 0-7 (default 0); ids are shared with debug-wp.\n"
      "-v, --vcpu N  Only on this vCPU (default: every vCPU).\n"
      "-c, --clear   Remove breakpoint --id N." },
    { "debug-wp", main_debug_wp, true, false,
      "Set or clear a host watchpoint (guest virtual address)",
      "[options] <Domain> <address> | --clear --id N <Domain>",
      "-i, --id N      Breakpoint id 0-7 (default 0).\n"
      "-l, --len N     1, 2, 4 or 8 bytes, address aligned (default 1).\n"
      "-t, --type T    w (write, default), r (read), rw (access).\n"
      "-v, --vcpu N    Only on this vCPU (default: every vCPU).\n"
      "-c, --clear     Remove watchpoint --id N." },
    { "debug-step", main_debug_step, true, false,
      "Single-step a vCPU of a paused, attached domain and print the event",
      "[options] <Domain>",
      "-v, --vcpu N     vCPU (default 0).\n"
      "-n, --count N    Steps (default 1).\n"
      "--irqs           Let interrupts in while stepping.\n"
      "-T, --timeout S  Give up after S seconds per step (default 30)." },
    { "debug-continue", main_debug_continue, true, false,
      "Resume an attached domain until its next debug event",
      "[options] <Domain>",
      "-w, --wait       Wait for the next event and print it (exit 2 if the domain ended).\n"
      "-T, --timeout S  With --wait: give up after S seconds (default 30)." },
    { "debug-regs", main_debug_regs, true, false,
      "Print a vCPU's registers and the guest's own debug registers",
      "[options] <Domain>", "-v, --vcpu N  vCPU (default 0)." },
    { "debug-mem", main_debug_mem, true, false,
      "Read or write guest memory by virtual (default) or physical address",
      "[options] <Domain> <address> <length> | --write HEX <Domain> <address>",
      "-v, --vcpu N   Translate through this vCPU's page tables (default 0).\n"
      "-p, --phys     The address is guest-physical.\n"
      "-W, --write H  Write these bytes (hex) instead of reading." },
    { "debug-gdb", main_debug_gdb, true, false,
      "Serve the GDB remote protocol for a domain on loopback (runs gdbsx)",
      "[--port N] <Domain>", "-P, --port N  TCP port on 127.0.0.1 (default 1234)." },
    { "help", main_help, false, false,
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
