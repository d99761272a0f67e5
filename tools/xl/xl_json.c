/* yajl helpers: keys and values in one call, exact 64-bit numbers. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xl.h"
#include "xl_json.h"
#include "xl_utils.h"

yajl_gen xl_json_open(void)
{
    yajl_gen g = yajl_gen_alloc(NULL);

    if ( g )
        yajl_gen_config(g, yajl_gen_beautify, 1);
    return g;
}

int xl_json_close(yajl_gen g)
{
    const unsigned char *buf;
    size_t len;
    int rc = EXIT_SUCCESS;

    if ( yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok )
        rc = xl_err("generating JSON failed");
    else if ( fwrite(buf, 1, len, stdout) != len )
        rc = xl_err("writing JSON failed");
    yajl_gen_free(g);
    return rc;
}

void xl_json_key(yajl_gen g, const char *key)
{
    yajl_gen_string(g, (const unsigned char *)key, strlen(key));
}

void xl_json_str(yajl_gen g, const char *key, const char *val)
{
    xl_json_key(g, key);
    yajl_gen_string(g, (const unsigned char *)val, strlen(val));
}

/* yajl_gen_integer is a long long: print the digits so no value is lost. */
void xl_json_u64(yajl_gen g, const char *key, uint64_t val)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%" PRIu64, val);

    xl_json_key(g, key);
    yajl_gen_number(g, num, n);
}

void xl_json_i64(yajl_gen g, const char *key, int64_t val)
{
    xl_json_key(g, key);
    yajl_gen_integer(g, val);
}

void xl_json_bool(yajl_gen g, const char *key, int val)
{
    xl_json_key(g, key);
    yajl_gen_bool(g, val);
}

void xl_json_hex(yajl_gen g, const char *key, uint64_t val)
{
    char num[24];

    snprintf(num, sizeof(num), "0x%" PRIx64, val);
    xl_json_str(g, key, num);
}

/* Xen's action names are libxl's enum strings ("coredump_destroy"). */
static void action(yajl_gen g, const char *key, const char *xl_name)
{
    char buf[32];

    if ( !xl_name )
        return;
    snprintf(buf, sizeof(buf), "%s", xl_name);
    for ( char *p = buf; *p; p++ )
        if ( *p == '-' )
            *p = '_';
    xl_json_str(g, key, buf);
}

void xl_json_domain_open(yajl_gen g, const struct xl_json_domain *d)
{
    char uuid[37];

    yajl_gen_map_open(g);
    xl_json_key(g, "domid");
    if ( d->domid < 0 )
        yajl_gen_null(g);
    else
        yajl_gen_integer(g, d->domid);
    xl_json_key(g, "config");
    yajl_gen_map_open(g);

    xl_json_key(g, "c_info");
    yajl_gen_map_open(g);
    xl_json_str(g, "type", d->type);
    xl_json_str(g, "name", d->name);
    xl_uuid_of(d->domid < 0 ? 0 : (uint32_t)d->domid, uuid);
    xl_json_str(g, "uuid", uuid);
    yajl_gen_map_close(g);

    xl_json_key(g, "b_info");
    yajl_gen_map_open(g);
    xl_json_i64(g, "max_vcpus", d->max_vcpus);
    xl_json_key(g, "avail_vcpus");
    yajl_gen_array_open(g);
    for ( unsigned int i = 0; i < d->max_vcpus; i++ )
        yajl_gen_integer(g, i);
    yajl_gen_array_close(g);
    xl_json_u64(g, "max_memkb", d->max_memkb);
    xl_json_u64(g, "target_memkb", d->target_memkb);
    if ( d->kernel )
        xl_json_str(g, "kernel", d->kernel);
    if ( d->cmdline )
        xl_json_str(g, "cmdline", d->cmdline);
    if ( d->ramdisk )
        xl_json_str(g, "ramdisk", d->ramdisk);
    /* Xen's keyed union: the fields of this type (none of them here). */
    xl_json_key(g, strcmp(d->type, "hvm") ? "type.pv" : "type.hvm");
    yajl_gen_map_open(g);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);

    action(g, "on_poweroff", d->on_poweroff);
    action(g, "on_reboot", d->on_reboot);
    action(g, "on_watchdog", d->on_watchdog);
    action(g, "on_crash", d->on_crash);
    yajl_gen_map_close(g);          /* config */
}
