/* xl: the dbgvisor toolstack CLI. Commands are one table (xl_cmdtable.c). */
#ifndef XL_H
#define XL_H

#include <getopt.h>
#include <stdbool.h>
#include <debugctl.h>

/* Xen's exit status for a usage error (bad option, missing argument). */
#define XL_EXIT_USAGE 2
/* libxl's error codes where Xen's messages print them. */
#define XL_ERROR_FAIL  (-3)
#define XL_ERROR_INVAL (-6)

struct cmd_spec {
    const char *name;
    int (*fn)(int argc, char **argv);
    bool needs_hv;          /* open the control connection first */
    bool can_dryrun;        /* honours the global -N */
    const char *summary;
    const char *usage;      /* after "xl <name> " */
    const char *options;    /* option lines for help, or NULL */
};

extern const struct cmd_spec cmd_table[];
extern const int cmd_table_count;
const struct cmd_spec *cmd_find(const char *name);

/* The connection, opened by main() for commands that need it. */
extern dbgctl *ctx;
extern const char *xl_uri;
extern int xl_verbose;     /* global -v, once per -v */
extern int xl_dryrun;      /* global -N */

/* One-line error to stderr ("xl <cmd>: ..."); returns EXIT_FAILURE. */
int xl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error: message plus the command's usage on the same line; returns
 * XL_EXIT_USAGE. */
int xl_usage_err(const char *cmd, const char *msg);
/* Resolve a domain by name or id; prints the error itself. */
int xl_find_domain(const char *arg, uint32_t *domid);
/* The same, exiting with Xen's message and status when there is none. */
uint32_t xl_find_domain_or_exit(const char *arg);
/* Xen's help(): NULL for the list of commands. */
void xl_help(const char *command);
/* Xen's SWITCH_FOREACH_OPT: the next option of optstring (set optind = 0
 * before the first call), or -1 once they are done. -h prints the help and
 * exits 0; an unknown option, or fewer than reqargs arguments after the
 * options, prints Xen's message and exits XL_EXIT_USAGE. */
int xl_getopt(int argc, char **argv, const char *optstring,
              const struct option *longopts, const char *cmd, int reqargs);
/* Parse the options of a command with no options but -h and exactly nargs
 * arguments. Returns -1 if main should return *rc (too many arguments). */
int xl_noopts(int argc, char **argv, const char *cmd, int nargs, int *rc);

/* Follow a domain's console on stdout until Ctrl-] or until the domain is
 * gone (xl console, xl create -c). */
int xl_console_follow(uint32_t domid);

int main_list(int argc, char **argv);
int main_info(int argc, char **argv);
int main_create(int argc, char **argv);
int main_destroy(int argc, char **argv);
int main_domid(int argc, char **argv);
int main_domname(int argc, char **argv);
int main_pause(int argc, char **argv);
int main_unpause(int argc, char **argv);
int main_shutdown(int argc, char **argv);
int main_reboot(int argc, char **argv);
int main_console(int argc, char **argv);
int main_vcpulist(int argc, char **argv);
int main_dmesg(int argc, char **argv);
int main_debug_state(int argc, char **argv);
int main_debug_policy(int argc, char **argv);
int main_help(int argc, char **argv);
int main_rename(int argc, char **argv);
int main_uptime(int argc, char **argv);
int main_top(int argc, char **argv);
int main_vcpupin(int argc, char **argv);
int main_vcpuset(int argc, char **argv);
int main_memset(int argc, char **argv);
int main_memmax(int argc, char **argv);
int main_debug_keys(int argc, char **argv);
int main_sched_credit(int argc, char **argv);
int main_sched_rr(int argc, char **argv);

#endif
