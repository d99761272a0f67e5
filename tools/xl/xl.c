/*
 * xl: main program. Global options, the control connection, option parsing
 * and help as Xen's xl prints them (tools/xl/xl.c, xl_utils.c in Xen).
 * Commands live in one file per family (xl_cmdtable.c lists them).
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
int xl_dryrun;
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

    xl_err("%s (usage: xl %s %s)", msg, cmd, c ? c->usage : "");
    return XL_EXIT_USAGE;
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

uint32_t xl_find_domain_or_exit(const char *arg)
{
    uint32_t domid;
    int rc = dbgctl_domain_lookup(ctx, arg, &domid);

    if ( rc )
    {
        /* Xen's find_domain(): its libxl error code in the message. */
        fprintf(stderr, "%s is an invalid domain identifier (rc=%d)\n", arg,
                rc == -ESRCH ? XL_ERROR_INVAL : XL_ERROR_FAIL);
        exit(EXIT_FAILURE);
    }
    return domid;
}

/* Xen's help(): the full list, or one command's usage and options. */
void xl_help(const char *command)
{
    const struct cmd_spec *c;

    if ( !command || !strcmp(command, "help") )
    {
        printf("Usage xl [-vN] [-U URI] <subcommand> [args]\n\n"
               "xl full list of subcommands:\n\n");
        for ( int i = 0; i < cmd_table_count; i++ )
        {
            printf(" %-19s ", cmd_table[i].name);
            if ( strlen(cmd_table[i].name) > 19 )
                printf("\n %-19s ", "");
            printf("%s\n", cmd_table[i].summary);
        }
        return;
    }
    if ( !(c = cmd_find(command)) )
    {
        printf("command \"%s\" not implemented\n", command);
        return;
    }
    printf("Usage: xl [-v%s] %s %s\n\n%s.\n\n", c->can_dryrun ? "N" : "", c->name,
           c->usage, c->summary);
    if ( c->options )
        printf("Options:\n\n%s\n", c->options);
}

int xl_getopt(int argc, char **argv, const char *optstring,
              const struct option *longopts, const char *cmd, int reqargs)
{
    static const struct option help_only[] = {
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    char opts[64];
    int opt;

    /* '+': options stop at the first argument; 'h' always means help. */
    snprintf(opts, sizeof(opts), "+%sh", optstring);
    opterr = 0;
    opt = getopt_long(argc, argv, opts, longopts ? longopts : help_only, NULL);
    if ( opt == '?' )
    {
        if ( optopt == 'h' )
        {
            xl_help(cmd);
            exit(EXIT_SUCCESS);
        }
        if ( optopt )
            fprintf(stderr, "option `%c' not supported.\n", optopt);
        else
            fprintf(stderr, "option `%s' not supported.\n", argv[optind - 1]);
        exit(XL_EXIT_USAGE);
    }
    if ( opt == ':' )
    {
        fprintf(stderr, "option `%c' needs a value.\n", optopt);
        exit(XL_EXIT_USAGE);
    }
    if ( opt == 'h' )
    {
        xl_help(cmd);
        exit(EXIT_SUCCESS);
    }
    if ( opt != -1 )
        return opt;
    if ( argc - optind <= reqargs - 1 )
    {
        fprintf(stderr, "'xl %s' requires at least %d argument%s.\n\n", cmd, reqargs,
                reqargs > 1 ? "s" : "");
        xl_help(cmd);
        exit(XL_EXIT_USAGE);
    }
    return -1;
}

int xl_noopts(int argc, char **argv, const char *cmd, int nargs, int *rc)
{
    optind = 0;   /* 0: glibc re-initialises getopt (ordering mode too) */
    while ( xl_getopt(argc, argv, "", NULL, cmd, nargs) != -1 )
        ;
    if ( argc - optind > nargs )
    {
        *rc = xl_usage_err(cmd, "too many arguments");
        return -1;
    }
    return 0;
}

int main_help(int argc, char **argv)
{
    xl_help(argc > 1 ? argv[1] : NULL);
    return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "uri", required_argument, NULL, 'U' },
        { "verbose", no_argument, NULL, 'v' },
        { "dry-run", no_argument, NULL, 'N' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const struct cmd_spec *cmd;
    int c, rc;

    opterr = 0;
    while ( (c = getopt_long(argc, argv, "+U:vNh", opts, NULL)) != -1 )
    {
        switch ( c )
        {
        case 'U': xl_uri = optarg; break;
        case 'v': xl_verbose++; break;
        case 'N': xl_dryrun = 1; break;
        case 'h': xl_help(NULL); return EXIT_SUCCESS;
        default:
            fprintf(stderr, "unknown global option\n");
            return EXIT_FAILURE;
        }
    }
    if ( optind >= argc )
    {
        xl_help(NULL);              /* as Xen: the list on stdout, status 1 */
        return EXIT_FAILURE;
    }
    cmd = cmd_find(argv[optind]);
    if ( !cmd )
    {
        fprintf(stderr, "command not implemented\n");
        return EXIT_FAILURE;
    }
    cur_cmd = cmd->name;
    if ( xl_dryrun && !cmd->can_dryrun )
    {
        fprintf(stderr, "command does not implement -N (dryrun) option\n");
        return EXIT_FAILURE;
    }

    /* Help never needs the hypervisor. */
    for ( int i = optind + 1; i < argc && cmd->needs_hv; i++ )
        if ( !strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") )
        {
            xl_help(cmd->name);
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
