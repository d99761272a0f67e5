/* Helpers shared by xl's command families (Xen's xl_utils.c). */
#ifndef XL_UTILS_H
#define XL_UTILS_H

#include <stdint.h>
#include <stdio.h>
#include "xl.h"

/* The domains named in argv (all if argc is 0), as dominfo; *doms is
 * malloc'd. Prints the error itself. */
int xl_select_domains(int argc, char **argv, struct dbgv_ctl_dominfo **doms,
                      unsigned int *nr);
/* Xen's six state columns r b p s <reason> d; crashed shows s and c. */
void xl_state_letters(const struct dbgv_ctl_dominfo *d, char out[7]);
bool xl_domain_ended(const struct dbgv_ctl_dominfo *d);
/* dbgvisor has no UUIDs: a fixed form that carries the domid. */
void xl_uuid_of(uint32_t domid, char out[37]);
/* Xen's print_bitmap(): "all", "none" or ranges "0-1,3" of nbits bits. */
void xl_print_bitmap(uint32_t map, unsigned int nbits, FILE *f);
/* Xen's cpu range syntax "all", "0-2,^1", "3": into *map (bit n = pCPU n,
 * nbits pCPUs). 0, or -1 with Xen's message printed. */
int xl_parse_cpurange(const char *s, unsigned int nbits, uint32_t *map);
/* Xen's parse_mem_size_kb(): a number with b/k/m/g/t (default m) as KiB,
 * -1 if malformed. */
int64_t xl_parse_mem_size_kb(const char *mem);

#endif
