/* Shared by the control backend's files (control_backend*.c). */
#ifndef COMMON_CONTROL_BACKEND_H
#define COMMON_CONTROL_BACKEND_H

#include <dbgvisor/domain.h>

/* The live domain with this id; else NULL and *rc = -DBGV_ESRCH. */
struct domain *ctl_backend_lookup(uint32_t domid, int *rc);

#endif
