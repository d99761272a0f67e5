/* Nested page tables: a domain's guest-physical to host-physical map. */
#ifndef ASM_NPT_H
#define ASM_NPT_H

#include <stdbool.h>
#include <stdint.h>

struct domain;

#define NPT_R 0x1   /* present */
#define NPT_W 0x2
#define NPT_X 0x4

/* Maps [gpa, gpa+len) to [hpa, hpa+len) with 4 KiB pages. */
int npt_map(struct domain *d, uint64_t gpa, uint64_t hpa, uint64_t len, unsigned perm);
/* Changes permissions of one mapped page (guest-debug emulated watchpoints). */
int npt_protect(struct domain *d, uint64_t gpa, unsigned perm);
/* After npt_protect: every vCPU of d drops its cached translations before it
 * next runs guest code. Each vCPU takes the request at its next VM entry
 * (svm_vcpu_run); one in guest mode on another pCPU is made to exit for it.
 * With wait (permissions taken away), returns only once no vCPU of d can
 * still use a translation from before the call. */
void npt_flush_domain(struct domain *d, bool wait);
/* Frees every table page. */
void npt_destroy(struct domain *d);

#endif
