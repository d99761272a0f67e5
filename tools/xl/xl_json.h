/* Small helpers over yajl's generator for xl's -l output. */
#ifndef XL_JSON_H
#define XL_JSON_H

#include <stdint.h>
#include <yajl/yajl_gen.h>

yajl_gen xl_json_open(void);
/* Print the document to stdout and free the generator; 0 or EXIT_FAILURE. */
int xl_json_close(yajl_gen g);
void xl_json_key(yajl_gen g, const char *key);
void xl_json_str(yajl_gen g, const char *key, const char *val);
void xl_json_u64(yajl_gen g, const char *key, uint64_t val);
void xl_json_i64(yajl_gen g, const char *key, int64_t val);
void xl_json_bool(yajl_gen g, const char *key, int val);
void xl_json_hex(yajl_gen g, const char *key, uint64_t val);

#endif
