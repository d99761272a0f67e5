/* yajl helpers: keys and values in one call, exact 64-bit numbers. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xl.h"
#include "xl_json.h"

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
