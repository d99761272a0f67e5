/* libxl_utils.h: name/id helpers of dbgvisor's libxl-compatible subset. */
#ifndef LIBXL_UTILS_H
#define LIBXL_UTILS_H

#include <libxl.h>

/* 0, or ERROR_INVAL if no domain has that name (as Xen). */
int libxl_name_to_domid(libxl_ctx *ctx, const char *name, uint32_t *domid);
/* malloc'd name, or NULL if the domain does not exist. */
char *libxl_domid_to_name(libxl_ctx *ctx, uint32_t domid);

#endif
