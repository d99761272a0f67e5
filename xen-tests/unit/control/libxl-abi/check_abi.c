/* Built against dbgvisor's tools/include: every layout, value and
 * signature must equal what gen_xen_abi found in Debian's Xen 4.17. */
#include <stddef.h>
#include <stdio.h>
#include <libxl.h>
#include <libxl_utils.h>
#include <xentoollog.h>
#include "abi_list.h"
#include "xen_abi.h"

#ifndef LIBXL_HAVE_DBGVISOR
#error "check_abi must be built against dbgvisor's libxl.h"
#endif

#define S(t) _Static_assert(sizeof(t) == XEN_SIZEOF_##t, "sizeof " #t);
ABI_STRUCTS
#undef S
#define F(t, f) \
    _Static_assert(offsetof(t, f) == XEN_OFF_##t##_##f, "offset of " #t "." #f); \
    _Static_assert(sizeof(((t *)0)->f) == XEN_SZ_##t##_##f, "size of " #t "." #f);
ABI_FIELDS
#undef F
#define E(e) _Static_assert((long long)(e) == XEN_VAL_##e, "value of " #e);
ABI_ENUMS
#undef E
#define G(fn, ret, args) \
    _Static_assert(__builtin_types_compatible_p(__typeof__(&fn), ret (*) args), \
                   "dbgvisor's " #fn " differs from Xen 4.17");
ABI_SIGS
#undef G

int main(void)
{
    int n = 0;

#define S(t) n++;
    ABI_STRUCTS
#undef S
#define F(t, f) n++;
    ABI_FIELDS
#undef F
#define E(e) n++;
    ABI_ENUMS
#undef E
#define G(fn, ret, args) n++;
    ABI_SIGS
#undef G
    printf("libxl ABI conformance with Xen 4.17: %d checks passed at compile time\n", n);
    return 0;
}
