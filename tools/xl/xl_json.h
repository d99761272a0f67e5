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

/* What a domain's configuration says, for Xen's libxl_domain_config JSON. */
struct xl_json_domain {
    int64_t domid;            /* -1: null (a dry run) */
    const char *type;         /* "hvm"; "pv" for Domain-0 */
    const char *name;
    unsigned int max_vcpus;
    uint64_t max_memkb, target_memkb;
    const char *kernel, *ramdisk, *cmdline;   /* NULL: not known, left out */
    const char *on_poweroff, *on_reboot, *on_crash, *on_watchdog;  /* NULL: left out */
};
/*
 * Opens one element of Xen's `xl list -l` / `create -n` array:
 *   {"domid": N, "config": {"c_info": {...}, "b_info": {...}, "on_*": ...},
 * and leaves the element's map open for the caller's "dbgvisor" object
 * (dbgvisor's own fields, apart from Xen's), then yajl_gen_map_close().
 */
void xl_json_domain_open(yajl_gen g, const struct xl_json_domain *d);

#endif
