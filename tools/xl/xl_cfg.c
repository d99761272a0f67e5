/*
 * xl.cfg subset parser. Grammar (as Xen's libxlutil):
 *   file     := { setting ( '\n' | ';' ) }
 *   setting  := IDENT '=' value
 *   value    := STRING | NUMBER | '[' [ value { ',' value } [','] ] ']'
 *   STRING   := "..." | '...'  (C escapes \\ \" \' \n \t)
 *   comments from '#' to the end of the line.
 * Known keys: name, kernel, ramdisk, memory, vcpus, cmdline, extra, root,
 * debug_policy, debug_quiet_switches, unbacked_access, on_poweroff, on_reboot,
 * on_crash, on_watchdog. Other Xen keys are ignored with a
 * warning; errors name the line.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <debugctl.h>
#include "xl_cfg.h"

enum vtype { V_STRING, V_NUMBER, V_LIST };

struct parser {
    const char *p, *end, *fname;
    int line;
    char *err;
    size_t errlen;
};

static int perr(struct parser *ps, const char *fmt, ...)
{
    va_list ap;
    int n;

    n = snprintf(ps->err, ps->errlen, "%s:%d: ", ps->fname, ps->line);
    if ( n >= 0 && (size_t)n < ps->errlen )
    {
        va_start(ap, fmt);
        vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Skip blanks and comments; newlines too if nl. */
static void skip(struct parser *ps, bool nl)
{
    while ( ps->p < ps->end )
    {
        char c = *ps->p;

        if ( c == '#' )
            while ( ps->p < ps->end && *ps->p != '\n' )
                ps->p++;
        else if ( c == '\n' && nl )
        {
            ps->line++;
            ps->p++;
        }
        else if ( c == ' ' || c == '\t' || c == '\r' )
            ps->p++;
        else
            break;
    }
}

static int parse_string(struct parser *ps, char **out)
{
    char q = *ps->p++;
    size_t cap = 64, n = 0;
    char *s = malloc(cap);

    if ( !s )
        return perr(ps, "out of memory");
    for ( ;; )
    {
        char c;

        if ( ps->p >= ps->end || *ps->p == '\n' )
        {
            free(s);
            return perr(ps, "unterminated string");
        }
        c = *ps->p++;
        if ( c == q )
            break;
        if ( c == '\\' )
        {
            if ( ps->p >= ps->end )
                continue;
            c = *ps->p++;
            switch ( c )
            {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case '\\': case '"': case '\'': break;
            default:
                free(s);
                return perr(ps, "unknown escape '\\%c' in string", c);
            }
        }
        if ( c == '\0' )
        {
            free(s);
            return perr(ps, "NUL byte in string");
        }
        if ( n + 2 > cap )
        {
            char *t = realloc(s, cap *= 2);

            if ( !t )
            {
                free(s);
                return perr(ps, "out of memory");
            }
            s = t;
        }
        s[n++] = c;
    }
    s[n] = '\0';
    *out = s;
    return 0;
}

static int parse_number(struct parser *ps, unsigned long long *out)
{
    char buf[32];
    size_t n = 0;
    char *e;

    while ( ps->p < ps->end && (isalnum((unsigned char)*ps->p) || *ps->p == '.') )
    {
        if ( n + 1 >= sizeof(buf) )
            return perr(ps, "number too long");
        buf[n++] = *ps->p++;
    }
    buf[n] = '\0';
    errno = 0;
    *out = strtoull(buf, &e, 0);
    if ( errno || *e || buf[0] == '-' )
        return perr(ps, "invalid number '%s'", buf);
    return 0;
}

/* Parse one value; lists are checked for syntax and then discarded (no
 * supported key takes a list). */
static int parse_value(struct parser *ps, enum vtype *t, char **s,
                       unsigned long long *num)
{
    skip(ps, false);
    if ( ps->p >= ps->end || *ps->p == '\n' || *ps->p == ';' )
        return perr(ps, "missing value");
    if ( *ps->p == '"' || *ps->p == '\'' )
    {
        *t = V_STRING;
        return parse_string(ps, s);
    }
    if ( isdigit((unsigned char)*ps->p) )
    {
        *t = V_NUMBER;
        return parse_number(ps, num);
    }
    if ( *ps->p == '[' )
    {
        ps->p++;
        *t = V_LIST;
        for ( ;; )
        {
            enum vtype et;
            char *es = NULL;
            unsigned long long en;

            skip(ps, true);
            if ( ps->p < ps->end && *ps->p == ']' )
            {
                ps->p++;
                return 0;
            }
            if ( parse_value(ps, &et, &es, &en) )
                return -1;
            free(es);
            skip(ps, true);
            if ( ps->p < ps->end && *ps->p == ',' )
                ps->p++;
            else if ( ps->p >= ps->end || *ps->p != ']' )
                return perr(ps, "expected ',' or ']' in list");
        }
    }
    return perr(ps, "expected a quoted string, a number or a list");
}

static int set_string(struct parser *ps, const char *key, enum vtype t,
                      char **dst, char **s)
{
    if ( t != V_STRING )
        return perr(ps, "%s must be a quoted string", key);
    free(*dst);
    *dst = *s;
    *s = NULL;
    return 0;
}

static int set_number(struct parser *ps, const char *key, enum vtype t,
                      unsigned long long v, unsigned long long min,
                      unsigned long long max, uint32_t *dst)
{
    if ( t != V_NUMBER )
        return perr(ps, "%s must be a number", key);
    if ( v < min || v > max )
        return perr(ps, "%s must be between %llu and %llu", key, min, max);
    *dst = (uint32_t)v;
    return 0;
}

static const char *const action_names[XL_ACTION_COUNT] = {
    [XL_ACTION_DESTROY] = "destroy", [XL_ACTION_RESTART] = "restart",
    [XL_ACTION_RENAME_RESTART] = "rename-restart", [XL_ACTION_PRESERVE] = "preserve",
    [XL_ACTION_COREDUMP_DESTROY] = "coredump-destroy",
    [XL_ACTION_COREDUMP_RESTART] = "coredump-restart",
};

const char *xl_action_name(enum xl_action a)
{
    return (unsigned int)a < XL_ACTION_COUNT ? action_names[a] : NULL;
}

/* on_poweroff = "restart" etc. (Xen's xl.cfg names). Actions dbgvisor
 * cannot carry out are refused here rather than when the guest ends
 * (docs/xl.md): a core dump would read all guest RAM over the control
 * channel (minutes for a small domain), and domains cannot be renamed. */
static int set_action(struct parser *ps, const char *key, enum vtype t, const char *s,
                      enum xl_action *dst)
{
    if ( t != V_STRING )
        return perr(ps, "%s must be a quoted string", key);
    for ( int a = 0; a < XL_ACTION_COUNT; a++ )
        if ( !strcmp(s, action_names[a]) )
        {
            if ( a == XL_ACTION_COREDUMP_DESTROY || a == XL_ACTION_COREDUMP_RESTART )
                return perr(ps, "%s = \"%s\" is not supported (no core dumps; use"
                            " \"preserve\" and the xl debug-* commands)", key, s);
            if ( a == XL_ACTION_RENAME_RESTART )
                return perr(ps, "%s = \"%s\" is not supported (domains cannot be"
                            " renamed)", key, s);
            *dst = (enum xl_action)a;
            return 0;
        }
    return perr(ps, "unknown %s action '%s' (destroy, restart, preserve)",
                key, s);
}

static int apply(struct parser *ps, struct xl_cfg *cfg, const char *key,
                 enum vtype t, char **s, unsigned long long num,
                 xl_cfg_warn_fn warn)
{
    if ( !strcmp(key, "name") )
    {
        if ( set_string(ps, key, t, &cfg->name, s) )
            return -1;
        for ( const char *c = cfg->name; *c; c++ )
            if ( !isalnum((unsigned char)*c) && !strchr("_.-", *c) )
                return perr(ps, "name may only contain letters, digits, '_', '.' and '-'");
        if ( !*cfg->name || strlen(cfg->name) >= DBGV_CTL_NAME_LEN )
            return perr(ps, "name must be 1 to %d characters", DBGV_CTL_NAME_LEN - 1);
        return 0;
    }
    if ( !strcmp(key, "kernel") )
    {
        if ( set_string(ps, key, t, &cfg->kernel, s) )
            return -1;
        return *cfg->kernel ? 0 : perr(ps, "kernel must not be empty");
    }
    if ( !strcmp(key, "ramdisk") )
    {
        if ( set_string(ps, key, t, &cfg->ramdisk, s) )
            return -1;
        return *cfg->ramdisk ? 0 : perr(ps, "ramdisk must not be empty");
    }
    if ( !strcmp(key, "cmdline") || !strcmp(key, "extra") || !strcmp(key, "root") )
    {
        char **dst = key[0] == 'c' ? &cfg->cmdline : key[0] == 'e' ? &cfg->extra : &cfg->root;

        if ( set_string(ps, key, t, dst, s) )
            return -1;
        return strlen(*dst) > 4096 ? perr(ps, "%s too long", key) : 0;
    }
    if ( !strcmp(key, "memory") )
        return set_number(ps, key, t, num, 1, 1u << 20, &cfg->memory_mib);
    if ( !strcmp(key, "vcpus") )
        return set_number(ps, key, t, num, 1, 64, &cfg->vcpus);
    if ( !strcmp(key, "debug_quiet_switches") )
        return set_number(ps, key, t, num, 1, UINT32_MAX, &cfg->quiet_switches);
    if ( !strcmp(key, "debug_policy") )
    {
        int pol;

        if ( t != V_STRING )
            return perr(ps, "debug_policy must be a quoted string");
        pol = dbgctl_policy_parse(*s);
        if ( pol < 0 )
            return perr(ps, "unknown debug_policy '%s' (trap, lazy-exit, lazy-sched, adaptive)", *s);
        cfg->debug_policy = pol;
        return 0;
    }
    if ( !strcmp(key, "unbacked_access") )
    {
        int mode;

        if ( t != V_STRING )
            return perr(ps, "unbacked_access must be a quoted string");
        mode = dbgctl_unbacked_access_parse(*s);
        if ( mode < 0 )
            return perr(ps, "unknown unbacked_access '%s' (ignore, crash)", *s);
        cfg->unbacked_access = (unsigned int)mode;
        return 0;
    }
    {
        static const char *const on_keys[] = {
            [DBGV_SHUTDOWN_POWEROFF] = "on_poweroff", [DBGV_SHUTDOWN_REBOOT] = "on_reboot",
            [DBGV_SHUTDOWN_CRASH] = "on_crash", [DBGV_SHUTDOWN_WATCHDOG] = "on_watchdog",
        };

        for ( unsigned int r = 0; r < sizeof(on_keys) / sizeof(on_keys[0]); r++ )
            if ( on_keys[r] && !strcmp(key, on_keys[r]) )
                return set_action(ps, key, t, *s, &cfg->on_shutdown[r]);
    }
    if ( warn )
    {
        char msg[160];

        snprintf(msg, sizeof(msg), "%s:%d: ignoring unsupported option '%s'",
                 ps->fname, ps->line, key);
        warn(msg);
    }
    return 0;
}

void xl_cfg_init(struct xl_cfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->memory_mib = XL_CFG_DEFAULT_MEMORY;
    cfg->vcpus = 1;
    cfg->debug_policy = -1;
    /* Xen's defaults (xl.cfg(5)). */
    cfg->on_shutdown[DBGV_SHUTDOWN_POWEROFF] = XL_ACTION_DESTROY;
    cfg->on_shutdown[DBGV_SHUTDOWN_REBOOT] = XL_ACTION_RESTART;
    cfg->on_shutdown[DBGV_SHUTDOWN_SUSPEND] = XL_ACTION_PRESERVE;
    cfg->on_shutdown[DBGV_SHUTDOWN_CRASH] = XL_ACTION_DESTROY;
    cfg->on_shutdown[DBGV_SHUTDOWN_WATCHDOG] = XL_ACTION_DESTROY;
}

int xl_cfg_parse(struct xl_cfg *cfg, const char *text, size_t len,
                 const char *fname, xl_cfg_warn_fn warn, char *err,
                 size_t errlen)
{
    struct parser ps = { text, text + len, fname, 1, err, errlen };

    for ( ;; )
    {
        char key[64], *s = NULL;
        unsigned long long num = 0;
        enum vtype t;
        size_t n = 0;
        int rc;

        skip(&ps, true);
        if ( ps.p >= ps.end )
            return 0;
        if ( *ps.p == ';' )
        {
            ps.p++;
            continue;
        }
        if ( !isalpha((unsigned char)*ps.p) && *ps.p != '_' )
            return perr(&ps, "expected an option name");
        while ( ps.p < ps.end && (isalnum((unsigned char)*ps.p) || *ps.p == '_') )
        {
            if ( n + 1 >= sizeof(key) )
                return perr(&ps, "option name too long");
            key[n++] = *ps.p++;
        }
        key[n] = '\0';
        skip(&ps, false);
        if ( ps.p >= ps.end || *ps.p != '=' )
            return perr(&ps, "expected '=' after '%s'", key);
        ps.p++;
        if ( parse_value(&ps, &t, &s, &num) )
            return -1;
        rc = apply(&ps, cfg, key, t, &s, num, warn);
        free(s);
        if ( rc )
            return -1;
        skip(&ps, false);
        if ( ps.p < ps.end && *ps.p != '\n' && *ps.p != ';' )
            return perr(&ps, "unexpected text after the value of '%s'", key);
    }
}

int xl_cfg_check(const struct xl_cfg *cfg, const char *fname, char *err,
                 size_t errlen)
{
    if ( !cfg->name )
    {
        snprintf(err, errlen, "%s: no 'name' given", fname);
        return -1;
    }
    if ( !cfg->kernel )
    {
        snprintf(err, errlen, "%s: no 'kernel' given", fname);
        return -1;
    }
    return 0;
}

char *xl_cfg_kernel_cmdline(const struct xl_cfg *cfg, xl_cfg_warn_fn warn)
{
    char *out;

    if ( cfg->cmdline )
    {
        if ( (cfg->root || cfg->extra) && warn )
            warn("ignoring root= and extra= in favour of cmdline=");
        return strdup(cfg->cmdline);
    }
    if ( cfg->root && asprintf(&out, "root=%s%s%s", cfg->root,
                               cfg->extra ? " " : "", cfg->extra ? cfg->extra : "") >= 0 )
        return out;
    return cfg->root ? NULL : strdup(cfg->extra ? cfg->extra : "");
}

void xl_cfg_dispose(struct xl_cfg *cfg)
{
    free(cfg->name);
    free(cfg->kernel);
    free(cfg->ramdisk);
    free(cfg->cmdline);
    free(cfg->extra);
    free(cfg->root);
    memset(cfg, 0, sizeof(*cfg));
}
