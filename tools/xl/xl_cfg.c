/*
 * xl.cfg parser, Xen 4.17's grammar (libxlutil, xl.cfg(5)):
 *   file    := { [ setting ] ( '\n' | ';' ) } [ setting ]
 *   setting := NAME ( '=' | '+=' ) value
 *   value   := STRING | NUMBER | '[' { '\n' } [ value { '\n' } { ',' { '\n' } value { '\n' } }
 *              [ ',' { '\n' } ] ] ']'
 *   NAME    := [a-z][a-z0-9._]*      NUMBER := [0-9][0-9a-fx]*
 *   STRING  := "..." | '...' with C escapes; '#' starts a comment to the end of the line.
 * As in Xen, a number and a string are the same kind of atom: numbers are
 * read with strtol(base 0) whether quoted or not. '+=' appends to a string
 * or a list set earlier (or sets it). A later setting wins. Unknown names
 * are ignored, silently unless the caller asks for notes. Syntax errors are all
 * reported, one per line, as "FILE:LINE: config parsing error near `X': ...".
 * Where Xen only warns about a bad value of a known option and goes on with
 * the default, dbgvisor refuses it (docs/xl.md).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <debugctl.h>
#include "xl_cfg.h"

/* A value: a string (quoted or a number) or a list of values. */
struct cfg_value {
    bool is_list;
    char *str;
    struct cfg_value **items;
    size_t n, cap;
};

/* One "name = value" or "name += value" as written (Xen's store). */
struct xl_cfg_setting {
    char *name;
    char *source;                   /* file name or "<command line>" */
    int line;
    bool appended;                  /* written with += */
    struct cfg_value *value;        /* after += : the combined value */
    struct xl_cfg_setting *next;    /* older settings */
};

/* ------------------------------------------------------------------ */
/* Values                                                             */

static void value_free(struct cfg_value *v)
{
    if ( !v )
        return;
    for ( size_t i = 0; i < v->n; i++ )
        value_free(v->items[i]);
    free(v->items);
    free(v->str);
    free(v);
}

static int list_append(struct cfg_value *list, struct cfg_value *item)
{
    if ( list->n == list->cap )
    {
        size_t cap = list->cap ? list->cap * 2 : 4;
        struct cfg_value **t = realloc(list->items, cap * sizeof(*t));

        if ( !t )
            return -1;
        list->items = t;
        list->cap = cap;
    }
    list->items[list->n++] = item;
    return 0;
}

static struct cfg_value *value_copy(const struct cfg_value *v)
{
    struct cfg_value *c = calloc(1, sizeof(*c));

    if ( !c )
        return NULL;
    c->is_list = v->is_list;
    if ( v->str && !(c->str = strdup(v->str)) )
        goto fail;
    for ( size_t i = 0; i < v->n; i++ )
    {
        struct cfg_value *item = value_copy(v->items[i]);

        if ( !item || list_append(c, item) )
        {
            value_free(item);
            goto fail;
        }
    }
    return c;
 fail:
    value_free(c);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Lexer                                                              */

enum tok {
    T_EOF, T_NL, T_NAME, T_NUMBER, T_STRING, T_SET, T_ADD, T_SEMI,
    T_OPEN, T_CLOSE, T_COMMA, T_BAD,
};

struct parser {
    const char *p, *end, *fname;
    int line;                       /* of the next character */
    /* The current token. */
    enum tok t;
    const char *text;
    size_t len;
    int tline;
    const char *bad;                /* T_BAD: why */
    /* Errors, joined with '\n'. */
    char *err;
    size_t errlen, errused;
    int nerr, last_err_line;
};

static const char python_chars[] = "+-.():";

/* One error per line, as Xen. Returns -1. */
static int syntax_error(struct parser *ps, const char *msg)
{
    int n;

    if ( ps->nerr && ps->last_err_line == ps->tline )
        return -1;
    ps->nerr++;
    ps->last_err_line = ps->tline;
    if ( ps->errused + 1 >= ps->errlen )
        return -1;
    if ( ps->t == T_NL || ps->t == T_EOF )
        n = snprintf(ps->err + ps->errused, ps->errlen - ps->errused,
                     "%s%s:%d: config parsing error near %s: %s", ps->errused ? "\n" : "",
                     ps->fname, ps->tline, ps->t == T_NL ? "<newline>" : "<end of file>", msg);
    else
        n = snprintf(ps->err + ps->errused, ps->errlen - ps->errused,
                     "%s%s:%d: config parsing error near `%.*s': %s", ps->errused ? "\n" : "",
                     ps->fname, ps->tline, (int)(ps->len > 60 ? 60 : ps->len), ps->text, msg);
    if ( n > 0 )
        ps->errused += (size_t)n < ps->errlen - ps->errused ? (size_t)n
                                                            : ps->errlen - ps->errused - 1;
    return -1;
}

static bool name_start(char c) { return c >= 'a' && c <= 'z'; }
static bool name_char(char c)
{
    return name_start(c) || isdigit((unsigned char)c) || c == '_' || c == '.';
}
static bool number_char(char c)
{
    return isdigit((unsigned char)c) || (c >= 'a' && c <= 'f') || c == 'x';
}

static void next(struct parser *ps)
{
    const char *s = NULL;

    /* Blanks; '\r' too, so DOS line ends are accepted (Xen refuses them). */
    while ( ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r') )
        ps->p++;
    if ( ps->p < ps->end && *ps->p == '#' )
        while ( ps->p < ps->end && *ps->p != '\n' )
            ps->p++;
    s = ps->text = ps->p;
    ps->tline = ps->line;
    ps->len = 1;
    if ( s >= ps->end )
    {
        ps->t = T_EOF;
        ps->len = 0;
        return;
    }
    if ( *s == '\n' )
    {
        ps->t = T_NL;
        ps->p++;
        ps->line++;
        return;
    }
    if ( name_start(*s) || isdigit((unsigned char)*s) )
    {
        bool (*more)(char) = name_start(*s) ? name_char : number_char;

        ps->t = name_start(*s) ? T_NAME : T_NUMBER;
        for ( ps->p++; ps->p < ps->end && more(*ps->p); ps->p++ )
            ;
        ps->len = ps->p - s;
        return;
    }
    if ( *s == '"' || *s == '\'' )
    {
        for ( ps->p++; ps->p < ps->end && *ps->p != *s && *ps->p != '\n'; ps->p++ )
            if ( *ps->p == '\\' && ps->p + 1 < ps->end && ps->p[1] != '\n' )
                ps->p++;
        ps->len = ps->p - s;
        if ( ps->p >= ps->end || *ps->p != *s )
        {
            ps->t = T_BAD;
            ps->bad = "unterminated string";
            return;
        }
        ps->p++;
        ps->len++;
        ps->t = T_STRING;
        return;
    }
    ps->p++;
    switch ( *s )
    {
    case '=': ps->t = T_SET; return;
    case ';': ps->t = T_SEMI; return;
    case '[': ps->t = T_OPEN; return;
    case ']': ps->t = T_CLOSE; return;
    case ',': ps->t = T_COMMA; return;
    case '+':
        if ( ps->p < ps->end && *ps->p == '=' )
        {
            ps->p++;
            ps->len = 2;
            ps->t = T_ADD;
            return;
        }
        break;
    }
    /* Anything else: a lexical error over the rest of the word. */
    while ( ps->p < ps->end && !strchr(" \t\r\n", *ps->p) )
        ps->p++;
    ps->len = ps->p - s;
    ps->t = T_BAD;
    if ( strchr(python_chars, *s) )
        ps->bad = "unexpected character (Python syntax and arithmetic are not supported)";
    else if ( isupper((unsigned char)*s) || *s == '_' )
        ps->bad = "unexpected character (option names are lower case; quote other text)";
    else
        ps->bad = "unexpected character";
}

/* Xen's escapes; \xHH and \ooo give that byte. NUL is refused. */
static char *dequote(struct parser *ps)
{
    const char *s = ps->text + 1, *e = ps->text + ps->len - 1;
    char *out = malloc(ps->len), *q = out;

    if ( !out )
        return NULL;
    while ( s < e )
    {
        char c = *s++;

        if ( c == '\\' )
        {
            static const char from[] = "\"'\\abfnrtv", to[] = "\"'\\\a\b\f\n\r\t\v";
            const char *m;
            char nc = *s++;

            if ( nc && (m = strchr(from, nc)) )
                c = to[m - from];
            else if ( nc == 'x' || (nc >= '0' && nc <= '7') )
            {
                int base = nc == 'x' ? 16 : 8, max = nc == 'x' ? 2 : 3, v = 0, digits = 0;

                if ( nc != 'x' )
                    s--;
                for ( ; digits < max && s < e && isxdigit((unsigned char)*s) &&
                        (base == 16 || (*s >= '0' && *s <= '7')); digits++, s++ )
                    v = v * base + (isdigit((unsigned char)*s) ? *s - '0'
                                                                : tolower((unsigned char)*s) - 'a' + 10);
                if ( !digits || v == 0 || v > 255 )
                {
                    free(out);
                    syntax_error(ps, !digits ? "invalid digit in numeric escape in quoted string"
                                             : "numeric escape out of range (1 to 255) in quoted string");
                    return NULL;
                }
                c = (char)v;
            }
            else
            {
                free(out);
                syntax_error(ps, "invalid character after backslash in quoted string");
                return NULL;
            }
        }
        if ( c == '\0' )
        {
            free(out);
            syntax_error(ps, "NUL byte in quoted string");
            return NULL;
        }
        *q++ = c;
    }
    *q = '\0';
    return out;
}

/* ------------------------------------------------------------------ */
/* Parser                                                             */

#define MAX_DEPTH 32

static void skip_newlines(struct parser *ps)
{
    while ( ps->t == T_NL )
        next(ps);
}

static const char expect_value[] = "expected a value (a quoted string, a number or a [list])";

/* The current token starts a value; on return the current token is the one
 * after it. NULL on error (reported). */
static struct cfg_value *parse_value(struct parser *ps, int depth)
{
    struct cfg_value *v;

    if ( ps->t == T_BAD )
    {
        syntax_error(ps, ps->bad);
        return NULL;
    }
    if ( ps->t != T_STRING && ps->t != T_NUMBER && ps->t != T_OPEN )
    {
        syntax_error(ps, expect_value);
        return NULL;
    }
    if ( !(v = calloc(1, sizeof(*v))) )
        goto oom;
    if ( ps->t == T_STRING || ps->t == T_NUMBER )
    {
        v->str = ps->t == T_STRING ? dequote(ps) : strndup(ps->text, ps->len);
        if ( !v->str )
        {
            value_free(v);
            return ps->nerr ? NULL : (syntax_error(ps, "out of memory"), NULL);
        }
        next(ps);
        return v;
    }
    v->is_list = true;
    if ( depth >= MAX_DEPTH )
    {
        value_free(v);
        syntax_error(ps, "lists nested too deeply");
        return NULL;
    }
    next(ps);
    skip_newlines(ps);
    while ( ps->t != T_CLOSE )
    {
        struct cfg_value *item = parse_value(ps, depth + 1);

        if ( !item )
            goto fail;
        if ( list_append(v, item) )
        {
            value_free(item);
            goto oom;
        }
        skip_newlines(ps);
        if ( ps->t == T_COMMA )
        {
            next(ps);
            skip_newlines(ps);
        }
        else if ( ps->t != T_CLOSE )
        {
            syntax_error(ps, ps->t == T_BAD ? ps->bad : "expected ',' or ']'");
            goto fail;
        }
    }
    next(ps);
    return v;
 oom:
    syntax_error(ps, "out of memory");
 fail:
    value_free(v);
    return NULL;
}

/* After an error: on to the next line outside any list (Xen: error NEWLINE). */
static void recover(struct parser *ps)
{
    int depth = 0;

    for ( ;; )
    {
        if ( ps->t == T_EOF )
            return;
        if ( ps->t == T_NL && depth <= 0 )
            return;
        depth += ps->t == T_OPEN ? 1 : ps->t == T_CLOSE ? -1 : 0;
        next(ps);
    }
}

static struct xl_cfg_setting *find(const struct xl_cfg *cfg, const char *name)
{
    for ( struct xl_cfg_setting *s = cfg->settings; s; s = s->next )
        if ( !strcmp(s->name, name) )
            return s;
    return NULL;
}

/* "+=": the earlier value, then this one. */
static int combine(const struct cfg_value *prev, struct cfg_value *v)
{
    if ( prev->is_list != v->is_list )
        return -2;
    if ( !v->is_list )
    {
        char *s;

        if ( asprintf(&s, "%s%s", prev->str, v->str) < 0 )
            return -1;
        free(v->str);
        v->str = s;
        return 0;
    }
    {
        struct cfg_value *all = value_copy(prev);

        if ( !all )
            return -1;
        for ( size_t i = 0; i < v->n; i++ )
            if ( list_append(all, v->items[i]) )
            {
                /* Items appended so far belong to both: give them back. */
                all->n -= i;
                value_free(all);
                return -1;
            }
        free(v->items);
        *v = *all;
        free(all);
        return 0;
    }
}

static bool known_key(const char *name);

static int store(struct xl_cfg *cfg, struct parser *ps, char *name, int line, bool add,
                 struct cfg_value *v, xl_cfg_warn_fn warn, char **verr)
{
    struct xl_cfg_setting *s, *prev = add ? find(cfg, name) : NULL;
    int rc;

    if ( prev && (rc = combine(prev->value, v)) )
    {
        if ( rc == -2 &&
             asprintf(verr, "%s:%d: can't add [list] to \"string\" or vice versa",
                      ps->fname, line) < 0 )
            *verr = NULL;
        goto fail;
    }
    if ( !(s = calloc(1, sizeof(*s))) || !(s->source = strdup(ps->fname)) )
    {
        free(s);
        goto fail;
    }
    s->name = name;
    s->line = line;
    s->appended = add;
    s->value = v;
    s->next = cfg->settings;
    cfg->settings = s;
    if ( warn && !known_key(name) )
    {
        char msg[200];

        snprintf(msg, sizeof(msg), "%s:%d: ignoring unsupported option '%s'",
                 ps->fname, line, name);
        warn(msg);
    }
    return 0;
 fail:
    free(name);
    value_free(v);
    return -1;
}

/* Text into settings (Xen's libxlutil step). -1: errors in ps->err or verr. */
static int parse_settings(struct xl_cfg *cfg, struct parser *ps, xl_cfg_warn_fn warn, char **verr)
{
    for ( next(ps); ps->t != T_EOF; )
    {
        struct cfg_value *v;
        char *name;
        bool add;
        int line;

        if ( ps->t == T_NL || ps->t == T_SEMI )
        {
            next(ps);
            continue;
        }
        if ( ps->t != T_NAME )
        {
            syntax_error(ps, ps->t == T_BAD ? ps->bad : "expected an option name");
            recover(ps);
            continue;
        }
        name = strndup(ps->text, ps->len);
        line = ps->tline;
        next(ps);
        if ( ps->t != T_SET && ps->t != T_ADD )
        {
            free(name);
            syntax_error(ps, ps->t == T_BAD ? ps->bad : "expected '=' or '+='");
            recover(ps);
            continue;
        }
        add = ps->t == T_ADD;
        next(ps);
        if ( !(v = parse_value(ps, 0)) )
        {
            free(name);
            recover(ps);
            continue;
        }
        if ( ps->t != T_NL && ps->t != T_SEMI && ps->t != T_EOF )
        {
            free(name);
            value_free(v);
            syntax_error(ps, ps->t == T_BAD ? ps->bad : "expected a newline or ';' after the value");
            recover(ps);
            continue;
        }
        if ( !name )
        {
            value_free(v);
            return syntax_error(ps, "out of memory");
        }
        if ( ps->nerr )             /* keep only the syntax errors' report */
        {
            free(name);
            value_free(v);
            continue;
        }
        if ( store(cfg, ps, name, line, add, v, warn, verr) )
            return -1;
    }
    return ps->nerr ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Options                                                            */

struct getter {
    const struct xl_cfg_setting *set;
    char *err;
    size_t errlen;
};

static int verr(struct getter *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int verr(struct getter *g, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(g->err, g->errlen, "%s:%d: ", g->set->source, g->set->line);

    if ( n >= 0 && (size_t)n < g->errlen )
    {
        va_start(ap, fmt);
        vsnprintf(g->err + n, g->errlen - n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int get_string(struct getter *g, const char **out)
{
    if ( g->set->value->is_list )
        return verr(g, "parameter `%s' is a list but should be a single value", g->set->name);
    *out = g->set->value->str;
    return 0;
}

/* Xen's xlu_cfg_get_long: strtol(base 0) of the atom, no '+='. */
static int get_long(struct getter *g, long *out)
{
    const char *s = NULL;
    char *e;

    if ( get_string(g, &s) )
        return -1;
    if ( g->set->appended )
        return verr(g, "can't use += with numbers for parameter `%s'", g->set->name);
    errno = 0;
    *out = strtol(s, &e, 0);
    if ( errno )
        return verr(g, "parameter `%s' could not be parsed as a number: %s", g->set->name,
                    strerror(errno));
    if ( *e || e == s )
        return verr(g, "parameter `%s' is not a valid number", g->set->name);
    return 0;
}

static int get_ranged(struct getter *g, long min, long max, const char *unit, uint32_t *dst)
{
    long v;

    if ( get_long(g, &v) )
        return -1;
    if ( v < min || v > max )
        return verr(g, "%s = %ld: must be between %ld and %ld%s", g->set->name, v, min, max, unit);
    *dst = (uint32_t)v;
    return 0;
}

static int set_string(struct getter *g, char **dst)
{
    const char *s = NULL;

    if ( get_string(g, &s) )
        return -1;
    free(*dst);
    if ( !(*dst = strdup(s)) )
        return verr(g, "out of memory");
    return 0;
}

static int opt_name(struct xl_cfg *cfg, struct getter *g)
{
    if ( set_string(g, &cfg->name) )
        return -1;
    for ( const char *c = cfg->name; *c; c++ )
        if ( !isalnum((unsigned char)*c) && !strchr("_.-", *c) )
            return verr(g, "name may only contain letters, digits, '_', '.' and '-'");
    if ( !*cfg->name || strlen(cfg->name) >= DBGV_CTL_NAME_LEN )
        return verr(g, "name must be 1 to %d characters", DBGV_CTL_NAME_LEN - 1);
    return 0;
}

static int opt_file(struct getter *g, char **dst)
{
    if ( set_string(g, dst) )
        return -1;
    return **dst ? 0 : verr(g, "%s must not be empty", g->set->name);
}
static int opt_kernel(struct xl_cfg *cfg, struct getter *g) { return opt_file(g, &cfg->kernel); }
static int opt_ramdisk(struct xl_cfg *cfg, struct getter *g) { return opt_file(g, &cfg->ramdisk); }

static int opt_cmdline_part(struct getter *g, char **dst)
{
    if ( set_string(g, dst) )
        return -1;
    return strlen(*dst) > 4096 ? verr(g, "%s too long", g->set->name) : 0;
}
static int opt_cmdline(struct xl_cfg *cfg, struct getter *g) { return opt_cmdline_part(g, &cfg->cmdline); }
static int opt_extra(struct xl_cfg *cfg, struct getter *g) { return opt_cmdline_part(g, &cfg->extra); }
static int opt_root(struct xl_cfg *cfg, struct getter *g) { return opt_cmdline_part(g, &cfg->root); }

static int opt_memory(struct xl_cfg *cfg, struct getter *g)
{
    return get_ranged(g, 1, 1l << 20, " (MiB)", &cfg->memory_mib);
}

/* vcpus and maxvcpus: the hypervisor's per-domain limit. */
static int vcpu_count(struct getter *g, uint32_t *dst)
{
    long v;

    if ( get_long(g, &v) )
        return -1;
    if ( v < 1 )
        return verr(g, "%s = %ld: a domain needs at least 1 vCPU", g->set->name, v);
    if ( v > DBGV_MAX_VCPUS_PER_DOMAIN )
        return verr(g, "%s = %ld: dbgvisor runs at most %d vCPUs per domain", g->set->name, v,
                    DBGV_MAX_VCPUS_PER_DOMAIN);
    *dst = (uint32_t)v;
    return 0;
}
static int opt_vcpus(struct xl_cfg *cfg, struct getter *g) { return vcpu_count(g, &cfg->vcpus); }
static int opt_maxvcpus(struct xl_cfg *cfg, struct getter *g) { return vcpu_count(g, &cfg->max_vcpus); }

static int opt_quiet_switches(struct xl_cfg *cfg, struct getter *g)
{
    return get_ranged(g, 1, UINT32_MAX, "", &cfg->quiet_switches);
}

const char *xl_name_list(char *buf, size_t len, const char *(*name)(unsigned int),
                         unsigned int first, unsigned int end)
{
    size_t n = 0;

    buf[0] = '\0';
    for ( unsigned int i = first; i < end && n < len; i++ )
        n += (size_t)snprintf(buf + n, len - n, "%s%s", i > first ? ", " : "", name(i));
    return buf;
}

static int opt_debug_policy(struct xl_cfg *cfg, struct getter *g)
{
    const char *s = NULL;
    char names[XL_NAME_LIST_LEN];

    if ( get_string(g, &s) )
        return -1;
    cfg->debug_policy = dbgctl_policy_parse(s);
    if ( cfg->debug_policy < 0 )
        return verr(g, "unknown debug_policy '%s' (%s)", s,
                    xl_name_list(names, sizeof(names), dbgctl_policy_name, 0, DBGV_POLICY_COUNT));
    return 0;
}

static int opt_unbacked_access(struct xl_cfg *cfg, struct getter *g)
{
    const char *s = NULL;
    char names[XL_NAME_LIST_LEN];
    int mode;

    if ( get_string(g, &s) )
        return -1;
    if ( (mode = dbgctl_unbacked_access_parse(s)) < 0 )
        return verr(g, "unknown unbacked_access '%s' (%s)", s,
                    xl_name_list(names, sizeof(names), dbgctl_unbacked_access_name, 0,
                                 DBGV_UNBACKED_COUNT));
    cfg->unbacked_access = (unsigned int)mode;
    return 0;
}

/* timer_mode = "one_missed_tick_pending" (Xen's names), or Xen's deprecated
 * numbers, which are the public enum's (0 being delay_for_missed_ticks). */
static int opt_timer_mode(struct xl_cfg *cfg, struct getter *g)
{
    const char *s = NULL;
    char *end, names[XL_NAME_LIST_LEN];
    long n;
    int mode;

    if ( get_string(g, &s) )
        return -1;
    n = strtol(s, &end, 0);
    if ( *s && !*end && n > 0 && n < DBGV_TIMER_MODE_COUNT )
    {
        cfg->timer_mode = (unsigned int)n;
        return 0;
    }
    if ( !strcmp(s, "delay_for_missed_ticks") || (*s && !*end && n == 0) )
        return verr(g, "timer_mode \"%s\" is not supported (guest time is the host's"
                    " TSC and is never held back)", s);
    if ( (mode = dbgctl_timer_mode_parse(s)) < 0 )
        return verr(g, "unknown timer_mode '%s' (%s)", s,
                    xl_name_list(names, sizeof(names), dbgctl_timer_mode_name,
                                 DBGV_TIMER_MODE_NO_DELAY_FOR_MISSED_TICKS, DBGV_TIMER_MODE_COUNT));
    cfg->timer_mode = (unsigned int)mode;
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
static int set_action(struct getter *g, enum xl_action *dst)
{
    const char *s = NULL, *key = g->set->name;

    if ( get_string(g, &s) )
        return -1;
    for ( int a = 0; a < XL_ACTION_COUNT; a++ )
        if ( !strcmp(s, action_names[a]) )
        {
            if ( a == XL_ACTION_COREDUMP_DESTROY || a == XL_ACTION_COREDUMP_RESTART )
                return verr(g, "%s = \"%s\" is not supported (no core dumps; use"
                            " \"preserve\" and the xl debug-* commands)", key, s);
            if ( a == XL_ACTION_RENAME_RESTART )
                return verr(g, "%s = \"%s\" is not supported (domains cannot be"
                            " renamed)", key, s);
            *dst = (enum xl_action)a;
            return 0;
        }
    return verr(g, "unknown %s action '%s' (destroy, restart, preserve)", key, s);
}
static int opt_on_poweroff(struct xl_cfg *cfg, struct getter *g)
{
    return set_action(g, &cfg->on_shutdown[DBGV_SHUTDOWN_POWEROFF]);
}
static int opt_on_reboot(struct xl_cfg *cfg, struct getter *g)
{
    return set_action(g, &cfg->on_shutdown[DBGV_SHUTDOWN_REBOOT]);
}
static int opt_on_crash(struct xl_cfg *cfg, struct getter *g)
{
    return set_action(g, &cfg->on_shutdown[DBGV_SHUTDOWN_CRASH]);
}
static int opt_on_watchdog(struct xl_cfg *cfg, struct getter *g)
{
    return set_action(g, &cfg->on_shutdown[DBGV_SHUTDOWN_WATCHDOG]);
}

/* The options dbgvisor reads; every other name is ignored (as Xen). */
static const struct option_spec {
    const char *name;
    int (*apply)(struct xl_cfg *cfg, struct getter *g);
} options[] = {
    { "name", opt_name }, { "kernel", opt_kernel }, { "ramdisk", opt_ramdisk },
    { "cmdline", opt_cmdline }, { "extra", opt_extra }, { "root", opt_root },
    { "memory", opt_memory }, { "vcpus", opt_vcpus }, { "maxvcpus", opt_maxvcpus },
    { "debug_policy", opt_debug_policy }, { "debug_quiet_switches", opt_quiet_switches },
    { "unbacked_access", opt_unbacked_access }, { "timer_mode", opt_timer_mode },
    { "on_poweroff", opt_on_poweroff }, { "on_reboot", opt_on_reboot },
    { "on_crash", opt_on_crash }, { "on_watchdog", opt_on_watchdog },
};
#define NR_OPTIONS (sizeof(options) / sizeof(options[0]))

static bool known_key(const char *name)
{
    for ( size_t i = 0; i < NR_OPTIONS; i++ )
        if ( !strcmp(name, options[i].name) )
            return true;
    return false;
}

static void reset_options(struct xl_cfg *cfg)
{
    free(cfg->name);
    free(cfg->kernel);
    free(cfg->ramdisk);
    free(cfg->cmdline);
    free(cfg->extra);
    free(cfg->root);
    cfg->name = cfg->kernel = cfg->ramdisk = cfg->cmdline = cfg->extra = cfg->root = NULL;
    cfg->memory_mib = XL_CFG_DEFAULT_MEMORY;
    cfg->vcpus = 1;
    cfg->max_vcpus = 0;
    cfg->debug_policy = -1;
    cfg->quiet_switches = 0;
    cfg->unbacked_access = 0;
    cfg->timer_mode = 0;
    /* Xen's defaults (xl.cfg(5)). */
    cfg->on_shutdown[DBGV_SHUTDOWN_POWEROFF] = XL_ACTION_DESTROY;
    cfg->on_shutdown[DBGV_SHUTDOWN_REBOOT] = XL_ACTION_RESTART;
    cfg->on_shutdown[DBGV_SHUTDOWN_SUSPEND] = XL_ACTION_PRESERVE;
    cfg->on_shutdown[DBGV_SHUTDOWN_CRASH] = XL_ACTION_DESTROY;
    cfg->on_shutdown[DBGV_SHUTDOWN_WATCHDOG] = XL_ACTION_DESTROY;
}

/* The fields from the settings (the newest of each name), in option order. */
static int apply_options(struct xl_cfg *cfg, char *err, size_t errlen)
{
    reset_options(cfg);
    for ( size_t i = 0; i < NR_OPTIONS; i++ )
    {
        struct getter g = { find(cfg, options[i].name), err, errlen };

        if ( g.set && options[i].apply(cfg, &g) )
            return -1;
    }
    return 0;
}

void xl_cfg_init(struct xl_cfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    reset_options(cfg);
}

int xl_cfg_parse(struct xl_cfg *cfg, const char *text, size_t len,
                 const char *fname, xl_cfg_warn_fn warn, char *err,
                 size_t errlen)
{
    struct parser ps = { .p = text, .end = text + len, .fname = fname, .line = 1,
                         .err = err, .errlen = errlen };
    char *value_err = NULL;

    if ( errlen )
        err[0] = '\0';
    if ( parse_settings(cfg, &ps, warn, &value_err) )
    {
        if ( value_err )
            snprintf(err, errlen, "%s", value_err);
        else if ( !ps.nerr )
            snprintf(err, errlen, "%s: out of memory", fname);
        free(value_err);
        return -1;
    }
    return apply_options(cfg, err, errlen);
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
    if ( cfg->max_vcpus && cfg->max_vcpus < cfg->vcpus )
    {
        snprintf(err, errlen, "%s: maxvcpus < vcpus", fname);       /* Xen's words */
        return -1;
    }
    /* Xen starts the vCPUs above vcpus offline, for hot-plug later. */
    if ( cfg->max_vcpus > cfg->vcpus )
    {
        snprintf(err, errlen, "%s: maxvcpus (%u) > vcpus (%u): dbgvisor has no vCPU hot-plug;"
                 " set vcpus = %u", fname, cfg->max_vcpus, cfg->vcpus, cfg->max_vcpus);
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
    struct xl_cfg_setting *s, *n;

    reset_options(cfg);
    for ( s = cfg->settings; s; s = n )
    {
        n = s->next;
        free(s->name);
        free(s->source);
        value_free(s->value);
        free(s);
    }
    memset(cfg, 0, sizeof(*cfg));
}
