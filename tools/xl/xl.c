/*
 * xl: main program. Global options, the control connection, shared helpers
 * and help. Commands live in xl_cmdimpl.c and xl_debug.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xl.h"

dbgctl *ctx;
const char *xl_uri;
int xl_verbose;
static const char *cur_cmd = "";

int xl_err(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "xl%s%s: ", *cur_cmd ? " " : "", cur_cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_FAILURE;
}

int xl_usage_err(const char *cmd, const char *msg)
{
    const struct cmd_spec *c = cmd_find(cmd);

    return xl_err("%s (usage: xl %s %s)", msg, cmd, c ? c->usage : "");
}

int xl_find_domain(const char *arg, uint32_t *domid)
{
    int rc = dbgctl_domain_lookup(ctx, arg, domid);

    if ( rc == -ESRCH )
        return xl_err("unknown domain '%s'", arg);
    if ( rc )
        return xl_err("looking up domain '%s': %s", arg, dbgctl_strerror(rc));
    return 0;
}

static void help_cmd(FILE *f, const struct cmd_spec *c)
{
    fprintf(f, "Usage: xl %s %s\n\n%s.\n", c->name, c->usage, c->summary);
    if ( c->options )
        fprintf(f, "\nOptions:\n\n%s\n", c->options);
}

int xl_noopts(int argc, char **argv, const char *cmd, int nargs, int *rc)
{
    static const struct option opts[] = {
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    int c;

    optind = 0;   /* 0: glibc re-initialises getopt (ordering mode too) */
    opterr = 0;
    while ( (c = getopt_long(argc, argv, "+h", opts, NULL)) != -1 )
    {
        if ( c == 'h' )
        {
            help_cmd(stdout, cmd_find(cmd));
            *rc = EXIT_SUCCESS;
            return -1;
        }
        *rc = xl_usage_err(cmd, "unknown option");
        return -1;
    }
    if ( argc - optind != nargs )
    {
        *rc = xl_usage_err(cmd, argc - optind < nargs ? "missing argument"
                                                      : "too many arguments");
        return -1;
    }
    return 0;
}

static void help_all(FILE *f)
{
    fprintf(f, "Usage: xl [-v] [-U URI] <subcommand> [args]\n\n"
               "xl full list of subcommands:\n\n");
    for ( int i = 0; i < cmd_table_count; i++ )
        fprintf(f, " %-20s%s\n", cmd_table[i].name, cmd_table[i].summary);
    fprintf(f, "\nThe hypervisor is reached at $" DBGCTL_URI_ENV
               " or the default control socket; -U overrides both.\n");
}

int main_help(int argc, char **argv)
{
    const struct cmd_spec *c;

    if ( argc < 2 )
    {
        help_all(stdout);
        return EXIT_SUCCESS;
    }
    c = cmd_find(argv[1]);
    if ( !c )
        return xl_err("unknown command '%s'", argv[1]);
    help_cmd(stdout, c);
    return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "uri", required_argument, NULL, 'U' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const struct cmd_spec *cmd;
    int c, rc;

    opterr = 0;
    while ( (c = getopt_long(argc, argv, "+U:vh", opts, NULL)) != -1 )
    {
        switch ( c )
        {
        case 'U': xl_uri = optarg; break;
        case 'v': xl_verbose++; break;
        case 'h': help_all(stdout); return EXIT_SUCCESS;
        default:
            return xl_err("unknown global option '%s' (see xl help)", argv[optind - 1]);
        }
    }
    if ( optind >= argc )
    {
        help_all(stderr);
        return EXIT_FAILURE;
    }
    cmd = cmd_find(argv[optind]);
    if ( !cmd )
        return xl_err("unknown command '%s' (see xl help)", argv[optind]);
    cur_cmd = cmd->name;

    /* Help never needs the hypervisor. */
    for ( int i = optind + 1; i < argc && cmd->needs_hv; i++ )
        if ( !strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") )
        {
            help_cmd(stdout, cmd);
            return EXIT_SUCCESS;
        }
        else if ( !strcmp(argv[i], "--") )
            break;

    if ( cmd->needs_hv )
    {
        static char uri[512];

        if ( !xl_uri && dbgctl_default_uri(uri, sizeof(uri)) == 0 )
            xl_uri = uri;
        rc = dbgctl_open(xl_uri, &ctx);
        if ( rc )
            return xl_err("cannot connect to the hypervisor at %s: %s",
                          xl_uri ? xl_uri : "(default)", dbgctl_strerror(rc));
    }
    rc = cmd->fn(argc - optind, argv + optind);
    dbgctl_close(ctx);
    return rc;
}
