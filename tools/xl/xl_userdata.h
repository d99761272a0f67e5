/*
 * Each domain's configuration as `xl create` parsed it, kept for later xl
 * commands as Xen's libxl keeps a domain's "userdata" (libxl-json): in the
 * state directory beside the control socket (xl_state_path).
 */
#ifndef XL_USERDATA_H
#define XL_USERDATA_H

#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>
#include "xl_json.h"

/* DIR/FILE, DIR being the control socket's directory (the per-user runtime
 * directory, or a test's own): Xen's /var/log/xen and /var/lib/xen in one.
 * 0, or -1 if it does not fit. */
int xl_state_path(const char *file, char *out, size_t len);

/* Store d (Xen's libxl_domain_config JSON) as domid's; prunes the files of
 * domains that are gone. 0, or EXIT_FAILURE with the error printed. */
int xl_userdata_store(uint32_t domid, const struct xl_json_domain *d);
/* domid's stored configuration, parsed, or NULL (none: a boot-time domain,
 * or one created by an earlier hypervisor). Free with yajl_tree_free. */
yajl_val xl_userdata_load(uint32_t domid);
/* Forget domid's configuration (its domain is gone). */
void xl_userdata_remove(uint32_t domid);
/* A string of a loaded configuration: path such as {"b_info", "kernel"}. */
const char *xl_userdata_str(yajl_val cfg, const char *a, const char *b);

#endif
