/* xl: the dbgvisor toolstack CLI. Commands are one table (xl_cmdtable.c). */
#ifndef XL_H
#define XL_H

#include <stdbool.h>
#include <debugctl.h>

struct cmd_spec {
    const char *name;
    int (*fn)(int argc, char **argv);
    bool needs_hv;          /* open the control connection first */
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
extern int xl_verbose;

/* One-line error to stderr ("xl <cmd>: ..."); returns EXIT_FAILURE. */
int xl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error: message plus the command's usage on the same line. */
int xl_usage_err(const char *cmd, const char *msg);
/* Resolve a domain by name or id; prints the error itself. */
int xl_find_domain(const char *arg, uint32_t *domid);
/* Parse the options of a command with no options but -h. Returns -1 if
 * main should return *rc (help shown or error). */
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

#endif
