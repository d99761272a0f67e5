/* Helpers shared by xl's command families (see xl_utils.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "xl_utils.h"

bool xl_domain_ended(const struct dbgv_ctl_dominfo *d)
{
    return d->state == DBGV_DOMSTATE_SHUTDOWN || d->state == DBGV_DOMSTATE_CRASHED;
}

void xl_state_letters(const struct dbgv_ctl_dominfo *d, char out[7])
{
    static const char reason_letters[] = "-rscw";
    bool shut = xl_domain_ended(d);

    memcpy(out, "------", 7);
    if ( d->state == DBGV_DOMSTATE_RUNNING ) out[0] = 'r';
    if ( d->state == DBGV_DOMSTATE_BLOCKED ) out[1] = 'b';
    if ( d->state == DBGV_DOMSTATE_PAUSED )  out[2] = 'p';
    if ( shut ) out[3] = 's';
    if ( d->state == DBGV_DOMSTATE_CRASHED )
        out[4] = 'c';
    else if ( shut && d->shutdown_reason < sizeof(reason_letters) - 1 )
        out[4] = reason_letters[d->shutdown_reason];
    if ( d->state == DBGV_DOMSTATE_DYING )   out[5] = 'd';
}

void xl_uuid_of(uint32_t domid, char out[37])
{
    snprintf(out, 37, "00000000-0000-0000-0000-%012x", domid);
}

int xl_select_domains(int argc, char **argv, struct dbgv_ctl_dominfo **doms,
                      unsigned int *nr)
{
    struct dbgv_ctl_dominfo *sel = NULL;
    int rc;

    if ( (rc = dbgctl_domain_list(xl_ctx(), doms, nr)) )
        return xl_err("listing domains: %s", dbgctl_strerror(rc));
    if ( argc == 0 )
        return 0;

    sel = calloc(argc, sizeof(*sel));
    if ( !sel )
    {
        rc = xl_err("out of memory");
        goto out;
    }
    for ( int i = 0; i < argc; i++ )
    {
        uint32_t id;
        unsigned int k;

        if ( (rc = xl_find_domain(argv[i], &id)) )
            goto out;
        for ( k = 0; k < *nr && (*doms)[k].domid != id; k++ )
            ;
        if ( k == *nr )
        {
            rc = xl_err("unknown domain '%s'", argv[i]);
            goto out;
        }
        sel[i] = (*doms)[k];
    }
    free(*doms);
    *doms = sel;
    *nr = argc;
    sel = NULL;
 out:
    free(sel);
    return rc;
}

void xl_print_bitmap(uint32_t map, unsigned int nbits, FILE *f)
{
    uint32_t all = nbits >= 32 ? UINT32_MAX : (1u << nbits) - 1;
    bool first = true;

    map &= all;
    if ( map == all )
    {
        fputs("all", f);
        return;
    }
    if ( !map )
    {
        fputs("none", f);
        return;
    }
    for ( unsigned int i = 0; i < nbits; i++ )
    {
        unsigned int end = i;

        if ( !(map & (1u << i)) )
            continue;
        while ( end + 1 < nbits && (map & (1u << (end + 1))) )
            end++;
        fprintf(f, "%s%u", first ? "" : ",", i);
        if ( end > i )
            fprintf(f, "-%u", end);
        first = false;
        i = end;
    }
}

/* One "N", "N-M" or "all" of a range list; false if malformed. */
static bool parse_range(const char *s, unsigned int nbits, unsigned long *a, unsigned long *b)
{
    char *end;

    if ( !strcmp(s, "all") )
    {
        *a = 0;
        *b = nbits - 1;
        return true;
    }
    if ( !isdigit((unsigned char)*s) )
        return false;
    *a = *b = strtoul(s, &end, 10);
    if ( *end == '-' )
    {
        if ( !isdigit((unsigned char)end[1]) )
            return false;
        *b = strtoul(end + 1, &end, 10);
    }
    return *end == '\0' && *a <= *b;
}

int xl_parse_cpurange(const char *s, unsigned int nbits, uint32_t *map)
{
    char *copy = strdup(s), *tok, *save = NULL;
    int rc = 0;

    if ( !copy )
        return xl_err("out of memory"), -1;
    *map = 0;
    for ( tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save) )
    {
        bool not = *tok == '^';
        unsigned long a, b;

        if ( !parse_range(tok + not, nbits, &a, &b) )
        {
            fprintf(stderr, "Invalid argument %s as cpu range.\n", s);
            rc = -1;
            break;
        }
        if ( b >= nbits )
        {
            fprintf(stderr, "cpu %lu illegal\n", b);
            rc = -1;
            break;
        }
        for ( unsigned long i = a; i <= b; i++ )
            if ( not )
                *map &= ~(1u << i);
            else
                *map |= 1u << i;
    }
    free(copy);
    return rc;
}

int64_t xl_parse_mem_size_kb(const char *mem)
{
    char *end;
    int64_t kb;

    errno = 0;
    kb = strtoll(mem, &end, 10);
    if ( end == mem || errno || kb < 0 || strlen(end) > 1 )
        return -1;
    switch ( tolower((unsigned char)*end) )
    {
    case 't': return kb << 30;
    case 'g': return kb << 20;
    case '\0':
    case 'm': return kb << 10;
    case 'k': return kb;
    case 'b': return kb >> 10;
    default:  return -1;
    }
}
